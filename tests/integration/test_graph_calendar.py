"""The booking against Microsoft Graph, here a stand-in started by the test on this machine
(tests/graph_standin.py) that answers as Microsoft documents the identity platform's token
endpoint and Graph's getSchedule, events and errors, over HTTPS with a CA of the test's own. The
app's real client (MSAL for the token, httpx for Graph) talks to it; nothing reaches the internet.

Offered times avoid the participants' busy, out-of-office and tentative meetings and their
working hours from Exchange; booking creates one event in the manager's mailbox with the
employee and the safety representative as attendees and a Teams meeting whose link reaches the
chat and "Mina ärenden"; a move PATCHes that event; a cancellation is Graph's cancel. Throttled
(429 with Retry-After), failing or hanging, the booking falls back to the local store and says
so, and the event lands through the outbox once Graph answers again, once.
"""

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.conversation.fields import FormContext
from actions.risk_assessment.booking import ActionBookRiskAssessment
from actions.risk_assessment.meeting import CALENDARS_NOT_CHECKED, start_prompt
from actions.services import Services
from bot.api.my_cases import MyRiskAssessment
from bot.calendars import CalendarUnavailable, Participant
from bot.calendars.graph_calendar import SEQUENCE_PROPERTY, UID_PROPERTY, GraphCalendar
from bot.calendars.guard import GuardedCalendar
from bot.channels.teams_proactive import claim_for_teams, mark_delivered, store_reference
from bot.clock import Clock
from bot.identity import User, demo_directory
from bot.notifications import claim_waiting
from bot.outbox import drain_calendar_writes
from bot.risk_assessments.invitation import meeting_event
from bot.risk_assessments.links import PublicLinks
from bot.risk_assessments.notices import InvitationMail
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT, GraphSettings
from bot.storage.database import Database
from bot.storage.models import OutboxMessage
from tests.faults import BreakableProxy
from tests.graph_standin import CLIENT_ID, CLIENT_SECRET, TENANT, GraphStandIn, Sent
from tests.unit.trackers import SEAL, texts, tracker

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Tuesday 24 November 2026: the offers start on Wednesday.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
ANNA, MARIA, SVEN = "anna.andersson@example.org", "maria.berg@example.org", "sven.skog@example.org"
TIMEOUT = 3.0
PAUSE = 0.3
LINKS = PublicLinks("https://distansguiden.example.se")
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=STOCKHOLM)


def hours(days: list[str], start: str, end: str, zone: str) -> dict[str, Any]:
    """workingHours as getSchedule documents them."""
    return {
        "daysOfWeek": days,
        "startTime": f"{start}:00.0000000",
        "endTime": f"{end}:00.0000000",
        "timeZone": {"name": zone},
    }


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[GraphStandIn]:
    server = GraphStandIn(tmp_path, [ANNA, MARIA, SVEN])
    yield server
    server.close()


def settings_for(standin: GraphStandIn, base: str | None = None, **values: Any) -> GraphSettings:
    return GraphSettings(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=SecretStr(values.pop("secret", CLIENT_SECRET)),
        base_url=f"{base or standin.base}/v1.0",
        authority=standin.base,
        ca_file=standin.ca_file,
        timeout_seconds=TIMEOUT,
        pause_seconds=PAUSE,
        **values,
    )


def guarded(settings: GraphSettings) -> GuardedCalendar:
    return GuardedCalendar(GraphCalendar(settings), timeout=TIMEOUT, pause=PAUSE)


@pytest.fixture
def calendar(standin: GraphStandIn) -> Iterator[GuardedCalendar]:
    calendar = guarded(settings_for(standin))
    yield calendar
    calendar.close()


def service_with(tmp_path: Path, calendar: GuardedCalendar) -> RiskAssessmentService:
    db = Database(f"sqlite:///{tmp_path}/graph-{id(calendar)}.db")
    db.migrate()
    return RiskAssessmentService(
        db,
        demo_directory(),
        now=lambda: NOW,
        calendar=calendar,
        links=LINKS,
        invitations=InvitationMail(PROJECT_ROOT / "faq"),
    )


@pytest.fixture
def service(tmp_path: Path, calendar: GuardedCalendar) -> Iterator[RiskAssessmentService]:
    service = service_with(tmp_path, calendar)
    yield service
    service.db.dispose()


