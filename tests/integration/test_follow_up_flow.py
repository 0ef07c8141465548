"""The yearly follow-up and the action plans through /api/chat against the real Rasa + app, with
the app's clock frozen on Wednesday 1 December 2027: a year after Anna's and Erik's risk
assessments were documented, on the day their follow-up is due."""

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.clock import STOCKHOLM
from bot.identity import demo_directory
from bot.risk_assessments.service import Action, RiskAssessmentService
from bot.storage.database import Database
from bot.storage.models import FollowUp, RiskAssessment
from tests.conftest import chat_client, start_stack
from tests.integration.test_agreement_flow import Conversation
from tests.unit.test_agreement_document import make_agreement

pytestmark = pytest.mark.slow

NOW = datetime(2027, 12, 1, 10, 0, tzinfo=STOCKHOLM)
TODAY = NOW.date()
DOCUMENTED = datetime(2026, 12, 1, 15, 0, tzinfo=STOCKHOLM)
QUESTIONS = 9


def seed(db: Database, employee: str, manager: str, actions: list[Action]) -> int:
    """A risk assessment documented a year ago, due for follow-up today, and an agreement in
    force; returns the assessment's id."""
    directory = demo_directory()
    with db.session() as session:
        assessment = RiskAssessment(employee_id=employee, manager_id=manager, status="held")
        session.add(assessment)
        session.flush()
        assessment_id = assessment.id
        session.add(
            make_agreement(
                reference=f"DA-2026-{assessment_id:05d}",
                submission_key=f"follow-up-flow-{employee}",
                employee_id=employee,
                manager_id=manager,
                start_date=date(2027, 1, 1),
                end_date=date(2028, 6, 30),
                risk_assessment_id=assessment_id,
            )
        )
    manager_user = directory.get(manager)
    assert manager_user is not None
    RiskAssessmentService(db, directory, now=lambda: DOCUMENTED).document(
        manager_user, assessment_id, "Bildskärmen är för låg.", actions, TODAY
    )
    return assessment_id


@pytest.fixture(scope="module")
def frozen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, int]]]:
    run_dir: Path = tmp_path_factory.mktemp("follow-up")
    clock_file = run_dir / "now.txt"
    clock_file.write_text(NOW.isoformat(), encoding="utf-8")
    stack = start_stack(
        "vastmanland",
        run_dir,
        {"DG_CLOCK_FILE": str(clock_file), "DG_OUTCOME_CHECK_SECONDS": "0"},
    )
    db = Database(stack.app_env["DATABASE_URL"])
    seeded = {
        "anna": seed(
            db,
            "anna.andersson",
            "maria.berg",
            [
                Action("Höj bildskärmen", "Anna Andersson", date(2027, 11, 20)),
                Action("Se över VPN-klienten", "Maria Berg", date(2028, 2, 1)),
            ],
        ),
        "erik": seed(db, "erik.ek", "johan.lind", []),
    }
    db.dispose()
    yield stack, seeded
    stack.stop()


def assessment(stack: Any, user: str, assessment_id: int) -> dict[str, Any]:
    response = httpx.get(f"{stack.url}/api/risk-assessments", headers={"X-Demo-User": user})
    assert response.status_code == 200, response.text
    [found] = [a for a in response.json() if a["id"] == assessment_id]
    return dict(found)


def follow_ups(stack: Any) -> list[FollowUp]:
    db = Database(stack.app_env["DATABASE_URL"])
    try:
        with db.session() as session:
            return list(session.scalars(select(FollowUp)))
    finally:
        db.dispose()


