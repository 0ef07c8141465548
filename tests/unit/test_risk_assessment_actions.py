"""The risk-assessment dialogue's actions, run as rasa-sdk runs them, with a frozen clock."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from actions import build_actions
from actions.agreement.request import ActionSubmitAgreement
from actions.conversation.fields import PENDING_SLOT, FormContext
from actions.risk_assessment.action_lines import (
    parse_actions,
    split_actions,
    without_named_action,
)
from actions.risk_assessment.booking import (
    ActionBookRiskAssessment,
    ActionStartRiskAssessment,
    ValidateRiskAssessmentForm,
)
from actions.risk_assessment.changes import (
    ActionCancelRiskAssessment,
    ActionRescheduleRiskAssessment,
    ActionStartCancelBooking,
    ValidateCancelBookingForm,
)
from actions.risk_assessment.meeting import start_prompt, time_said
from actions.risk_assessment.outcome import (
    ActionDocumentRiskAssessment,
    ActionStartOutcome,
    ValidateOutcomeForm,
)
from actions.risk_assessment.outcome_fields import restated_at_summary
from actions.services import Services
from bot.agreements.service import AgreementService
from bot.clock import Clock
from bot.errors import Refused
from bot.faq.answering import Reply
from bot.identity import User, demo_directory
from bot.outbox import drain
from bot.regions import load_region
from bot.risk_assessments.availability import add_busy_time
from bot.risk_assessments.notices import InvitationMail
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.database import Database
from bot.storage.models import Notification, OutboxMessage
from tests.unit.forms import form_turn
from tests.unit.trackers import SEAL, texts, tracker

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Tuesday 24 November 2026, 09:00 in Stockholm.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
FAQ_DIR = PROJECT_ROOT / "faq"


def outbox_rows(risk: RiskAssessmentService) -> list[OutboxMessage]:
    with risk.db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, tuple[str, bytes] | None]] = []

    def send(
        self, to: str, subject: str, body: str, calendar: tuple[str, bytes] | None = None
    ) -> None:
        self.sent.append((to, body, calendar))


class MovingClock:
    """Now, as the test moves it."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def services(
    tmp_path: Path, clock: MovingClock
) -> Iterator[tuple[RiskAssessmentService, AgreementService]]:
    db = Database(f"sqlite:///{tmp_path}/r.db")
    db.migrate()
    region = load_region(Settings().regions_dir, "vasternorrland")
    yield (
        RiskAssessmentService(db, demo_directory(), now=clock),
        AgreementService(db, demo_directory(), region, Clock(utc_now=clock)),
    )
    db.dispose()


def risk_args(services: tuple[RiskAssessmentService, AgreementService]) -> Services:
    risk, agreements = services
    return Services(
        answerer=lambda: None,  # type: ignore[arg-type, return-value]
        seal=SEAL,
        agreements=agreements,
        risk_assessments=risk,
        faq_dir=FAQ_DIR,
        clock=agreements.clock,
    )


def person(user_id: str) -> User:
    user = demo_directory().get(user_id)
    assert user is not None
    return user


BOOKING = {
    "ra_employee": "anna.andersson",
    "ra_safety_representative": "sven.skog",
    "ra_duration": 45.0,
    "ra_start": datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM).isoformat(),
    "ra_place": "Teams",
}


async def start_of(slots: dict[str, Any], services: Any, text: str) -> tuple[Any, str]:
    turn = await form_turn(ValidateRiskAssessmentForm(risk_args(services)), text, slots, "ra_start")
    return turn.slots, turn.said


async def test_employee_starts_with_their_manager_and_units_safety_representative(
    services: Any,
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        dispatcher, tracker("boka riskbedömning", active_loop=None), {}
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_employee"] == "anna.andersson"
    assert slots["ra_safety_representative"] == "sven.skog"
    assert slots["ra_duration"] == 45.0
    assert events[-1]["name"] == "risk_assessment_form"
    assert "skyddsombudet" in texts(dispatcher)


async def test_manager_names_the_employee_in_the_request(services: Any) -> None:
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(),
        tracker("boka riskbedömning med Anna", user="maria.berg", active_loop=None),
        {},
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_employee"] == "anna.andersson"
    # Erik is Johan Lind's employee, not Maria Berg's: she is asked whom she means instead.
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(),
        tracker("boka riskbedömning med Erik", user="maria.berg", active_loop=None),
        {},
    )
    assert "ra_employee" not in {e["name"] for e in events if e["event"] == "slot" and e["value"]}


async def test_a_manager_is_asked_about_the_one_employee_whose_request_waits(
    services: Any,
) -> None:
    """Flow batch 2026-12-06u: told that Anna's request needs its risk assessment first, the
    manager answered "ja boka" to "Vilken medarbetare?" and was told no employee has that name."""
    await submit_agreement(services)
    dispatcher = CollectingDispatcher()
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        dispatcher, tracker("då får vi boka riskbedömningen", user="maria.berg"), {}
    )
    assert "ra_employee" not in {e["name"] for e in events if e["event"] == "slot" and e["value"]}
    form = ValidateRiskAssessmentForm(risk_args(services))
    asked = await form_turn(form, "hmm", {}, "ra_employee", user="maria.berg")
    assert "Gäller riskbedömningen Anna Anderssons distansarbete?" in asked.said
    yes = await form_turn(form, "ja boka", {}, "ra_employee", user="maria.berg")
    assert yes.slots["ra_employee"] == "anna.andersson"


async def test_the_opening_messages_time_is_taken_once_the_employee_is_known(
    services: Any,
) -> None:
    """Flow u-19: a time in the message that opened the booking without naming the employee
    was asked again after the manager's "ja boka" picked Anna."""
    await submit_agreement(services)
    opening = "jaha, då får vi boka riskbedömningen först. onsdag 2/12 kl 13 på teams"
    earlier = [
        {"event": "user", "text": "godkänn annas distansansökan"},
        {"event": "user", "text": opening},
        {"event": "action", "name": "action_start_risk_assessment"},
        {"event": "active_loop", "name": "risk_assessment_form"},
    ]
    form = ValidateRiskAssessmentForm(risk_args(services))
    opened = {"ra_duration": 45.0}
    yes = await form_turn(
        form, "ja boka", opened, "ra_employee", user="maria.berg", earlier=earlier
    )
    assert yes.slots["ra_employee"] == "anna.andersson"
    assert yes.slots["ra_start"] == datetime(2026, 12, 2, 13, 0, tzinfo=STOCKHOLM).isoformat()
    assert yes.slots["ra_place"].lower() == "teams"
    assert "Jag har också noterat: tid onsdag 2 december" in yes.said
    assert "Stämmer det här?" in yes.said
    # Without a time in the opening message, the time is asked.
    earlier[1]["text"] = "jaha, då får vi boka riskbedömningen först"
    yes = await form_turn(
        form, "ja boka", opened, "ra_employee", user="maria.berg", earlier=earlier
    )
    assert "ra_start" not in yes.slots


async def test_without_a_waiting_request_the_manager_names_the_employee(services: Any) -> None:
    form = ValidateRiskAssessmentForm(risk_args(services))
    turn = await form_turn(form, "ja", {}, "ra_employee", user="maria.berg")
    assert turn.slots.get("ra_employee") is None
    assert "Vilken medarbetares distansarbete" in turn.said


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nästa tisdag kl 10", datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM)),
        ("den 3 december 13:00", datetime(2026, 12, 3, 13, 0, tzinfo=STOCKHOLM)),
        ("2026-12-03 09:30", datetime(2026, 12, 3, 9, 30, tzinfo=STOCKHOLM)),
        ("December 3 at 2pm", datetime(2026, 12, 3, 14, 0, tzinfo=STOCKHOLM)),
    ],
)
async def test_clear_times_are_taken(services: Any, text: str, expected: datetime) -> None:
    result, said = await start_of(BOOKING | {"ra_start": None}, services, text)
    assert result["ra_start"] == expected.isoformat(), said


