"""Deliveries given up after their last attempt: notices to a user's Teams chat
(``bot.channels.teams_proactive``, about six hours of trying) and the outbox's e-mail and
calendar writes (``bot.outbox``, the same). A given-up Teams notice still waits for the web
chat; the others reach nobody.

Operations see how many (``GET /health``: counts only, no names). HR sees each one that nobody
has dealt with yet (to whom, what, when and why, in Swedish), so it can reach the recipient
another way, and marks it handled, which writes an audit record.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.hr.audit import record_change
from bot.hr.delivery_errors import Channel, explain
from bot.hr.labels import label
from bot.identity import Directory, User
from bot.outbox import CALENDAR, EMAIL
from bot.privacy import mask_personal_data
from bot.risk_assessments.scheduling import swedish_time
from bot.storage.database import Database
from bot.storage.models import Notification, OutboxMessage, utc_now

# Which table a given-up delivery is in, as the API's path names it.
Source = Literal["teams", "outbox"]
# A long e-mail (the invitation carries the checklist) is cut here on the page.
TEXT_SHOWN = 1000
NOTE_LENGTH = 500


@dataclass(frozen=True)
class GivenUpCounts:
    """Given up since a moment, by channel; and, whenever given up, how many wait for HR."""

    teams_notices: int
    emails: int
    calendar_writes: int
    awaiting_hr: int

    @property
    def total(self) -> int:
        return self.teams_notices + self.emails + self.calendar_writes


@dataclass(frozen=True)
class GivenUpDelivery:
    source: Source
    id: int
    channel: Channel
    # The directory's id (an e-mail address for e-mail to someone not in the directory) and
    # the name HR reads.
    recipient: str
    recipient_name: str
    # What it was: the notice's kind, the e-mail's subject, the meeting.
    about: str
    text: str
    given_up_at: datetime
    attempts: int
    reason: str
    # The last error as stored (masked, cut short), for whoever fixes the cause.
    error: str | None


@dataclass(frozen=True)
class Handled:
    source: Source
    id: int
    handled_at: datetime
    handled_by: str


def _waiting_notices() -> tuple[ColumnElement[bool], ...]:
    """Given up in Teams, not dealt with by HR, and not shown in the web chat since."""
    return (
        Notification.teams_given_up_at.is_not(None),
        Notification.handled_at.is_(None),
        Notification.delivered_at.is_(None),
    )


def _waiting_messages() -> tuple[ColumnElement[bool], ...]:
    return (OutboxMessage.given_up_at.is_not(None), OutboxMessage.handled_at.is_(None))


def count_given_up(db: Database, since: datetime) -> GivenUpCounts:
    """How many deliveries were given up since ``since``, by channel, and how many given up at
    any time still wait for HR. Four counts on indexed columns."""
    with db.session() as session:
        teams = session.scalar(select(func.count()).where(Notification.teams_given_up_at >= since))
        by_kind: dict[str, int] = {
            kind: count
            for kind, count in session.execute(
                select(OutboxMessage.kind, func.count())
                .where(OutboxMessage.given_up_at >= since)
                .group_by(OutboxMessage.kind)
            )
        }
        waiting = session.scalar(select(func.count()).where(*_waiting_notices()))
        waiting_messages = session.scalar(select(func.count()).where(*_waiting_messages()))
    return GivenUpCounts(
        teams_notices=int(teams or 0),
        emails=by_kind.get(EMAIL, 0),
        calendar_writes=by_kind.get(CALENDAR, 0),
        awaiting_hr=int(waiting or 0) + int(waiting_messages or 0),
    )


def awaiting_hr(
    session: Session, directory: Directory, limit: int
) -> tuple[list[GivenUpDelivery], int]:
    """The newest ``limit`` given-up deliveries nobody has dealt with, newest first, and how
    many there are in all."""
    notices = session.scalars(
        select(Notification)
        .where(*_waiting_notices())
        .order_by(Notification.teams_given_up_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
    messages = session.scalars(
        select(OutboxMessage)
        .where(*_waiting_messages())
        .order_by(OutboxMessage.given_up_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    total = int(session.scalar(select(func.count()).where(*_waiting_notices())) or 0) + int(
        session.scalar(select(func.count()).where(*_waiting_messages())) or 0
    )
    by_address = {u.email.lower(): u for u in directory.all() if u.email}
    listed = [_notice(n, directory) for n in notices] + [
        _message(m, directory, by_address) for m in messages
    ]
    listed.sort(key=lambda d: d.given_up_at, reverse=True)
    return listed[:limit], total


def mark_handled(db: Database, user: User, source: Source, item_id: int, note: str) -> Handled:
    """Marks one given-up delivery handled by ``user``, with one audit record (the note, masked,
    as its detail). Refused with 404 when there is no such given-up delivery, 409 when someone
    already marked it."""
    table: type[Notification] | type[OutboxMessage] = (
        Notification if source == "teams" else OutboxMessage
    )
    given_up = Notification.teams_given_up_at if source == "teams" else OutboxMessage.given_up_at
    now = utc_now()
    with db.session() as session:
        marked = session.execute(
            update(table)
            .where(table.id == item_id, given_up.is_not(None), table.handled_at.is_(None))
            .values(handled_at=now, handled_by=user.id)
            .returning(table.id)
            .execution_options(synchronize_session=False)
        ).first()
        if marked is None:
            found = session.execute(
                select(table.handled_at).where(table.id == item_id, given_up.is_not(None))
            ).first()
            if found is None:
                raise Refused(
                    404,
                    "delivery_not_found",
                    "Det finns inget meddelande som gavs upp med det id:t.",
                    "There is no given-up delivery with that id.",
                )
            raise Refused(
                409,
                "delivery_already_handled",
                "Någon har redan markerat meddelandet som hanterat. Ladda om listan.",
                "Someone has already marked this delivery handled. Reload the list.",
            )
        record_change(
            session,
            user.id,
            user.role,
            "delivery_handled",
            f"{'notification' if source == 'teams' else 'outbox'}:{item_id}",
            detail=mask_personal_data(note.strip()).text[:NOTE_LENGTH] or None,
        )
    return Handled(source, item_id, now, user.id)


def _name(directory: Directory, user_id: str) -> str:
    person = directory.get(user_id)
    return person.name if person else user_id


def _shown(text: str) -> str:
    return text if len(text) <= TEXT_SHOWN else text[: TEXT_SHOWN - 1].rstrip() + "…"


def _notice(notice: Notification, directory: Directory) -> GivenUpDelivery:
    assert notice.teams_given_up_at is not None
    return GivenUpDelivery(
        source="teams",
        id=notice.id,
        channel="teams",
        recipient=notice.recipient_id,
        recipient_name=_name(directory, notice.recipient_id),
        about=label("notice_kinds", notice.kind) if notice.kind else "Meddelande",
        text=_shown(notice.text),
        given_up_at=notice.teams_given_up_at,
        attempts=notice.teams_attempts,
        reason=explain("teams", notice.teams_last_error),
        error=notice.teams_last_error,
    )


def _message(
    message: OutboxMessage, directory: Directory, by_address: dict[str, User]
) -> GivenUpDelivery:
    assert message.given_up_at is not None
    if message.kind == CALENDAR:
        channel: Channel = "calendar"
        recipient = message.recipient
        name = _name(directory, recipient)
        about, text = _meeting(message.body)
    else:
        channel = "email"
        person = by_address.get(message.recipient.lower())
        recipient = person.id if person else message.recipient
        name = person.name if person else message.recipient
        about, text = message.subject, _shown(message.body)
    return GivenUpDelivery(
        source="outbox",
        id=message.id,
        channel=channel,
        recipient=recipient,
        recipient_name=name,
        about=about,
        text=text,
        given_up_at=message.given_up_at,
        attempts=message.attempts,
        reason=explain(channel, message.last_error),
        error=message.last_error,
    )


def _meeting(body: str) -> tuple[str, str]:
    """The meeting a calendar write was to save, as HR reads it: its title and time."""
    try:
        event = json.loads(body)
        start = datetime.fromisoformat(event["start"])
        title = str(event["summary"])
    except (ValueError, KeyError, TypeError):
        return "Möte i chefens kalender", ""
    state = "avbokning" if event.get("cancelled") else "möte"
    return (
        f"{title} ({state} i chefens kalender)",
        f"{title}, {swedish_time(start)}, {event.get('location') or ''}".rstrip(", "),
    )
