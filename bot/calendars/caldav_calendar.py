"""CalDAV (RFC 4791) through the ``caldav`` client: free/busy by a free-busy-query REPORT (or, on
a server without one, a time-range calendar-query of the events), working hours from the
calendar's ``calendar-availability`` property (RFC 7953), and the dialogue's event PUT into the
organiser's calendar under a resource named after its UID.

One service account (``DG_CALDAV_USERNAME``) reads every participant's calendar and writes the
organiser's, so it needs read-free-busy (or read) on the participants' calendars and write on the
managers'. Each call opens its own client: the guard runs calls in worker threads, and a client's
HTTP session is not shared between threads.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urljoin

from caldav.calendarobjectresource import Event as DavEvent
from caldav.collection import Principal
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from icalendar import Calendar as ICalendar
from icalendar import Component
from lxml import etree

from bot.calendars import CalendarUnavailable, Interval, MeetingEvent, Participant, Schedule
from bot.risk_assessments.invitation import event_ics
from bot.risk_assessments.scheduling import STOCKHOLM
from bot.settings import CalDavSettings

log = logging.getLogger(__name__)

CALDAV_NS = "urn:ietf:params:xml:ns:caldav"
AVAILABILITY_PROPFIND = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<D:propfind xmlns:D="DAV:" xmlns:C="{CALDAV_NS}">'
    "<D:prop><C:calendar-availability/></D:prop></D:propfind>"
)
# Free/busy types that keep a participant from a meeting (FREE does not, RFC 5545 3.2.9).
BUSY_TYPES = {"BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class CalDavCalendar:
    name = "caldav"
    external = True
    # A CalDAV server makes no Teams meetings.
    online_meetings = False

    def __init__(self, settings: CalDavSettings) -> None:
        if not settings.url:
            raise ValueError("DG_CALDAV_URL is not set")
        self.settings = settings
        self.sends_invitations = settings.server_invites
        self.base_url: str = settings.url
        # Principal discovery is a few requests per person; calendars seldom move.
        self._discovered: dict[str, str] = {}

    def schedules(
        self, participants: Sequence[Participant], start: datetime, end: datetime
    ) -> dict[str, Schedule]:
        result: dict[str, Schedule] = {}
        with self._client() as client:
            for person in participants:
                url = self.calendar_url(client, person)
                calendar = client.calendar(url=url)
                result[person.user_id] = Schedule(
                    busy=self._busy(calendar, person, start, end),
                    working_hours=self._working_hours(client, url),
                )
        return result

    def save(self, event: MeetingEvent) -> str | None:
        owners = event.participants if self.settings.attendee_copies else (event.organizer,)
        data = event_ics(event, method=None)
        with self._client() as client:
            for owner in owners:
                self._put(client, self.calendar_url(client, owner), event, data)
        return None

    def calendar_url(self, client: DAVClient, person: Participant) -> str:
        """The participant's calendar: the URL pattern filled in, or with discovery the first
        calendar for events in the principal that the pattern names."""
        email = person.email or ""
        path = self.settings.calendar_url.format(
            user=quote(person.user_id, safe=""),
            email=quote(email, safe="@"),
            local=quote(email.split("@")[0], safe=""),
        )
        url = urljoin(self.base_url, path)
        if not self.settings.discover:
            return url
        if url not in self._discovered:
            self._discovered[url] = self._discover(client, url)
        return self._discovered[url]

    def _client(self) -> DAVClient:
        password = self.settings.password
        return DAVClient(
            url=self.base_url,
            username=self.settings.username,
            password=password.get_secret_value() if password else "",
            # Without it every request is sent twice: once to learn the scheme from a 401.
            auth_type=self.settings.auth if self.settings.username else None,
            timeout=int(max(1, self.settings.timeout_seconds)),
            # The URL is given: no DNS discovery of the server (RFC 6764).
            enable_rfc6764=False,
        )

    @staticmethod
    def _discover(client: DAVClient, principal_url: str) -> str:
        # Not client.principal(url=...): the client keeps the first principal it made and
        # returns it for any URL after.
        # Typed for the sync and the async client alike; this one is sync.
        principal: Any = Principal(client=client, url=principal_url)
        for calendar in principal.get_calendars():
            components = calendar.get_supported_components()
            if not components or "VEVENT" in components:
                return str(calendar.url)
        raise CalendarUnavailable(f"no calendar for events under {principal_url}")

    def _busy(
        self, calendar: Any, person: Participant, start: datetime, end: datetime
    ) -> list[Interval]:
        try:
            answer = calendar.freebusy_request(start.astimezone(UTC), end.astimezone(UTC))
        except dav_error.NotFoundError as missing:
            raise CalendarUnavailable(f"no calendar at {calendar.url}") from missing
        except dav_error.ReportError:
            # The server has no free-busy-query: read the events themselves.
            log.info("No free-busy-query at %s; reading events instead", calendar.url)
            return busy_from_events(calendar, start, end)
        return free_busy_periods(answer.data, start, end)

    @staticmethod
    def _working_hours(client: DAVClient, url: str) -> dict[int, list[tuple[time, time]]] | None:
        try:
            response = client.propfind(url, AVAILABILITY_PROPFIND, depth=0)
        except dav_error.DAVError as failed:
            log.info("No calendar-availability at %s: %s", url, failed)
            return None
        if response.status >= 300:
            return None
        raw = response.raw
        tree = etree.fromstring(raw.encode() if isinstance(raw, str) else raw)
        found = tree.find(f".//{{{CALDAV_NS}}}calendar-availability")
        if found is None or not (found.text or "").strip():
            return None
        return weekly_hours(str(found.text))

    @staticmethod
    def _put(client: DAVClient, calendar_url: str, event: MeetingEvent, data: bytes) -> None:
        """PUT the event at <calendar>/<uid>.ics: If-Match the version read, If-None-Match for a
        new one, so a concurrent change is refused (and retried) instead of overwritten; a
        version older than the server's is not written at all."""
        calendar = client.calendar(url=calendar_url)
        href = urljoin(calendar_url, quote(event.uid, safe="@") + ".ics")
        stored = DavEvent(client=client, url=href, parent=calendar)
        try:
            stored.load()
        except dav_error.NotFoundError:
            DavEvent(client=client, url=href, parent=calendar).save(
                raw_data=data, no_overwrite=True, increase_seqno=False
            )
            return
        current = stored.icalendar_component.get("SEQUENCE")
        if current is not None and int(current) > event.sequence:
            log.info("Calendar has a newer %s than sequence %d", event.reference, event.sequence)
            return
        stored.save(raw_data=data, increase_seqno=False, precondition="etag")