@pytest.mark.parametrize(
    "text", ["onsdag 2.12 kl 10.30", "2.12 kl 10.30", "2/12 10.30", "den 2 dec 10:30"]
)
async def test_a_dotted_date_and_time_are_taken(services: Any, text: str) -> None:
    """ "onsdag 16.12 kl 10.30" was no time: Swedes write d.m and h.mm (helper-29's brief)."""
    result, said = await start_of(BOOKING | {"ra_start": None}, services, text)
    assert result["ra_start"] == datetime(2026, 12, 2, 10, 30, tzinfo=STOCKHOLM).isoformat(), said


async def test_a_weekday_that_does_not_fit_the_date_is_asked_about(services: Any) -> None:
    """2 December 2026 is a Wednesday: "tisdag 2.12" is asked about, never guessed."""
    form = ValidateRiskAssessmentForm(risk_args(services))
    slots = BOOKING | {"ra_start": None}
    turn = await form_turn(form, "tisdag 2.12 kl 10.30", slots, "ra_start")
    assert turn.slots["ra_start"] is None
    assert "2 december 2026 är en onsdag, inte en tisdag. Vilken dag menar du?" in turn.said
    assert "När vill ni ses?" not in turn.said, "one question at a time"
    assert [b["title"] for b in turn.buttons] == [
        "onsdag 2 december 2026 kl. 10.30",
        "tisdag 1 december 2026 kl. 10.30",
    ]
    chosen = await form_turn(form, turn.buttons[1]["payload"], slots, "ra_start")
    assert chosen.slots["ra_start"] == datetime(2026, 12, 1, 10, 30, tzinfo=STOCKHOLM).isoformat()


async def test_an_ambiguous_time_is_confirmed_first(services: Any) -> None:
    # "på tisdag" on a Tuesday: today or next week? The dialogue asks.
    result, said = await start_of(BOOKING | {"ra_start": None}, services, "på tisdag")
    assert result["ra_start"] is None
    pending = result["flow_pending"]["value"]
    assert pending is not None
    assert "Menar du tisdag 1 december 2026 kl. 09.00?" in said
    assert "När vill ni ses?" not in said, "one question at a time"
    confirmed, _ = await start_of(
        BOOKING | {"ra_start": None, "flow_pending": result["flow_pending"]}, services, "ja"
    )
    assert confirmed["ra_start"] == pending


async def test_a_new_clock_time_answers_the_confirmation(services: Any) -> None:
    result, _ = await start_of(BOOKING | {"ra_start": None}, services, "vet inte, onsdag?")
    moved, _ = await start_of(
        BOOKING | {"ra_start": None, "flow_pending": result["flow_pending"]}, services, "nej, kl 13"
    )
    assert moved["ra_start"] == datetime(2026, 11, 25, 13, 0, tzinfo=STOCKHOLM).isoformat()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("den 25 december kl 10", "juldagen"),
        ("igår kl 10", "redan"),
        ("nästa tisdag kl 19", "arbetstid"),
        ("lördag kl 10", "lördag"),
    ],
)
async def test_refused_times_say_why(services: Any, text: str, reason: str) -> None:
    result, said = await start_of(BOOKING | {"ra_start": None}, services, text)
    assert result["ra_start"] is None
    assert reason in said.lower()


async def test_unparseable_time_gets_examples(services: Any) -> None:
    result, said = await start_of(BOOKING | {"ra_start": None}, services, "när det passar")
    assert result["ra_start"] is None
    assert "nästa tisdag kl 10" in said


async def test_free_slots_skip_the_participants_busy_times(
    services: Any, clock: MovingClock
) -> None:
    risk, _ = services
    with risk.db.session() as session:
        # The safety representative is busy all Wednesday morning.
        add_busy_time(
            session,
            "sven.skog",
            datetime(2026, 11, 25, 8, 0, tzinfo=STOCKHOLM),
            datetime(2026, 11, 25, 12, 0, tzinfo=STOCKHOLM),
        )
    clock.now = datetime(2026, 11, 24, 18, 0, tzinfo=STOCKHOLM)
    ctx = FormContext(risk_args(services), tracker("", slots=BOOKING | {"ra_start": None}))
    payloads = [b["payload"] for b in start_prompt(ctx).buttons]
    # One offer a day, morning and afternoon in turn: Wednesday morning is taken.
    assert payloads == ["2026-11-25 13:00", "2026-11-26 13:00", "2026-11-27 08:00"]
    busy, said = await start_of(BOOKING | {"ra_start": None}, services, "2026-11-25 10:00")
    assert busy["ra_start"] is None and "upptagen" in said


