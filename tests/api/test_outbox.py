"""The app with an SMTP server that takes connections and never answers: bookings in chat are
answered at once, their invitations wait in the outbox, and only the app's drain waits for the
server, in a worker thread."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.identity_seal import IdentitySeal
from bot.main import create_app
from bot.storage.database import Database
from bot.storage.models import OutboxMessage
from tests.api.conftest import make_settings
from tests.api.test_risk_assessments import working_day
from tests.conftest import CharTrigramEncoder, FakeRasa, Hanging, rasa_action_call
from tests.unit.test_agreement_reminders import SENDER

SENDER_ID = "conversation-outbox"
# Far below the SMTP timeout below: a reply that waited for the server would take 20 s.
PROMPT_SECONDS = 5.0


@pytest.fixture
def client(rasa: FakeRasa, tmp_path: Path, hanging_smtp: Hanging) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path,
        rasa.url,
        smtp={
            "host": "127.0.0.1",
            "port": hanging_smtp.port,
            "sender": SENDER,
            "timeout_seconds": 20,
        },
        outbox_poll_seconds=0.1,
    )
    with TestClient(create_app(settings, CharTrigramEncoder())) as test_client:
        yield test_client


def action_call(action: str, slots: dict[str, Any], user: str = "anna.andersson") -> Any:
    message = {
        "text": "/affirm",
        "intent": {"name": "affirm", "confidence": 1.0},
        "entities": [],
        "metadata": IdentitySeal("test-token").metadata(user, SENDER_ID),
    }
    return rasa_action_call(action, message, slots, SENDER_ID)


def run_action(client: TestClient, call: Any) -> tuple[str, str, float]:
    """The reply's text and link, and how long it took."""
    started = time.monotonic()
    response = client.post("/internal/rasa/webhook?token=test-token", json=call)
    took = time.monotonic() - started
    assert response.status_code == 200, response.text
    reply = response.json()["responses"][0]["custom"]
    return reply["text"], reply["link"], took


def outbox(client: TestClient) -> list[OutboxMessage]:
    database: Database = client.app.state.storage.database  # type: ignore[attr-defined]
    with database.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_hanging_smtp_server_delays_no_booking(client: TestClient, hanging_smtp: Hanging) -> None:
    booking = {
        "ra_employee": "anna.andersson",
        "ra_safety_representative": "sven.skog",
        "ra_duration": 45.0,
        "ra_start": working_day(25).isoformat(),
        "ra_place": "Teams",
    }
    booked, link, took = run_action(client, action_call("action_book_risk_assessment", booking))

    assert "Mötet är bokat" in booked and "Inbjudan skickas också med e-post." in booked
    assert took < PROMPT_SECONDS
    assert hanging_smtp.connected.wait(timeout=10), "the app's drain reached the server"

    # The drain now waits for the greeting that never comes; the next change must not.
    assessment_id = link.removeprefix("/api/risk-assessments/").removesuffix(".ics")
    move = {"ra_assessment_id": assessment_id, "ra_start": working_day(26).isoformat()}
    moved, _, took = run_action(client, action_call("action_reschedule_risk_assessment", move))

    assert "Den nya inbjudan skickas också med e-post." in moved
    assert took < PROMPT_SECONDS
    started = time.monotonic()
    assert client.get("/health/live").status_code == 200
    assert time.monotonic() - started < PROMPT_SECONDS
    queued = outbox(client)
    assert len(queued) == 6 and all(m.sent_at is None for m in queued)
    assert sum(m.claimed_until is not None for m in queued) == 1, "only the one being tried"

    hanging_smtp.close()
    deadline = time.monotonic() + 10
    while not all(m.attempts == 1 and m.claimed_until is None for m in outbox(client)):
        assert time.monotonic() < deadline, "the drain goes on once the server is gone"
        time.sleep(0.1)
    # Each tried once, to be tried again in 30 s.
    assert all(m.sent_at is None and m.last_error and m.next_attempt_at for m in outbox(client))
