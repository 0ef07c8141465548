"""Schema migrations upgrade a database that already holds data, on SQLite and PostgreSQL."""

from datetime import date
from pathlib import Path

import sqlalchemy
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.storage.database import MIGRATIONS, Database
from bot.storage.models import Base
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
            sqlalchemy.text("SELECT status, calendar_sequence FROM risk_assessments")
        ).one()
        planned = connection.execute(sqlalchemy.text("SELECT id FROM action_items")).all()
    assert row.status == "documented"
    assert row.calendar_sequence == 0
    assert planned == []
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


def test_the_migrations_build_the_tables_the_models_describe(tmp_path: Path) -> None:
    # A column added to a model without a migration (or the other way round) would only show
    # up as a failing query on a database migrated in production.
    db = Database(f"sqlite:///{tmp_path}/m.db")
    db.migrate()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    db.dispose()


def test_there_is_one_line_of_migrations() -> None:
    # Two helpers each adding a migration after the same one would leave two heads, and
    # ``upgrade head`` would refuse to run at start-up.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_an_agreement_made_before_the_address_column_keeps_its_data(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/m.db")
    upgrade(db, "0006")
    with db.engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                "INSERT INTO agreements (reference, submission_key, region, employee_id,"
                " manager_id, unit, share_percent, place_kind, place_description, start_date,"
                " end_date, tasks, equipment, it_security_confirmed, status, created_at)"
                " VALUES ('DA-2026-00001', 'k', 'vastmanland', 'anna.andersson', 'maria.berg',"
                " 'Ekonomienheten', 40, 'home', '', :start, :end, 'Analys', '[]', 1,"
                " 'active', CURRENT_TIMESTAMP)"
            ),
            {"start": date(2026, 1, 1), "end": date(2026, 12, 31)},
        )
    upgrade(db, "0007")
    with db.engine.connect() as connection:
        row = connection.execute(
            sqlalchemy.text("SELECT reference, status, workplace_address FROM agreements")
        ).one()
    assert (row.reference, row.status, row.workplace_address) == ("DA-2026-00001", "active", None)
    downgrade(db, "0006")
    with db.engine.connect() as connection:
        columns = {c["name"] for c in sqlalchemy.inspect(connection).get_columns("agreements")}
        assert "workplace_address" not in columns
        assert connection.execute(sqlalchemy.text("SELECT count(*) FROM agreements")).scalar() == 1
    db.dispose()
