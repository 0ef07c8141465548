"""The OpenAPI document describes every response of every operation, errors included; production
does not publish it."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from tests.api.test_auth import SSO_KEY, production_settings, public_pem
from tests.conftest import CharTrigramEncoder, FakeRasa

DOCUMENTATION = ("/docs", "/redoc", "/openapi.json")


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_success_response_has_a_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for name, operation in operations(document):
        successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
        assert successes, name
        for status, response in successes.items():
            schemas = [content.get("schema") for content in response["content"].values()]
            assert schemas and all(schemas), f"{name} {status} has no schema"


def test_every_error_response_is_the_error_body(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert set(document["components"]["schemas"]["ErrorBody"]["required"]) == {
        "code",
        "detail",
        "detail_en",
    }
    for name, operation in operations(document):
        errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
        assert errors, name
        for status, response in errors.items():
            schema = response["content"]["application/json"]["schema"]["$ref"]
            expected = "Health" if name == "GET /health" else "ErrorBody"
            assert schema == f"#/components/schemas/{expected}", f"{name} {status}"


def test_writes_document_the_rate_limit_and_ids_their_range(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for name, operation in operations(document):
        if name.startswith("POST"):
            assert "429" in operation["responses"], name
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (
                    1,
                    2**31 - 1,
                ), name


def test_local_mode_publishes_the_documentation(client: TestClient) -> None:
    for path in DOCUMENTATION:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("path", DOCUMENTATION)
def test_production_does_not_publish_the_documentation(
    tmp_path: Path, rasa: FakeRasa, path: str
) -> None:
    key = tmp_path / "sso.pem"
    key.write_bytes(public_pem(SSO_KEY))
    settings = production_settings(tmp_path, rasa.url, oidc_public_key_file=key)
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