async def test_booking_stores_links_the_request_notifies_and_queues_the_invitation(
    services: Any,
) -> None:
    risk, agreements = services
    risk.invitations = InvitationMail(FAQ_DIR)
    await submit_agreement(services)
    dispatcher = CollectingDispatcher()
    await ActionBookRiskAssessment(risk_args(services)).run(
        dispatcher, tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    (booked,) = risk.visible_to(person("anna.andersson"))
    assert booked.status == "booked" and booked.safety_representative_id == "sven.skog"
    (agreement,) = agreements.visible_to(person("anna.andersson"))
    assert booked.agreement_id == agreement.id and agreement.risk_assessment_id == booked.id
    reply = dispatcher.messages[0]["custom"]
    assert reply["link"] == f"/api/risk-assessments/{booked.id}.ics"
    assert "kopplat till din ansökan" in reply["text"]
    # Queued, not yet sent: the reply does not claim more.
    assert reply["text"].endswith("Inbjudan skickas också med e-post.")
    assert [b["title"] for b in reply["buttons"]] == ["Flytta mötet", "Avboka mötet"]
    assert "Ergonomi" in texts(dispatcher), "the checklist follows the booking"
    queued = outbox_rows(risk)
    assert sorted(m.recipient for m in queued) == [
        "anna.andersson@example.org",
        "maria.berg@example.org",
        "sven.skog@example.org",
    ]
    assert {(m.reference, m.sent_at) for m in queued} == {(f"risk_assessment:{booked.id}", None)}
    assert all(m.attachment and b"METHOD:REQUEST" in m.attachment for m in queued)
    with risk.db.session() as session:
        told = {n.recipient_id for n in session.query(Notification)}
    assert {"maria.berg", "sven.skog"} <= told and "anna.andersson" not in told

    mailer = RecordingMailer()
    assert drain(risk.db, mailer).sent == 3
    assert sorted(to for to, _, _ in mailer.sent) == sorted(m.recipient for m in queued)
    assert all(ics and b"BEGIN:VCALENDAR" in ics[1] for _, _, ics in mailer.sent)


async def test_a_booking_that_is_not_stored_queues_no_mail(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    risk, _ = services
    risk.invitations = InvitationMail(FAQ_DIR)
    queue = InvitationMail.queue

    def queue_then_fail(self: InvitationMail, *args: Any) -> int:
        queue(self, *args)
        raise OperationalError("INSERT", {}, Exception("database gone"))

    monkeypatch.setattr(InvitationMail, "queue", queue_then_fail)
    dispatcher = CollectingDispatcher()
    await ActionBookRiskAssessment(risk_args(services)).run(
        dispatcher, tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    assert "Inget har bokats" in texts(dispatcher) and "e-post" not in texts(dispatcher)
    assert risk.visible_to(person("anna.andersson")) == []
    assert outbox_rows(risk) == []


async def test_double_booking_the_same_people_is_refused(services: Any) -> None:
    book = ActionBookRiskAssessment(risk_args(services))
    await book.run(CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {})
    again = CollectingDispatcher()
    events = await book.run(
        again, tracker("/affirm", slots=BOOKING, user="maria.berg", active_loop=None), {}
    )
    assert "upptagen" in texts(again)
    assert {"event": "followup", "name": "risk_assessment_form", "timestamp": None} in events


async def test_reschedule_keeps_one_record_and_uid(services: Any) -> None:
    risk, _ = services
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    (before,) = risk.visible_to(person("anna.andersson"))
    later = datetime(2026, 12, 2, 14, 0, tzinfo=STOCKHOLM)
    dispatcher = CollectingDispatcher()
    await ActionRescheduleRiskAssessment(risk_args(services)).run(
        dispatcher,
        tracker(
            "",
            slots={"ra_assessment_id": str(before.id), "ra_start": later.isoformat()},
            active_loop=None,
        ),
        {},
    )
    (after,) = risk.visible_to(person("anna.andersson"))
    assert after.id == before.id and after.calendar_uid == before.calendar_uid
    assert after.calendar_sequence == before.calendar_sequence + 1
    assert after.start_at == later
    assert "onsdag 2 december 2026 kl. 14.00" in texts(dispatcher)
    assert "e-post" not in texts(dispatcher) and outbox_rows(risk) == [], "no SMTP, no mail"


async def test_moving_and_cancelling_queue_the_updated_invitation(services: Any) -> None:
    risk, _ = services
    risk.invitations = InvitationMail(FAQ_DIR)
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    (booked,) = risk.visible_to(person("anna.andersson"))
    later = datetime(2026, 12, 2, 14, 0, tzinfo=STOCKHOLM)
    moved = CollectingDispatcher()
    await ActionRescheduleRiskAssessment(risk_args(services)).run(
        moved,
        tracker(
            "",
            slots={"ra_assessment_id": str(booked.id), "ra_start": later.isoformat()},
            active_loop=None,
        ),
        {},
    )
    cancelled = CollectingDispatcher()
    await ActionCancelRiskAssessment(risk_args(services)).run(
        cancelled, tracker("", slots={"ra_assessment_id": str(booked.id)}, active_loop=None), {}
    )

    assert "Den nya inbjudan skickas också med e-post." in texts(moved)
    assert "Avbokningen skickas också med e-post." in texts(cancelled)
    rows = outbox_rows(risk)
    assert [m.subject for m in rows[::3]] == [
        "Riskbedömning av distansarbete",
        "Flyttat: Riskbedömning av distansarbete",
        "Inställt: Riskbedömning av distansarbete",
    ]
    ics = [m.attachment or b"" for m in rows[::3]]
    assert [b"SEQUENCE:0" in ics[0], b"SEQUENCE:1" in ics[1], b"SEQUENCE:2" in ics[2]] == [True] * 3
    assert b"METHOD:CANCEL" in ics[2] and b"STATUS:CANCELLED" in ics[2]
    assert "2 december 2026 kl. 14.00" in rows[3].body


async def test_typed_cancel_asks_first_and_the_button_cancels(services: Any) -> None:
    risk, _ = services
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    start = ActionStartCancelBooking(risk_args(services))
    events = await start.run(
        CollectingDispatcher(), tracker("avboka riskbedömningen", active_loop=None), {}
    )
    (booked,) = risk.visible_to(person("anna.andersson"))
    assert events[-1] == {"event": "followup", "name": "cancel_booking_form", "timestamp": None}
    form = ValidateCancelBookingForm(risk_args(services))
    asked = await form_turn(
        form, "hmm", {"ra_assessment_id": str(booked.id)}, "ra_cancel_confirmed"
    )
    assert booked.status == "booked" and "Vill du avboka" in asked.said
    button = asked.buttons[0]["payload"]
    assert button == f'/cancel_risk_assessment{{"assessment_id":"{booked.id}"}}'
    entity = [{"entity": "assessment_id", "value": str(booked.id)}]
    confirmed = await form_turn(
        form, button, {"ra_assessment_id": str(booked.id)}, "ra_cancel_confirmed",
        intent="cancel_risk_assessment", confidence=1.0, entities=entity,
    )  # fmt: skip
    assert confirmed.slots["ra_cancel_confirmed"] is True
    done = CollectingDispatcher()
    await ActionCancelRiskAssessment(risk_args(services)).run(
        done, tracker("", slots={"ra_assessment_id": str(booked.id)}, active_loop=None), {}
    )
    (cancelled,) = risk.visible_to(person("anna.andersson"))
    assert cancelled.status == "cancelled" and "avbokad" in texts(done)


async def test_no_to_cancelling_keeps_the_meeting(services: Any) -> None:
    risk, _ = services
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    (booked,) = risk.visible_to(person("anna.andersson"))
    form = ValidateCancelBookingForm(risk_args(services))
    slots = {"ra_assessment_id": str(booked.id)}
    kept = await form_turn(form, "nej förresten, låt det vara", slots, "ra_cancel_confirmed")
    assert kept.slots["flow_outcome"] == "cancelled" and "ligger kvar" in kept.said
    unclear = await form_turn(form, "avbryt", slots, "ra_cancel_confirmed")
    assert unclear.slots["ra_cancel_confirmed"] is None and "Vill du avboka" in unclear.said


async def test_after_the_meeting_the_manager_is_asked_once_and_documents_it(
    services: Any, clock: MovingClock
) -> None:
    risk, agreements = services
    await submit_agreement(services)
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    (agreement,) = agreements.visible_to(person("maria.berg"))
    assert approval_refused(agreements, agreement.id) == "risk_assessment_missing"

    assert risk.ask_for_outcomes() == 0, "nothing to document before the meeting"
    clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=STOCKHOLM)
    assert risk.ask_for_outcomes() == 1
    assert risk.ask_for_outcomes() == 0, "the manager is asked once"
    (held,) = risk.visible_to(person("maria.berg"))
    assert held.status == "held"

    events = await ActionStartOutcome(risk_args(services)).run(
        CollectingDispatcher(),
        tracker("dokumentera riskbedömningen", user="maria.berg", active_loop=None),
        {},
    )
    assert {"event": "followup", "name": "outcome_form", "timestamp": None} in events
    form = ValidateOutcomeForm(risk_args(services))
    slots = {"ra_assessment_id": str(held.id), "ra_risks": "Bildskärm saknas", "ra_actions": []}
    too_late = await form_turn(form, "2028-01-01", slots, "ra_follow_up", user="maria.berg")
    assert too_late.slots["ra_follow_up"] is None and "minst en gång per år" in too_late.said
    # Typed as the button reads, "om ett år" is the button's date: a year after the dialogue.
    in_a_year = await form_turn(form, "om ett år", slots, "ra_follow_up", user="maria.berg")
    year_button = next(b for b in too_late.buttons if b["title"].startswith("Om ett år"))
    assert in_a_year.slots["ra_follow_up"] == year_button["payload"]
    follow_up = await form_turn(form, "2027-06-01", slots, "ra_follow_up", user="maria.berg")
    actions = await form_turn(
        form,
        "Beställa bildskärm – Maria Berg – 2026-12-15",
        {"ra_assessment_id": str(held.id), "ra_risks": "Bildskärm saknas"},
        "ra_actions",
        user="maria.berg",
    )
    slots = slots | {
        "ra_actions": actions.slots["ra_actions"],
        "ra_follow_up": follow_up.slots["ra_follow_up"],
    }
    summary = await form_turn(form, "tack", slots, "ra_outcome_confirmed", user="maria.berg")
    assert "Stämmer det här?" in summary.said and summary.slots["ra_outcome_confirmed"] is None
    done = CollectingDispatcher()
    await ActionDocumentRiskAssessment(risk_args(services)).run(
        done, tracker("ja", slots=slots, user="maria.berg", active_loop=None), {}
    )
    (documented,) = risk.visible_to(person("maria.berg"))
    assert documented.status == "documented"
    assert documented.actions == [
        {"action": "Beställa bildskärm", "owner": "Maria Berg", "due": "2026-12-15"}
    ]
    assert "kan nu beslutas" in texts(done)
    assert "Godkänn" in done.messages[0]["buttons"][0]["title"]
    assert approval_refused(agreements, agreement.id) is None


def test_actions_need_owner_and_date() -> None:
    actions, problems = parse_actions(
        "Beställa headset – Anna Andersson – 15 december\nSe över belysningen", date(2026, 12, 1)
    )
    assert actions == [
        {"action": "Beställa headset", "owner": "Anna Andersson", "due": "2026-12-15"}
    ]
    assert problems == ['"Se över belysningen"']


def approval_refused(agreements: AgreementService, agreement_id: int) -> str | None:
    """Why the manager cannot approve the request yet, or None once approved."""
    try:
        agreements.decide(person("maria.berg"), agreement_id, approve=True)
    except Refused as refusal:
        return refusal.code
    return None


async def submit_agreement(services: Any) -> None:
    filled = {
        "agreement_share": 40.0,
        "agreement_place": "Hemma",
        "agreement_start": (NOW.date() + timedelta(days=30)).isoformat(),
        "agreement_end": (NOW.date() + timedelta(days=300)).isoformat(),
        "agreement_tasks": "Utredningar",
        "agreement_equipment": [],
        "agreement_it_security": True,
        "agreement_overlap": "none",
        "agreement_confirmed": True,
    }
    dispatcher = CollectingDispatcher()
    await ActionSubmitAgreement(risk_args(services)).run(
        dispatcher, tracker("/affirm", slots=filled), {}
    )
    assert "Boka riskbedömningen" in [b["title"] for b in dispatcher.messages[0]["buttons"]]


async def test_the_time_beside_a_changed_length_is_the_answer(services: Any) -> None:
    """ "torsdag 3 december 13:00, vi behöver en timme" changed the length and asked for the
    time again (batch 2026-12-06b)."""
    form = ValidateRiskAssessmentForm(risk_args(services))
    slots = BOOKING | {"ra_start": None, "ra_place": None}
    turn = await form_turn(form, "torsdag 3 december 13:00, vi behöver en timme", slots, "ra_start")
    assert turn.slots["ra_duration"] == 60
    assert turn.slots["ra_start"] == datetime(2026, 12, 3, 13, 0, tzinfo=STOCKHOLM).isoformat()


async def test_the_participants_set_at_start_pass_validation(services: Any) -> None:
    form = ValidateRiskAssessmentForm(risk_args(services))
    for user, employee in (("anna.andersson", "anna.andersson"), ("maria.berg", "anna.andersson")):
        chosen = await form_turn(form, employee, {}, "ra_employee", user=user)
        assert chosen.slots["ra_employee"] == employee
    refused = await form_turn(form, "erik.ek", {}, "ra_employee", user="anna.andersson")
    assert refused.slots["ra_employee"] is None


async def test_a_time_in_the_opening_message_is_taken(services: Any) -> None:
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(),
        tracker("boka riskbedömning nästa tisdag kl 10", active_loop=None),
        {},
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_start"] == datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM).isoformat()


async def test_a_later_time_at_the_summary_keeps_the_day(services: Any) -> None:
    form = ValidateRiskAssessmentForm(risk_args(services))
    turn = await form_turn(form, "kan vi ta kl 14 istället?", BOOKING, "ra_confirmed")
    assert turn.slots["ra_start"] == datetime(2026, 12, 1, 14, 0, tzinfo=STOCKHOLM).isoformat()
    assert "Stämmer det här?" in turn.said


async def test_teams_said_with_a_preposition_is_teams(services: Any) -> None:
    """Flow v-12: "on teams" went into the invitation as the place "on teams"."""
    form = ValidateRiskAssessmentForm(risk_args(services))
    slots = {k: v for k, v in BOOKING.items() if k != "ra_place"}
    for text in ("on teams", "på teams tack"):
        turn = await form_turn(form, text, slots, "ra_place")
        assert turn.slots["ra_place"] == "Teams"


async def test_a_long_correction_at_the_summary_moves_the_time(services: Any) -> None:
    """Flow v-12: "actually can we make it 2:30? I have a call until 2" at the summary was not
    understood (a clause of seven words counted as part of a long message)."""
    form = ValidateRiskAssessmentForm(risk_args(services))
    slots = {**BOOKING, "ra_start": datetime(2026, 12, 2, 14, 0, tzinfo=STOCKHOLM).isoformat()}
    turn = await form_turn(
        form, "actually can we make it 2:30? I have a call until 2", slots, "ra_confirmed"
    )
    assert turn.slots["ra_start"] == datetime(2026, 12, 2, 14, 30, tzinfo=STOCKHOLM).isoformat()


async def test_yes_or_thanks_is_no_meeting_place(services: Any) -> None:
    form = ValidateRiskAssessmentForm(risk_args(services))
    for text in ("ja", "tack", "hmm, vet inte"):
        turn = await form_turn(form, text, BOOKING | {"ra_place": None}, "ra_place")
        assert turn.slots["ra_place"] is None, text
    assert (await form_turn(form, "rum 2.14", BOOKING | {"ra_place": None}, "ra_place")).slots[
        "ra_place"
    ] == "rum 2.14"


async def test_a_time_with_its_place_fills_both(services: Any) -> None:
    """Tried by hand on 2026-12-04: "tisdag kl 10 på Teams" was not understood as a time."""
    form = ValidateRiskAssessmentForm(risk_args(services))
    slots = BOOKING | {"ra_start": None, "ra_place": None}
    turn = await form_turn(form, "nästa tisdag kl 10 på Teams", slots, "ra_start")
    assert turn.slots["ra_start"] == datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM).isoformat()
    assert turn.slots["ra_place"] == "Teams"
    assert "Jag har också noterat: plats Teams" in turn.said
    in_a_room = await form_turn(form, "nästa tisdag kl 10 i rum 3B", slots, "ra_start")
    assert in_a_room.slots["ra_place"] == "rum 3B"


async def test_the_opening_message_may_name_the_place_too(services: Any) -> None:
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(),
        tracker("boka riskbedömning nästa tisdag kl 10 i Teams", active_loop=None),
        {},
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_place"] == "Teams"


# --- batch 2026-12-04b -----------------------------------------------------------------------


async def test_a_numbered_week_and_its_weekday_is_a_time(services: Any) -> None:
    result, said = await start_of(BOOKING | {"ra_start": None}, services, "onsdag v. 50 kl 14")
    assert result["ra_start"] == datetime(2026, 12, 9, 14, 0, tzinfo=STOCKHOLM).isoformat(), said


async def test_a_better_clock_time_at_the_place_question_moves_the_time(services: Any) -> None:
    """ "nej vänta, kl 14 blir bättre" at the place question was stored as the place."""
    form = ValidateRiskAssessmentForm(risk_args(services))
    turn = await form_turn(form, "nej vänta, kl 14 blir bättre", BOOKING | {"ra_place": None},
                           "ra_place")  # fmt: skip
    assert turn.slots["ra_start"] == datetime(2026, 12, 1, 14, 0, tzinfo=STOCKHOLM).isoformat()
    assert turn.slots["ra_place"] is None
    assert "Var ses ni" in turn.said


async def test_a_correction_that_cannot_be_read_is_no_place(services: Any) -> None:
    form = ValidateRiskAssessmentForm(risk_args(services))
    turn = await form_turn(form, "nej vänta, tiden passar inte Sven", BOOKING | {"ra_place": None},
                           "ra_place")  # fmt: skip
    assert turn.slots["ra_place"] is None
    assert "Vad vill du ändra?" in turn.said


async def test_no_to_cancelling_with_a_new_time_moves_the_meeting(services: Any) -> None:
    """ "nej förresten, kan vi flytta den till ... istället?" kept the meeting where it was."""
    risk, _ = services
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    (booked,) = risk.visible_to(person("anna.andersson"))
    form = ValidateCancelBookingForm(risk_args(services))
    slots = {"ra_assessment_id": str(booked.id)}
    moved = await form_turn(
        form, "nej förresten, kan vi flytta den till torsdag 3 december kl 13 istället?", slots,
        "ra_cancel_confirmed",
    )  # fmt: skip
    assert moved.slots["flow_outcome"] == "cancelled", "the cancellation is not made"
    assert "Mötet är flyttat till torsdag 3 december 2026 kl. 13.00" in moved.said
    (after,) = risk.visible_to(person("anna.andersson"))
    assert after.status == "booked"
    assert after.start_at == datetime(2026, 12, 3, 13, 0, tzinfo=STOCKHOLM)
    refused = await form_turn(
        form, "nej, flytta den till lördag kl 10", slots, "ra_cancel_confirmed"
    )
    assert "lördag" in refused.said.lower() and "ligger kvar" in refused.said
    (still,) = risk.visible_to(person("anna.andersson"))
    assert still.start_at == after.start_at


async def held_outcome_slots(services: Any, clock: MovingClock) -> dict[str, Any]:
    risk, _ = services
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=STOCKHOLM)
    risk.ask_for_outcomes()
    (held,) = risk.visible_to(person("maria.berg"))
    return {"ra_assessment_id": str(held.id)}


