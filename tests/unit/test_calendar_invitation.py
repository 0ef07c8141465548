"""The invitation as Outlook and Teams read it, parsed back with two independent iCalendar
parsers (icalendar and vobject), and the calendar answers the CalDAV adapter reads."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar as ICalendar

from bot.calendars import MeetingEvent
from bot.calendars.caldav_calendar import event_interval, free_busy_periods, weekly_hours
from bot.identity import demo_directory
from bot.mail import Mailer
from bot.risk_assessments.invitation import event_ics, meeting_event
from bot.risk_assessments.links import PublicLinks
from bot.storage.models import RiskAssessment, RiskAssessmentStatus
from tests.conftest import Recorder

STOCKHOLM = ZoneInfo("Europe/Stockholm")
START = datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM)
LINKS = PublicLinks("https://distansguiden.example.se")
CHECKLIST = "https://distansguiden.example.se/riskbedomning/checklista"


def assessment(status: str = RiskAssessmentStatus.BOOKED, sequence: int = 0) -> RiskAssessment:
    return RiskAssessment(
        id=4,
        employee_id="anna.andersson",
        manager_id="maria.berg",
        safety_representative_id="sven.skog",
        status=status,
        start_at=START,
        end_at=START + timedelta(minutes=45),
        place="Teams",
        calendar_uid="0b7c@distansguiden",
        calendar_sequence=sequence,
    )


def event(status: str = RiskAssessmentStatus.BOOKED, sequence: int = 0) -> MeetingEvent:
    return meeting_event(assessment(status, sequence), demo_directory(), LINKS, "DA-2026-00012")


def test_the_invitation_names_the_employee_reminds_and_links_the_checklist() -> None:
    ics = event_ics(event())
    calendar = ICalendar.from_ical(ics)
    assert calendar["METHOD"] == "REQUEST"
    (parsed,) = calendar.walk("VEVENT")
    assert parsed["SUMMARY"] == "Riskbedömning distansarbete – Anna Andersson"
    assert parsed["UID"] == "0b7c@distansguiden" and parsed["SEQUENCE"] == 0
    assert parsed.decoded("DTSTART") == START
    assert parsed["STATUS"] == "CONFIRMED" and parsed["TRANSP"] == "OPAQUE"
    assert parsed["URL"] == CHECKLIST
    assert parsed["X-DISTANSGUIDEN-AGREEMENT"] == "DA-2026-00012"
    description = str(parsed["DESCRIPTION"])
    assert len(description) < 400, "a short description, not the whole checklist"
    assert CHECKLIST in description and "DA-2026-00012" in description
    assert "Maria Berg (chef)" in description and "Sven Skog (skyddsombud)" in description
    assert "Ergonomi" not in description
    (alarm,) = parsed.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-15)
    organizer = parsed["ORGANIZER"]
    assert str(organizer) == "mailto:maria.berg@example.org"
    assert organizer.params["CN"] == "Maria Berg"
    attendees = {str(a.params["CN"]): str(a) for a in parsed["ATTENDEE"]}
    assert attendees == {
        "Anna Andersson": "mailto:anna.andersson@example.org",
        "Sven Skog": "mailto:sven.skog@example.org",
    }
    assert all(a.params["RSVP"] == "TRUE" for a in parsed["ATTENDEE"])


def test_a_second_parser_reads_the_same_invitation() -> None:
    parsed = vobject.readOne(event_ics(event()).decode())
    assert parsed.method.value == "REQUEST"
    vevent = parsed.vevent
    assert vevent.summary.value == "Riskbedömning distansarbete – Anna Andersson"
    assert vevent.uid.value == "0b7c@distansguiden"
    assert vevent.dtstart.value.astimezone(UTC) == START.astimezone(UTC)
    assert vevent.dtend.value - vevent.dtstart.value == timedelta(minutes=45)
    assert vevent.organizer.params["CN"] == ["Maria Berg"]
    assert sorted(a.params["CN"][0] for a in vevent.attendee_list) == [
        "Anna Andersson",
        "Sven Skog",
    ]
    assert vevent.valarm.trigger.value == timedelta(minutes=-15)
    assert CHECKLIST in vevent.description.value
    assert parsed.vtimezone.tzid.value == "Europe/Stockholm"


def test_moved_keeps_the_uid_with_a_higher_sequence_and_cancelled_is_a_cancellation() -> None:
    moved = vobject.readOne(event_ics(event(sequence=1)).decode())
    assert moved.vevent.uid.value == "0b7c@distansguiden"
    assert moved.vevent.sequence.value == "1"
    cancelled_ics = event_ics(event(RiskAssessmentStatus.CANCELLED, sequence=2))
    cancelled = vobject.readOne(cancelled_ics.decode())
    assert cancelled.method.value == "CANCEL"
    assert cancelled.vevent.status.value == "CANCELLED"
    assert cancelled.vevent.sequence.value == "2"
    assert not hasattr(cancelled.vevent, "valarm"), "no reminder of a cancelled meeting"
    (parsed,) = ICalendar.from_ical(cancelled_ics).walk("VEVENT")
    assert parsed["STATUS"] == "CANCELLED" and parsed["TRANSP"] == "TRANSPARENT"


@pytest.mark.parametrize(
    ("status", "method"),
    [(RiskAssessmentStatus.BOOKED, "REQUEST"), (RiskAssessmentStatus.CANCELLED, "CANCEL")],
)
def test_the_mail_part_carries_the_invitations_method(
    smtp: tuple[Recorder, int], status: str, method: str
) -> None:
    recorder, port = smtp
    ics = event_ics(event(status, sequence=1))
    Mailer("127.0.0.1", port, "distansguiden@example.org").send(
        "anna.andersson@example.org", "Riskbedömning", "Text", calendar=("r.ics", ics)
    )
    (message,) = recorder.messages()
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == method
    assert part.get_payload(decode=True) == ics


def test_the_copy_for_a_caldav_server_has_no_method() -> None:
    # RFC 4791 4.1: a calendar object resource must not carry METHOD.
    stored = event_ics(event(), method=None)
    assert b"METHOD" not in stored
    assert vobject.readOne(stored.decode()).vevent.summary.value.endswith("Anna Andersson")


def test_the_event_survives_the_outbox() -> None:
    original = event(sequence=3)
    assert MeetingEvent.from_json(original.to_json()) == original


def test_links_without_a_public_address_have_no_host() -> None:
    assert PublicLinks().invitation(4) == "/api/risk-assessments/4.ics"
    assert LINKS.invitation(4) == "https://distansguiden.example.se/api/risk-assessments/4.ics"
    no_host = meeting_event(assessment(), demo_directory(), PublicLinks())
    assert no_host.url is None and no_host.agreement_reference is None
    assert "Distansöverenskommelse" not in no_host.description


FREEBUSY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VFREEBUSY
DTSTART:20261130T230000Z
DTEND:20261204T230000Z
DTSTAMP:20261124T080000Z
FREEBUSY;FBTYPE=BUSY:20261201T080000Z/20261201T093000Z
FREEBUSY;FBTYPE=FREE:20261202T080000Z/20261202T090000Z
FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261203T120000Z/PT1H,20261203T140000Z/PT30M
END:VFREEBUSY
END:VCALENDAR
"""


