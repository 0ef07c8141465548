"""Once the calendar has made the dialogue a Teams meeting (``online_meeting_url``), what tells the
participants about it carries the join link: the chat and Teams notice, the e-mail and its
invitation. A cancellation does not."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar as ICalendar
from sqlalchemy import select

from bot.identity import User, demo_directory
from bot.risk_assessments.notices import InvitationMail
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import Notification, OutboxMessage, RiskAssessment

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
JOIN_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[RiskAssessmentService]:
    db = Database(f"sqlite:///{tmp_path}/r.db")
    db.migrate()
    risk = RiskAssessmentService(db, demo_directory(), now=lambda: NOW)
    risk.invitations = InvitationMail(PROJECT_ROOT / "faq")
    yield risk
    db.dispose()


def person(user_id: str) -> User:
    user = demo_directory().get(user_id)
    assert user is not None
    return user


def since(service: RiskAssessmentService, notice_id: int, mail_id: int) -> tuple[list, list]:
    """The notices and e-mails written after the given ids."""
    with service.db.session() as session:
        notices = list(session.scalars(select(Notification).where(Notification.id > notice_id)))
        mails = list(session.scalars(select(OutboxMessage).where(OutboxMessage.id > mail_id)))
        session.expunge_all()
    return notices, mails


def last_ids(service: RiskAssessmentService) -> tuple[int, int]:
    with service.db.session() as session:
        notice = session.scalar(select(Notification.id).order_by(Notification.id.desc()))
        mail = session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    return notice or 0, mail or 0


def description(ics: bytes | None) -> str:
    assert ics is not None
    (event,) = ICalendar.from_ical(ics).walk("VEVENT")
    return str(event["DESCRIPTION"])


def test_a_moved_teams_meeting_tells_everyone_its_link_and_a_cancellation_does_not(
    service: RiskAssessmentService,
) -> None:
    booked = service.book(
        person("anna.andersson"),
        "anna.andersson",
        datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM),
        place="Teams",
    )
    # As the outbox keeps it once Microsoft Graph has made the event a Teams meeting.
    with service.db.session() as session:
        row = session.get(RiskAssessment, booked.id)
        assert row is not None
        row.online_meeting_url = JOIN_URL
    before = last_ids(service)

    service.reschedule(
        person("maria.berg"), booked.id, datetime(2026, 12, 2, 14, 0, tzinfo=STOCKHOLM)
    )

    notices, mails = since(service, *before)
    assert {n.recipient_id for n in notices} == {"anna.andersson", "sven.skog"}
    for notice in notices:
        assert f"[Anslut till Teams-mötet]({JOIN_URL})." in notice.text, notice.text
    assert sorted(m.recipient for m in mails) == [
        "anna.andersson@example.org",
        "maria.berg@example.org",
        "sven.skog@example.org",
    ]
    for mail in mails:
        assert mail.subject.startswith("Flyttat:")
        assert f"Anslut till Teams-mötet: {JOIN_URL}" in mail.body
        assert f"Anslut till Teams-mötet: {JOIN_URL}" in description(mail.attachment)
    before = last_ids(service)

    service.cancel(person("maria.berg"), booked.id)

    notices, mails = since(service, *before)
    assert notices and mails
    assert all("Teams-mötet" not in n.text for n in notices)
    assert all(JOIN_URL not in m.body for m in mails)
    assert all(JOIN_URL not in description(m.attachment) for m in mails)


def test_without_a_link_yet_the_booking_notice_promises_none(
    service: RiskAssessmentService,
) -> None:
    service.book(
        person("anna.andersson"),
        "anna.andersson",
        datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM) + timedelta(days=1),
        place="Teams",
    )
    notices, mails = since(service, 0, 0)
    assert notices and mails
    assert all("Anslut till Teams-mötet" not in n.text for n in notices)
    assert all("Anslut till Teams-mötet" not in m.body for m in mails)