async def test_the_process_said_again_at_the_stop_question_starts_it_over(
    services: Any, clock: MovingClock
) -> None:
    """Flow x-06: "sådär, nu har jag dem. dokumentera riskbedömningen" to "Vill du avbryta
    dokumentationen?" was stored as an action, and the old risks kept."""
    slots = await held_outcome_slots(services, clock)
    slots |= {"ra_risks": "hon sitter vid köksbordet", "flow_pending": {"kind": "stop"}}
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)),
        "sådär, nu har jag dem. dokumentera riskbedömningen",
        slots,
        "ra_actions",
        user="maria.berg",
    )
    assert turn.slots["ra_risks"] is None and turn.slots.get("ra_actions") is None
    assert "Då börjar vi om med dokumentationen. Vilka risker kom fram" in turn.said


async def test_who_does_it_left_open_asks_the_owner_and_mig_is_the_manager(
    services: Any, clock: MovingClock
) -> None:
    """Flow x-08: "…, vem som gör det spelar ingen roll" got "Skriv åtgärd – ansvarig – datum",
    and "ok sätt mig, maria" was stored as the owner's name."""
    slots = await held_outcome_slots(services, clock) | {"ra_risks": "ingen bra stol"}
    form = ValidateOutcomeForm(risk_args(services))
    asked = await form_turn(
        form, "låna ut en kontorsstol till 15/1, vem som gör det spelar ingen roll", slots,
        "ra_actions", user="maria.berg",
    )  # fmt: skip
    assert 'Vem ansvarar för "låna ut en kontorsstol"?' in asked.said
    owner = await form_turn(
        form, "ok sätt mig, maria", slots | {"flow_pending": asked.slots["flow_pending"]},
        "ra_actions", user="maria.berg",
    )  # fmt: skip
    assert owner.slots["ra_actions"] == [
        {"action": "låna ut en kontorsstol", "owner": "Maria Berg", "due": "2027-01-15"}
    ]


