"""The follow-up dialogue and the action plans in chat, run as rasa-sdk runs them (a Tracker from
a dict, a CollectingDispatcher) on a migrated SQLite database with a frozen clock."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.conversation.fields import FormContext
from actions.follow_up.action_plans import (
    ActionMarkActionDone,
    ActionMoveAction,
    ActionShowActions,
    ActionStartMoveAction,
    ValidateMoveActionForm,
    due_prompt,
)
from actions.follow_up.dialogue import (
    ActionRecordFollowUp,
    ActionStartFollowUp,
    ValidateFollowUpForm,
)
from actions.risk_assessment.booking import ActionStartRiskAssessment
from actions.services import Services
from bot.agreements.service import AgreementService
from bot.clock import Clock
from bot.faq.answering import Reply
from bot.identity import User, demo_directory
from bot.regions import load_region
from bot.risk_assessments.follow_up_questions import load_questions
from bot.risk_assessments.service import Action, RiskAssessmentService
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import (
    ActionItem,
    FollowUp,
    Notification,
    RiskAssessment,
)
from tests.unit.forms import form_turn
from tests.unit.test_agreement_document import make_agreement
from tests.unit.trackers import SEAL, texts, tracker

# Wednesday 1 December 2027, 10:00 in Stockholm.
NOW = datetime(2027, 12, 1, 10, 0)
TODAY = NOW.date()
CLOCK = Clock.frozen(NOW)
FAQ_DIR = PROJECT_ROOT / "faq"
QUESTIONS = [q.as_slot() for q in load_questions(FAQ_DIR)]
references = count(1)


@dataclass
class FakeAnswerer:
    """The FAQ, answering every question with one entry-less answer; records what it was asked."""

    asked: list[str] = field(default_factory=list)

    def reply_to(self, text: str, **_: Any) -> Reply:
        self.asked.append(text)
        return Reply(kind="answer", text="FAQ-svar: uppföljningen görs minst en gång per år.")


@pytest.fixture
def answerer() -> FakeAnswerer:
    return FakeAnswerer()


@pytest.fixture
def services(db: Database, answerer: FakeAnswerer) -> Services:
    region = load_region(PROJECT_ROOT / "regions", "vastmanland")
    directory = demo_directory()
    return Services(
        answerer=lambda: answerer,  # type: ignore[arg-type, return-value]
        seal=SEAL,
        agreements=AgreementService(db, directory, region, CLOCK),
        risk_assessments=RiskAssessmentService(db, directory, now=CLOCK.now),
        faq_dir=FAQ_DIR,
        clock=CLOCK,
    )


def person(user_id: str) -> User:
    user = demo_directory().get(user_id)
    assert user is not None
    return user


def documented(
    db: Database,
    employee: str = "anna.andersson",
    manager: str = "maria.berg",
    actions: list[tuple[str, str, date]] | None = None,
    representative: str = "sven.skog",
) -> int:
    """A risk assessment documented a year ago, its follow-up due today."""
    with db.session() as session:
        row = RiskAssessment(
            employee_id=employee,
            manager_id=manager,
            safety_representative_id=representative,
            status="held",
        )
        session.add(row)
        session.flush()
        assessment_id = row.id
    a_year_ago = datetime(2026, 12, 1, 15, 0, tzinfo=CLOCK.time_zone)
    RiskAssessmentService(db, demo_directory(), now=lambda: a_year_ago).document(
        person(manager),
        assessment_id,
        "Bildskärmen är för låg; ensamt hemma.",
        [Action(text, owner, due) for text, owner, due in actions or []],
        TODAY,
    )
    return assessment_id


def active_agreement(db: Database, employee: str = "anna.andersson") -> int:
    n = next(references)
    manager = person(employee).manager
    with db.session() as session:
        agreement = make_agreement(
            reference=f"DA-2027-{n:05d}",
            submission_key=f"follow-up-{n}",
            employee_id=employee,
            manager_id=manager,
            start_date=date(2027, 1, 1),
            end_date=date(2028, 6, 30),
        )
        session.add(agreement)
        session.flush()
        return agreement.id


def events_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def start(services: Services, text: str, user: str = "maria.berg") -> tuple[Any, Any]:
    dispatcher = CollectingDispatcher()
    events = await ActionStartFollowUp(services).run(
        dispatcher, tracker(text, user=user, active_loop=None), {}
    )
    return events, dispatcher


def answered(count_: int, answer: str = "Inget att anmärka") -> list[dict[str, str]]:
    return [{**q, "answer": answer} for q in QUESTIONS[:count_]]


def filled(assessment_id: int | None, agreement_id: int | None, **slots: Any) -> dict[str, Any]:
    """The follow-up form's slots after every question; ``slots`` replace any."""
    return {
        "fu_employee": "anna.andersson",
        "fu_questions": QUESTIONS,
        "fu_progress": {"given": answered(len(QUESTIONS)), "earlier": []},
        "fu_subject": {"assessment_id": assessment_id, "agreement_id": agreement_id},
        "fu_answers": answered(len(QUESTIONS)),
        "fu_risks": "",
        "fu_actions": [],
        "fu_decision": "continue",
    } | slots


