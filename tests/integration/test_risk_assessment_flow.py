"""Whole risk-assessment conversations through /api/chat against the real Rasa + app: book,
move, cancel, document the outcome, and the agreement approval that this unblocks."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from bot.identity import demo_directory
from bot.risk_assessments.service import RiskAssessmentService
from bot.storage.database import Database
from bot.storage.models import RiskAssessment
from tests.api.test_risk_assessments import working_day
from tests.integration.test_agreement_flow import Chat, Conversation, fill_form

pytestmark = pytest.mark.slow
MONTHS = "januari februari mars april maj juni juli augusti september oktober november december"


def assessments(stack: Any, user: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.url}/api/risk-assessments", headers={"X-Demo-User": user})
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def invitation(stack: Any, link: str, user: str) -> Any:
    response = httpx.get(f"{stack.url}{link}", headers={"X-Demo-User": user})
    assert response.status_code == 200, response.text
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    return event


def test_book_move_document_then_the_blocked_approval_goes_through(chat: Chat, stack: Any) -> None:
    day = working_day(70).date()
    employee = Conversation(chat)
    fill_form(employee)
    submitted = employee.say("/affirm")
    assert "Vill du boka det mötet nu?" in submitted
    assert "/book_risk_assessment" in [b["payload"] for b in employee.buttons()]

    asked = employee.say("/book_risk_assessment")
    assert "skyddsombudet" in asked and "När vill ni ses?" in asked
    assert len(employee.buttons()) == 3, "the first three free slots are offered"
    assert "Var ses ni" in employee.say(f"{day.isoformat()} 10:00")
    summary = employee.say("Teams")
    assert "Skyddsombud: Sven Skog" in summary and "Chef: Maria Berg" in summary
    booked = employee.say("/affirm")
    assert "Mötet är bokat och kopplat till din ansökan" in booked
    link = next(m["link"] for m in employee.last if m.get("link"))
    first = invitation(stack, link, "anna.andersson")
    assert first["ORGANIZER"].params["CN"] == "Maria Berg"

    assert "Vilken tid vill ni flytta den till?" in employee.say("flytta riskbedömningen")
    moved = employee.say(f"{day.isoformat()} 13:00")
    assert "Mötet är flyttat till" in moved and "kl. 13.00" in moved
    again = invitation(stack, link, "anna.andersson")
    assert again["UID"] == first["UID"] and int(again["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    (mine,) = [
        a for a in assessments(stack, "anna.andersson") if (a["start"] or "").startswith(str(day))
    ]
    assert mine["status"] == "booked" and mine["agreement_id"] is not None

    manager = Conversation(chat, user="maria.berg")
    manager.say("visa mina ansökningar")
    approve = next(
        b["payload"]
        for b in manager.buttons()
        if b["title"].startswith("Godkänn") and f'"{mine["agreement_id"]}"' in b["payload"]
    )
    assert "förrän riskbedömningen är gjord" in manager.say(approve)

    meeting_has_been_held(stack, mine["id"])
    assert "Dokumentera resultatet" in manager.say("hej")
    assert "Vilka risker" in manager.say("dokumentera riskbedömningen")
    assert "Vilka åtgärder" in manager.say("Bildskärmen är för liten; risk för nackbesvär.")
    due = (date.today() + timedelta(days=20)).isoformat()
    assert "Minst en gång per år" in manager.say(f"Låna ut bildskärm – Maria Berg – {due}")
    in_a_year = manager.buttons()[0]["payload"]
    assert "Ska jag spara dokumentationen?" in manager.say(in_a_year)
    documented = manager.say("ja")
    assert "Riskbedömningen är dokumenterad, med 1 åtgärd och" in documented
    assert "kan nu beslutas" in documented
    assert "är godkänd" in manager.say(approve)
    (done,) = [a for a in assessments(stack, "maria.berg") if a["id"] == mine["id"]]
    assert done["status"] == "documented"


def test_manager_books_for_an_employee_confirms_an_ambiguous_day_then_cancels(
    chat: Chat, stack: Any
) -> None:
    day = working_day(72).date()
    manager = Conversation(chat, user="johan.lind")
    assert "När vill ni ses?" in manager.say("boka riskbedömning med Erik")
    refused = manager.say("den 25 december kl 10")
    assert "juldagen" in refused.lower()
    confirm = manager.say(f"den {day.day} {MONTHS.split()[day.month - 1]}")
    assert "Menar du" in confirm and "kl. 09.00" in confirm
    assert "Var ses ni" in manager.say("ja")
    summary = manager.say("Mötesrum 4B")
    assert "Erik Ek" in summary and "Skyddsombud: Sara Strand" in summary
    assert "Mötet är bokat" in manager.say("/affirm")

    ask = manager.say("avboka riskbedömningen")
    assert "Vill du avboka" in ask
    assert "avbokad" in manager.say("ja")
    (cancelled,) = [
        a for a in assessments(stack, "erik.ek") if a["start"] and a["start"].startswith(str(day))
    ]
    assert cancelled["status"] == "cancelled"
    assert "Johan Lind har avbokat" in Conversation(chat, user="erik.ek").say("hej")


def test_a_question_in_the_middle_of_booking_is_answered_and_stopping_books_nothing(
    chat: Chat, stack: Any
) -> None:
    before = len(assessments(stack, "hanna.holm"))
    c = Conversation(chat)
    c.say("boka riskbedömning")
    answer = c.say("Vilka kostnader står arbetsgivaren för?")
    assert (
        "Arbetsgivaren står inte för kostnader" in answer
        and "Vi fortsätter med bokningen" in answer
    )
    assert "Jag har avbrutit bokningen. Inget har bokats." in c.say("avbryt")
    assert len(assessments(stack, "hanna.holm")) == before


def meeting_has_been_held(stack: Any, assessment_id: int) -> None:
    """Time passes: the meeting moves to yesterday, and the periodic check asks the manager."""
    db = Database(f"sqlite:///{stack.run_dir}/app.db")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with db.session() as session:
        held = session.get(RiskAssessment, assessment_id)
        assert held is not None
        held.start_at, held.end_at = yesterday, yesterday + timedelta(minutes=45)
    # The app asks too, every few minutes; whichever runs first asks the manager, once.
    RiskAssessmentService(db, demo_directory()).ask_for_outcomes()
    db.dispose()