def test_owners_named_first_in_english_and_dates_before_christmas() -> None:
    """Flows x-07 and x-05: "Maria order a office chair before 18 december" asked for its owner,
    and "innan jul" for its date."""
    actions, held = split_actions(
        "Maria order a office chair before 18 december. Anna call IT-support about the wifi, "
        "latest 15/1\nskrivbordslampa – anna – innan jul",
        date(2026, 12, 3),
    )
    assert not held
    assert [(a["owner"], a["due"]) for a in actions] == [
        ("Maria", "2026-12-18"),
        ("Anna", "2027-01-15"),
        ("anna", "2026-12-23"),
    ]


async def test_risks_and_labelled_actions_in_one_message_fill_both(
    services: Any, clock: MovingClock
) -> None:
    """ "Risker: ... Åtgärd: ..." was stored whole as the risks, and the action asked for."""
    slots = await held_outcome_slots(services, clock)
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)),
        "Risker: skärmen är för låg. Åtgärd: Höja skärmen – Anna Andersson – 18 december",
        slots,
        "ra_risks",
        user="maria.berg",
    )
    assert turn.slots["ra_risks"] == "skärmen är för låg"
    assert turn.slots["ra_actions"] == [
        {"action": "Höja skärmen", "owner": "Anna Andersson", "due": "2026-12-18"}
    ]
    assert "Jag har också noterat: åtgärder Höja skärmen" in turn.said
    assert "När ska riskbedömningen följas upp?" in turn.said


async def test_a_length_in_a_correction_at_the_summary_changes_the_follow_up(
    services: Any, clock: MovingClock
) -> None:
    """ "nej förresten, uppföljning om ett år" asked what to change; "spara" then stored the
    old date."""
    slots = await held_outcome_slots(services, clock) | {
        "ra_risks": "Dålig belysning",
        "ra_actions": [],
        "ra_follow_up": "2027-06-01",
    }
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)),
        "nej förresten, uppföljning om ett år",
        slots,
        "ra_outcome_confirmed",
        user="maria.berg",
    )
    assert turn.slots["ra_follow_up"] == "2027-12-01"
    assert "Stämmer det här?" in turn.said


PLAN = [
    {"action": "Beställa headset", "owner": "Maria Berg", "due": "2026-12-20"},
    {"action": "Köpa skrivbord", "owner": "Anna Andersson", "due": "2027-01-31"},
]


@pytest.mark.parametrize(
    ("text", "actions", "said"),
    [
        # Flow batch 2026-12-06: the desk stayed in the plan, and "ja spara" stored it.
        (
            "stryk skrivbordet, det har hon redan ordnat själv",
            PLAN[:1],
            "Struken åtgärd: Köpa skrivbord",
        ),
        (
            "lägg till en åtgärd till: Sätta upp rullgardin – Anna Andersson – 31 december",
            [*PLAN, {"action": "Sätta upp rullgardin", "owner": "Anna Andersson",
                     "due": "2026-12-31"}],
            "Tillagt bland åtgärderna: Sätta upp rullgardin",
        ),
        # Naming no one action, or both, changes nothing.
        ("stryk åtgärden", PLAN, "Stämmer det här?"),
    ],
)  # fmt: skip
async def test_an_action_is_removed_or_added_at_the_summary(
    services: Any, clock: MovingClock, text: str, actions: list[dict[str, str]], said: str
) -> None:
    slots = await held_outcome_slots(services, clock) | {
        "ra_risks": "Inget headset",
        "ra_actions": PLAN,
        "ra_follow_up": "2027-06-01",
    }
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)), text, slots, "ra_outcome_confirmed",
        user="maria.berg",
    )  # fmt: skip
    assert turn.slots.get("ra_actions", PLAN) == actions
    assert turn.slots.get("ra_follow_up", "2027-06-01") == "2027-06-01"
    assert said in turn.said


async def test_risks_said_again_and_an_action_in_a_sentence_change_the_summary(
    services: Any, clock: MovingClock
) -> None:
    """h-correction-01: "nej vänta, jag glömde stolen. Riskerna är … Och jag lånar ut en
    kontorsstol till 15 januari" at the summary asked what to change, and "ja spara" then
    stored the plan without the chair."""
    slots = await held_outcome_slots(services, clock) | {
        "ra_risks": "Dålig belysning vid skrivbordet",
        "ra_actions": PLAN[:1],
        "ra_follow_up": "2027-12-01",
    }
    form = ValidateOutcomeForm(risk_args(services))
    text = (
        "nej vänta, jag glömde stolen. Riskerna är dålig belysning och ingen ordentlig "
        "kontorsstol. Och jag lånar ut en kontorsstol till 15 januari"
    )
    turn = await form_turn(form, text, slots, "ra_outcome_confirmed", user="maria.berg")
    assert turn.slots["ra_risks"] == "Dålig belysning och ingen ordentlig kontorsstol"
    assert turn.slots["ra_actions"] == [
        *PLAN[:1],
        {"action": "lånar ut en kontorsstol", "owner": "Maria Berg", "due": "2027-01-15"},
    ]
    assert "Tillagt bland åtgärderna" in turn.said and "Stämmer det här?" in turn.said
    assert turn.slots.get("ra_outcome_confirmed") is None, "shown again, not saved"
    kept = await form_turn(form, "nej vänta", slots, "ra_outcome_confirmed", user="maria.berg")
    assert "ra_risks" not in kept.slots and "ra_actions" not in kept.slots
    # Judging the risks, or changing an action, is not saying them again.
    ctx = FormContext(risk_args(services), tracker("", slots=slots, user="maria.berg"))
    for judged in ("riskerna är rätt. datumet är fel", "Anna köper lampan 20 januari i stället"):
        assert restated_at_summary(ctx, judged) == (None, [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Two sentence actions, each with its owner (flow batch 2026-12-06, English).
        (
            "Maria Berg orders an office chair by the 8th of January, and Anna moves the router "
            "closer by December 18",
            [
                {"action": "orders an office chair", "owner": "Maria Berg", "due": "2027-01-08"},
                {"action": "moves the router closer", "owner": "Anna", "due": "2026-12-18"},
            ],
        ),
        # An arrangement is in place from its first day.
        (
            "Anna går in på kontoret varje onsdag från 13 januari",
            [{"action": "går in på kontoret varje onsdag", "owner": "Anna", "due": "2027-01-13"}],
        ),
        # A numbered list on one line (flow batch 2026-12-06s: only the first was kept).
        (
            "åtgärder: 1) ny kontorsstol, ansvarig Maria Berg, klart 15 januari 2) laptopställ, "
            "ansvarig Anna Andersson, klart 29 januari",
            [
                {"action": "ny kontorsstol", "owner": "Maria Berg", "due": "2027-01-15"},
                {"action": "laptopställ", "owner": "Anna Andersson", "due": "2027-01-29"},
            ],
        ),
    ],
)
def test_actions_written_as_sentences_keep_each_owner_and_date(
    text: str, expected: list[dict[str, str]]
) -> None:
    assert parse_actions(text, date(2026, 12, 3)) == (expected, [])


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        # Batch 2026-12-06b: a risks answer that mentions a share is no hedge for its "ungefär".
        (
            "Anna sitter vid ett för lågt köksbord och har ont i axlarna. Hon arbetar ungefär "
            "40 procent hemifrån",
            "ra_risks",
            "Anna sitter vid ett för lågt köksbord och har ont i axlarna. Hon arbetar ungefär "
            "40 procent hemifrån",
        ),
        # The follow-up's date, or a yes to the summary, at the actions question is no action.
        ("1 sept 2027", "ra_actions", None),
        ("ja spara", "ra_actions", None),
        # "ja" describes no risk (batch 2026-12-06c).
        ("ja", "ra_risks", None),
    ],
)
async def test_what_the_outcome_questions_take_and_leave(
    services: Any, clock: MovingClock, text: str, slot: str, value: Any
) -> None:
    slots = await held_outcome_slots(services, clock)
    if slot == "ra_actions":
        slots |= {"ra_risks": "Dålig stol"}
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)), text, slots, slot, user="maria.berg"
    )
    assert turn.slots.get(slot) == value
    assert not turn.slots.get(PENDING_SLOT)