def at_question(number: int, **slots: Any) -> dict[str, Any]:
    """The form's slots while question ``number`` (from 0) is asked."""
    return {
        "fu_employee": "anna.andersson",
        "fu_questions": QUESTIONS,
        "fu_progress": {"given": answered(number), "earlier": []},
        "fu_subject": {"assessment_id": 1, "agreement_id": None},
    } | slots


# --- starting -----------------------------------------------------------------------------


async def test_the_manager_names_the_employee_and_sees_what_is_followed_up(
    db: Database, services: Services
) -> None:
    assessment_id = documented(db, actions=[("Höj bildskärmen", "Anna Andersson", TODAY)])
    agreement_id = active_agreement(db)

    events, dispatcher = await start(services, "följ upp distansarbetet med Anna")

    slots = events_of(events)
    assert slots["fu_employee"] == "anna.andersson"
    assert slots["fu_subject"] == {"assessment_id": assessment_id, "agreement_id": agreement_id}
    assert slots["fu_questions"] == QUESTIONS and len(QUESTIONS) == 9
    assert {"event": "followup", "name": "follow_up_form", "timestamp": None} in events
    said = texts(dispatcher)
    assert "Då följer vi upp distansarbetet med Anna Andersson" in said
    assert "9 stödfrågor om arbetsmiljö och informationssäkerhet" in said
    assert "dokumenterades 1 december 2026" in said and "Bildskärmen är för låg" in said
    assert "1 öppna åtgärder" in said and "DA-2027-" in said


async def test_without_a_name_the_form_asks_whose_with_the_staff_due(
    db: Database, services: Services
) -> None:
    documented(db)
    events, _ = await start(services, "uppföljning av distansarbete")
    assert events_of(events)["fu_employee"] is None
    turn = await form_turn(
        ValidateFollowUpForm(services),
        "Anna",
        {"fu_questions": QUESTIONS, "fu_progress": {"given": []}},
        "fu_employee",
        user="maria.berg",
    )
    assert turn.slots["fu_employee"] == "anna.andersson"
    assert turn.slots["fu_subject"]["assessment_id"] is not None
    assert "Senaste riskbedömningen" in turn.said
    assert "Arbetsmiljö, fråga 1 av 9" in turn.said


async def test_an_employee_without_anything_to_follow_up_is_offered_a_risk_assessment(
    services: Services,
) -> None:
    events, dispatcher = await start(services, "följ upp distansarbetet med Erik", "johan.lind")
    assert not any(e["event"] == "followup" for e in events)
    assert "Jag hittar ingen dokumenterad riskbedömning" in texts(dispatcher)
    [button] = dispatcher.messages[0]["buttons"]
    assert button["payload"] == '/book_risk_assessment{"employee":"erik.ek"}'


async def test_an_employee_asking_gets_the_faq_answer_and_no_form(
    db: Database, services: Services, answerer: FakeAnswerer
) -> None:
    documented(db)
    events, dispatcher = await start(services, "uppföljning av distansarbete", "anna.andersson")
    assert events == []
    assert "FAQ-svar" in texts(dispatcher) and answerer.asked == ["uppföljning av distansarbete"]


