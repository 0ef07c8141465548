"""Calendar invitations (RFC 5545) for the risk-assessment dialogue of remote work, made to be
read by Outlook and Teams: a title naming the employee, a reminder, a short description with an
absolute link to the checklist, the agreement's reference, organiser and attendees by name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress

from bot.calendars import MeetingEvent, Participant
from bot.identity import Directory
from bot.risk_assessments.links import PublicLinks
from bot.storage.models import RiskAssessment, RiskAssessmentStatus

STOCKHOLM_TZID = "Europe/Stockholm"
PRODID = "-//Distansguiden//Riskbedömning//SV"
SUMMARY = "Riskbedömning distansarbete"
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
        address.params["CUTYPE"] = "INDIVIDUAL"
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
    alarm_minutes: int | None = 15,
    url: str | None = None,
    agreement_reference: str | None = None,
    method: str | None = "auto",
) -> bytes:
    """Render a meeting request (or its cancellation) as an iCalendar file.

    Reuse the same ``uid`` with a higher ``sequence`` for a reschedule or a
    cancellation so that calendar clients update the existing event.
    ``start`` and ``end`` must be timezone-aware; they are written in
    Europe/Stockholm time together with a matching VTIMEZONE component.
    ``method`` "auto" is REQUEST, or CANCEL once cancelled (iTIP, for e-mail and download);
    None leaves METHOD out, as a calendar object stored on a CalDAV server must (RFC 4791 4.1).
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
    if method == "auto":
        method = "CANCEL" if cancelled else "REQUEST"
    if method is not None:
        calendar.add("method", method)

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
    # A cancelled meeting no longer blocks anybody's free/busy.
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("class", "PRIVATE")
    if url:
        event.add("url", url)
    if agreement_reference:
        event.add("x-distansguiden-agreement", agreement_reference)
    event.add("organizer", _address(organizer, role=None))
    for attendee in attendees:
        event.add("attendee", _address(attendee, role="REQ-PARTICIPANT"))
    if alarm_minutes and not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    calendar.add_component(event)

    # Clients such as Outlook cannot resolve a bare TZID without its VTIMEZONE;
    # bounding it to the years around the meeting keeps the invitation small.
    calendar.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(end.year + 2, 1, 1)
    )
    return calendar.to_ical()


def event_ics(event: MeetingEvent, *, method: str | None = "auto") -> bytes:
    """The invitation for ``event``: as iTIP (REQUEST or CANCEL) by default, without METHOD for
    a CalDAV server (``method=None``)."""
    return invitation_ics(
        uid=event.uid,
        sequence=event.sequence,
        start=event.start,
        end=event.end,
        organizer=Attendee(event.organizer.name, event.organizer.email or ""),
        attendees=[Attendee(p.name, p.email or "") for p in event.attendees],
        location=event.location,
        summary=event.summary,
        description=event.description,
        cancelled=event.cancelled,
        alarm_minutes=event.alarm_minutes,
        url=event.url,
        agreement_reference=event.agreement_reference,
        method=method,
    )


def load_checklist(faq_dir: Path) -> str:
    """Return the HR-editable risk-assessment checklist, or a short fallback."""
    path = faq_dir / CHECKLIST_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return FALLBACK_CHECKLIST
    return text or FALLBACK_CHECKLIST


def checklist_as_text(markdown: str) -> str:
    """Flatten the checklist markdown into plain text for the invitation's e-mail.

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


def summary_for(employee_name: str) -> str:
    """The event's title names the employee, so a manager with several can tell them apart."""
    return f"{SUMMARY} – {employee_name}"


JOIN_TEAMS = "Anslut till Teams-mötet"


def teams_join_url(assessment: RiskAssessment) -> str | None:
    """The Teams meeting's join link, for whatever tells people about the dialogue (notices,
    e-mail, the invitation); None once it is cancelled, or before the calendar has made one."""
    if assessment.status == RiskAssessmentStatus.CANCELLED:
        return None
    return assessment.online_meeting_url or None


def short_description(
    employee: str,
    manager: str,
    representative: str | None,
    links: PublicLinks,
    agreement_reference: str | None,
    join_url: str | None = None,
) -> str:
    """A few lines for the event's DESCRIPTION: who, the Teams link, which agreement, and where
    the checklist is (the checklist itself is too long for a calendar)."""
    who = f"Riskbedömning av distansarbetet för {employee}, med {manager} (chef)"
    who += f" och {representative} (skyddsombud)." if representative else "."
    lines = [who]
    if join_url:
        lines.append(f"{JOIN_TEAMS}: {join_url}")
    if agreement_reference:
        lines.append(f"Distansöverenskommelse: {agreement_reference}")
    lines.append(f"Checklista inför samtalet: {links.checklist()}")
    return "\n".join(lines)


def meeting_event(
    assessment: RiskAssessment,
    directory: Directory,
    links: PublicLinks,
    agreement_reference: str | None = None,
) -> MeetingEvent:
    """The booked dialogue as a calendar event, organised by the manager. Raises LookupError if
    the manager is not in the directory, and ValueError if the assessment has no meeting."""
    if assessment.start_at is None or assessment.end_at is None or assessment.calendar_uid is None:
        raise ValueError("the risk assessment has no booked meeting")
    manager = directory.get(assessment.manager_id)
    if manager is None:
        raise LookupError(assessment.manager_id)
    employee = directory.get(assessment.employee_id)
    representative = (
        directory.get(assessment.safety_representative_id)
        if assessment.safety_representative_id
        else None
    )
    employee_name = employee.name if employee else assessment.employee_id
    attendees = tuple(
        Participant(p.id, p.name, p.email) for p in (employee, representative) if p is not None
    )
    return MeetingEvent(
        uid=assessment.calendar_uid,
        sequence=assessment.calendar_sequence,
        start=assessment.start_at,
        end=assessment.end_at,
        summary=summary_for(employee_name),
        description=short_description(
            employee_name,
            manager.name,
            representative.name if representative else None,
            links,
            agreement_reference,
            # Known once the calendar made the meeting: a move's update (which replaces the
            # event's text in Exchange) and the downloaded invitation keep the link.
            teams_join_url(assessment),
        ),
        location=assessment.place or "",
        organizer=Participant(manager.id, manager.name, manager.email),
        attendees=attendees,
        cancelled=assessment.status == RiskAssessmentStatus.CANCELLED,
        url=links.checklist() if links.base_url else None,
        agreement_reference=agreement_reference,
        reference=f"risk_assessment:{assessment.id}",
    )


def assessment_invitation(
    assessment: RiskAssessment,
    directory: Directory,
    links: PublicLinks,
    agreement_reference: str | None = None,
) -> bytes:
    """The invitation for a booked dialogue (a cancellation once cancelled), organised by the
    manager. Raises LookupError if the manager is not in the directory, and ValueError if the
    assessment has no meeting."""
    return event_ics(meeting_event(assessment, directory, links, agreement_reference))