async def test_risks_labelled_with_an_equals_sign(services: Any, clock: MovingClock) -> None:
    slots = await held_outcome_slots(services, clock)
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)),
        "risker = dålig stol, ingen extern skärm",
        slots,
        "ra_risks",
        user="maria.berg",
    )
    assert turn.slots["ra_risks"] == "dålig stol, ingen extern skärm"


async def test_the_next_questions_answer_is_no_owner_of_a_held_action(
    services: Any, clock: MovingClock
) -> None:
    """ "fortsätter" (the follow-up's next answer) was stored as the owner of the action."""
    slots = await held_outcome_slots(services, clock) | {"ra_risks": "Ensamhet"}
    form = ValidateOutcomeForm(risk_args(services))
    held = await form_turn(form, "Se över fikarutinerna", slots, "ra_actions", user="maria.berg")
    assert "Vem ansvarar" in held.said
    turn = await form_turn(form, "fortsätter", slots | held.slots, "ra_actions", user="maria.berg")
    assert turn.slots.get("ra_actions") is None
    assert "fortsätter" not in str(turn.slots.get(PENDING_SLOT))


async def test_an_action_given_without_owner_and_date_is_kept_and_they_are_asked_for(
    services: Any, clock: MovingClock
) -> None:
    """ "Risker: ... Åtgärd: höja skärmen" dropped the action and asked for the actions as if
    none had been given (helper-22's leftover)."""
    slots = await held_outcome_slots(services, clock)
    form = ValidateOutcomeForm(risk_args(services))
    turn = await form_turn(
        form, "Risker: skärmen är för låg. Åtgärd: höja skärmen", slots, "ra_risks",
        user="maria.berg",
    )  # fmt: skip
    assert turn.slots["ra_risks"] == "skärmen är för låg"
    assert turn.slots.get("ra_actions") is None
    assert 'Vem ansvarar för "höja skärmen", och till vilket datum?' in turn.said
    asked = slots | {"ra_risks": "skärmen är för låg", "flow_pending": turn.slots["flow_pending"]}
    thanks = await form_turn(form, "tack", asked, "ra_actions", user="maria.berg")
    assert thanks.slots.get("ra_actions") is None, "a thank-you is no owner"
    owner_only = await form_turn(form, "Anna Andersson", asked, "ra_actions", user="maria.berg")
    assert owner_only.slots.get("ra_actions") is None
    assert 'Till vilket datum ska "höja skärmen" vara gjort?' in owner_only.said
    dated = await form_turn(
        form, "18 december", asked | {"flow_pending": owner_only.slots["flow_pending"]},
        "ra_actions", user="maria.berg",
    )  # fmt: skip
    assert dated.slots["ra_actions"] == [
        {"action": "höja skärmen", "owner": "Anna Andersson", "due": "2026-12-18"}
    ]
    assert dated.slots["flow_pending"] is None
    both = await form_turn(form, "Maria Berg, senast 15 januari", asked, "ra_actions",
                           user="maria.berg")  # fmt: skip
    assert both.slots["ra_actions"] == [
        {"action": "höja skärmen", "owner": "Maria Berg", "due": "2027-01-15"}
    ]


class OneAnswerFaq:
    """The FAQ, answering every question with the same answer."""

    def reply_to(self, text: str, **_: Any) -> Reply:
        return Reply(kind="answer", text="FAQ-svar: arbetsgivaren står för bildskärmen.")


async def test_after_a_question_the_kept_actions_owner_and_date_are_asked_again(
    services: Any, clock: MovingClock
) -> None:
    """A question in the middle brought back the general actions question, not the owner and
    date of the action kept for them (helper-29's brief)."""
    slots = await held_outcome_slots(services, clock)
    with_faq = replace(risk_args(services), answerer=lambda: OneAnswerFaq())  # type: ignore[arg-type, return-value]
    form = ValidateOutcomeForm(with_faq)
    turn = await form_turn(
        form, "Risker: skärmen är för låg. Åtgärd: höja skärmen", slots, "ra_risks",
        user="maria.berg",
    )  # fmt: skip
    asked = slots | {"ra_risks": "skärmen är för låg", "flow_pending": turn.slots["flow_pending"]}
    question = await form_turn(
        form, "vem betalar för en ny skärm?", asked, "ra_actions", user="maria.berg",
        intent="faq_costs", confidence=0.95,
    )  # fmt: skip
    assert "FAQ-svar" in question.said
    assert (
        'Vi fortsätter med dokumentationen. Vem ansvarar för "höja skärmen", och till vilket '
        "datum?" in question.said
    )
    assert "Vilka åtgärder bestämde ni" not in question.said
    assert question.slots["flow_pending"]["held"][0]["action"] == "höja skärmen"
    answered = await form_turn(
        form, "Anna Andersson, 18 december", asked | question.slots, "ra_actions",
        user="maria.berg",
    )  # fmt: skip
    assert answered.slots["ra_actions"] == [
        {"action": "höja skärmen", "owner": "Anna Andersson", "due": "2026-12-18"}
    ]


async def test_a_pasted_numbered_action_list_keeps_each_action(
    services: Any, clock: MovingClock
) -> None:
    slots = await held_outcome_slots(services, clock) | {"ra_risks": "Skärmen står för lågt"}
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)),
        "1. Höja skärmen – Anna – 11 december\n2. Beställa stol – Maria Berg",
        slots,
        "ra_actions",
        user="maria.berg",
    )
    assert turn.slots.get("ra_actions") is None
    assert turn.slots["flow_pending"]["actions"] == [
        {"action": "Höja skärmen", "owner": "Anna", "due": "2026-12-11"}
    ]
    assert 'Till vilket datum ska "Beställa stol" vara gjort?' in turn.said


async def test_more_risks_added_two_questions_later_join_the_first(
    services: Any, clock: MovingClock
) -> None:
    """ "vänta, lägg till i riskerna att hon också jobbar sent på kvällarna" at the follow-up
    question changed nothing (batch 2026-12-04c)."""
    slots = await held_outcome_slots(services, clock) | {
        "ra_risks": "Hon sitter i soffan ibland",
        "ra_actions": [],
    }
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)),
        "vänta, lägg till i riskerna att hon också jobbar sent på kvällarna",
        slots,
        "ra_follow_up",
        user="maria.berg",
    )
    assert turn.slots["ra_risks"] == (
        "Hon sitter i soffan ibland. Hon också jobbar sent på kvällarna"
    )
    assert turn.slots["ra_follow_up"] is None
    assert "När ska riskbedömningen följas upp?" in turn.said
    # Only what was added is confirmed; the line repeated the old risks and the new ones whole.
    assert "Tillagt bland riskerna: Hon också jobbar sent på kvällarna." in turn.said
    assert "soffan" not in turn.said and "i stället för" not in turn.said


