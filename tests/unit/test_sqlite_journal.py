"""The embedded SQLite databases (the app's and Rasa's tracker store) run in write-ahead-log
mode: a reader never waits for a writer, and a commit is one sync of the log."""

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from bot.launcher import prepare_sqlite_tracker_store, tracker_store
from bot.storage.database import Database


def test_a_write_is_not_held_up_by_someone_reading_the_app_database(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    database = Database(f"sqlite:///{path}")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
        connection.execute(text("INSERT INTO notes VALUES ('first')"))
    # HR's page reading the figures, in a transaction of its own.
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT body FROM notes").fetchall() == [("first",)]
    written = threading.Event()

    def write() -> None:
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO notes VALUES ('second')"))
        written.set()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    # With a rollback journal the commit waits for the reader (up to the 10 s lock timeout).
    assert written.wait(3), "the write waited for a reader"
    assert reader.execute("SELECT body FROM notes").fetchall() == [("first",)]
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM notes").fetchone() == (2,)
    reader.close()
    database.dispose()


def test_rasas_tracker_file_is_prepared_in_write_ahead_log_mode(tmp_path: Path) -> None:
    store = tracker_store(None, tmp_path)
    prepare_sqlite_tracker_store(store)
    with sqlite3.connect(tmp_path / "rasa_tracker.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_postgresql_tracker_store_is_left_alone(tmp_path: Path) -> None:
    prepare_sqlite_tracker_store(tracker_store("postgresql://127.0.0.1:5432/test", tmp_path))
    assert list(tmp_path.iterdir()) == []
