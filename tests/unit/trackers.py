"""Trackers and dispatcher output as rasa-sdk sees them, for testing actions without a server."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services
from bot.agreements.service import AgreementService
from bot.clock import Clock
from bot.identity import demo_directory
from bot.identity_seal import IdentitySeal
from bot.regions import load_region
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.database import Database

# The seal of the Services the action tests build, and the conversation their trackers are of.
SEAL = IdentitySeal("test-token")
SENDER = "conversation-1"


def tracker(
    text: str,
    slots: dict[str, Any] | None = None,
    intent: str = "inform",
    confidence: float = 0.5,
    user: str = "anna.andersson",
    entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = "agreement_form",
    metadata: dict[str, Any] | None = None,
    earlier: list[dict[str, Any]] | None = None,
) -> Tracker:
    """The tracker rasa-sdk builds from Rasa's request, for the latest message ``text`` after
    the events ``earlier``; its metadata is what the app sends for ``user`` unless ``metadata``
    replaces it."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": entities or [],
        "metadata": SEAL.metadata(user, SENDER) if metadata is None else metadata,
    }
    return Tracker.from_dict(
        {
            "sender_id": SENDER,
            "slots": {"requested_slot": None, **(slots or {})},
            "latest_message": message,
            "events": [*(earlier or []), {"event": "user", "text": text, "parse_data": message}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def texts(dispatcher: CollectingDispatcher) -> str:
    """Everything said: plain texts, custom messages' texts and response names."""
    return " ".join(
        str(m.get("text") or (m.get("custom") or {}).get("text") or m.get("response") or "")
        for m in dispatcher.messages
    )


@contextmanager
def process_services(db_file: Path, answerer: Any, clock: Clock) -> Iterator[Services]:
    """The actions' services with both processes on a fresh SQLite file (Västernorrland's
    rules) and ``answerer`` as the FAQ."""
    db = Database(f"sqlite:///{db_file}")
    db.migrate()
    region = load_region(Settings().regions_dir, "vasternorrland")
    try:
        yield Services(
            answerer=lambda: answerer,
            seal=SEAL,
            agreements=AgreementService(db, demo_directory(), region, clock),
            risk_assessments=RiskAssessmentService(db, demo_directory(), now=clock.now),
            faq_dir=PROJECT_ROOT / "faq",
            clock=clock,
        )
    finally:
        db.dispose()