async def test_risks_and_follow_up_in_the_opening_message_are_noted(
    services: Any, clock: MovingClock
) -> None:
    """ "dokumentera riskbedömningen med Anna. Risker: …. Uppföljning om ett år." asked for the
    risks, and the action typed next became them (batch 2026-12-04c)."""
    await held_outcome_slots(services, clock)
    dispatcher = CollectingDispatcher()
    events = await ActionStartOutcome(risk_args(services)).run(
        dispatcher,
        tracker(
            "dokumentera riskbedömningen med Anna. Risker: hon sitter ensam mycket och skärmen "
            "är liten. Uppföljning om ett år.",
            user="maria.berg",
            active_loop=None,
        ),
        {},
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_risks"] == "hon sitter ensam mycket och skärmen är liten"
    assert slots["ra_follow_up"] == "2027-12-01"
    assert slots["ra_actions"] is None
    assert "Jag har noterat" in texts(dispatcher)


async def test_a_manager_books_with_time_room_and_representative_in_one_message(
    services: Any,
) -> None:
    """The time was not read when a clause about the room followed it (batch 2026-12-04c)."""
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(),
        tracker(
            "Kan du boka riskbedömningen med Anna Andersson onsdag 16 december kl 10:30, vi ses i "
            "rum Hjälmaren, Sara är skyddsombud",
            user="maria.berg",
            active_loop=None,
        ),
        {},
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_start"] == datetime(2026, 12, 16, 10, 30, tzinfo=STOCKHOLM).isoformat()
    assert slots["ra_place"] == "rum Hjälmaren"
    assert slots["ra_safety_representative"] == "sara.strand"


async def test_an_opening_weekday_that_does_not_fit_is_asked_with_both_days(services: Any) -> None:
    """ "boka riskbedömning med Anna tisdag 2.12 kl 10.30" (a Wednesday): the question came
    without its buttons, and the time question followed it."""
    dispatcher = CollectingDispatcher()
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        dispatcher,
        tracker("boka riskbedömning med Anna tisdag 2.12 kl 10.30", user="maria.berg",
                intent="book_risk_assessment", confidence=0.95, active_loop=None),
        {},
    )  # fmt: skip
    assert "2 december 2026 är en onsdag, inte en tisdag. Vilken dag menar du?" in texts(dispatcher)
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]] == [
        "onsdag 2 december 2026 kl. 10.30",
        "tisdag 1 december 2026 kl. 10.30",
    ]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_start"] is None and slots["flow_reask"] == "-"


@pytest.mark.parametrize(
    ("text", "day"),
    [("onsdag den 2:a alltså", 2), ("onsdag", 2), ("den 2:a", 2), ("tisdag den 1:a", 1),
     ("tisdagen", None), ("torsdag", None)],
)  # fmt: skip
async def test_the_day_chosen_in_words_after_a_weekday_that_did_not_fit(
    services: Any, text: str, day: int | None
) -> None:
    """ "torsdag den 17:e alltså" after "17 december 2026 är en torsdag, inte en tisdag" was
    not a time, and every later answer was refused (flows 2026-12-04d)."""
    form = ValidateRiskAssessmentForm(risk_args(services))
    slots = BOOKING | {"ra_start": None}
    asked = await form_turn(form, "tisdag 2.12 kl 10.30", slots, "ra_start")
    choice = asked.slots["flow_pending"]
    turn = await form_turn(form, text, slots | {"flow_pending": choice}, "ra_start")
    if day is None:
        assert turn.slots.get("ra_start") is None, turn.said
    else:
        chosen = datetime(2026, 12, day, 10, 30, tzinfo=STOCKHOLM).isoformat()
        assert turn.slots["ra_start"] == chosen, turn.said
        assert "Noterat" in turn.said


async def test_a_day_chosen_in_words_after_an_opening_weekday_that_did_not_fit(
    services: Any,
) -> None:
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(),
        tracker("boka riskbedömning med Anna tisdag 2.12 kl 10.30 i rum Vänern",
                user="maria.berg", intent="book_risk_assessment", confidence=0.95,
                active_loop=None),
        {},
    )  # fmt: skip
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_place"] == "rum Vänern", "the room is kept while the day is asked"
    form = ValidateRiskAssessmentForm(risk_args(services))
    turn = await form_turn(form, "onsdag den 2:a alltså", slots, "ra_start", user="maria.berg")
    assert turn.slots["ra_start"] == datetime(2026, 12, 2, 10, 30, tzinfo=STOCKHOLM).isoformat()


async def test_actions_written_alone_are_kept_and_one_answer_may_complete_them_all(
    services: Any, clock: MovingClock
) -> None:
    """ "Ny kontorsstol" and "Åtgärder: köpa headset och beställa ny stol" were not actions,
    and the question came back to every answer after them (flows 2026-12-04d)."""
    slots = await held_outcome_slots(services, clock) | {"ra_risks": "Stolen är dålig"}
    form = ValidateOutcomeForm(risk_args(services))
    alone = await form_turn(form, "Ny kontorsstol", slots, "ra_actions", user="maria.berg")
    assert alone.slots.get("ra_actions") is None
    assert 'Vem ansvarar för "Ny kontorsstol", och till vilket datum?' in alone.said
    two = await form_turn(
        form, "Åtgärder: köpa headset och beställa ny stol", slots, "ra_actions",
        user="maria.berg",
    )  # fmt: skip
    assert [h["action"] for h in two.slots["flow_pending"]["held"]] == [
        "köpa headset",
        "beställa ny stol",
    ]
    both = await form_turn(
        form, "Maria tar båda, senast 31 januari", slots | {"flow_pending": two.slots[
            "flow_pending"]}, "ra_actions", user="maria.berg",
    )  # fmt: skip
    assert both.slots["ra_actions"] == [
        {"action": "köpa headset", "owner": "Maria", "due": "2027-01-31"},
        {"action": "beställa ny stol", "owner": "Maria", "due": "2027-01-31"},
    ]
    one = await form_turn(form, "höja skärmen och bordet", slots, "ra_actions", user="maria.berg")
    assert [h["action"] for h in one.slots["flow_pending"]["held"]] == ["höja skärmen och bordet"]
    for not_an_action in ("vet inte", "tack", "vad menas med åtgärd?"):
        turn = await form_turn(form, not_an_action, slots, "ra_actions", user="maria.berg")
        assert turn.slots.get("ra_actions") is None and not turn.slots.get("flow_pending"), (
            not_an_action
        )


async def test_not_knowing_an_actions_owner_gets_help_and_a_way_on(
    services: Any, clock: MovingClock
) -> None:
    slots = await held_outcome_slots(services, clock) | {"ra_risks": "Stolen är dålig"}
    form = ValidateOutcomeForm(risk_args(services))
    alone = await form_turn(form, "Ny kontorsstol", slots, "ra_actions", user="maria.berg")
    asked = slots | {"flow_pending": alone.slots["flow_pending"]}
    unsure = await form_turn(
        form, "vet inte, vem brukar ta det?", asked, "ra_actions", user="maria.berg"
    )
    assert unsure.slots.get("ra_actions") is None
    assert "Ofta är det chefen" in unsure.said and "förstod inte" not in unsure.said
    assert {"Maria Berg", "ta bort den"} <= {b["payload"] for b in unsure.buttons}
    assert unsure.slots["flow_pending"]["held"][0]["owner"] is None, "a hedge is no owner"
    owner = await form_turn(form, "Maria Berg", asked, "ra_actions", user="maria.berg")
    dated = asked | {"flow_pending": owner.slots["flow_pending"]}
    no_date = await form_turn(form, "vet inte än", dated, "ra_actions", user="maria.berg")
    assert "ungefärligt datum" in no_date.said
    done = await form_turn(form, "15 januari", dated, "ra_actions", user="maria.berg")
    assert done.slots["ra_actions"] == [
        {"action": "Ny kontorsstol", "owner": "Maria Berg", "due": "2027-01-15"}
    ]
    dropped = await form_turn(form, "ta bort den", asked, "ra_actions", user="maria.berg")
    assert dropped.slots["ra_actions"] == []


