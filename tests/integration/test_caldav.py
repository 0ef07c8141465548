"""The booking against a real CalDAV server: Radicale, started by the test on a free port with
its storage in a temporary folder, behind a proxy the test can break.

The participants' calendars hold real meetings (a recurring one, an all-day one, one marked
free); the offered times avoid every one that keeps somebody busy, and a participant's working
hours in their calendar are kept. Booking, moving and cancelling change the event on the server,
under one UID with a growing SEQUENCE. With the server refusing or hanging, the booking falls
back to the local store, says so, and its event lands through the outbox once the server is back.
"""

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import httpx
import pytest
import vobject
from caldav.davclient import DAVClient
from icalendar import Calendar as ICalendar
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.fields import FormContext
from actions.risk_assessment.booking import ActionBookRiskAssessment
from actions.risk_assessment.meeting import CALENDARS_NOT_CHECKED, start_prompt
from actions.services import Services
from bot.calendars.caldav_calendar import CalDavCalendar, busy_from_events
from bot.calendars.guard import GuardedCalendar
from bot.clock import Clock
from bot.identity import User, demo_directory
from bot.launcher import free_port
from bot.outbox import drain_calendar_writes
from bot.risk_assessments.invitation import assessment_invitation
from bot.risk_assessments.links import PublicLinks
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT, CalDavSettings
from bot.storage.database import Database, answer_within
from tests.faults import BreakableProxy
from tests.unit.trackers import SEAL, texts, tracker

pytestmark = pytest.mark.slow

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Tuesday 24 November 2026: the offers start on Wednesday.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
SERVICE_ACCOUNT = ("distansguiden", "hemligt-lösen")
PEOPLE = ("anna.andersson", "maria.berg", "sven.skog")
TIMEOUT = 2.0
PAUSE = 0.5
LINKS = PublicLinks("https://distansguiden.example.se")
RIGHTS = """\
# The app's service account reads and writes every calendar; everyone else only their own.
[service]
user: distansguiden
collection: .*
permissions: RrWw

[principal]
user: .+
collection: {user}
permissions: RrWw

[calendars]
user: .+
collection: {user}/[^/]+
permissions: rw

[root]
user: .+
collection:
permissions: R
"""


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=STOCKHOLM)


