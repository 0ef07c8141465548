"""Messages waiting for a user in chat: expiry reminders for managers, decisions for employees.

Stored by the agreement service and the daily job; delivered once, with the user's next chat
turn or through ``GET /api/notifications``.
"""

from datetime import UTC, datetime

from sqlalchemy import select

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
