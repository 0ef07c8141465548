"""The calendar port: where the risk-assessment booking reads the participants' free/busy and
working hours, and where the dialogue's event is written.

Adapters: ``LocalCalendar`` (the app's own store, the embedded default), ``CalDavCalendar``
(RFC 4791, ``bot.calendars.caldav_calendar``) and ``GraphCalendar`` (Microsoft Graph,
``bot.calendars.graph_calendar``). An outside calendar is
always wrapped in ``GuardedCalendar`` (``bot.calendars.guard``), which bounds every call by a
deadline and turns any failure into ``CalendarUnavailable``, so the booking can go on with the
local store and say that the times were not checked against the calendars.

Every call blocks (network), so callers run it in a worker thread, never on the event loop: the
API's routes are plain ``def`` (FastAPI runs them in its thread pool), the Rasa actions run in a
worker thread (``bot.api.rasa_actions``), and the outbox drain runs in one (``bot.main``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.risk_assessments.scheduling import WeeklyHours

Interval = tuple[datetime, datetime]


class CalendarUnavailable(Exception):
    """The calendar service could not be asked (down, slow, refusing, misconfigured).
    ``retry_after``: seconds the service asked us to wait (HTTP Retry-After), if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Participant:
    """Someone whose calendar is asked or written: the directory's id, name and e-mail."""

    user_id: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class Schedule:
    """One participant's calendar over a window: busy intervals, and their working hours when the
    calendar states them (None: the region's default hours apply)."""

    busy: list[Interval] = field(default_factory=list)
    working_hours: WeeklyHours | None = None


@dataclass(frozen=True)
class MeetingEvent:
    """The risk-assessment dialogue as a calendar event. The same ``uid`` for its whole life; a
    higher ``sequence`` for every change, so calendars update the event instead of adding one."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    organizer: Participant
    attendees: tuple[Participant, ...]
    cancelled: bool = False
    # An absolute link for the event (the checklist), and the agreement it belongs to.
    url: str | None = None
    agreement_reference: str | None = None
    alarm_minutes: int = 15
    # What the event is about, for logs: "risk_assessment:4".
    reference: str = ""

    @property
    def participants(self) -> tuple[Participant, ...]:
        return (self.organizer, *self.attendees)

    def to_json(self) -> str:
        """The event as the outbox stores it until the calendar has taken it."""
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> MeetingEvent:
        data: dict[str, Any] = json.loads(text)
        data["start"] = datetime.fromisoformat(data["start"])
        data["end"] = datetime.fromisoformat(data["end"])
        data["organizer"] = Participant(**data["organizer"])
        data["attendees"] = tuple(Participant(**a) for a in data["attendees"])
        return cls(**data)


class Calendar(Protocol):
    """A calendar system the booking reads and writes. Every method blocks; an outside one raises
    ``CalendarUnavailable`` when it cannot answer."""

    # "local", "caldav", "graph": shown in logs and health.
    name: str
    # False for the app's own store, which is read in any case and needs no writes.
    external: bool
    # True when the calendar system itself sends the attendees the invitation and its updates
    # (Exchange through Graph, a CalDAV server with scheduling): the app then mails none.
    sends_invitations: bool
    # True when a saved event that takes place in Teams gets a Teams meeting and its join link.
    online_meetings: bool

    def schedules(
        self, participants: Sequence[Participant], start: datetime, end: datetime
    ) -> dict[str, Schedule]:
        """Each participant's busy intervals (and working hours, where known) between ``start``
        and ``end``, by user id."""
        ...

    def save(self, event: MeetingEvent) -> str | None:
        """Creates or updates the event by its UID (a cancelled one as cancelled); a version
        older than the calendar's (a lower SEQUENCE) changes nothing. Returns the event's
        online-meeting join link when the calendar made one."""
        ...
