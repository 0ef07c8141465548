"""The outbox: e-mail, and writes to the region's calendar, are queued in the database with the
change they report, and carried out later by a drain, so no chat turn waits for SMTP or the
calendar server and a rolled-back change sends nothing. Each kind has its own drain: ``drain``
sends e-mail, ``drain_calendar_writes`` saves events in the calendar (``bot.calendars``).

Any number of drains may run at once (the app's task on every replica, the daily job): each
message is claimed with a lease by one UPDATE before it is sent, so only one of them sends it.
A failure is retried after 30 s, 1, 2, 4 … minutes (at most an hour between attempts) and
given up after ``MAX_ATTEMPTS`` (``given_up_at``: counted by ``GET /health`` and listed on HR's
page, ``bot.hr.deliveries``). A process that dies between the SMTP server's acceptance and
marking the message sent leaves it to be sent again once the lease has run out: that window is
the only way a message can arrive twice.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.calendars import Calendar, CalendarUnavailable, MeetingEvent
from bot.mail import Mailer, MailError
from bot.privacy import mask_personal_data
from bot.storage.database import Database
from bot.storage.models import OutboxMessage, RiskAssessment, utc_now

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# About six hours of trying: an SMTP server down over an afternoon still gets the mail out.
MAX_ATTEMPTS = 12
# Longer than any send can take (each SMTP step times out after DG_SMTP_TIMEOUT_SECONDS), so a
# slow send is never taken over; a message claimed by a process that died waits this long.
LEASE = timedelta(minutes=15)
# One drain sends at most this many, then lets the next round (and other replicas) go on.
BATCH = 100


EMAIL = "email"
CALENDAR = "calendar"
SUPERSEDED = "superseded by a newer version"


@dataclass
class Drained:
    """What one drain did: messages the server accepted, failures to retry later, given up."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    label: str = "E-post"

    def summary(self) -> str:
        """A one-line Swedish summary for the daily job's log."""
        return (
            f"{self.label}: {self.sent} skickade, {self.retrying} väntar på ett nytt försök, "
            f"{self.given_up} gav upp."
        )


def queue_email(
    session: Session,
    to: str,
    subject: str,
    body: str,
    reference: str,
    attachment: tuple[str, bytes] | None = None,
) -> None:
    """Adds an e-mail to ``session``: it is sent only if the session commits."""
    name, content = attachment if attachment else (None, None)
    session.add(
        OutboxMessage(
            kind=EMAIL,
            recipient=to,
            subject=subject,
            body=body,
            reference=reference,
            attachment_name=name,
            attachment=content,
        )
    )


