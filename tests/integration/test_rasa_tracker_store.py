"""Rasa's conversations are stored whole and once by the tracker store the launcher configures
(bot/rasa_tracker_store.py): the same rows as Rasa's own SQLTrackerStore, read back the same, in
fewer statements (no counting query for a conversation it loaded or found empty, one insert per
save)."""

import json
import uuid
from pathlib import Path

import pytest

from bot.launcher import TRACKER_STORE_TYPE, tracker_store
from tests.conftest import POSTGRES_URL
from tests.rasa_python import run_in_rasa

pytestmark = pytest.mark.slow

SCRIPT = """
import asyncio, itertools, json, sys, types
import rasa.shared.core.events
import sqlalchemy
from rasa.core.tracker_store import FailSafeTrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.utils.endpoints import EndpointConfig

configs, sender = json.loads(sys.argv[1]), sys.argv[2]

async def turn(store, text, answer):
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text, {"name": "faq", "confidence": 0.9}))
    await store.save(tracker)
    tracker.update(ActionExecuted("action_answer_faq"))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

async def conversation(store):
    await turn(store, "hej", "Hej!")
    await turn(store, "vem betalar internet", "Svaret")
    await turn(store, "tack", "Varsågod")
    tracker = await store.retrieve(sender)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    await store.save(tracker)
    await turn(store, "en fråga till", "Ett svar")

def plain(store):
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store

async def main():
    seen = {}
    for name, config in configs.items():
        clock = itertools.count(1_700_000_000)
        # The same timestamps in both stores: the events' clock only (a connection pool reads
        # the time too, and the two stores connect a different number of times).
        rasa.shared.core.events.time = types.SimpleNamespace(time=lambda: float(next(clock)))
        # Wrapped as Rasa's agent wraps it.
        store = FailSafeTrackerStore(
            create_tracker_store(EndpointConfig.from_dict(config), Domain.empty())
        )
        statements, connections = [], []
        sqlalchemy.event.listen(
            plain(store).engine, "connect", lambda *a: connections.append(1)
        )
        sqlalchemy.event.listen(
            plain(store).engine, "before_cursor_execute",
            lambda c, cur, statement, *a: statements.append(statement),
        )
        await conversation(store)
        table = plain(store).SQLEvent.__table__
        with plain(store).engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.select(table).where(table.c.sender_id == sender).order_by(table.c.id)
            ).mappings().all()
        latest = await store.retrieve(sender)
        full = await store.retrieve_full_tracker(sender)
        seen[name] = {
            "class": type(plain(store)).__name__,
            "rows": [{k: v for k, v in row.items() if k != "id"} for row in rows],
            "latest": [e.as_dict() for e in latest.events],
            "full": [e.as_dict() for e in full.events],
            "texts": [e.text for e in full.events if isinstance(e, (UserUttered, BotUttered))],
            "inserts": sum(s.lstrip().upper().startswith("INSERT") for s in statements),
            "counting": sum("count(" in s.lower() for s in statements),
            "connections": len(connections),
        }
        if config.get("dialect") != "sqlite":
            with plain(store).engine.begin() as connection:
                connection.execute(table.delete().where(table.c.sender_id == sender))
    print(json.dumps(seen))

asyncio.run(main())
"""


def stores(url: str | None, run_dir: Path) -> dict[str, dict[str, object]]:
    ours = tracker_store(url, run_dir)
    (run_dir / "rasa").mkdir()
    rasas = {**tracker_store(url, run_dir / "rasa"), "type": "SQL"}
    return {"rasa": rasas, "ours": ours}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_every_turn_is_stored_once_as_rasa_stores_it_in_fewer_statements(
    database: str, tmp_path: Path
) -> None:
    url = POSTGRES_URL.replace("+psycopg", "") if database == "postgresql" else None
    sender = f"store-test-{uuid.uuid4().hex[:8]}"
    seen = run_in_rasa(SCRIPT, json.dumps(stores(url, tmp_path)), sender)
    ours, rasas = seen["ours"], seen["rasa"]
    assert ours["class"] == TRACKER_STORE_TYPE.rsplit(".", 1)[1]
    assert rasas["class"] == "SQLTrackerStore"
    assert ours["texts"] == [
        "hej", "Hej!", "vem betalar internet", "Svaret", "tack", "Varsågod",
        "en fråga till", "Ett svar",
    ]  # fmt: skip
    # A new tracker's first action_listen, 4 turns of 4 events, and the new session's 2.
    assert len(ours["rows"]) == 19
    assert ours["rows"] == rasas["rows"]
    assert ours["latest"] == rasas["latest"]
    assert ours["full"] == rasas["full"]
    # Never counted: it knows what it loaded or found empty; Rasa counts before every save.
    assert ours["counting"] == 0
    assert rasas["counting"] == 10
    # One insert per save (10: the new tracker, two a turn, the new session). On SQLite Rasa
    # inserts each event alone; SQLAlchemy's PostgreSQL driver batches an ORM flush already.
    assert ours["inserts"] == 10
    assert rasas["inserts"] == (19 if database == "sqlite" else 10)
    # At most one new connection for the whole conversation (on PostgreSQL the pool holds the
    # one that created the tables). Rasa's own store opens and closes one for every read and
    # save on SQLite, each close checkpointing the write-ahead log.
    assert ours["connections"] == (1 if database == "sqlite" else 0)
    assert rasas["connections"] == (18 if database == "sqlite" else 0)
