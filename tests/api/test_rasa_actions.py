"""The action endpoint answers only Rasa, which sends the shared token."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import rasa_action_call


def action_call(text: str) -> dict[str, Any]:
    message = {
        "text": text,
        "intent": {"name": "faq_costs", "confidence": 0.9},
        "intent_ranking": [{"name": "faq_costs", "confidence": 0.9}],
        "entities": [],
    }
    return rasa_action_call("action_answer_faq", message)


def test_rasa_with_the_token_runs_the_action(client: TestClient) -> None:
    response = client.post(
        "/internal/rasa/webhook?token=test-token",
        json=action_call("Vilka kostnader står arbetsgivaren för?"),
    )
    assert response.status_code == 200
    (message,) = response.json()["responses"]
    assert message["custom"]["faq_id"] == "kostnader"


def test_calls_without_the_token_are_forbidden(client: TestClient) -> None:
    assert client.post("/internal/rasa/webhook", json=action_call("x")).status_code == 403
    assert (
        client.post("/internal/rasa/webhook?token=wrong", json=action_call("x")).status_code == 403
    )


def test_unknown_action_is_a_404(client: TestClient) -> None:
    call = action_call("x") | {"next_action": "action_finns_inte"}
    assert client.post("/internal/rasa/webhook?token=test-token", json=call).status_code == 404


def test_the_endpoint_is_not_in_the_public_api_schema(client: TestClient) -> None:
    assert "/internal/rasa/webhook" not in client.get("/openapi.json").json()["paths"]