def queue_calendar_write(session: Session, event: MeetingEvent) -> OutboxMessage:
    """Adds the event's newest version to ``session`` for the calendar: saved only if the
    session commits. A version still waiting for the same dialogue is dropped, since this one
    replaces it (and the calendar refuses an older SEQUENCE anyway)."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == CALENDAR,
            OutboxMessage.reference == event.reference,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at.is_not(None),
        )
        .values(next_attempt_at=None, body="", last_error=SUPERSEDED)
        .execution_options(synchronize_session=False)
    )
    message = OutboxMessage(
        kind=CALENDAR,
        recipient=event.organizer.user_id,
        subject=f"{event.uid} sequence {event.sequence}"[:300],
        body=event.to_json(),
        reference=event.reference,
    )
    session.add(message)
    session.flush()
    return message


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 30 s doubling, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def drain(
    db: Database,
    mailer: Mailer,
    now: Callable[[], datetime] = utc_now,
    limit: int = BATCH,
) -> Drained:
    """Sends the messages that are due, one at a time; blocks on SMTP, so run it off the event
    loop. Returns what it did."""
    result = Drained()
    for _ in range(limit):
        message = _claim(db, now(), EMAIL)
        if message is None:
            break
        _send(db, mailer, message, now, result)
    return result


def drain_calendar_writes(
    db: Database,
    calendar: Calendar,
    now: Callable[[], datetime] = utc_now,
    limit: int = BATCH,
    only: Sequence[int] | None = None,
) -> Drained:
    """Saves the waiting events in the calendar, one at a time (``only``: just these messages,
    e.g. the one a booking has just queued); blocks on the server, so run it off the event
    loop."""
    result = Drained(label="Kalender")
    targets: list[int | None] = list(only) if only is not None else [None] * limit
    for target in targets:
        message = _claim(db, now(), CALENDAR, target)
        if message is None:
            if target is None:
                break
            continue
        event = MeetingEvent.from_json(message.body)
        try:
            join_url = calendar.save(event)
        except CalendarUnavailable as error:
            reason = str(error.__cause__ or error)
            _failed(db, message, reason, now(), result, error.retry_after)
            continue
        _done(db, message.id, now(), (event.uid, join_url) if join_url else None)
        result.sent += 1
    return result


def forget_finished(db: Database, before: datetime) -> int:
    """Deletes messages sent or given up before ``before``; returns how many. A given-up
    message stays until HR has marked it handled: it is on HR's list so that the recipient
    is told another way, and retention must not take it off unseen."""
    with db.session() as session:
        finished = session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.next_attempt_at.is_(None),
                OutboxMessage.created_at < before,
                or_(OutboxMessage.given_up_at.is_(None), OutboxMessage.handled_at.is_not(None)),
            )
        )
        return int(getattr(finished, "rowcount", 0) or 0)


def _claim(
    db: Database, now: datetime, kind: str, message_id: int | None = None
) -> OutboxMessage | None:
    """Takes the next due message under a lease, in one statement of its own transaction: two
    drains cannot both take it (SQLite writes one at a time; on PostgreSQL the row lock and the
    WHERE checked again after it decide, and SKIP LOCKED lets the loser take the next one)."""
    due = (
        OutboxMessage.kind == kind,
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        *([OutboxMessage.id == message_id] if message_id is not None else []),
    )
    next_due = (
        select(OutboxMessage.id)
        .where(*due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    with db.session() as session:
        return session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id == next_due, *due)
            .values(claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage)
        ).one_or_none()


def _send(
    db: Database,
    mailer: Mailer,
    message: OutboxMessage,
    now: Callable[[], datetime],
    result: Drained,
) -> None:
    attachment = (
        (message.attachment_name, message.attachment)
        if message.attachment_name and message.attachment is not None
        else None
    )
    try:
        mailer.send(message.recipient, message.subject, message.body, calendar=attachment)
    except MailError as error:
        _failed(db, message, str(error), now(), result)
        return
    _done(db, message.id, now())
    result.sent += 1


def _done(
    db: Database, message_id: int, now: datetime, online_meeting: tuple[str, str] | None = None
) -> None:
    """Marks the message sent; ``online_meeting`` (the event's UID and the join link the
    calendar made) is kept on the dialogue, so chat and "Mina ärenden" can show the link."""
    with db.session() as session:
        if online_meeting is not None:
            uid, join_url = online_meeting
            session.execute(
                update(RiskAssessment)
                .where(RiskAssessment.calendar_uid == uid)
                .values(online_meeting_url=join_url)
            )
        # The content has done its job; the row stays as a record until the daily job's purge.
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                sent_at=now,
                next_attempt_at=None,
                claimed_until=None,
                body="",
                attachment=None,
                last_error=None,
            )
        )


def _failed(
    db: Database,
    message: OutboxMessage,
    error: str,
    now: datetime,
    result: Drained,
    retry_after: float | None = None,
) -> None:
    """Schedules the next attempt after the backoff, or after the server's Retry-After when it
    asked for longer."""
    short = mask_personal_data(error).text[:300]
    giving_up = message.attempts >= MAX_ATTEMPTS
    delay = max(retry_delay(message.attempts), timedelta(seconds=retry_after or 0))
    with db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(
                next_attempt_at=None if giving_up else now + delay,
                claimed_until=None,
                last_error=short,
                given_up_at=now if giving_up else None,
            )
        )
    what = "E-mail" if message.kind == EMAIL else "Calendar write"
    if giving_up:
        log.error(
            "%s %s (%s) given up after %d attempts: %s",
            what,
            message.id,
            message.reference,
            message.attempts,
            short,
        )
        result.given_up += 1
    else:
        log.warning(
            "%s %s (%s) not done, attempt %d, trying again later: %s",
            what,
            message.id,
            message.reference,
            message.attempts,
            short,
        )
        result.retrying += 1