def test_the_follow_up_with_thanks_and_a_question_in_the_middle_is_recorded(
    frozen: tuple[Any, dict[str, int]],
) -> None:
    stack, seeded = frozen
    manager = Conversation(chat_client(stack), user="maria.berg")

    opened = manager.say("följ upp distansarbetet med Anna")
    assert "Då följer vi upp distansarbetet med Anna Andersson" in opened
    assert "Senaste riskbedömningen dokumenterades 1 december 2026" in opened
    assert "2 öppna åtgärder, varav 1 försenade" in opened
    assert f"Arbetsmiljö, fråga 1 av {QUESTIONS}" in opened

    second = manager.say("Skärmen är höjd och stolen fungerar bra")
    assert f"fråga 2 av {QUESTIONS}" in second
    thanked = manager.say("tack")
    assert "Varsågod!" in thanked and f"fråga 2 av {QUESTIONS}" in thanked
    answered = manager.say("Vem betalar för utrustning hemma?")
    assert any(m.get("faq_id") for m in manager.last), answered
    assert f"Vi fortsätter med uppföljningen. Arbetsmiljö, fråga 2 av {QUESTIONS}" in answered

    for answer in ("ok", "-", "inget att anmärka", "Ingen olycka, inga besvär"):
        manager.say(answer)
    assert f"Informationssäkerhet, fråga 6 av {QUESTIONS}" in manager.last[-1]["text"]
    for answer in ("Ja", "Hon sitter i ett eget rum med stängd dörr", "Fungerar"):
        manager.say(answer)
    risks = manager.say("Ja, i ett låst skåp")
    assert "Har nya risker kommit fram" in risks
    assert "Vilka åtgärder behövs" in manager.say("Ont i nacken efter långa dagar med laptopen")
    decided = manager.say("Beställa laptopställ – Maria Berg – 15 december")
    assert "fortsätta som det är" in decided
    summary = manager.say("fortsätter")
    assert "Stämmer det här?" in summary and "Nya risker: Ont i nacken" in summary
    assert "Nya åtgärder: Beställa laptopställ – Maria Berg – 2027-12-15" in summary
    assert "Nästa uppföljning: senast 1 december 2028" in summary

    recorded = manager.say("ja")
    assert "Uppföljningen av distansarbetet med Anna Andersson är registrerad" in recorded
    assert "Nya risker kom fram" in recorded
    book = manager.buttons()[-1]
    assert book["payload"] == '/book_risk_assessment{"employee":"anna.andersson"}'

    followed = assessment(stack, "maria.berg", seeded["anna"])
    assert followed["follow_up_on"] == "2028-12-01"
    assert [a["action"] for a in followed["actions"]][-1] == "Beställa laptopställ"
    [record] = [f for f in follow_ups(stack) if f.risk_assessment_id == seeded["anna"]]
    assert record.outcome == "continue" and record.agreement_id is not None
    assert record.notes is not None
    assert "Skärmen är höjd och stolen fungerar bra" in record.notes
    assert "Nya risker: Ont i nacken" in record.notes

    employee = Conversation(chat_client(stack))
    assert "Maria Berg har registrerat uppföljningen" in employee.say("hej")

    booking = manager.say(book["payload"])
    assert "När vill ni ses?" in booking
    assert "Inget har bokats" in manager.say("avbryt")


def test_stopping_the_follow_up_records_nothing(frozen: tuple[Any, dict[str, int]]) -> None:
    stack, seeded = frozen
    manager = Conversation(chat_client(stack), user="johan.lind")
    assert f"fråga 1 av {QUESTIONS}" in manager.say("följ upp distansarbetet med Erik")
    manager.say("Det fungerar bra hemma")
    assert "Jag har avbrutit uppföljningen. Inget har sparats." in manager.say("avbryt")
    assert [f for f in follow_ups(stack) if f.risk_assessment_id == seeded["erik"]] == []
    assert assessment(stack, "johan.lind", seeded["erik"])["follow_up_on"] == "2027-12-01"


def test_the_actions_are_listed_and_one_is_marked_done_and_one_moved(
    frozen: tuple[Any, dict[str, int]],
) -> None:
    stack, _ = frozen
    manager = Conversation(chat_client(stack), user="maria.berg")
    listed = manager.say("visa åtgärder")
    assert "”Höj bildskärmen” (Anna Anderssons handlingsplan)" in listed
    [late] = [m for m in manager.last if "Höj bildskärmen" in m["text"]]
    assert "försenad" in late["text"]
    done, _ = (b["payload"] for b in late["buttons"])
    assert "Klart: ”Höj bildskärmen” är markerad som klar" in manager.say(done)
    assert "Höj bildskärmen" not in manager.say("visa åtgärder")

    [vpn] = [m for m in manager.last if "Se över VPN-klienten" in m["text"]]
    _, move = (b["payload"] for b in vpn["buttons"])
    assert "Till vilket datum ska ”Se över VPN-klienten”" in manager.say(move)
    assert "Varför flyttas den?" in manager.say("1 mars 2028")
    moved = manager.say("IT-avdelningen byter klient i februari")
    assert "ska nu vara klar senast 1 mars 2028" in moved
    response = httpx.get(f"{stack.url}/api/action-plans", headers={"X-Demo-User": "maria.berg"})
    [vpn_action] = [a for a in response.json() if a["text"] == "Se över VPN-klienten"]
    assert (vpn_action["due_on"], vpn_action["moved_count"]) == ("2028-03-01", 1)
    assert vpn_action["moves"][0]["reason"] == "IT-avdelningen byter klient i februari"