async def test_the_booking_button_after_a_follow_up_books_for_that_employee(
    services: Services,
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionStartRiskAssessment(services).run(
        dispatcher,
        tracker(
            '/book_risk_assessment{"employee":"anna.andersson"}',
            user="maria.berg",
            intent="book_risk_assessment",
            active_loop=None,
        ),
        {},
    )
    assert events_of(events)["ra_employee"] == "anna.andersson"


# --- HR's questions, one at a time -----------------------------------------------------------


async def test_each_question_in_turn_then_all_answers_in_one_slot(services: Services) -> None:
    form = ValidateFollowUpForm(services)
    first = await form_turn(form, "Stolen är bra nu, skärmen höjd", at_question(0), "fu_answers")
    assert first.slots["fu_answers"] is None
    assert first.slots["fu_progress"]["given"] == [
        {**QUESTIONS[0], "answer": "Stolen är bra nu, skärmen höjd"}
    ]
    assert f"Arbetsmiljö, fråga 2 av 9: {QUESTIONS[1]['question']}" in first.said

    for text, stored in (("ok", "ok"), ("-", "Inget att anmärka"), ("inget att anmärka", None)):
        turn = await form_turn(form, text, at_question(1), "fu_answers")
        assert turn.slots["fu_progress"]["given"][-1]["answer"] == (stored or text)

    last = await form_turn(form, "Ja, i ett låst skåp", at_question(8), "fu_answers")
    assert len(last.slots["fu_answers"]) == 9
    assert last.slots["fu_answers"][-1] == {**QUESTIONS[8], "answer": "Ja, i ett låst skåp"}
    assert "Har nya risker kommit fram" in last.said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("tack", "Varsågod!"),
        ("Får man ha jobbdatorn i sommarstugan?", "FAQ-svar"),
    ],
)
async def test_thanks_and_questions_are_never_stored(
    services: Services, text: str, said: str
) -> None:
    turn = await form_turn(ValidateFollowUpForm(services), text, at_question(1), "fu_answers")
    assert turn.slots["fu_answers"] is None and "fu_progress" not in turn.slots
    assert said in turn.said
    assert "Vi fortsätter med uppföljningen. Arbetsmiljö, fråga 2 av 9" in turn.said


@pytest.mark.parametrize("text", ["vet inte", "vet inte riktigt", "vet ej"])
async def test_dont_know_is_what_the_dialogue_found(services: Services, text: str) -> None:
    """Batches 2026-12-06d and e, two separate authors: "vet inte" to one of HR's support
    questions was asked again, while "hoppa över" passed; it is recorded as said."""
    turn = await form_turn(ValidateFollowUpForm(services), text, at_question(1), "fu_answers")
    assert f"'answer': '{text}'" in str(turn.slots["fu_progress"])
    assert "Arbetsmiljö, fråga 3 av 9" in turn.said


async def test_stopping_in_the_middle_stores_nothing(db: Database, services: Services) -> None:
    turn = await form_turn(ValidateFollowUpForm(services), "avbryt", at_question(3), "fu_answers")
    assert turn.slots["flow_outcome"] == "cancelled"
    assert "Inget har sparats" in turn.said
    dispatcher = CollectingDispatcher()
    await ActionRecordFollowUp(services).run(
        dispatcher,
        tracker("avbryt", slots=at_question(3, flow_outcome="cancelled"), user="maria.berg"),
        {},
    )
    with db.session() as session:
        assert session.scalars(select(FollowUp)).all() == []


async def test_risks_actions_and_the_decision_are_read(services: Services) -> None:
    form = ValidateFollowUpForm(services)
    before = filled(1, None, fu_risks=None, fu_actions=None, fu_decision=None)
    none = await form_turn(form, "inga nya risker", before, "fu_risks")
    assert none.slots["fu_risks"] == ""
    risk = await form_turn(form, "Nackont av att jobba vid köksbordet", before, "fu_risks")
    assert risk.slots["fu_risks"] == "Nackont av att jobba vid köksbordet"
    assert "Vilka åtgärder behövs för de nya riskerna?" in risk.said

    actions = await form_turn(
        form, "Beställa laptopställ – Maria Berg – 15 december", before, "fu_actions"
    )
    assert actions.slots["fu_actions"] == [
        {"action": "Beställa laptopställ", "owner": "Maria Berg", "due": "2027-12-15"}
    ]
    for text, outcome in (
        ("fortsätter", "continue"),
        # Typed without ä (batch 2026-12-06b).
        ("fortsatter", "continue"),
        ("ändras", "change"),
        ("vi avslutar distansarbetet", "end"),
    ):
        turn = await form_turn(form, text, before | {"fu_actions": []}, "fu_decision")
        assert turn.slots["fu_decision"] == outcome