def person(user_id: str) -> User:
    user = demo_directory().get(user_id)
    assert user is not None
    return user


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
    "ra_start": at(25, 13).isoformat(),
    "ra_place": "Teams",
}


def test_offered_times_avoid_busy_out_of_office_tentative_and_working_hours(
    standin: GraphStandIn, service: RiskAssessmentService
) -> None:
    # The manager: Wednesday morning busy; a reminder shown as free blocks nothing.
    standin.busy(MARIA, "busy", at(25, 8), at(25, 12))
    standin.busy(MARIA, "free", at(1, 9, month=12), at(1, 10, month=12))
    # The employee works Monday to Thursday (Exchange's working hours), has a tentative meeting
    # on Thursday morning and works elsewhere (no obstacle) on Tuesday.
    standin.mailboxes[ANNA].working_hours = hours(
        WEEKDAYS[:4], "08:00", "16:00", "W. Europe Standard Time"
    )
    standin.busy(ANNA, "tentative", at(26, 8), at(26, 11))
    standin.busy(ANNA, "workingElsewhere", at(1, 8, month=12), at(1, 17, month=12))
    # The safety representative is out of office on Monday and works 08-15 London time, which is
    # 09-16 in Stockholm.
    standin.busy(SVEN, "oof", at(30, 0), at(1, 0, month=12))
    standin.mailboxes[SVEN].working_hours = hours(WEEKDAYS, "08:00", "15:00", "GMT Standard Time")

    offer = service.offer(person("anna.andersson"), person("sven.skog"))

    assert offer.calendars_checked is True
    # Each on a day of its own, morning and afternoon in turn: Wednesday's morning is taken,
    # Friday is the employee's day off, Monday the representative's day out of office, and on
    # Tuesday he starts at nine.
    assert offer.starts == [at(25, 13), at(26, 13), at(1, 9, month=12)]
    (asked,) = standin.sent("POST", "/calendar/getSchedule")
    assert asked.path == f"/v1.0/users/{MARIA}/calendar/getSchedule", "from the organiser's mailbox"
    assert sorted(asked.body["schedules"]) == sorted([ANNA, MARIA, SVEN])
    assert asked.headers["prefer"] == 'outlook.timezone="UTC"'
    assert asked.body["startTime"]["timeZone"] == "UTC"

    friday = service.check_time(
        at(27, 10), timedelta(minutes=45), person("anna.andersson"), person("sven.skog")
    )
    assert friday is not None and friday.code == "outside_working_hours"
    assert "utanför arbetstiden för Anna Andersson" in friday.text
    tentative = service.check_time(
        at(26, 10), timedelta(minutes=45), person("anna.andersson"), person("sven.skog")
    )
    assert tentative is not None and tentative.code == "double_booked"
    assert "Första lediga tid: torsdag 26 november 2026 kl. 11.00" in tentative.text
    early = service.check_time(
        at(1, 8, month=12), timedelta(minutes=45), person("anna.andersson"), person("sven.skog")
    )
    assert early is not None and "utanför arbetstiden för Sven Skog" in early.text


