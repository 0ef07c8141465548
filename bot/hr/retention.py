"""Retention: review items, usage events and Rasa's conversation events older than
``retention_days`` are deleted by the daily job. Audit records are kept: they hold no
question text, only who changed what."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete
from sqlalchemy.orm import Session

from bot.hr.tracker_store import purge_events_before
from bot.storage.database import Database
from bot.storage.models import FaqUsageEvent, ReviewItem


@dataclass(frozen=True)
class Purged:
    review_items: int
    usage_events: int
    conversation_events: int

    def summary(self, days: int) -> str:
        return (
            f"Gallring (äldre än {days} dagar): {self.review_items} frågor i granskningskön, "
            f"{self.usage_events} användningshändelser, "
            f"{self.conversation_events} konversationshändelser raderade."
        )


def purge_older_than(
    db: Database, days: int, now: datetime, tracker_store_url: str | None = None
) -> Purged:
    """Deletes what is older than ``days`` days before ``now``; returns the counts."""
    cutoff = now - timedelta(days=days)
    with db.session() as session:
        items = deleted(session, delete(ReviewItem).where(ReviewItem.created_at < cutoff))
        events = deleted(session, delete(FaqUsageEvent).where(FaqUsageEvent.at < cutoff))
    conversation_events = purge_events_before(tracker_store_url, cutoff) if tracker_store_url else 0
    return Purged(items, events, conversation_events)


def deleted(session: Session, statement: Delete) -> int:
    """Runs a DELETE and returns how many rows it removed."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount or 0)