@dataclass
class Radicale:
    port: int
    proxy: BreakableProxy

    @property
    def direct(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def url(self) -> str:
        """Through the proxy the tests break."""
        return f"http://127.0.0.1:{self.proxy.port}/"

    def client(self) -> DAVClient:
        return DAVClient(
            url=self.direct,
            username=SERVICE_ACCOUNT[0],
            password=SERVICE_ACCOUNT[1],
            auth_type="basic",
        )

    def calendar_url(self, user: str) -> str:
        return f"{self.direct}{user}/calendar/"

    def events(self, user: str) -> dict[str, bytes]:
        """Every resource in the user's calendar by its name, as stored."""
        found: dict[str, bytes] = {}
        with self.client() as client:
            for resource in client.calendar(url=self.calendar_url(user)).get_events():
                found[unquote(str(resource.url).rsplit("/", 1)[-1])] = resource.data.encode()
        return found

    def put(self, user: str, name: str, ics: str) -> None:
        response = httpx.put(
            f"{self.calendar_url(user)}{name}.ics",
            content=ics.encode(),
            headers={"Content-Type": "text/calendar; charset=utf-8"},
            auth=SERVICE_ACCOUNT,
        )
        assert response.status_code in (201, 204), response.text

    def busy(self, user: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The user's busy times as the server's free-busy-query answers them."""
        with self.client() as client:
            answer = client.calendar(url=self.calendar_url(user)).freebusy_request(start, end)
        (vfreebusy,) = ICalendar.from_ical(answer.data).walk("VFREEBUSY")
        values = vfreebusy.get("FREEBUSY", [])
        periods = []
        for value in values if isinstance(values, list) else [values]:
            for item in value.dt if isinstance(value.dt, list) else [value.dt]:
                first, second = item.dt if hasattr(item, "dt") else item
                periods.append((first, second if isinstance(second, datetime) else first + second))
        return sorted(periods)


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    folder = tmp_path_factory.mktemp("radicale")
    (folder / "users").write_text(f"{SERVICE_ACCOUNT[0]}:{SERVICE_ACCOUNT[1]}\n", "utf-8")
    (folder / "rights").write_text(RIGHTS, "utf-8")
    port = free_port()
    (folder / "config").write_text(
        f"""[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {folder / "users"}
htpasswd_encryption = plain
[rights]
type = from_file
file = {folder / "rights"}
[storage]
filesystem_folder = {folder / "collections"}
[logging]
level = warning
""",
        "utf-8",
    )
    log = (folder / "radicale.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(folder / "config")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code < 500:
                break
        except httpx.HTTPError:
            pass
        assert process.poll() is None, (folder / "radicale.log").read_text("utf-8")
        assert time.monotonic() < deadline, "Radicale did not start in 30 s"
        time.sleep(0.1)
    proxy = BreakableProxy(port)
    try:
        yield Radicale(port, proxy)
    finally:
        proxy.close()
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def server(radicale: Radicale) -> Radicale:
    """Empty calendars for the three participants, and the proxy passing traffic."""
    radicale.proxy.set("forward")
    auth = SERVICE_ACCOUNT
    for user in PEOPLE:
        httpx.request("DELETE", f"{radicale.direct}{user}/", auth=auth)
        assert httpx.request("MKCOL", f"{radicale.direct}{user}/", auth=auth).status_code == 201
        made = httpx.request("MKCALENDAR", radicale.calendar_url(user), auth=auth)
        assert made.status_code == 201, made.text
    return radicale


def calendar_on(server: Radicale, **settings: Any) -> GuardedCalendar:
    caldav = CalDavSettings(
        url=server.url,
        username=SERVICE_ACCOUNT[0],
        password=SERVICE_ACCOUNT[1],
        timeout_seconds=TIMEOUT,
        **settings,
    )
    return GuardedCalendar(CalDavCalendar(caldav), timeout=TIMEOUT, pause=PAUSE)


@pytest.fixture
def calendar(server: Radicale) -> Iterator[GuardedCalendar]:
    guarded = calendar_on(server)
    yield guarded
    guarded.close()


@pytest.fixture
def service(tmp_path: Path, calendar: GuardedCalendar) -> Iterator[RiskAssessmentService]:
    db = Database(f"sqlite:///{tmp_path}/caldav.db")
    db.migrate()
    yield RiskAssessmentService(
        db, demo_directory(), now=lambda: NOW, calendar=calendar, links=LINKS
    )
    db.dispose()


def person(user_id: str) -> User:
    user = demo_directory().get(user_id)
    assert user is not None
    return user


def vevent(uid: str, start: str, end: str, extra: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Exchange stand-in//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T080000Z\r\n"
        f"DTSTART;TZID=Europe/Stockholm:{start}\r\nDTEND;TZID=Europe/Stockholm:{end}\r\n"
        f"SUMMARY:Möte\r\n{extra}END:VEVENT\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\n"
        "TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\n"
        "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\nEND:VCALENDAR\r\n"
    )


def all_day(uid: str, day: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261101T080000Z\r\nDTSTART;VALUE=DATE:{day}\r\n"
        "SUMMARY:Utbildningsdag\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def the_event(server: Radicale, user: str, uid: str) -> tuple[Any, Any]:
    """The dialogue's event in ``user``'s calendar, parsed by icalendar and by vobject."""
    stored = server.events(user)[f"{uid}.ics"]
    assert b"METHOD" not in stored, "a stored calendar object carries no METHOD"
    (parsed,) = ICalendar.from_ical(stored).walk("VEVENT")
    return parsed, vobject.readOne(stored.decode()).vevent


def test_offered_times_avoid_the_participants_real_meetings(
    server: Radicale, service: RiskAssessmentService
) -> None:
    # The manager: Wednesday morning taken, and a weekly Monday meeting 08-09.
    server.put("maria.berg", "ledning", vevent("l@x", "20261125T080000", "20261125T120000"))
    server.put(
        "maria.berg",
        "veckomote",
        vevent("v@x", "20261102T080000", "20261102T090000", "RRULE:FREQ=WEEKLY;BYDAY=MO\r\n"),
    )
    # The employee: Thursday afternoon taken; a Monday reminder marked free blocks nothing.
    server.put("anna.andersson", "kurs", vevent("k@x", "20261126T120000", "20261126T170000"))
    server.put(
        "anna.andersson",
        "paminnelse",
        vevent("p@x", "20261130T090000", "20261130T100000", "TRANSP:TRANSPARENT\r\n"),
    )
    # The safety representative: a training day on Friday.
    server.put("sven.skog", "utbildning", all_day("u@x", "20261127"))

    offer = service.offer(person("anna.andersson"), person("sven.skog"))

    assert offer.calendars_checked is True
    assert offer.starts == [at(25, 13), at(26, 8), at(30, 9)]
    taken = service.check_time(
        at(26, 14), timedelta(minutes=45), person("anna.andersson"), person("sven.skog")
    )
    assert taken is not None and taken.code == "double_booked"
    assert "Första lediga tid: måndag 30 november 2026 kl. 09.00" in taken.text
    with pytest.raises(Exception, match="double_booked"):
        service.book(person("anna.andersson"), "anna.andersson", at(27, 10))


def test_without_a_free_busy_query_the_events_give_the_same_busy_times(
    server: Radicale,
) -> None:
    server.put(
        "maria.berg",
        "veckomote",
        vevent("v@x", "20261102T080000", "20261102T090000", "RRULE:FREQ=WEEKLY;BYDAY=MO\r\n"),
    )
    server.put(
        "maria.berg",
        "fritt",
        vevent("f@x", "20261201T090000", "20261201T100000", "TRANSP:TRANSPARENT\r\n"),
    )
    server.put("maria.berg", "utbildning", all_day("u@x", "20261202"))
    start, end = at(30, 0), datetime(2026, 12, 8, 12, tzinfo=STOCKHOLM)
    with server.client() as client:
        events = busy_from_events(
            client.calendar(url=server.calendar_url("maria.berg")), start, end
        )
    weekly, training, weekly_again = events
    assert weekly == (at(30, 8), at(30, 9))
    assert weekly_again == (
        datetime(2026, 12, 7, 8, tzinfo=STOCKHOLM),
        datetime(2026, 12, 7, 9, tzinfo=STOCKHOLM),
    )
    # The all-day event is the whole Stockholm day (Radicale's free-busy-query makes it a day in
    # UTC): either way it covers the working day.
    assert training == (
        datetime(2026, 12, 2, tzinfo=STOCKHOLM),
        datetime(2026, 12, 3, tzinfo=STOCKHOLM),
    )
    by_query = server.busy("maria.berg", start, end)
    assert [by_query[0], by_query[2]] == [weekly, weekly_again], "as the free-busy-query says"
    assert by_query[1][0] <= datetime(2026, 12, 2, 8, tzinfo=STOCKHOLM)
    assert by_query[1][1] >= datetime(2026, 12, 2, 17, tzinfo=STOCKHOLM)


def test_working_hours_in_a_calendar_are_kept(
    server: Radicale, service: RiskAssessmentService
) -> None:
    availability = vevent("x@x", "20261130T090000", "20261130T150000").replace(
        "BEGIN:VEVENT",
        "BEGIN:VAVAILABILITY\r\nUID:h@x\r\nDTSTAMP:20261101T080000Z\r\nBEGIN:AVAILABLE",
    )
    availability = availability.replace(
        "SUMMARY:Möte\r\nEND:VEVENT",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH\r\nEND:AVAILABLE\r\nEND:VAVAILABILITY",
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" '
        'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:calendar-availability>'
        f"{escape(availability)}</C:calendar-availability></D:prop></D:set></D:propertyupdate>"
    )
    patched = httpx.request(
        "PROPPATCH", server.calendar_url("sven.skog"), content=body, auth=SERVICE_ACCOUNT
    )
    assert patched.status_code == 207, patched.text

    offer = service.offer(person("anna.andersson"), person("sven.skog"))

    # Sven works Monday to Thursday, 09-15.
    assert offer.starts == [at(25, 9), at(26, 13), at(30, 9)]
    friday = service.check_time(
        at(27, 10), timedelta(minutes=45), person("anna.andersson"), person("sven.skog")
    )
    assert friday is not None and friday.code == "outside_working_hours"
    assert "utanför arbetstiden för Sven Skog" in friday.text
    # Without him, Friday is a working day like any other.
    assert (
        service.check_time(at(27, 10), timedelta(minutes=45), person("anna.andersson"), None)
        is None
    )


def test_booking_moving_and_cancelling_change_the_event_on_the_server(
    server: Radicale, service: RiskAssessmentService
) -> None:
    booked = service.book(
        person("anna.andersson"), "anna.andersson", at(25, 10), safety_representative_id="sven.skog"
    )
    uid = booked.calendar_uid
    assert uid is not None and booked.calendar_checked is True
    event, same = the_event(server, "maria.berg", uid)
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Riskbedömning distansarbete – Anna Andersson"
    assert event.decoded("DTSTART") == at(25, 10)
    assert same.summary.value == "Riskbedömning distansarbete – Anna Andersson"
    assert same.organizer.params["CN"] == ["Maria Berg"]
    assert same.valarm.trigger.value == timedelta(minutes=-15)
    assert "https://distansguiden.example.se/riskbedomning/checklista" in same.description.value
    assert server.busy("maria.berg", at(25, 0), at(26, 0)) == [
        (at(25, 10).astimezone(UTC), at(25, 10, 45).astimezone(UTC))
    ]

    # Half an hour later overlaps its own old time: that is no conflict.
    moved = service.reschedule(person("maria.berg"), booked.id, at(25, 10, 30))
    assert moved.calendar_checked is True
    assert list(server.events("maria.berg")) == [f"{uid}.ics"], "the same event, not a second"
    event, same = the_event(server, "maria.berg", uid)
    assert event["SEQUENCE"] == 1 and same.sequence.value == "1"
    assert event.decoded("DTSTART") == at(25, 10, 30)
    assert server.busy("maria.berg", at(25, 0), at(26, 0)) == [
        (at(25, 10, 30).astimezone(UTC), at(25, 11, 15).astimezone(UTC))
    ]

    service.cancel(person("anna.andersson"), booked.id)
    event, same = the_event(server, "maria.berg", uid)
    assert event["SEQUENCE"] == 2 and event["STATUS"] == "CANCELLED"
    assert same.status.value == "CANCELLED"
    assert server.busy("maria.berg", at(25, 0), at(26, 0)) == [], "a cancelled meeting is free"
    cancelled = service.get(person("anna.andersson"), booked.id)
    mailed = vobject.readOne(assessment_invitation(cancelled, demo_directory(), LINKS).decode())
    assert mailed.method.value == "CANCEL" and mailed.vevent.uid.value == uid


def test_without_scheduling_every_participant_gets_a_copy(server: Radicale, tmp_path: Path) -> None:
    copies = calendar_on(server, attendee_copies=True)
    db = Database(f"sqlite:///{tmp_path}/copies.db")
    db.migrate()
    service = RiskAssessmentService(db, demo_directory(), now=lambda: NOW, calendar=copies)
    booked = service.book(person("maria.berg"), "anna.andersson", at(25, 10))
    for user in PEOPLE:
        event, _ = the_event(server, user, str(booked.calendar_uid))
        assert event["SEQUENCE"] == 0
    # Now the employee's own calendar says she is busy then, for any other booking system too.
    assert server.busy("anna.andersson", at(25, 0), at(26, 0)) == [
        (at(25, 10).astimezone(UTC), at(25, 10, 45).astimezone(UTC))
    ]
    service.cancel(person("maria.berg"), booked.id)
    for user in PEOPLE:
        event, _ = the_event(server, user, str(booked.calendar_uid))
        assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    copies.close()
    db.dispose()


def test_each_calendar_is_found_from_the_participants_principal(
    server: Radicale, tmp_path: Path
) -> None:
    discovering = calendar_on(server, discover=True, calendar_url="{user}/")
    db = Database(f"sqlite:///{tmp_path}/discover.db")
    db.migrate()
    service = RiskAssessmentService(db, demo_directory(), now=lambda: NOW, calendar=discovering)
    server.put("sven.skog", "utbildning", all_day("u@x", "20261125"))
    offer = service.offer(person("anna.andersson"), person("sven.skog"))
    assert offer.calendars_checked is True and offer.starts[0] == at(26, 8)
    booked = service.book(person("anna.andersson"), "anna.andersson", at(26, 10))
    event, _ = the_event(server, "maria.berg", str(booked.calendar_uid))
    assert event["SEQUENCE"] == 0
    discovering.close()
    db.dispose()


def chat_services(service: RiskAssessmentService) -> Services:
    return Services(
        answerer=lambda: None,  # type: ignore[arg-type, return-value]
        seal=SEAL,
        risk_assessments=service,
        faq_dir=PROJECT_ROOT / "faq",
        clock=Clock(utc_now=lambda: NOW),
    )


BOOKING = {
    "ra_employee": "anna.andersson",
    "ra_safety_representative": "sven.skog",
    "ra_duration": 45.0,
    "ra_start": at(25, 10).isoformat(),
    "ra_place": "Teams",
}


@pytest.mark.parametrize("fault", ["refuse", "hang"])
async def test_a_calendar_down_or_hanging_falls_back_and_the_event_lands_when_it_is_back(
    server: Radicale, service: RiskAssessmentService, calendar: GuardedCalendar, fault: str
) -> None:
    server.proxy.set(fault)  # type: ignore[arg-type]
    services = chat_services(service)

    started = time.monotonic()
    prompt = start_prompt(FormContext(services, tracker("", slots=BOOKING | {"ra_start": None})))
    assert time.monotonic() - started < TIMEOUT + 1.5
    assert CALENDARS_NOT_CHECKED in prompt.text and len(prompt.buttons) == 3

    dispatcher = CollectingDispatcher()
    started = time.monotonic()
    await ActionBookRiskAssessment(services).run(
        dispatcher, tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    assert time.monotonic() - started < TIMEOUT + 1.5, "a booking waits no longer than the timeout"
    said = texts(dispatcher)
    assert "Mötet är bokat" in said
    assert "Tiden kunde inte kontrolleras mot deltagarnas kalendrar just nu" in said
    (booked,) = service.visible_to(person("anna.andersson"))
    assert booked.status == "booked" and booked.calendar_checked is False
    assert server.events("maria.berg") == {}, "nothing reached the calendar yet"

    # Still down: the outbox's drain tries, fails and waits.
    time.sleep(PAUSE)
    assert drain_calendar_writes(service.db, calendar).retrying == 1

    server.proxy.set("forward")
    time.sleep(PAUSE)
    retried = drain_calendar_writes(
        service.db, calendar, now=lambda: datetime.now(UTC) + timedelta(minutes=1)
    )
    assert retried.sent == 1
    event, _ = the_event(server, "maria.berg", str(booked.calendar_uid))
    assert event.decoded("DTSTART") == at(25, 10) and event["SEQUENCE"] == 0


async def test_the_booking_reply_links_the_invitation_and_checklist_by_name(
    server: Radicale, service: RiskAssessmentService
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionBookRiskAssessment(chat_services(service)).run(
        dispatcher, tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    said = texts(dispatcher)
    (booked,) = service.visible_to(person("anna.andersson"))
    base = "https://distansguiden.example.se"
    assert f"[Kalenderinbjudan (.ics)]({base}/api/risk-assessments/{booked.id}.ics)" in said
    assert f"[Checklista inför samtalet]({base}/riskbedomning/checklista)" in said
    assert "kunde inte kontrolleras" not in said, "the calendars were checked"
    assert booked.calendar_checked is True


async def test_a_hanging_calendar_slower_than_the_chat_turn_is_given_up_at_the_turns_deadline(
    server: Radicale, tmp_path: Path
) -> None:
    """A region's calendar timeout may be longer than Rasa's turn: inside a chat turn the booking
    still answers by the turn's deadline, booked in the app's own store, instead of the turn
    running out into limited mode while the booking is stored unseen."""
    server.proxy.set("hang")
    slow = GuardedCalendar(
        CalDavCalendar(
            CalDavSettings(
                url=server.url,
                username=SERVICE_ACCOUNT[0],
                password=SERVICE_ACCOUNT[1],
                timeout_seconds=30,
            )
        ),
        timeout=30,
        pause=PAUSE,
    )
    db = Database(f"sqlite:///{tmp_path}/slow.db")
    db.migrate()
    service = RiskAssessmentService(
        db, demo_directory(), now=lambda: NOW, calendar=slow, links=LINKS
    )
    try:
        dispatcher = CollectingDispatcher()
        started = time.monotonic()
        with answer_within(1.0):
            await ActionBookRiskAssessment(chat_services(service)).run(
                dispatcher, tracker("/affirm", slots=BOOKING, active_loop=None), {}
            )
        assert time.monotonic() - started < 2.5, "the booking waited past the turn's deadline"
        said = texts(dispatcher)
        assert "Mötet är bokat" in said
        assert "Tiden kunde inte kontrolleras mot deltagarnas kalendrar just nu" in said
        (booked,) = service.visible_to(person("anna.andersson"))
        assert booked.status == "booked" and booked.calendar_checked is False
    finally:
        slow.close()
        db.dispose()
