"""Calendar invitations (RFC 5545) for the risk-assessment dialogue of remote work."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from bot.identity import Directory
from bot.storage.models import RiskAssessment, RiskAssessmentStatus

STOCKHOLM_TZID = "Europe/Stockholm"
PRODID = "-//Distansguiden//Riskbedömning//SV"
CHECKLIST_FILE = "_risk_assessment_checklist.md"
FALLBACK_CHECKLIST = (
    "Riskbedömningen genomförs enligt ordinarie rutiner i dialog mellan chef, "
    "medarbetare och skyddsombud."
)

_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")


@dataclass(frozen=True)
class Attendee:
    """A participant in the dialogue, addressed by e-mail."""

    name: str
    email: str


def _address(person: Attendee, *, role: str | None) -> vCalAddress:
    """Build a mailto: calendar address with the person's name as CN."""
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = person.name
    if role is not None:
        address.params["ROLE"] = role
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE"
    return address


def invitation_ics(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    end: datetime,
    organizer: Attendee,
    attendees: Sequence[Attendee],
    location: str,
    summary: str,
    description: str,
    cancelled: bool = False,
) -> bytes:
    """Render a meeting request (or its cancellation) as an iCalendar file.

    Reuse the same ``uid`` with a higher ``sequence`` for a reschedule or a
    cancellation so that calendar clients update the existing event.
    ``start`` and ``end`` must be timezone-aware; they are written in
    Europe/Stockholm time together with a matching VTIMEZONE component.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        raise ValueError("end must be after start")
    if sequence < 0:
        raise ValueError("sequence must not be negative")

    stockholm = ZoneInfo(STOCKHOLM_TZID)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start.astimezone(stockholm))
    event.add("dtend", end.astimezone(stockholm))
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _address(organizer, role=None))
    for attendee in attendees:
        event.add("attendee", _address(attendee, role="REQ-PARTICIPANT"))
    calendar.add_component(event)

    # Clients such as Outlook cannot resolve a bare TZID without its VTIMEZONE;
    # bounding it to the years around the meeting keeps the invitation small.
    calendar.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(end.year + 2, 1, 1)
    )
    return calendar.to_ical()


def load_checklist(faq_dir: Path) -> str:
    """Return the HR-editable risk-assessment checklist, or a short fallback."""
    path = faq_dir / CHECKLIST_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return FALLBACK_CHECKLIST
    return text or FALLBACK_CHECKLIST


def checklist_as_text(markdown: str) -> str:
    """Flatten the checklist markdown into plain text for an ICS DESCRIPTION.

    Headings become plain lines, bullets keep their ``- `` prefix and runs of
    blank lines collapse into one.
    """
    lines: list[str] = []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if heading := _HEADING.match(line):
            line = heading.group(1)
        elif bullet := _BULLET.match(line):
            line = f"- {bullet.group(1).strip()}"
        else:
            line = line.strip()
        line = line.replace("**", "").replace("`", "")
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    return "\n".join(lines).strip()


def assessment_invitation(assessment: RiskAssessment, directory: Directory, faq_dir: Path) -> bytes:
    """The invitation for a booked dialogue (a cancellation once cancelled), organised by the
    manager, with the checklist as its description. Raises LookupError if the manager is not in
    the directory, and ValueError if the assessment has no meeting."""
    if assessment.start_at is None or assessment.end_at is None or assessment.calendar_uid is None:
        raise ValueError("the risk assessment has no booked meeting")
    manager = directory.get(assessment.manager_id)
    if manager is None:
        raise LookupError(assessment.manager_id)
    people = [
        directory.get(p)
        for p in (assessment.employee_id, assessment.safety_representative_id)
        if p is not None
    ]
    return invitation_ics(
        uid=assessment.calendar_uid,
        sequence=assessment.calendar_sequence,
        start=assessment.start_at,
        end=assessment.end_at,
        organizer=Attendee(manager.name, manager.email or ""),
        attendees=[Attendee(p.name, p.email or "") for p in people if p is not None],
        location=assessment.place or "",
        summary="Riskbedömning av distansarbete",
        description=checklist_as_text(load_checklist(faq_dir)),
        cancelled=assessment.status == RiskAssessmentStatus.CANCELLED,
    )
