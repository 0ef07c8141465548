"""Rasa's conversations are stored whole and once by the tracker store the launcher configures
(bot/rasa_tracker_store.py), which skips Rasa's counting query for a tracker it loaded itself."""

import json
from pathlib import Path

import pytest

from bot.launcher import TRACKER_STORE_TYPE, tracker_store
from tests.rasa_python import run_in_rasa

pytestmark = pytest.mark.slow

SCRIPT = """
import asyncio, json, sys
import sqlalchemy
from rasa.core.tracker_store import create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.utils.endpoints import EndpointConfig

config = json.loads(sys.argv[1])
store = create_tracker_store(EndpointConfig.from_dict(config), Domain.empty())
counts = []
sqlalchemy.event.listen(
    store._tracker_store.engine if hasattr(store, "_tracker_store") else store.engine,
    "before_cursor_execute",
    lambda c, cur, statement, *a: counts.append(1) if "count(" in statement.lower() else None,
)

async def turn(sender, text, answer):
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text))
    await store.save(tracker)
    tracker.update(ActionExecuted("action_answer_faq"))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

async def main():
    await turn("a", "hej", "Hej!")
    counts.clear()
    await turn("a", "vem betalar internet", "Svaret")
    await turn("a", "tack", "Varsågod")
    tracker = await store.retrieve("a")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    await store.save(tracker)
    await turn("a", "en fråga till", "Ett svar")
    full = await store.retrieve_full_tracker("a")
    print(json.dumps({
        "class": type(getattr(store, "_tracker_store", store)).__name__,
        "texts": [e.text for e in full.events if isinstance(e, (UserUttered, BotUttered))],
        "events": len(full.events),
        "counting_queries": len(counts),
    }))

asyncio.run(main())
"""


def test_every_turn_is_stored_once_without_counting_the_stored_events(tmp_path: Path) -> None:
    seen = run_in_rasa(SCRIPT, json.dumps(tracker_store(None, tmp_path)))
    assert seen["class"] == TRACKER_STORE_TYPE.rsplit(".", 1)[1]
    assert seen["texts"] == [
        "hej", "Hej!", "vem betalar internet", "Svaret", "tack", "Varsågod",
        "en fråga till", "Ett svar",
    ]  # fmt: skip
    # A new tracker's first action_listen, 4 turns of 4 events, and the new session's 2: what
    # Rasa's own SQLTrackerStore stores for the same turns.
    assert seen["events"] == 19
    assert seen["counting_queries"] == 0
