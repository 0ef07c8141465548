"""Calendar invitations for the risk-assessment dialogue and the HR checklist."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.risk_assessments.invitation import (
    FALLBACK_CHECKLIST,
    Attendee,
    checklist_as_text,
    invitation_ics,
    load_checklist,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FAQ_DIR = Path(__file__).resolve().parents[2] / "faq"
UID = "riskbedomning-42@distansguiden"
ORGANIZER = Attendee(name="Åsa Chef", email="asa.chef@example.se")
ATTENDEES = (
    Attendee(name="Örjan Medarbetare", email="orjan@example.se"),
    Attendee(name="Märta Skyddsombud", email="marta@example.se"),
)
DESCRIPTION = "Checklista för riskbedömning av distansarbete\n- Ergonomi och återhämtning"


def _ics(
    *,
    start: datetime = datetime(2027, 3, 10, 9, 0, tzinfo=STOCKHOLM),
    end: datetime = datetime(2027, 3, 10, 10, 0, tzinfo=STOCKHOLM),
    sequence: int = 0,
    cancelled: bool = False,
    description: str = DESCRIPTION,
) -> Calendar:
    data = invitation_ics(
        uid=UID,
        sequence=sequence,
        start=start,
        end=end,
        organizer=ORGANIZER,
        attendees=ATTENDEES,
        location="Rum Ljusstaken, Regionhuset",
        summary="Riskbedömning av distansarbete",
        description=description,
        cancelled=cancelled,
    )
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def _event(calendar: Calendar) -> Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, Event)
    return event


def test_request_has_calendar_headers_and_one_event() -> None:
    calendar = _ics()
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Distansguiden//Riskbedömning//SV"
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _event(calendar)
    assert str(event["UID"]) == UID
    assert event.sequence == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Rum Ljusstaken, Regionhuset"
    assert str(event["SUMMARY"]) == "Riskbedömning av distansarbete"
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0


def test_times_are_stockholm_with_vtimezone() -> None:
    start = datetime(2027, 3, 10, 9, 0, tzinfo=STOCKHOLM)
    end = datetime(2027, 3, 10, 10, 0, tzinfo=STOCKHOLM)
    calendar = _ics(start=start, end=end)
    event = _event(calendar)
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == end
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event["DTEND"].params["TZID"] == "Europe/Stockholm"
    tzids = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert tzids == ["Europe/Stockholm"]
    assert calendar.get_missing_tzids() == set()


def test_utc_input_is_written_in_stockholm_time() -> None:
    start = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    end = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
    event = _event(_ics(start=start, end=end))
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTSTART").astimezone(STOCKHOLM).hour == 9


def test_organizer_and_attendees() -> None:
    event = _event(_ics())
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:asa.chef@example.se"
    assert organizer.params["CN"] == "Åsa Chef"
    attendees = event["ATTENDEE"]
    assert isinstance(attendees, list)
    by_address = {str(a): a.params for a in attendees}
    assert set(by_address) == {f"mailto:{a.email}" for a in ATTENDEES}
    for attendee in ATTENDEES:
        params = by_address[f"mailto:{attendee.email}"]
        assert params["CN"] == attendee.name
        assert params["ROLE"] == "REQ-PARTICIPANT"
        assert params["PARTSTAT"] == "NEEDS-ACTION"
        assert params["RSVP"] == "TRUE"


def test_single_attendee_is_still_written() -> None:
    data = invitation_ics(
        uid=UID,
        sequence=0,
        start=datetime(2027, 3, 10, 9, 0, tzinfo=STOCKHOLM),
        end=datetime(2027, 3, 10, 10, 0, tzinfo=STOCKHOLM),
        organizer=ORGANIZER,
        attendees=[ATTENDEES[0]],
        location="Teams",
        summary="Riskbedömning",
        description="x",
    )
    event = _event(Calendar.from_ical(data))
    assert str(event["ATTENDEE"]) == "mailto:orjan@example.se"
    assert event["ATTENDEE"].params["CN"] == "Örjan Medarbetare"


def test_checklist_in_description_keeps_swedish_letters() -> None:
    text = checklist_as_text(load_checklist(FAQ_DIR))
    event = _event(_ics(description=text))
    description = str(event["DESCRIPTION"])
    assert description == text
    assert "Checklista för riskbedömning av distansarbete" in description
    for letter in "åäö":
        assert letter in description
    assert "\n- " in description
    assert "#" not in description


def test_reschedule_keeps_uid_and_raises_sequence() -> None:
    first = _event(_ics(sequence=0))
    moved_start = datetime(2027, 3, 12, 13, 0, tzinfo=STOCKHOLM)
    moved = _event(
        _ics(
            start=moved_start,
            end=datetime(2027, 3, 12, 14, 0, tzinfo=STOCKHOLM),
            sequence=1,
        )
    )
    assert str(moved["UID"]) == str(first["UID"]) == UID
    assert moved.sequence == first.sequence + 1
    assert moved.decoded("DTSTART") == moved_start


def test_cancellation() -> None:
    calendar = _ics(sequence=2, cancelled=True)
    assert str(calendar["METHOD"]) == "CANCEL"
    event = _event(calendar)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == UID
    assert event.sequence == 2


@pytest.mark.parametrize(
    ("local", "utc_hour"),
    [
        (datetime(2027, 3, 28, 10, 0), 8),  # first day of summer time
        (datetime(2026, 10, 26, 10, 0), 9),  # first weekday after summer time ends
    ],
)
def test_times_across_dst_change(local: datetime, utc_hour: int) -> None:
    start = local.replace(tzinfo=STOCKHOLM)
    end = local.replace(hour=11, tzinfo=STOCKHOLM)
    event = _event(_ics(start=start, end=end))
    decoded = event.decoded("DTSTART")
    assert decoded == start
    assert decoded.astimezone(UTC) == local.replace(hour=utc_hour, tzinfo=UTC)
    assert (event.decoded("DTEND") - decoded).total_seconds() == 3600


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        invitation_ics(
            uid=UID,
            sequence=0,
            start=datetime(2027, 3, 10, 9, 0),
            end=datetime(2027, 3, 10, 10, 0),
            organizer=ORGANIZER,
            attendees=ATTENDEES,
            location="Teams",
            summary="Riskbedömning",
            description="x",
        )


def test_checklist_file_content() -> None:
    path = FAQ_DIR / "_risk_assessment_checklist.md"
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Checklista för riskbedömning av distansarbete\n")
    assert not text.startswith("---")
    assert "skyddsombud" in text
    assert "informationssäkerhet" in text.lower()
    assert "minst en gång per år" in text
    assert load_checklist(FAQ_DIR) == text.strip()


def test_load_checklist_falls_back_when_missing(tmp_path: Path) -> None:
    assert load_checklist(tmp_path) == FALLBACK_CHECKLIST
    assert "skyddsombud" in FALLBACK_CHECKLIST


def test_checklist_as_text_flattens_markdown() -> None:
    markdown = "# Rubrik\n\nInledning.\n\n\n## Område\n\n* första\n-   andra **viktig**\n"
    assert checklist_as_text(markdown) == (
        "Rubrik\n\nInledning.\n\nOmråde\n\n- första\n- andra viktig"
    )
