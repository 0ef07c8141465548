"""Messages waiting for a user in chat: expiry reminders for managers, decisions for employees.

Stored by the agreement service and the daily job; delivered once, with the user's next chat
turn or through ``GET /api/notifications``.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.storage.database import Database
from bot.storage.models import Notification


def take_undelivered(db: Database, user_id: str) -> list[str]:
    """The texts waiting for ``user_id``, oldest first, now marked delivered."""
    with db.session() as session:
        waiting = session.scalars(
            select(Notification)
            .where(Notification.recipient_id == user_id, Notification.delivered_at.is_(None))
            .order_by(Notification.id)
            .with_for_update(skip_locked=True)
        ).all()
        now = datetime.now(UTC)
        for notification in waiting:
            notification.delivered_at = now
        return [n.text for n in waiting]


@dataclass(frozen=True)
class Waiting:
    id: int
    text: str


class Inbox:
    """The chat turn's view: what waits is read with the turn and marked delivered only after
    the reply has gone out, so a database that answers late never loses a reminder unseen."""

    def __init__(self, database: Callable[[], Database | None]) -> None:
        self._database = database

    def waiting(self, user_id: str) -> list[Waiting]:
        db = self._database()
        if db is None:
            return []
        with db.session() as session:
            rows = session.execute(
                select(Notification.id, Notification.text)
                .where(Notification.recipient_id == user_id, Notification.delivered_at.is_(None))
                .order_by(Notification.id)
            ).all()
        return [Waiting(row.id, row.text) for row in rows]

    def mark_delivered(self, ids: Sequence[int]) -> None:
        db = self._database()
        if db is None or not ids:
            return
        with db.session() as session:
            session.execute(
                update(Notification)
                .where(Notification.id.in_(ids), Notification.delivered_at.is_(None))
                .values(delivered_at=datetime.now(UTC))
            )
