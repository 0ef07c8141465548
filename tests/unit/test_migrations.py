"""Schema migrations upgrade a database that already holds data, on SQLite and PostgreSQL."""

from datetime import date
from pathlib import Path

import sqlalchemy
from alembic import command
from alembic.config import Config

from bot.storage.database import MIGRATIONS, Database
from tests.conftest import postgres_schema


def upgrade(db: Database, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(db: Database, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def assert_upgrade_keeps_data(db: Database) -> None:
    upgrade(db, "0001")
    with db.engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                "INSERT INTO risk_assessments (employee_id, manager_id, status, outcome,"
                " documented_on, created_at) VALUES ('anna.andersson', 'maria.berg',"
                " 'documented', 'Ok', :day, CURRENT_TIMESTAMP)"
            ),
            {"day": date(2026, 11, 20)},
        )
    db.migrate()
    with db.engine.connect() as connection:
        row = connection.execute(
            sqlalchemy.text("SELECT status, calendar_sequence, actions FROM risk_assessments")
        ).one()
    assert row.status == "documented"
    assert row.calendar_sequence == 0
    assert row.actions in ([], "[]")
    with db.engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                "INSERT INTO review_items (question, reason, user_key, created_at)"
                " VALUES ('Får jag jobba från Spanien?', 'low_confidence', 'k', CURRENT_TIMESTAMP)"
            )
        )
        queued = connection.execute(sqlalchemy.text("SELECT status FROM review_items")).one()
    assert queued.status == "open"
    downgrade(db, "0003")
    with db.engine.connect() as connection:
        assert "review_items" not in sqlalchemy.inspect(connection).get_table_names()
    downgrade(db, "0001")
    db.migrate()


def test_upgrade_keeps_existing_rows_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/m.db")
    assert_upgrade_keeps_data(db)
    db.dispose()


def test_upgrade_keeps_existing_rows_on_postgresql() -> None:
    with postgres_schema(migrate=False) as db:
        assert_upgrade_keeps_data(db)
