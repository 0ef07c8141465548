"""Rasa's SQL tracker store holds the conversations themselves (the app keeps no transcripts).
Its ``events`` table is purged here by age and, for erasure, by user: Rasa itself has no
retention setting for the SQL tracker store."""

import json
from datetime import datetime
from pathlib import Path

import sqlalchemy
from sqlalchemy import bindparam, text

from bot.settings import PROJECT_ROOT, Settings

DEFAULT_TRACKER_DB = PROJECT_ROOT / ".run" / "rasa_tracker.db"


def tracker_store_url(settings: Settings, default_file: Path = DEFAULT_TRACKER_DB) -> str | None:
    """A SQLAlchemy URL for the tracker store the launcher configures (see
    ``bot/launcher.py tracker_store``); None when the default SQLite file does not exist."""
    url = settings.rasa_tracker_store_url
    if not url:
        return f"sqlite:///{default_file}" if default_file.exists() else None
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    # psycopg 3 is the driver installed for PostgreSQL; SQLAlchemy's default would be psycopg2.
    return f"postgresql+psycopg://{rest}" if scheme in ("postgres", "postgresql") else url


def purge_events_before(url: str, cutoff: datetime) -> int:
    """Deletes tracker events older than ``cutoff``; returns how many."""
    engine = sqlalchemy.create_engine(url)
    try:
        if not sqlalchemy.inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            result = connection.execute(
                text("DELETE FROM events WHERE timestamp < :cutoff"),
                {"cutoff": cutoff.timestamp()},
            )
            return int(result.rowcount or 0)
    finally:
        engine.dispose()


def erase_conversations_of(url: str, author: str) -> int:
    """Deletes every event of each conversation in which the user with pseudonym ``author``
    wrote (the chat service sends it as message metadata, ``IdentitySeal.author``); returns how
    many events."""
    engine = sqlalchemy.create_engine(url)
    try:
        if not sqlalchemy.inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            candidates = connection.execute(
                text(
                    "SELECT sender_id, data FROM events WHERE type_name = 'user' "
                    "AND data LIKE :needle"
                ),
                {"needle": f"%{json.dumps(author)}%"},
            ).all()
            senders = sorted({row.sender_id for row in candidates if _written_by(row.data, author)})
            if not senders:
                return 0
            result = connection.execute(
                text("DELETE FROM events WHERE sender_id IN :senders").bindparams(
                    bindparam("senders", expanding=True)
                ),
                {"senders": senders},
            )
            return int(result.rowcount or 0)
    finally:
        engine.dispose()


def _written_by(data: str | None, author: str) -> bool:
    try:
        event = json.loads(data or "{}")
    except json.JSONDecodeError:
        return False
    metadata = event.get("metadata") if isinstance(event, dict) else None
    return isinstance(metadata, dict) and metadata.get("author") == author