async def test_a_bare_yes_to_what_to_change_shows_the_summary_again(services: Any) -> None:
    """Batch 2026-12-05d: "ja" to "Vad vill du ändra, eller vill du avbryta bokningen?" booked
    the time the user had just said no to."""
    form = ValidateRiskAssessmentForm(risk_args(services))
    asked = await form_turn(form, "nej", BOOKING, "ra_confirmed")
    assert "Vad vill du ändra" in asked.said
    turn = await form_turn(form, "ja", BOOKING | asked.slots, "ra_confirmed")
    after = BOOKING | asked.slots | turn.slots
    assert after.get("ra_confirmed") is None
    assert after.get(PENDING_SLOT) is None, "the summary is asked again, not what to change"


def test_several_actions_in_sentences_are_each_an_action() -> None:
    """2026-12-06d: three actions in three sentences, and two joined by ";" or by a comma after
    a whole "åtgärd – ansvarig – datum", were stored as one; "jag" is the manager writing."""
    today = date(2026, 12, 3)
    actions, held = split_actions(
        "Jag lånar ut en kontorsstol, klart om en månad. Anna hämtar en bildskärm på kontoret "
        "senast 18 december. Anna bokar in kontorsdag varje tisdag från v 2.",
        today,
        "Maria Berg",
    )
    assert held == []
    assert [(a["owner"], a["due"]) for a in actions] == [
        ("Maria Berg", "2027-01-03"),
        ("Anna", "2026-12-18"),
        ("Anna", "2027-01-11"),
    ]
    for text in (
        "Beställa headset – Maria – 15 januari; Anna flyttar arbetsplatsen – Anna – 31 januari",
        "Ny kontorsstol – jag – v 10, Anna stänger av mejlnotiserna – Anna – 7 december",
        # After ";" the next action need not begin with a capital (batch 2026-12-06g).
        "Check the router – Anna – Dec 18; weekly video check-in – Maria – Dec 10",
    ):
        actions, held = split_actions(text, today, "Maria Berg")
        assert len(actions) == 2 and held == [], text
    # A comma inside one action, a numbered list and a sentence beside the actions stay as
    # they were.
    assert len(split_actions("Höja skärmen – Anna, Maria – 18 december", today)[0]) == 1
    actions, held = split_actions(
        "Anna beställer en stol senast 15 januari. Hennes privata mejl är [e-post] om det behövs.",
        today,
    )
    assert len(actions) == 1 and held == []


def test_a_due_date_said_after_a_hedge_is_the_due_date() -> None:
    today = date(2026, 12, 3)
    actions, _ = split_actions(
        "Vi går igenom förväntningarna på nästa APT – jag – vet inte exakt datum, säg 20 januari",
        today,
        "Maria Berg",
    )
    assert actions == [
        {"action": "Vi går igenom förväntningarna på nästa APT", "owner": "Maria Berg",
         "due": "2027-01-20"}
    ]  # fmt: skip


def test_an_action_is_struck_by_its_place_in_the_plan() -> None:
    plan = [
        {"action": "Låna ut bildskärm", "owner": "Maria", "due": "2026-12-14"},
        {"action": "Flytta routern", "owner": "Anna", "due": "2026-12-11"},
    ]
    for text in (
        "stryk den andra åtgärden, routern har hon redan flyttat",
        "ta bort sista åtgärden",
    ):
        removed = without_named_action(plan, text)
        assert removed is not None and removed[1]["action"] == "Flytta routern", text
    assert without_named_action(plan, "stryk den tredje åtgärden") is None


def test_an_owner_in_capitals_and_a_day_at_the_end_make_an_action() -> None:
    """Flow batch 2026-12-06e: "IT hjälper henne …", "… i morgon" and "… från och med nu"."""
    today = date(2026, 12, 3)
    actions, held = split_actions(
        "Anna ställer upp skärmen i morgon. IT hjälper henne med VPN:en senast 18 december. "
        "Anna tar samtalen i sovrummet från och med nu.",
        today,
        "Maria Berg",
    )
    assert held == []
    assert [(a["owner"], a["due"]) for a in actions] == [
        ("Anna", "2026-12-04"),
        ("IT", "2026-12-18"),
        ("Anna", "2026-12-03"),
    ]


def test_a_part_of_a_compound_names_the_action() -> None:
    plan = [
        {"action": "Köpa skrivbordslampa", "owner": "Maria", "due": "2027-01-15"},
        {"action": "Prata om tillgänglighet på APT", "owner": "Maria", "due": "2027-01-20"},
    ]
    removed = without_named_action(plan, "stryk lampan, den köper hon själv")
    assert removed is not None and removed[1]["action"] == "Köpa skrivbordslampa"
    assert without_named_action(plan, "stryk bordet") is None


async def test_booking_again_offers_to_move_or_cancel_the_meeting_booked(services: Any) -> None:
    """One dialogue at a time (batch 2026-12-06f): a second "boka riskbedömning" booked another
    meeting for the same people; "ja flytta den till …" then moves the one booked."""
    risk, _ = services
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    (booked,) = risk.visible_to(person("anna.andersson"))
    dispatcher = CollectingDispatcher()
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        dispatcher, tracker("boka riskbedömning", active_loop=None), {}
    )
    assert "redan bokad tisdag 1 december 2026 kl. 10.00" in texts(dispatcher)
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]] == [
        "Flytta mötet",
        "Avboka mötet",
    ]
    assert not any(e["event"] == "followup" for e in events), "no second booking form"
    assert len(risk.visible_to(person("anna.andersson"))) == 1
    assert booked.start_at is not None


async def test_a_manager_books_with_her_named_in_the_turn_before(services: Any) -> None:
    """ "boka riskbedömning med henne på tisdag kl 13 då" right after Anna's request was
    named: the form asked which employee (batch 2026-12-06f)."""
    said = tracker("jaha ok. boka riskbedömning med henne", user="maria.berg", active_loop=None)
    said.events[:0] = [
        {"event": "user", "text": "godkänn annas ansökan om distansarbete"},
        {"event": "bot", "text": "Överenskommelsen kan inte godkännas än."},
    ]
    events = await ActionStartRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), said, {}
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ra_employee"] == "anna.andersson"


def test_a_move_that_names_both_days_takes_the_new_one() -> None:
    """ "flytta mötet på torsdag till fredag 11/12" names the booked day and the new one."""
    now = datetime(2026, 12, 3, 9, 0, tzinfo=STOCKHOLM)
    said = time_said("kan vi flytta motet pa torsdag till fredag 11/12 kl 13", now)
    assert said is not None and said.start == datetime(2026, 12, 11, 13, 0, tzinfo=STOCKHOLM)
    assert time_said("flytta mötet till fredag kl 10", now) is not None


async def test_a_time_said_as_a_correction_moves_the_meeting_booked(services: Any) -> None:
    """ "nej sorry, tisdag kl 10 menade jag" right after a move: a retrained Rasa read it as a
    wish to book, and the user was told the meeting is booked already (batch 2026-12-06f)."""
    risk, _ = services
    await ActionBookRiskAssessment(risk_args(services)).run(
        CollectingDispatcher(), tracker("/affirm", slots=BOOKING, active_loop=None), {}
    )
    steps = {type(a): a for a in build_actions(risk_args(services))}
    dispatcher = CollectingDispatcher()
    await steps[ActionStartRiskAssessment].run(
        dispatcher, tracker("nej sorry, torsdag kl 10 menade jag", active_loop=None), {}
    )
    assert "Mötet är flyttat till torsdag 26 november 2026 kl. 10.00" in texts(dispatcher)
    (moved,) = risk.visible_to(person("anna.andersson"))
    assert moved.start_at is not None and moved.start_at.day == 26


async def test_unsure_of_the_follow_up_date_is_told_the_rule(
    services: Any, clock: MovingClock
) -> None:
    """Flow x-08: "vet inte, när brukar man följa upp?" got "Ta den tid du behöver"."""
    slots = await held_outcome_slots(services, clock)
    slots |= {"ra_risks": "ingen bra stol", "ra_actions": []}
    turn = await form_turn(
        ValidateOutcomeForm(risk_args(services)), "vet inte, när brukar man följa upp", slots,
        "ra_follow_up", user="maria.berg",
    )  # fmt: skip
    assert turn.slots.get("ra_follow_up") is None
    assert "Minst en gång per år" in turn.said