async def test_a_risk_and_an_action_remembered_at_the_decision_are_added(
    services: Services,
) -> None:
    """Flow x-03: "det fortsätter. fast vänta, jag glömde en risk: … åtgärd: …" saved the
    follow-up with no new risk and no new action."""
    form = ValidateFollowUpForm(services)
    before = filled(1, None, fu_risks="", fu_actions=[], fu_decision=None)
    turn = await form_turn(
        form,
        "det fortsätter. fast vänta, jag glömde en risk: hon jobbar ofta kvällar hemifrån. "
        "åtgärd: gå igenom arbetstiderna – Maria – 14/1",
        before,
        "fu_decision",
        user="maria.berg",
    )
    assert turn.slots["fu_decision"] == "continue"
    assert turn.slots["fu_risks"] == "hon jobbar ofta kvällar hemifrån"
    (action,) = turn.slots["fu_actions"]
    assert (action["action"], action["owner"]) == ("gå igenom arbetstiderna", "Maria")


async def test_without_a_documented_assessment_no_actions_are_asked(
    db: Database, services: Services
) -> None:
    agreement_id = active_agreement(db)
    before = filled(None, agreement_id, fu_risks=None, fu_actions=None, fu_decision=None)
    turn = await form_turn(ValidateFollowUpForm(services), "inga", before, "fu_risks")
    assert turn.slots["fu_actions"] == []
    assert "fortsätta som det är" in turn.said


# --- the summary and the record ---------------------------------------------------------------


async def test_the_summary_comes_back_after_thanks_and_a_change_asks_the_answers_again(
    services: Services,
) -> None:
    form = ValidateFollowUpForm(services)
    slots = filled(1, None, fu_risks="Nackont")
    summary = await form_turn(form, "tack", slots, "fu_confirmed", user="maria.berg")
    assert "Stämmer det här?" in summary.said and summary.slots["fu_confirmed"] is None
    assert "Arbetsmiljö:" in summary.said and "Informationssäkerhet:" in summary.said
    assert "Nya risker: Nackont" in summary.said
    assert "Nästa uppföljning: senast 1 december 2028" in summary.said

    change = await form_turn(
        form,
        '/change_follow_up{"field":"fu_answers"}',
        slots,
        "fu_confirmed",
        entities=[{"entity": "field", "value": "fu_answers"}],
    )
    assert change.slots["fu_answers"] is None
    assert change.slots["fu_progress"] == {"given": [], "earlier": answered(9)}
    assert "fråga 1 av 9" in change.said
    assert {"title": "Som förut: Inget att anmärka", "payload": "Inget att anmärka"} in (
        change.buttons
    )


