"""Fixtures shared by the unit tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.database import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database of the test's own (a test file may define another)."""
    database = Database(f"sqlite:///{tmp_path}/t.db")
    database.migrate()
    yield database
    database.dispose()
