"""Microsoft Graph (Exchange Online): free/busy and working hours by ``getSchedule``, and the
dialogue's event in the organiser's (the manager's) mailbox with the attendees, so Exchange sends
the invitations, the updates and the cancellation itself.

The app signs in as itself with MSAL's client credentials (application permission
Calendars.ReadWrite, limited by an application access policy to the staff's mailboxes) and calls
Graph with httpx. Not Microsoft's msgraph-sdk: it installs 392 MB in 16,700 files and mypy needs
95 s and 2 GB for a module that imports it, for the five requests made here.

Our UID and SEQUENCE live on the Graph event as single-value extended properties, so a change
finds its event again: a move is a PATCH of the same event, a cancellation Graph's ``cancel``,
and a version older than the event's changes nothing. ``transactionId`` (the UID) makes Graph
ignore a second create when a first one's answer was lost. Throttling (429), outages (5xx),
time-outs and refused sign-ins raise ``CalendarUnavailable`` with the server's Retry-After, so
the guard pauses and the outbox tries again later.
"""

import logging
import ssl
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import msal
from tzlocal.windows_tz import tz_win, win_tz

from bot.calendars import CalendarUnavailable, Interval, MeetingEvent, Participant, Schedule
from bot.privacy import mask_personal_data
from bot.risk_assessments.scheduling import STOCKHOLM, WeeklyHours
from bot.settings import GraphSettings

log = logging.getLogger(__name__)