async def test_the_confirmed_follow_up_is_recorded_the_employee_told_and_a_booking_offered(
    db: Database, services: Services
) -> None:
    assessment_id = documented(db)
    agreement_id = active_agreement(db)
    slots = filled(
        assessment_id,
        agreement_id,
        fu_answers=answered(9, "Fungerar bra"),
        fu_risks="Nackont av köksbordet",
        fu_actions=[{"action": "Beställa laptopställ", "owner": "Maria Berg", "due": "2027-12-15"}],
        fu_confirmed=True,
    )
    dispatcher = CollectingDispatcher()
    events = await ActionRecordFollowUp(services).run(
        dispatcher, tracker("/affirm", slots=slots, user="maria.berg", active_loop=None), {}
    )

    assert all(e["value"] is None for e in events if e["event"] == "slot")
    said = texts(dispatcher)
    assert "Uppföljningen av distansarbetet med Anna Andersson är registrerad" in said
    assert "1 nya åtgärder" in said and "Nästa uppföljning senast 1 december 2028" in said
    assert "Nya risker kom fram" in said
    assert dispatcher.messages[-1]["buttons"] == [
        {
            "title": "Boka riskbedömning med Anna",
            "payload": '/book_risk_assessment{"employee":"anna.andersson"}',
        }
    ]
    with db.session() as session:
        [follow_up] = session.scalars(select(FollowUp)).all()
        assessment = session.get(RiskAssessment, assessment_id)
        [notice] = session.scalars(select(Notification)).all()
        [item] = session.scalars(select(ActionItem)).all()
        assert assessment is not None
        assert (follow_up.risk_assessment_id, follow_up.agreement_id) == (
            assessment_id,
            agreement_id,
        )
        assert follow_up.outcome == "continue" and follow_up.recorded_by == "maria.berg"
        assert follow_up.notes is not None
        assert f"- {QUESTIONS[0]['question']} Fungerar bra" in follow_up.notes
        assert "Nya risker: Nackont av köksbordet" in follow_up.notes
        assert assessment.follow_up_on == date(2028, 12, 1)
        assert (item.text, item.owner_id, item.due_on) == (
            "Beställa laptopställ",
            "maria.berg",
            date(2027, 12, 15),
        )
        assert notice.recipient_id == "anna.andersson"
        assert "Maria Berg har registrerat uppföljningen" in notice.text


async def test_an_action_dated_in_the_past_is_asked_for_again(
    db: Database, services: Services
) -> None:
    assessment_id = documented(db)
    slots = filled(
        assessment_id,
        None,
        fu_actions=[{"action": "Ny stol", "owner": "Maria Berg", "due": "2027-11-01"}],
        fu_confirmed=True,
    )
    dispatcher = CollectingDispatcher()
    events = await ActionRecordFollowUp(services).run(
        dispatcher, tracker("/affirm", slots=slots, user="maria.berg", active_loop=None), {}
    )
    assert events_of(events) == {"fu_actions": None, "fu_confirmed": None}
    assert {"event": "followup", "name": "follow_up_form", "timestamp": None} in events
    assert "redan har passerat" in texts(dispatcher)


async def test_ending_names_the_regions_terms(db: Database, services: Services) -> None:
    agreement_id = active_agreement(db)
    slots = filled(None, agreement_id, fu_decision="end", fu_confirmed=True)
    dispatcher = CollectingDispatcher()
    await ActionRecordFollowUp(services).run(
        dispatcher, tracker("ja", slots=slots, user="maria.berg", active_loop=None), {}
    )
    said = texts(dispatcher)
    assert "distansarbetet avslutas" in said
    assert services.agreements is not None
    assert services.agreements.region.agreement.ending_terms in said


# --- action plans ----------------------------------------------------------------------------


def plan(db: Database) -> list[int]:
    """Anna's plan: one action overdue (owner Anna), one later (owner IT)."""
    documented(
        db,
        actions=[
            ("Höj bildskärmen", "Anna Andersson", TODAY - timedelta(days=3)),
            ("Se över VPN", "IT-avdelningen", TODAY + timedelta(days=20)),
        ],
    )
    with db.session() as session:
        return list(session.scalars(select(ActionItem.id).order_by(ActionItem.id)))


async def show(services: Services, user: str) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    await ActionShowActions(services).run(
        dispatcher, tracker("visa åtgärder", user=user, active_loop=None), {}
    )
    return dispatcher


async def test_the_open_actions_are_listed_overdue_marked_with_buttons_for_who_may_change(
    db: Database, services: Services
) -> None:
    late, _ = plan(db)
    managers = await show(services, "maria.berg")
    heading, first, second = managers.messages
    assert "2 öppna, varav 1 försenade" in heading["text"]
    assert "”Höj bildskärmen” (Anna Anderssons handlingsplan)" in first["text"]
    assert "**försenad**" in first["text"] and "försenad" not in second["text"]
    assert [b["payload"] for b in first["buttons"]] == [
        f'/mark_action_done{{"action_id":"{late}"}}',
        f'/move_action{{"action_id":"{late}"}}',
    ]
    representative = await show(services, "sven.skog")
    assert all(not m.get("buttons") for m in representative.messages), "may see, not change"
    employee = await show(services, "anna.andersson")
    assert "din handlingsplan" in employee.messages[1]["text"]
    assert employee.messages[1]["buttons"] and not employee.messages[2]["buttons"]
    assert "inga öppna åtgärder" in texts(await show(services, "johan.lind"))