def test_free_busy_periods_are_the_busy_ones() -> None:
    start = datetime(2026, 12, 1, tzinfo=STOCKHOLM)
    periods = free_busy_periods(FREEBUSY, start, start + timedelta(days=4))
    assert periods == [
        (datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
        (datetime(2026, 12, 3, 12, tzinfo=UTC), datetime(2026, 12, 3, 13, tzinfo=UTC)),
        (datetime(2026, 12, 3, 14, tzinfo=UTC), datetime(2026, 12, 3, 14, 30, tzinfo=UTC)),
    ]


AVAILABILITY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VAVAILABILITY
UID:hours@test
DTSTAMP:20261101T000000Z
BEGIN:AVAILABLE
UID:a@test
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Stockholm:20260105T090000
DTEND;TZID=Europe/Stockholm:20260105T150000
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH
END:AVAILABLE
BEGIN:AVAILABLE
UID:b@test
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Stockholm:20260109T080000
DTEND;TZID=Europe/Stockholm:20260109T120000
END:AVAILABLE
END:VAVAILABILITY
END:VCALENDAR
"""


def test_working_hours_come_from_a_vavailability() -> None:
    hours = weekly_hours(AVAILABILITY)
    assert hours == {
        0: [(time(9), time(15))],
        1: [(time(9), time(15))],
        2: [(time(9), time(15))],
        3: [(time(9), time(15))],
        4: [(time(8), time(12))],
    }
    assert weekly_hours("not a calendar") is None


@pytest.mark.parametrize(
    ("extra", "busy"),
    [("", True), ("TRANSP:TRANSPARENT\n", False), ("STATUS:CANCELLED\n", False)],
)
def test_only_opaque_events_that_stand_keep_people_busy(extra: str, busy: bool) -> None:
    ics = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:e@t\n"
        "DTSTAMP:20261101T000000Z\nDTSTART:20261201T090000Z\nDURATION:PT1H\n"
        f"{extra}END:VEVENT\nEND:VCALENDAR\n"
    )
    (component,) = ICalendar.from_ical(ics).walk("VEVENT")
    interval = event_interval(component)
    if busy:
        assert interval == (
            datetime(2026, 12, 1, 9, tzinfo=UTC),
            datetime(2026, 12, 1, 10, tzinfo=UTC),
        )
    else:
        assert interval is None


def test_an_all_day_event_is_busy_the_whole_stockholm_day() -> None:
    ics = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:d@t\n"
        "DTSTAMP:20261101T000000Z\nDTSTART;VALUE=DATE:20261201\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    (component,) = ICalendar.from_ical(ics).walk("VEVENT")
    assert event_interval(component) == (
        datetime(2026, 12, 1, tzinfo=STOCKHOLM),
        datetime(2026, 12, 2, tzinfo=STOCKHOLM),
    )
