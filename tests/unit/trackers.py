"""Trackers and dispatcher output as rasa-sdk sees them, for testing actions without a server."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.identity_seal import IdentitySeal

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
) -> Tracker:
    """The tracker rasa-sdk builds from Rasa's request, for the latest message ``text``; its
    metadata is what the app sends for ``user`` unless ``metadata`` replaces it."""
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
            "events": [{"event": "user", "text": text, "parse_data": message}],
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