async def test_klar_marks_the_action_done_once(db: Database, services: Services) -> None:
    late, _ = plan(db)
    for expected in ("är markerad som klar 1 december 2027", "redan klar"):
        dispatcher = CollectingDispatcher()
        await ActionMarkActionDone(services).run(
            dispatcher,
            tracker(
                f'/mark_action_done{{"action_id":"{late}"}}',
                user="maria.berg",
                intent="mark_action_done",
                entities=[{"entity": "action_id", "value": str(late)}],
                active_loop=None,
            ),
            {},
        )
        assert expected in texts(dispatcher)


async def test_typed_done_with_several_actions_lists_them_to_choose(
    db: Database, services: Services
) -> None:
    plan(db)
    dispatcher = CollectingDispatcher()
    await ActionMarkActionDone(services).run(
        dispatcher, tracker("åtgärden är klar", user="maria.berg", active_loop=None), {}
    )
    assert "Vilken åtgärd är klar?" in texts(dispatcher)
    assert len([b for m in dispatcher.messages for b in m.get("buttons") or []]) == 4


async def test_flytta_asks_the_date_and_reason_and_the_service_decides(
    db: Database, services: Services
) -> None:
    late, _ = plan(db)
    dispatcher = CollectingDispatcher()
    events = await ActionStartMoveAction(services).run(
        dispatcher,
        tracker(
            f'/move_action{{"action_id":"{late}"}}',
            user="maria.berg",
            intent="move_action",
            entities=[{"entity": "action_id", "value": str(late)}],
            active_loop=None,
        ),
        {},
    )
    assert events_of(events)["ap_action_id"] == str(late)
    form = ValidateMoveActionForm(services)
    slots = {"ap_action_id": str(late)}
    prompt = due_prompt(FormContext(services, tracker("", slots=slots, user="maria.berg")))
    assert "Till vilket datum ska ”Höj bildskärmen” (ska nu vara klar 28 november 2027)" in (
        prompt.text
    )
    asked = await form_turn(form, "tack", slots, "ap_due_on", user="maria.berg")
    assert "Varsågod! Vi fortsätter med flytten av åtgärden. Till vilket datum" in asked.said
    dated = await form_turn(form, "15 januari", slots, "ap_due_on", user="maria.berg")
    assert dated.slots["ap_due_on"] == "2028-01-15" and "Varför flyttas den?" in dated.said

    async def complete(due: str, reason: str) -> tuple[dict[str, Any], str]:
        done = CollectingDispatcher()
        state = slots | {"ap_due_on": due, "ap_reason": reason}
        result = await ActionMoveAction(services).run(
            done, tracker(reason, slots=state, user="maria.berg", active_loop=None), {}
        )
        return events_of(result), texts(done)

    past, said = await complete("2027-11-20", "Leveransen är försenad")
    assert past == {"ap_due_on": None} and "har redan passerat" in said
    moved, said = await complete("2028-01-15", "Leveransen är försenad")
    assert "ska nu vara klar senast 15 januari 2028" in said
    assert all(v is None for v in moved.values())
    services_plans = services.action_plans
    assert services_plans is not None
    item = services_plans.get(person("maria.berg"), late)
    assert (item.due_on, item.moved_count, item.events[-1].detail) == (
        date(2028, 1, 15),
        1,
        "Leveransen är försenad",
    )


async def test_only_who_may_change_an_action_is_asked_for_a_new_date(
    db: Database, services: Services
) -> None:
    _, later = plan(db)
    dispatcher = CollectingDispatcher()
    events = await ActionStartMoveAction(services).run(
        dispatcher,
        tracker(
            "flytta åtgärden",
            user="sven.skog",
            entities=[{"entity": "action_id", "value": str(later)}],
            active_loop=None,
        ),
        {},
    )
    assert events == [] and "Bara chefen" in texts(dispatcher)


# --- batch 2026-12-04b -----------------------------------------------------------------------


