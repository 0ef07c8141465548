"""Messages waiting for a user in chat: expiry reminders for managers, decisions for employees.

Stored by the agreement service and the daily job; delivered once, with the user's next chat
turn, through ``GET /api/notifications``, or to their Teams chat (``bot.channels.
teams_proactive``). Whoever shows a notice claims it first, in one UPDATE … RETURNING that marks
it delivered: of two turns of the same user at the same instant, exactly one gets it, on SQLite
(one writer at a time) and on PostgreSQL (the second UPDATE waits for the first's row lock, then
finds the row delivered). A notice the Teams notifier holds is left to it.
"""

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update

from bot.storage.database import Database
from bot.storage.models import Agreement, AgreementStatus, NoticeKind, Notification

log = logging.getLogger(__name__)

# Sends to a user's Teams chat before it is left to the web chat (bot/channels/teams_proactive.py):
# as for e-mail, about six hours of trying.
TEAMS_MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class Waiting:
    id: int
    text: str


def claim_waiting(db: Database, user_id: str) -> list[Waiting]:
    """The notices waiting for ``user_id``, oldest first, now marked delivered."""
    now = datetime.now(UTC)
    waiting = (
        Notification.recipient_id == user_id,
        Notification.delivered_at.is_(None),
        or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
    )
    # Nearly every turn has nothing waiting: a read finds that out without taking SQLite's
    # one write lock, which every other turn's writes then wait for. The update checks again.
    with db.session() as session:
        if session.scalar(select(Notification.id).where(*waiting).limit(1)) is None:
            return []
    with db.session() as session:
        rows = session.execute(
            update(Notification)
            .where(*waiting)
            .values(delivered_at=now)
            .returning(
                Notification.id, Notification.text, Notification.kind, Notification.agreement_id
            )
            .execution_options(synchronize_session=False)
        ).all()
        # "Anna har ansökt …" is old news once the request is decided or withdrawn, as when
        # the manager decides in the very turn that would show it.
        submitted = [r.agreement_id for r in rows if r.kind == NoticeKind.AGREEMENT_SUBMITTED]
        undecided = set(
            session.scalars(
                select(Agreement.id).where(
                    Agreement.id.in_(submitted), Agreement.status == AgreementStatus.SUBMITTED
                )
            )
            if submitted
            else ()
        )
    shown = [
        Waiting(row.id, row.text)
        for row in rows
        if row.kind != NoticeKind.AGREEMENT_SUBMITTED or row.agreement_id in undecided
    ]
    return sorted(shown, key=lambda n: n.id)


def take_undelivered(db: Database, user_id: str) -> list[str]:
    """The texts waiting for ``user_id``, oldest first, now marked delivered."""
    return [notice.text for notice in claim_waiting(db, user_id)]


def hand_back(db: Database, ids: Sequence[int]) -> None:
    """Notices claimed but never shown wait again."""
    with db.session() as session:
        session.execute(
            update(Notification).where(Notification.id.in_(ids)).values(delivered_at=None)
        )


def given_up_in_teams(db: Database, since: datetime) -> int:
    """How many notices Teams was given up for since ``since`` (they wait for the web chat)."""
    with db.session() as session:
        given_up = session.scalar(
            select(func.count()).where(Notification.teams_given_up_at >= since)
        )
    return int(given_up or 0)


class Handoff:
    """Passes the notices a worker thread claimed to the chat turn waiting for them, or, once
    the turn has stopped waiting, back to the table: exactly one of the two, whenever the
    database answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notices: list[Waiting] = []
        self._closed = False

    def offer(self, notices: list[Waiting]) -> bool:
        """The worker's side; False when the turn has gone and the notices must be handed back."""
        with self._lock:
            if self._closed:
                return False
            self._notices = notices
            return True

    def close(self) -> list[Waiting]:
        """The turn's side: no more waiting; what was handed over in time."""
        with self._lock:
            self._closed = True
            return self._notices


class Inbox:
    """The chat turn's view of the notices waiting for its user."""

    def __init__(self, database: Callable[[], Database | None]) -> None:
        self._database = database

    def claim(self, user_id: str, handoff: Handoff) -> None:
        """Claims what waits for ``user_id`` and offers it to the turn through ``handoff``; a
        turn that gave up waiting gets nothing, and the notices wait for a later one."""
        db = self._database()
        if db is None:
            return
        notices = claim_waiting(db, user_id)
        if notices and not handoff.offer(notices):
            log.info("%d notices claimed too late for the turn wait again", len(notices))
            hand_back(db, [notice.id for notice in notices])