async def test_booking_creates_one_event_with_the_attendees_and_a_teams_link(
    standin: GraphStandIn, service: RiskAssessmentService
) -> None:
    assert service.invitations is None, "Exchange sends the invitations: the app mails none"
    dispatcher = CollectingDispatcher()
    await ActionBookRiskAssessment(chat_services(service)).run(
        dispatcher, tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    said = texts(dispatcher)
    (booked,) = service.visible_to(person("anna.andersson"))
    (event,) = standin.events(MARIA)
    join_url = event["onlineMeeting"]["joinUrl"]
    assert f"[Anslut till Teams-mötet]({join_url})" in said
    assert "kunde inte kontrolleras" not in said
    assert booked.online_meeting_url == join_url and booked.calendar_checked is True
    assert MyRiskAssessment.of(booked).online_meeting == join_url

    assert event["subject"] == "Riskbedömning distansarbete – Anna Andersson"
    assert event["start"] == {
        "dateTime": "2026-11-25T13:00:00.0000000",
        "timeZone": "W. Europe Standard Time",
    }
    assert [a["emailAddress"] for a in event["attendees"]] == [
        {"address": ANNA, "name": "Anna Andersson"},
        {"address": SVEN, "name": "Sven Skog"},
    ]
    assert event["isOnlineMeeting"] is True and event["onlineMeetingProvider"] == "teamsForBusiness"
    assert event["isReminderOn"] is True and event["reminderMinutesBeforeStart"] == 15
    assert event["transactionId"] == booked.calendar_uid
    assert {p["id"]: p["value"] for p in event["singleValueExtendedProperties"]} == {
        UID_PROPERTY: booked.calendar_uid,
        SEQUENCE_PROPERTY: "0",
    }
    assert "https://distansguiden.example.se/riskbedomning/checklista" in event["body"]["content"]
    assert standin.events(ANNA) == [] and standin.events(SVEN) == [], "only the organiser's"
    # Now Graph shows the dialogue: busy for the manager, tentative for the others.
    again = service.check_time(at(25, 13), timedelta(minutes=45), person("erik.ek"), None)
    assert again is None, "other people are not affected"
    taken = service.check_time(
        at(25, 13, 15), timedelta(minutes=30), person("anna.andersson"), person("sven.skog")
    )
    assert taken is not None and taken.code == "double_booked"


def test_a_move_patches_the_same_event_and_a_cancellation_is_sent_as_one(
    standin: GraphStandIn, service: RiskAssessmentService, calendar: GuardedCalendar
) -> None:
    booked = service.book(person("anna.andersson"), "anna.andersson", at(25, 13), place="Teams")
    (created,) = standin.events(MARIA)
    join_url = created["onlineMeeting"]["joinUrl"]
    assert booked.online_meeting_url == join_url

    # Half an hour later overlaps its own old time: that is no conflict.
    moved = service.reschedule(person("maria.berg"), booked.id, at(25, 13, 30))
    (event,) = standin.events(MARIA)
    assert event["id"] == created["id"], "the same event, not a second"
    (patch,) = standin.sent("PATCH")
    assert unquote(patch.path) == f"/v1.0/users/{MARIA}/events/{created['id']}"
    assert "transactionId" not in patch.body and "isOnlineMeeting" in patch.body
    # A new text would drop the join block Graph put in it, and with it the Teams meeting.
    assert "body" not in patch.body
    assert event["onlineMeeting"]["joinUrl"] == join_url and join_url in event["body"]["content"]
    assert event["start"]["dateTime"] == "2026-11-25T13:30:00.0000000"
    assert {p["id"]: p["value"] for p in event["singleValueExtendedProperties"]}[
        SEQUENCE_PROPERTY
    ] == "1"
    assert moved.online_meeting_url == join_url, "the Teams meeting stays"

    # A late copy of the first version (SEQUENCE 0) changes nothing.
    stale = meeting_event(service.get(person("maria.berg"), booked.id), demo_directory(), LINKS)
    older = type(stale)(**{**stale.__dict__, "sequence": 0, "start": at(25, 13)})
    assert calendar.save(older) == join_url
    assert len(standin.sent("PATCH")) == 1
    assert standin.events(MARIA)[0]["start"]["dateTime"] == "2026-11-25T13:30:00.0000000"

    service.cancel(person("anna.andersson"), booked.id)
    (cancel,) = standin.sent("POST", "/cancel")
    assert unquote(cancel.path) == f"/v1.0/users/{MARIA}/events/{created['id']}/cancel"
    assert cancel.body == {"comment": "Riskbedömningen av distansarbetet är avbokad."}
    assert standin.events(MARIA) == [], "Graph moves a cancelled meeting to Deleted Items"
    # Cancelling again (a retried outbox write) finds nothing and sends nothing.
    cancelled = meeting_event(service.get(person("maria.berg"), booked.id), demo_directory(), LINKS)
    assert calendar.save(cancelled) is None
    assert len(standin.sent("POST", "/cancel")) == 1


async def test_throttled_the_booking_falls_back_and_the_event_lands_later_once(
    standin: GraphStandIn, tmp_path: Path
) -> None:
    # The guard's clock, moved by the test instead of waiting out Retry-After.
    clock = [1000.0]
    calendar = GuardedCalendar(
        GraphCalendar(settings_for(standin)),
        timeout=TIMEOUT,
        pause=PAUSE,
        monotonic=lambda: clock[0],
    )
    service = service_with(tmp_path, calendar)
    standin.throttle(times=1, retry_after="20")
    services = chat_services(service)
    prompt = start_prompt(FormContext(services, tracker("", slots=BOOKING | {"ra_start": None})))
    assert CALENDARS_NOT_CHECKED in prompt.text and len(prompt.buttons) == 3
    clock[0] += 19
    assert calendar.paused, "Graph is left alone for its Retry-After, longer than the pause"

    dispatcher = CollectingDispatcher()
    await ActionBookRiskAssessment(services).run(
        dispatcher, tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    said = texts(dispatcher)
    assert "Mötet är bokat" in said
    assert "Tiden kunde inte kontrolleras mot deltagarnas kalendrar just nu" in said
    assert "Länken till Teams-mötet kommer i kalenderinbjudan." in said
    (booked,) = service.visible_to(person("anna.andersson"))
    assert booked.calendar_checked is False and booked.online_meeting_url is None
    assert standin.events(MARIA) == [], "nothing reached the calendar yet"

    # The outbox's write is throttled too, and waits at least as long as Graph asks.
    clock[0] += 2
    standin.throttle(times=1, retry_after="120")
    before = datetime.now(UTC)
    assert drain_calendar_writes(service.db, calendar).retrying == 1
    with service.db.session() as session:
        (waiting,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "calendar"))
        assert waiting.next_attempt_at is not None
        assert waiting.next_attempt_at >= before + timedelta(seconds=119)
        assert "429 TooManyRequests" in (waiting.last_error or "")

    clock[0] += 121
    later = drain_calendar_writes(
        service.db, calendar, now=lambda: datetime.now(UTC) + timedelta(minutes=3)
    )
    assert later.sent == 1
    (event,) = standin.events(MARIA)
    assert event["transactionId"] == booked.calendar_uid
    assert (
        service.get(person("anna.andersson"), booked.id).online_meeting_url
        == (event["onlineMeeting"]["joinUrl"])
    )
    assert drain_calendar_writes(service.db, calendar).sent == 0, "nothing is written twice"
    assert len(service.visible_to(person("anna.andersson"))) == 1
    calendar.close()
    service.db.dispose()


@pytest.mark.parametrize("fault", ["503", "500", "hang", "wrong secret", "access policy"])
def test_any_failure_falls_back_to_the_local_store_within_the_timeout(
    standin: GraphStandIn, tmp_path: Path, fault: str
) -> None:
    proxy = BreakableProxy(standin.port)
    values: dict[str, Any] = {"secret": "fel-hemlighet"} if fault == "wrong secret" else {}
    calendar = guarded(settings_for(standin, base=f"https://127.0.0.1:{proxy.port}", **values))
    service = service_with(tmp_path, calendar)
    if fault == "503":
        standin.fail(1, 503, "serviceNotAvailable", "Service unavailable.", retry_after="5")
    elif fault == "500":
        standin.fail(times=1, status=500, code="generalException", message="An error occurred.")
    elif fault == "hang":
        proxy.set("hang")
    elif fault == "access policy":
        standin.allowed = {ANNA, SVEN}
    started = time.monotonic()
    offer = service.offer(person("anna.andersson"), person("sven.skog"))
    assert time.monotonic() - started < TIMEOUT + 1.5
    assert offer.calendars_checked is False and len(offer.starts) == 3
    booked = service.book(person("anna.andersson"), "anna.andersson", offer.starts[0])
    assert booked.calendar_checked is False
    assert standin.events(MARIA) == []
    if fault == "503":
        assert calendar.paused and calendar._paused_until - time.monotonic() > 4, "Retry-After"
    calendar.close()
    proxy.close()
    service.db.dispose()


def test_a_refused_sign_in_and_a_graph_error_are_named_by_their_codes(
    standin: GraphStandIn,
) -> None:
    people = [
        Participant("maria.berg", "Maria Berg", MARIA),
        Participant("anna.andersson", "Anna Andersson", ANNA),
    ]
    wrong = GraphCalendar(settings_for(standin, secret="fel-hemlighet"))
    with pytest.raises(CalendarUnavailable, match="invalid_client"):
        wrong.schedules(people, at(25, 0), at(26, 0))
    right = GraphCalendar(settings_for(standin))
    assert set(right.schedules(people, at(25, 0), at(26, 0))) == {"maria.berg", "anna.andersson"}
    standin.allowed = {ANNA}
    with pytest.raises(CalendarUnavailable, match="403 ErrorAccessDenied"):
        right.schedules(people, at(25, 0), at(26, 0))
    assert standin.tokens_issued == 1, "MSAL keeps the token between calls"
    right.close()
    wrong.close()


def test_a_mailbox_graph_has_no_schedule_for_is_not_called_checked(
    standin: GraphStandIn, service: RiskAssessmentService
) -> None:
    """One participant's mailbox unknown to Exchange (or outside the access policy): the others'
    calendars still count, but the offer does not claim everybody's were checked."""
    del standin.mailboxes[SVEN]
    standin.busy(MARIA, "busy", at(25, 8), at(25, 12))
    offer = service.offer(person("anna.andersson"), person("sven.skog"))
    assert offer.calendars_checked is False
    assert at(25, 8) not in offer.starts and len(offer.starts) == 3


def creating_events(standin: GraphStandIn) -> tuple[threading.Event, threading.Event]:
    """Graph's event creation waits until the test lets it go: returns (creating, go)."""
    creating, go = threading.Event(), threading.Event()
    graph = standin.graph

    def held(sent: Sent) -> Any:
        if sent.method == "POST" and sent.path.endswith("/events"):
            creating.set()
            go.wait(TIMEOUT)
        return graph(sent)

    standin.graph = held  # type: ignore[method-assign]
    return creating, go


def test_a_new_teams_meetings_notices_carry_its_join_link_and_are_shown_once(
    standin: GraphStandIn, service: RiskAssessmentService
) -> None:
    # Sven reads his notices in Teams, Anna hers in the web chat.
    store_reference(service.db, "sven.skog", {"conversation": {"id": "a:sven"}})
    creating, go = creating_events(standin)
    with ThreadPoolExecutor(1) as manager:
        booking = manager.submit(
            service.book, person("maria.berg"), "anna.andersson", at(25, 13), place="Teams"
        )
        assert creating.wait(TIMEOUT), "the booking is stored and Graph is making the event"
        assert claim_waiting(service.db, "anna.andersson") == [], "the notice waits for the link"
        assert claim_for_teams(service.db) == []
        go.set()
        booked = booking.result(timeout=2 * TIMEOUT)

    (event,) = standin.events(MARIA)
    join = f"[Anslut till Teams-mötet]({event['onlineMeeting']['joinUrl']})."
    assert booked.online_meeting_url == event["onlineMeeting"]["joinUrl"]
    (in_teams,) = claim_for_teams(service.db)
    assert in_teams.user_id == "sven.skog" and in_teams.text.endswith(join), in_teams.text
    mark_delivered(service.db, in_teams.notification_id)
    (in_chat,) = claim_waiting(service.db, "anna.andersson")
    assert in_chat.text.startswith("Maria Berg har bokat riskbedömningen") and join in in_chat.text
    assert in_chat.text.count("Anslut till Teams-mötet") == 1
    assert claim_waiting(service.db, "sven.skog") == [], "shown in Teams, so not again in chat"
    assert claim_waiting(service.db, "anna.andersson") == [] and claim_for_teams(service.db) == []


def test_when_graph_cannot_make_the_meeting_the_notices_go_at_once_without_a_link(
    standin: GraphStandIn, service: RiskAssessmentService
) -> None:
    graph = standin.graph
    unavailable = (503, {}, {"error": {"code": "serviceNotAvailable", "message": "Unavailable."}})

    def refusing(sent: Sent) -> Any:
        if sent.method == "POST" and sent.path.endswith("/events"):
            return unavailable
        return graph(sent)

    standin.graph = refusing  # type: ignore[method-assign]
    booked = service.book(person("maria.berg"), "anna.andersson", at(25, 13), place="Teams")
    assert booked.online_meeting_url is None and standin.events(MARIA) == []

    (notice,) = claim_waiting(service.db, "anna.andersson")
    assert "Anslut till Teams-mötet" not in notice.text
    # The outbox makes the meeting once Graph answers; the notice already shown is not sent again.
    standin.graph = graph  # type: ignore[method-assign]
    time.sleep(PAUSE)
    assert service.calendar is not None
    later = drain_calendar_writes(
        service.db, service.calendar, now=lambda: datetime.now(UTC) + timedelta(minutes=3)
    )
    assert later.sent == 1
    assert service.get(person("maria.berg"), booked.id).online_meeting_url
    assert claim_waiting(service.db, "anna.andersson") == []