async def test_a_supporting_question_may_be_skipped_and_says_so(services: Services) -> None:
    """ "hoppa över" was kept as the answer's text."""
    turn = await form_turn(ValidateFollowUpForm(services), "hoppa över", at_question(1),
                           "fu_answers")  # fmt: skip
    assert turn.slots["fu_progress"]["given"][-1]["answer"] == "Hoppades över"
    assert "Arbetsmiljö, fråga 3 av 9" in turn.said


async def test_skipping_the_decision_is_explained_and_asked_again(services: Services) -> None:
    before = filled(1, None, fu_decision=None)
    turn = await form_turn(ValidateFollowUpForm(services), "hoppa över", before, "fu_decision")
    assert turn.slots["fu_decision"] is None
    assert "kan jag inte hoppa över" in turn.said


async def test_no_new_risks_with_a_comma_is_none(services: Services) -> None:
    """ "Nej, inga nya risker" was stored as a new risk."""
    before = filled(1, None, fu_risks=None, fu_actions=None, fu_decision=None)
    turn = await form_turn(ValidateFollowUpForm(services), "Nej, inga nya risker.", before,
                           "fu_risks")  # fmt: skip
    assert turn.slots["fu_risks"] == ""


async def test_an_action_dated_with_a_weekday_that_does_not_fit_is_asked_about(
    services: Services,
) -> None:
    """ "klart tisdag 16.12" when 16 December 2027 is a Thursday: both days as buttons, nothing
    stored until one is chosen (agreement and booking dates were asked about, actions not)."""
    form = ValidateFollowUpForm(services)
    before = filled(1, None, fu_risks="Stolen är dålig", fu_actions=None, fu_decision=None)
    for text, action in (
        ("åtgärd: ny stol, ansvarig Eva, klart tisdag 16.12", "ny stol"),
        ("Ny stol – Eva – tisdag 16.12", "Ny stol"),
    ):
        asked = await form_turn(form, text, before, "fu_actions")
        assert asked.slots["fu_actions"] is None
        assert "16 december 2027 är en torsdag, inte en tisdag." in asked.said
        assert [b["payload"] for b in asked.buttons] == ["2027-12-16", "2027-12-14"]
        pending = {"flow_pending": asked.slots["flow_pending"]}
        chosen = await form_turn(form, "2027-12-14", before | pending, "fu_actions")
        assert chosen.slots["fu_actions"] == [
            {"action": action, "owner": "Eva", "due": "2027-12-14"}
        ]
    fitting = await form_turn(
        form, "ny stol, ansvarig Eva, klart torsdag 16.12", before, "fu_actions"
    )
    assert fitting.slots["fu_actions"] == [
        {"action": "ny stol", "owner": "Eva", "due": "2027-12-16"}
    ]


async def test_an_answer_that_says_kanske_is_still_an_answer(services: Services) -> None:
    """ "ganska hög belastning kanske" was taken for a hedge, and the answers after it slid one
    question off (batch 2026-12-06b)."""
    turn = await form_turn(
        ValidateFollowUpForm(services), "ganska hög belastning kanske", at_question(1), "fu_answers"
    )
    assert turn.slots["fu_progress"]["given"][-1]["answer"] == "ganska hög belastning kanske"


async def test_a_short_answer_to_the_next_question_is_kept_for_it(services: Services) -> None:
    """Flow n-free_text-04: "hon loggar ut i tid och tar alltid en lunchpromenad" answered the
    questions on availability and on breaks; "nej, inga tillbud" at the breaks question then
    went there, and every later answer slid one question."""
    turn = await form_turn(ValidateFollowUpForm(services), "nej, inga tillbud", at_question(3),
                           "fu_answers")  # fmt: skip
    given = turn.slots["fu_progress"]["given"]
    assert [a["answer"] for a in given[3:]] == ["Hoppades över", "nej, inga tillbud"]
    assert given[4]["question"] == QUESTIONS[4]["question"]
    assert "nästa fråga" in turn.said and "fråga 6 av 9" in turn.said
    # A longer answer says something of its own question too: kept there.
    own = "ja, hon tar pauser men har haft lite tillbud med sladdar"
    kept = await form_turn(ValidateFollowUpForm(services), own, at_question(3), "fu_answers")
    assert kept.slots["fu_progress"]["given"][-1] == {**QUESTIONS[3], "answer": own}