# The app's own property set (a GUID of ours) for the extended properties on its events.
PROPERTY_SET = "{8f2c6a1e-4b7d-4e55-9c3a-6d1f0b2e7a94}"
UID_PROPERTY = f"String {PROPERTY_SET} Name DistansguidenUid"
SEQUENCE_PROPERTY = f"Integer {PROPERTY_SET} Name DistansguidenSequence"
# A tentative meeting usually takes place, as Outlook's scheduling assistant assumes: it keeps a
# participant from the dialogue like a busy one; free and workingElsewhere do not.
BLOCKING = {"busy", "oof", "tentative"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
CANCEL_COMMENT = "Riskbedömningen av distansarbetet är avbokad."
TEAMS = "teams"


class GraphCalendar:
    name = "graph"
    external = True
    # Exchange sends the invitation, its updates and the cancellation to the attendees.
    sends_invitations = True

    def __init__(self, settings: GraphSettings) -> None:
        if not settings.tenant_id or not settings.client_id or not settings.client_secret:
            raise ValueError("DG_GRAPH_TENANT_ID, DG_GRAPH_CLIENT_ID and _CLIENT_SECRET are needed")
        self.settings = settings
        self._secret = settings.client_secret.get_secret_value()
        self.online_meetings = settings.online_meetings
        # Application permissions come with the resource's ".default" scope. A national cloud's
        # Graph (graph.microsoft.us, microsoftgraph.chinacloudapi.cn) is a resource of its own;
        # any other host (a gateway, a test's stand-in) forwards to the global one.
        host = urlsplit(settings.base_url).hostname or ""
        national = host.startswith(("graph.", "dod-graph.", "microsoftgraph."))
        self.scope = f"https://{host}/.default" if national else GRAPH_SCOPE
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=settings.ca_file) if settings.ca_file else True
        )
        self._http = httpx.Client(
            base_url=settings.base_url + "/", timeout=settings.timeout_seconds, verify=verify
        )
        # MSAL's own HTTP client: the same trust as Graph's (requests would let the environment's
        # REQUESTS_CA_BUNDLE override a CA file given to it).
        self._sign_in = httpx.Client(timeout=settings.timeout_seconds, verify=verify)
        # Built at the first call (inside the guard's deadline): MSAL asks the authority for its
        # OpenID configuration when it is made.
        self._application: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    def schedules(
        self, participants: Sequence[Participant], start: datetime, end: datetime
    ) -> dict[str, Schedule]:
        """Asked from the first participant's mailbox (the organiser's) for all of them at once;
        one without an e-mail address, or whose schedule Graph cannot give, is left out."""
        people = {p.email.lower(): p for p in participants if p.email}
        if not people:
            return {}
        asker = next(p.email for p in participants if p.email)
        answer = self._request(
            "POST",
            f"users/{_path(asker)}/calendar/getSchedule",
            json={
                "schedules": [p.email for p in people.values()],
                "startTime": _graph_time(start),
                "endTime": _graph_time(end),
                "availabilityViewInterval": 60,
            },
            headers={"Prefer": 'outlook.timezone="UTC"'},
        ).json()
        result: dict[str, Schedule] = {}
        for information in answer.get("value", []):
            person = people.get(str(information.get("scheduleId", "")).lower())
            if person is None:
                continue
            if information.get("error"):
                error = information["error"]
                log.warning(
                    "Graph gave no schedule for %s: %s",
                    mask_personal_data(person.email or "").text,
                    error.get("responseCode") or error.get("message"),
                )
                continue
            result[person.user_id] = Schedule(
                busy=_busy(information.get("scheduleItems") or []),
                working_hours=weekly_hours(information.get("workingHours"), start),
            )
        return result

    def save(self, event: MeetingEvent) -> str | None:
        organiser = event.organizer.email
        if not organiser:
            raise CalendarUnavailable(f"{event.reference}: the organiser has no e-mail address")
        mailbox = f"users/{_path(organiser)}/events"
        found = self._find(mailbox, event.uid)
        if found is None:
            if event.cancelled:
                return None
            created = self._request("POST", mailbox, json=self._event_body(event, created=True))
            return _join_url(created.json())
        event_id, sequence, join_url = found
        if sequence >= event.sequence:
            return join_url
        if event.cancelled:
            self._request(
                "POST", f"{mailbox}/{_path(event_id)}/cancel", json={"comment": CANCEL_COMMENT}
            )
            return None
        updated = self._request(
            "PATCH", f"{mailbox}/{_path(event_id)}", json=self._event_body(event, created=False)
        )
        return _join_url(updated.json()) or join_url

    def close(self) -> None:
        self._http.close()
        self._sign_in.close()

    def _find(self, mailbox: str, uid: str) -> tuple[str, int, str | None] | None:
        """The organiser's event with our UID: its id, our SEQUENCE on it and its join link."""
        matching = self._request(
            "GET",
            mailbox,
            params={
                "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{UID_PROPERTY}' "
                f"and ep/value eq '{_odata_string(uid)}')",
                "$select": "id",
            },
        ).json()
        events = matching.get("value") or []
        if not events:
            return None
        event_id = str(events[0]["id"])
        event = self._request(
            "GET",
            f"{mailbox}/{_path(event_id)}",
            params={
                "$select": "id,onlineMeeting",
                "$expand": f"singleValueExtendedProperties($filter=id eq '{SEQUENCE_PROPERTY}')",
            },
        ).json()
        sequence = next(
            (
                int(p["value"])
                for p in event.get("singleValueExtendedProperties") or []
                if p.get("id", "").lower() == SEQUENCE_PROPERTY.lower()
            ),
            -1,
        )
        return event_id, sequence, _join_url(event)

    def _event_body(self, event: MeetingEvent, created: bool) -> dict[str, Any]:
        zone = tz_win.get(str(STOCKHOLM), "W. Europe Standard Time")
        online = self.online_meetings and TEAMS in event.location.lower()
        body: dict[str, Any] = {
            "subject": event.summary,
            "start": {"dateTime": _local(event.start), "timeZone": zone},
            "end": {"dateTime": _local(event.end), "timeZone": zone},
            "location": {"displayName": event.location},
            "attendees": [
                {"emailAddress": {"address": a.email, "name": a.name}, "type": "required"}
                for a in event.attendees
                if a.email
            ],
            "isReminderOn": True,
            "reminderMinutesBeforeStart": event.alarm_minutes,
            "singleValueExtendedProperties": [
                {"id": SEQUENCE_PROPERTY, "value": str(event.sequence)},
                *([{"id": UID_PROPERTY, "value": event.uid}] if created else []),
            ],
        }
        if created:
            body["transactionId"] = event.uid
        # Graph puts the Teams meeting's join block into the event's text; an update whose text
        # lacks it turns the meeting off ("event update", Microsoft's notes on body and online
        # meetings). The text says nothing a move changes, so an online meeting's is sent once.
        if created or not online:
            body["body"] = {"contentType": "text", "content": event.description}
        # Once on, Graph keeps the Teams meeting: a move to a room leaves it (it cannot be
        # switched off), so it is only ever asked for, never turned off.
        if online:
            body["isOnlineMeeting"] = True
            body["onlineMeetingProvider"] = "teamsForBusiness"
        return body

    def _request(
        self,
        method: str,
        path: str,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        response = self._http.request(
            method,
            path,
            json=json,
            params=params,
            headers={"Authorization": f"Bearer {self._token()}", **(headers or {})},
        )
        if response.is_success:
            return response
        raise _unavailable(f"{method} {path.split('/')[-1]}", response)

    def _token(self) -> str:
        with self._lock:
            if self._application is None:
                self._application = msal.ConfidentialClientApplication(
                    self.settings.client_id,
                    client_credential=self._secret,
                    authority=f"{self.settings.authority}/{self.settings.tenant_id}",
                    # The authority is the administrator's setting, not to be checked against
                    # Microsoft's list (which would ask login.microsoftonline.com about a test's).
                    instance_discovery=False,
                    http_client=self._sign_in,
                )
            application = self._application
        # MSAL answers from its cache until the token is about to expire.
        result = application.acquire_token_for_client(scopes=[self.scope])
        if "access_token" not in result:
            raise CalendarUnavailable(
                f"sign-in refused: {result.get('error')}: "
                f"{str(result.get('error_description', ''))[:200]}"
            )
        return str(result["access_token"])


def weekly_hours(working_hours: dict[str, Any] | None, around: datetime) -> WeeklyHours | None:
    """Graph's ``workingHours`` (days, start and end in the mailbox's time zone) as the region's
    local clock windows per weekday. The days are taken in the week from ``around``, so a summer
    or winter offset is the one of the searched window; None when Graph states no hours."""
    if not working_hours or not working_hours.get("daysOfWeek"):
        return None
    zone = _zone(working_hours.get("timeZone") or {})
    first = _clock(working_hours["startTime"])
    last = _clock(working_hours["endTime"])
    days = {WEEKDAYS.index(d.lower()) for d in working_hours["daysOfWeek"] if d.lower() in WEEKDAYS}
    windows: dict[int, list[tuple[time, time]]] = {}
    start_day = around.astimezone(zone).date()
    for offset in range(7):
        day = start_day + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        begin = datetime.combine(day, first, tzinfo=zone).astimezone(STOCKHOLM)
        finish = datetime.combine(day, last, tzinfo=zone).astimezone(STOCKHOLM)
        if last <= first:  # a night shift ends the next day
            finish += timedelta(days=1)
        for local_day, window in _by_local_day(begin, finish):
            windows.setdefault(local_day.weekday(), []).append(window)
    return {weekday: sorted(spans) for weekday, spans in windows.items()}


def _by_local_day(begin: datetime, finish: datetime) -> list[tuple[date, tuple[time, time]]]:
    """A span of region-local time cut at midnights, as (day, (from, to)) per day."""
    spans: list[tuple[date, tuple[time, time]]] = []
    while begin < finish:
        midnight = datetime.combine(begin.date() + timedelta(days=1), time(0), tzinfo=STOCKHOLM)
        end = min(finish, midnight)
        spans.append((begin.date(), (begin.time(), end.time() if end < midnight else time.max)))
        begin = end
    return spans


def _busy(items: Sequence[dict[str, Any]]) -> list[Interval]:
    return sorted(
        (_instant(item["start"]), _instant(item["end"]))
        for item in items
        if str(item.get("status", "")).lower() in BLOCKING
    )


def _instant(value: dict[str, str]) -> datetime:
    """A Graph dateTimeTimeZone (seven decimals, a Windows or IANA zone name) as an instant."""
    moment = datetime.fromisoformat(value["dateTime"][:26])
    return moment.replace(tzinfo=_zone({"name": value.get("timeZone", "UTC")})).astimezone(UTC)


def _zone(time_zone: dict[str, Any]) -> tzinfo:
    """A Graph timeZoneBase: a Windows or IANA name, or a custom zone by its bias (minutes west
    of UTC, its summer rule left out)."""
    name = str(time_zone.get("name") or "UTC")
    if name in win_tz:
        return ZoneInfo(win_tz[name])
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(-timedelta(minutes=int(time_zone.get("bias", 0))))


def _clock(value: str) -> time:
    return time.fromisoformat(value[:15])


def _graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).replace(tzinfo=None).isoformat(), "timeZone": "UTC"}


def _local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).replace(tzinfo=None).isoformat()


def _join_url(event: dict[str, Any]) -> str | None:
    """The Teams join link; only a web address, as it becomes a link in chat and the widget."""
    link = str((event.get("onlineMeeting") or {}).get("joinUrl") or "")
    return link if link.startswith("https://") else None


def _path(segment: str) -> str:
    return quote(segment, safe="@")


def _odata_string(value: str) -> str:
    return value.replace("'", "''")


def _unavailable(what: str, response: httpx.Response) -> CalendarUnavailable:
    """Graph's error body ({"error": {"code", "message"}}) and Retry-After as the exception."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    return CalendarUnavailable(
        f"Graph {what}: {response.status_code} {code or response.reason_phrase}",
        retry_after=_retry_after(response.headers.get("Retry-After")),
    )


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