def busy_from_events(calendar: Any, start: datetime, end: datetime) -> list[Interval]:
    """Busy intervals from the events themselves (a time-range calendar-query, recurrences
    expanded by the server), for a server without free-busy-query."""
    found = calendar.search(start=start, end=end, event=True, expand=True)
    intervals: list[Interval] = []
    for resource in found:
        for component in resource.icalendar_instance.walk("VEVENT"):
            interval = event_interval(component)
            if interval is not None and interval[1] > start and interval[0] < end:
                intervals.append(interval)
    return sorted(intervals)


def free_busy_periods(ics: str | bytes, start: datetime, end: datetime) -> list[Interval]:
    """The busy periods of a VFREEBUSY answer, clipped to nothing outside start-end."""
    intervals: list[Interval] = []
    for component in ICalendar.from_ical(ics).walk("VFREEBUSY"):
        values = component.get("FREEBUSY", [])
        for value in values if isinstance(values, list) else [values]:
            kind = str(value.params.get("FBTYPE", "BUSY")).upper()
            if kind not in BUSY_TYPES:
                continue
            for period in _periods(value):
                if period[1] > start and period[0] < end:
                    intervals.append(period)
    return sorted(intervals)


def _periods(value: Any) -> list[Interval]:
    """A FREEBUSY property's periods: one, or a comma-separated list."""
    raw = value.dt if hasattr(value, "dt") else value
    items = raw if isinstance(raw, list) else [raw]
    periods: list[Interval] = []
    for item in items:
        period = item.dt if hasattr(item, "dt") else item
        first, second = period
        last = first + second if isinstance(second, timedelta) else second
        periods.append((_aware(first), _aware(last)))
    return periods


def event_interval(component: Component) -> Interval | None:
    """When an event keeps its attendees busy: None for a transparent or cancelled one. An
    all-day event is busy the whole (Stockholm) day."""
    if str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return None
    start = component.decoded("DTSTART")
    if "DTEND" in component:
        end = component.decoded("DTEND")
    elif "DURATION" in component:
        end = start + component.decoded("DURATION")
    else:
        end = start + (timedelta(days=1) if not isinstance(start, datetime) else timedelta(0))
    return _aware(start), _aware(end)


def _aware(value: date | datetime) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=STOCKHOLM)
    return value if value.tzinfo is not None else value.replace(tzinfo=STOCKHOLM)


def weekly_hours(ics: str) -> dict[int, list[tuple[time, time]]] | None:
    """Working hours from a VAVAILABILITY (RFC 7953): each AVAILABLE's local clock window on the
    weekdays its weekly RRULE names (or its start's weekday). None when it states none."""
    try:
        parsed = ICalendar.from_ical(ics)
    except ValueError:
        log.warning("Unreadable calendar-availability; using the region's working hours")
        return None
    hours: dict[int, list[tuple[time, time]]] = {}
    for available in parsed.walk("AVAILABLE"):
        start = _aware(available.decoded("DTSTART")).astimezone(STOCKHOLM)
        if "DTEND" in available:
            end = _aware(available.decoded("DTEND")).astimezone(STOCKHOLM)
        elif "DURATION" in available:
            end = start + available.decoded("DURATION")
        else:
            continue
        rule = available.get("RRULE")
        days = [str(d) for d in rule.get("BYDAY", [])] if rule else []
        weekdays = [WEEKDAYS.index(d[-2:]) for d in days if d[-2:] in WEEKDAYS] or [start.weekday()]
        for weekday in weekdays:
            hours.setdefault(weekday, []).append((start.time(), end.time()))
    return hours or None
