"""Oversized request bodies get 413 in the API's error format, declared or streamed, and never
reach the chat."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from bot.api.limits import RequestSizeLimit
from bot.main import create_app
from tests.api.conftest import make_settings
from tests.api.test_rasa_actions import action_call
from tests.conftest import CharTrigramEncoder, FakeRasa

LIMIT = 4096


@pytest.fixture
def small_limit(tmp_path: Path, rasa: FakeRasa) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, rasa.url, max_request_bytes=LIMIT)
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        yield client


def chat_body(message: str) -> bytes:
    return f'{{"conversation_id": "c1", "message": "{message}"}}'.encode()


def chunks(total: int, size: int = 1000) -> Iterator[bytes]:
    body = chat_body("a" * total)
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_too_large(response: object) -> None:
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert response.json() == {  # type: ignore[attr-defined]
        "code": "request_too_large",
        "detail": "Förfrågan är för stor (högst 4 kB).",
        "detail_en": "The request is too large (at most 4 kB).",
    }


def test_a_declared_large_body_is_refused(small_limit: TestClient, rasa: FakeRasa) -> None:
    response = small_limit.post(
        "/api/chat", content=chat_body("a" * LIMIT), headers={"Content-Type": "application/json"}
    )
    assert_too_large(response)
    assert rasa.received == []


def test_a_chunked_body_is_refused_once_it_passes_the_limit(
    small_limit: TestClient, rasa: FakeRasa
) -> None:
    response = small_limit.post(
        "/api/chat", content=chunks(LIMIT), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_too_large(response)
    assert rasa.received == []


def test_a_chunked_body_within_the_limit_is_answered(
    small_limit: TestClient, rasa: FakeRasa
) -> None:
    response = small_limit.post(
        "/api/chat", content=chunks(1500), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert len(rasa.received) == 1


def test_the_default_limit_allows_a_message_of_the_longest_allowed_length(
    client: TestClient, rasa: FakeRasa
) -> None:
    response = client.post(
        "/api/chat",
        content=chat_body("å" * 2000),
        headers={"Content-Type": "application/json", "X-Demo-User": "anna.andersson"},
    )
    assert response.status_code == 200
    assert len(rasa.received) == 1


async def test_a_declared_length_is_refused_without_reading_the_body() -> None:
    reached_app = False
    read = False
    sent: list[Message] = []

    async def app(scope: object, receive: object, send: object) -> None:
        nonlocal reached_app
        reached_app = True

    async def receive() -> Message:
        nonlocal read
        read = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/chat",
        "headers": [(b"content-length", str(LIMIT + 1).encode())],
    }
    await RequestSizeLimit(app, LIMIT)(scope, receive, send)
    assert sent[0]["status"] == 413
    assert not read
    assert not reached_app


def test_rasa_action_calls_of_a_long_conversation_are_not_cut_off(
    small_limit: TestClient,
) -> None:
    call = action_call("Vilka kostnader står arbetsgivaren för?")
    # Rasa sends every event of the session; a long conversation is far above the user limit.
    call["tracker"]["events"] = [
        {"event": "user", "text": f"fråga nummer {n} " + "x" * 200} for n in range(100)
    ]
    body = json.dumps(call).encode()
    assert len(body) > 5 * LIMIT
    response = small_limit.post(
        "/internal/rasa/webhook?token=test-token",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["responses"][0]["custom"]["faq_id"] == "kostnader"
