"""A waiting notice is shown once: by one of two turns of the same user at the same instant, and
not by a turn while the Teams notifier is sending it (#19). Against SQLite and the local
PostgreSQL, with the chat service's real claim."""

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.teams_proactive import claim_for_teams, mark_failed, store_reference
from bot.chat import ChatService
from bot.identity import User, demo_directory
from bot.identity_seal import IdentitySeal
from bot.notifications import Inbox, claim_waiting
from bot.rasa_client import RasaClient
from bot.storage.database import Database
from bot.storage.models import Notification
from tests.conftest import FakeRasa, postgres_schema

ROUNDS = 12
REFERENCE = {"serviceUrl": "http://127.0.0.1:9/", "conversation": {"id": "a:1"}}


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "postgresql":
        with postgres_schema() as database:
            yield database
        return
    database = Database(f"sqlite:///{tmp_path}/app.db")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.close()


def maria() -> User:
    user = demo_directory().get("maria.berg")
    assert user is not None
    return user


def add_notice(db: Database, text: str) -> int:
    with db.session() as session:
        notice = Notification(recipient_id="maria.berg", text=text)
        session.add(notice)
        session.flush()
        return notice.id


async def turns_at_once(db: Database, rasa: FakeRasa, *conversations: str) -> list[str]:
    """One turn of Maria's in each conversation, all at the same instant; the notices shown."""
    seal = IdentitySeal("test-token")
    client = RasaClient(rasa.url, 5.0, seal.channel_key)
    service = ChatService(client, seal, lambda: None, inbox=Inbox(lambda: db))
    try:
        turns = await asyncio.gather(
            *(service.handle(maria(), conversation, "hej") for conversation in conversations)
        )
    finally:
        await client.close()
    return [m.text for turn in turns for m in turn if m.text != "Hej från Rasa"]


def test_two_turns_at_the_same_instant_show_a_waiting_notice_once(
    db: Database, rasa: FakeRasa
) -> None:
    for round_number in range(ROUNDS):
        add_notice(db, f"Påminnelse {round_number}")
        shown = asyncio.run(turns_at_once(db, rasa, "c-web", "c-teams"))
        assert shown == [f"Påminnelse {round_number}"]


def test_a_notice_being_sent_to_teams_is_not_shown_in_chat_until_the_send_fails(
    db: Database, rasa: FakeRasa
) -> None:
    store_reference(db, "maria.berg", REFERENCE)
    notice_id = add_notice(db, "Påminnelse om mötet")
    (claimed,) = claim_for_teams(db)
    assert claimed.notification_id == notice_id
    assert asyncio.run(turns_at_once(db, rasa, "c-web", "c-teams")) == []
    mark_failed(db, claimed, "Bot Connector 503", datetime.now(UTC))
    with db.session() as session:
        session.add(Notification(recipient_id="erik.ek", text="Inte Marias"))
    assert asyncio.run(turns_at_once(db, rasa, "c-web")) == ["Påminnelse om mötet"]
    # Shown in the chat, it is no longer Teams' to send.
    later = datetime.now(UTC) + timedelta(hours=2)
    assert claim_for_teams(db, later) == []


def test_a_turn_with_nothing_waiting_does_not_wait_for_another_writer(tmp_path: Path) -> None:
    """SQLite has one write lock: a turn's look for notices must not queue behind a long write
    (a report, a retention run) when nothing waits for the user, as nearly every turn."""
    database = Database(f"sqlite:///{tmp_path}/app.db")
    database.migrate()
    try:
        with database.session() as session:
            session.add(Notification(recipient_id="erik.ek", text="Inte Marias"))
        writer = sqlite3.connect(tmp_path / "app.db")
        writer.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            assert claim_waiting(database, "maria.berg") == []
            assert time.monotonic() - started < 1
        finally:
            writer.rollback()
            writer.close()
        # Once the writer is done, a waiting notice is claimed as before.
        assert [n.text for n in claim_waiting(database, "erik.ek")] == ["Inte Marias"]
    finally:
        database.dispose()
