"""Calendar writes go through the outbox with the change they report, and a calendar server that
refuses or hangs costs a booking no more than the calendar's timeout: the booking is stored on
the local store's word, says so, and its event waits in the outbox for the server."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.calendars import CalendarUnavailable, Participant
from bot.calendars.caldav_calendar import CalDavCalendar
from bot.calendars.guard import GuardedCalendar
from bot.calendars.local import LocalCalendar
from bot.errors import Refused
from bot.identity import User, demo_directory
from bot.launcher import free_port
from bot.mail import Mailer
from bot.outbox import (
    CALENDAR,
    MAX_ATTEMPTS,
    SUPERSEDED,
    drain,
    drain_calendar_writes,
    queue_calendar_write,
    retry_delay,
)
from bot.risk_assessments.invitation import meeting_event
from bot.risk_assessments.links import PublicLinks
from bot.risk_assessments.notices import InvitationMail
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT, CalDavSettings
from bot.storage.database import Database
from bot.storage.models import OutboxMessage
from tests.conftest import Hanging

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
MEETING = datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM)
TIMEOUT = 1.0


def person(user_id: str) -> User:
    user = demo_directory().get(user_id)
    assert user is not None
    return user


def caldav_at(port: int, pause: float = 30.0) -> GuardedCalendar:
    settings = CalDavSettings(
        url=f"http://127.0.0.1:{port}/", username="distansguiden", timeout_seconds=TIMEOUT
    )
    return GuardedCalendar(CalDavCalendar(settings), timeout=TIMEOUT, pause=pause)


@pytest.fixture
def refusing() -> Iterator[GuardedCalendar]:
    """A CalDAV address nobody listens on: every connection is refused at once."""
    calendar = caldav_at(free_port(), pause=0)
    yield calendar
    calendar.close()


@pytest.fixture
def hanging(hanging_smtp: Hanging) -> Iterator[GuardedCalendar]:
    """A CalDAV server that takes the connection and never answers."""
    calendar = caldav_at(hanging_smtp.port)
    yield calendar
    calendar.close()


class NoMail(Mailer):
    """The e-mail drain must not take a calendar write."""

    def __init__(self) -> None:
        super().__init__("127.0.0.1", 25, "distansguiden@example.org")

    def send(
        self, to: str, subject: str, body: str, calendar: tuple[str, bytes] | None = None
    ) -> None:
        raise AssertionError(f"a calendar write was mailed to {to}")


def calendar_rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == CALENDAR)
                .order_by(OutboxMessage.id)
            )
        )


def booked(service: RiskAssessmentService) -> int:
    return service.book(person("anna.andersson"), "anna.andersson", MEETING).id


def test_a_hanging_server_is_given_up_after_the_timeout_and_then_rested(
    hanging: GuardedCalendar,
) -> None:
    anna = Participant("anna.andersson", "Anna Andersson", "anna.andersson@example.org")
    started = time.monotonic()
    with pytest.raises(CalendarUnavailable):
        hanging.schedules([anna], MEETING, MEETING + timedelta(hours=1))
    assert TIMEOUT <= time.monotonic() - started < TIMEOUT + 1
    assert hanging.paused
    started = time.monotonic()
    with pytest.raises(CalendarUnavailable, match="paused"):
        hanging.schedules([anna], MEETING, MEETING + timedelta(hours=1))
    assert time.monotonic() - started < 0.1, "while it rests, nobody waits for it"


def test_with_the_calendar_down_the_booking_stands_on_the_local_store_and_says_so(
    db: Database, refusing: GuardedCalendar
) -> None:
    service = RiskAssessmentService(db, demo_directory(), now=lambda: NOW, calendar=refusing)
    offer = service.offer(person("anna.andersson"), person("sven.skog"))
    assert offer.starts and offer.calendars_checked is False
    assessment_id = booked(service)
    stored = service.get(person("anna.andersson"), assessment_id)
    assert stored.status == "booked" and stored.calendar_checked is False
    (waiting,) = calendar_rows(db)
    assert waiting.reference == f"risk_assessment:{assessment_id}"
    assert waiting.recipient == "maria.berg", "the organiser's calendar"
    assert waiting.sent_at is None and waiting.next_attempt_at is not None

    moved = service.reschedule(person("anna.andersson"), assessment_id, MEETING + timedelta(days=1))
    assert moved.calendar_checked is False and moved.calendar_sequence == 1
    first, second = calendar_rows(db)
    assert first.next_attempt_at is None and first.last_error == SUPERSEDED
    assert second.next_attempt_at is not None and '"sequence": 1' in second.body


def test_a_calendar_write_is_retried_with_backoff_and_lands_on_a_calendar_that_answers(
    db: Database, refusing: GuardedCalendar
) -> None:
    service = RiskAssessmentService(db, demo_directory(), now=lambda: NOW, calendar=refusing)
    booked(service)
    # The outbox stamps rows with the real time; the drains run a little after it.
    clock = datetime.now(UTC) + timedelta(seconds=1)
    result = drain_calendar_writes(db, refusing, now=lambda: clock)
    assert (result.sent, result.retrying) == (0, 1)
    (row,) = calendar_rows(db)
    assert row.attempts == 1 and row.last_error
    assert row.next_attempt_at == clock + retry_delay(1)
    assert drain_calendar_writes(db, refusing, now=lambda: clock).retrying == 0, "not due yet"
    assert drain(db, NoMail(), now=lambda: clock + timedelta(hours=1)).sent == 0

    later = clock + timedelta(minutes=1)
    landed = drain_calendar_writes(db, LocalCalendar(db), now=lambda: later)
    assert landed.sent == 1 and landed.summary().startswith("Kalender: 1 skickade")
    (row,) = calendar_rows(db)
    assert row.sent_at == later and row.body == "" and row.next_attempt_at is None


def test_a_calendar_write_is_given_up_after_the_last_attempt(
    db: Database, refusing: GuardedCalendar
) -> None:
    service = RiskAssessmentService(db, demo_directory(), now=lambda: NOW)
    stored = service.get(person("anna.andersson"), booked(service))
    event = meeting_event(stored, demo_directory(), PublicLinks())
    with db.session() as session:
        queue_calendar_write(session, event)
    start = datetime.now(UTC) + timedelta(seconds=1)
    for attempt in range(MAX_ATTEMPTS):
        moment = start + attempt * timedelta(hours=2)
        drain_calendar_writes(db, refusing, now=lambda moment=moment: moment)
    (row,) = calendar_rows(db)
    assert row.attempts == MAX_ATTEMPTS and row.next_attempt_at is None and row.sent_at is None


def test_the_drains_take_only_their_own_kind(db: Database) -> None:
    service = RiskAssessmentService(
        db, demo_directory(), now=lambda: NOW, calendar=LocalCalendar(db)
    )
    assessment_id = booked(service)
    (row,) = calendar_rows(db)
    assert row.sent_at is not None, "a calendar that answered took the event at once"
    service.cancel(person("anna.andersson"), assessment_id)
    rows = calendar_rows(db)
    assert len(rows) == 2 and all(r.sent_at is not None for r in rows)


def test_a_booking_refused_by_the_rules_writes_nothing(db: Database) -> None:
    refusing = caldav_at(free_port())
    service = RiskAssessmentService(db, demo_directory(), now=lambda: NOW, calendar=refusing)
    with pytest.raises(Refused) as refused:
        service.book(
            person("anna.andersson"),
            "anna.andersson",
            datetime(2026, 12, 25, 10, tzinfo=STOCKHOLM),
        )
    assert refused.value.code == "time_not_allowed" and "juldagen" in refused.value.text
    assert calendar_rows(db) == []
    assert not refusing.paused, "the rules were checked before the calendar was asked"
    refusing.close()


def test_a_calendar_that_invites_by_itself_means_no_invitation_mail(db: Database) -> None:
    settings = CalDavSettings(
        url=f"http://127.0.0.1:{free_port()}/", server_invites=True, timeout_seconds=TIMEOUT
    )
    inviting = GuardedCalendar(CalDavCalendar(settings), timeout=TIMEOUT)
    service = RiskAssessmentService(
        db,
        demo_directory(),
        now=lambda: NOW,
        calendar=inviting,
        invitations=InvitationMail(PROJECT_ROOT / "faq"),
    )
    assert service.invitations is None
    booked(service)
    with db.session() as session:
        kinds = [m.kind for m in session.scalars(select(OutboxMessage))]
    assert kinds == [CALENDAR], "the server sends the invitation when the event lands"
    inviting.close()
    with pytest.raises(ValidationError, match="exclude each other"):
        CalDavSettings(url="https://k.se/", server_invites=True, attendee_copies=True)
