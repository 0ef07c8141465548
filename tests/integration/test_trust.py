"""The trust boundary with the real Rasa: nothing but the app can talk to Rasa, nothing that
reaches Rasa can pose as a user, and no personal data typed in the chat reaches any store or
log, Rasa's included."""

import json
import sqlite3
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.agreements.service import AgreementRequest, AgreementService
from bot.identity import demo_directory
from bot.identity_seal import IdentitySeal, channel_headers
from bot.regions import load_region
from bot.settings import Settings, shared_secret
from bot.storage.database import Database
from tests.conftest import chat_client

pytestmark = pytest.mark.slow


def rasa_url(stack: Any, path: str) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}{path}"


def seal_of(stack: Any) -> IdentitySeal:
    """The stack's seal: its secret is the one the launcher kept in the run directory."""
    return IdentitySeal(shared_secret(Settings(), stack.run_dir))


def post_to_rasa(stack: Any, payload: dict[str, Any], key: str | None, **headers: str) -> Any:
    body = json.dumps(payload).encode()
    signed = channel_headers(key, body) if key else {}
    return httpx.post(
        rasa_url(stack, "/webhooks/signed/webhook"),
        content=body,
        headers={"Content-Type": "application/json", **signed, **headers},
        timeout=30,
    )


def test_rasa_has_no_open_rest_channel(stack: Any) -> None:
    response = httpx.post(
        rasa_url(stack, "/webhooks/rest/webhook"),
        json={"sender": "x", "message": "hej", "metadata": {"user_id": "maria.berg"}},
        timeout=10,
    )
    assert response.status_code == 404


def test_rasa_refuses_messages_the_app_did_not_sign(stack: Any) -> None:
    payload = {"sender": "unsigned", "message": "hej"}
    key = seal_of(stack).channel_key
    assert post_to_rasa(stack, payload, None).status_code == 401
    assert post_to_rasa(stack, payload, "0" * 64).status_code == 401
    stale = channel_headers(key, json.dumps(payload).encode(), now=time.time() - 3600)
    assert post_to_rasa(stack, payload, None, **stale).status_code == 401
    tampered = channel_headers(key, json.dumps(payload).encode())
    other_body = {"sender": "unsigned", "message": "godkänn alla"}
    assert post_to_rasa(stack, other_body, None, **tampered).status_code == 401
    assert post_to_rasa(stack, payload, key).status_code == 200


@pytest.fixture(scope="module")
def pending_request(stack: Any) -> str:
    """A request of Anna's waiting for her manager Maria's decision."""
    db = Database(f"sqlite:///{stack.run_dir}/app.db")
    settings = Settings()
    service = AgreementService(
        db, demo_directory(), load_region(settings.regions_dir, "vastmanland")
    )
    agreement = service.submit(
        AgreementRequest(
            employee=demo_directory().get("anna.andersson"),  # type: ignore[arg-type]
            share_percent=40,
            place_kind="home",
            place_description="Hemma",
            start_date=date(2031, 1, 1),
            end_date=date(2031, 6, 30),
            tasks="Rapportskrivning",
            submission_key="trust-boundary",
        )
    )
    db.dispose()
    return agreement.reference


@pytest.mark.parametrize(
    "metadata",
    [
        {"user_id": "maria.berg"},
        "seal of another conversation",
    ],
    ids=["a user id in clear", "a seal replayed from another conversation"],
)
def test_a_signed_message_cannot_pose_as_the_manager(
    stack: Any, pending_request: str, metadata: Any
) -> None:
    seal = seal_of(stack)
    if metadata == "seal of another conversation":
        metadata = seal.metadata("maria.berg", "maria's-own-conversation")
    payload = {"sender": "intruder", "message": "visa mina ansökningar", "metadata": metadata}
    response = post_to_rasa(stack, payload, seal.channel_key)
    assert response.status_code == 200
    said = json.dumps(response.json(), ensure_ascii=False)
    assert pending_request not in said
    assert "logga in" in said


def test_the_manager_signed_in_through_the_app_sees_the_request(
    stack: Any, pending_request: str
) -> None:
    chat = chat_client(stack)
    response = chat("visa mina ansökningar", conversation_id="trust-maria", user="maria.berg")
    assert response.status_code == 200
    assert pending_request in response.text


# Typed the way people do: en dash, spaces around the hyphen, a 12-digit form.
IDENTITY_NUMBERS = ("811218\u20139876", "19811218 - 9876", "198112189876", "701063-2391")
EMAIL = "privat.adress@mail-test.se"
PHONES = ("070-123 45 67", "+46 8 123 456 78")
SESSION = [
    f"hej, mitt personnummer är {IDENTITY_NUMBERS[0]}, får jag jobba hemifrån?",
    f"Jag vill ansöka om distansarbete, nå mig på {EMAIL}",
    "40 procent",
    f"hemma, ring {PHONES[0]} om något",
    f"samordningsnummer {IDENTITY_NUMBERS[3]} och {IDENTITY_NUMBERS[1]}",
    f"min kollega har {IDENTITY_NUMBERS[2]}, tel {PHONES[1]}",
    "avbryt",
]
FORBIDDEN = (
    *IDENTITY_NUMBERS,
    "8112189876",
    "7010632391",
    EMAIL,
    "mail-test.se",
    *PHONES,
    "0701234567",
    "812345678",
)


def test_no_store_or_log_holds_personal_data_typed_in_the_chat(stack: Any) -> None:
    chat = chat_client(stack)
    for text in SESSION:
        assert chat(text, conversation_id="personal-data").status_code == 200
    feedback = httpx.post(
        f"{stack.url}/api/feedback",
        json={
            "conversation_id": "personal-data",
            "faq_id": "fritidsbostad",
            "question": f"{IDENTITY_NUMBERS[0]} {EMAIL} {PHONES[0]}",
            "helpful": False,
        },
        timeout=30,
    )
    assert feedback.status_code < 300, feedback.text
    files = [p for p in Path(stack.run_dir).rglob("*") if p.is_file()]
    stores = [p for p in files if p.suffix in (".db", ".log") or p.name.endswith("-wal")]
    assert {"app.db", "rasa_tracker.db", "app.log", "rasa.log"} <= {p.name for p in stores}
    found = {
        (store.name, value)
        for store in stores
        for value in FORBIDDEN
        if value.encode() in store.read_bytes()
        or json.dumps(value).strip('"').encode() in store.read_bytes()
    }
    assert found == set()
    # Nor does Rasa's tracker store name who wrote (the forged messages above do, by design).
    sender = seal_of(stack).sender_id("anna.andersson", "personal-data")
    with sqlite3.connect(Path(stack.run_dir) / "rasa_tracker.db") as tracker:
        events = [
            d for (d,) in tracker.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
        ]
    assert len(events) > len(SESSION)
    assert not [e for e in events if "anna.andersson" in e or "Anna Andersson" in e]
