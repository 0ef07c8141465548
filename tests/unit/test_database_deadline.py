"""``answer_within``: the chat turn's database work gives up at its deadline while another
writer holds the lock, and the work without a deadline (HR's pages, the jobs) keeps the
connection's longer timeouts afterwards, on SQLite and on PostgreSQL."""

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.storage.database import STATEMENT_TIMEOUT_SECONDS, Database, answer_within
from bot.storage.models import Notification
from tests.conftest import postgres_schema


def test_sqlite_gives_up_at_the_deadline_and_then_waits_as_long_as_before(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/app.db")
    db.migrate()
    other = sqlite3.connect(tmp_path / "app.db")
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(OperationalError), answer_within(0.6), db.session() as session:
        session.add(Notification(recipient_id="anna.andersson", text="Mötet är bokat."))
    assert 0.5 < time.monotonic() - started < 3
    other.rollback()

    with db.session() as session:
        busy = session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
        session.add(Notification(recipient_id="anna.andersson", text="Mötet är bokat."))
    assert busy == STATEMENT_TIMEOUT_SECONDS * 1000
    other.close()
    db.dispose()


def test_postgresql_limits_only_the_transactions_under_the_deadline() -> None:
    with postgres_schema() as db:
        with answer_within(3), db.session() as session:
            inside = session.scalar(text("SHOW statement_timeout"))
            lock = session.scalar(text("SHOW lock_timeout"))
            # A later, nested deadline does not extend the earlier one.
            with answer_within(30), db.session() as nested:
                nested_timeout = nested.scalar(text("SHOW statement_timeout"))
        with db.session() as session:
            after = session.scalar(text("SHOW statement_timeout"))
    assert inside == lock and inside is not None and 2900 <= int(inside.removesuffix("ms")) <= 3000
    assert nested_timeout is not None and int(nested_timeout.removesuffix("ms")) <= 3000
    assert after == f"{STATEMENT_TIMEOUT_SECONDS}s"
