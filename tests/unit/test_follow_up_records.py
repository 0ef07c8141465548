"""HR's supporting questions for the follow-up (faq/_follow_up_questions.md), and what
``FollowUpService`` keeps of a held follow-up: the answers, new risks and actions, who is told."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import Clock
from bot.errors import Refused
from bot.identity import demo_directory
from bot.regions import load_region
from bot.risk_assessments.follow_up_questions import (
    FALLBACK_QUESTIONS,
    QUESTIONS_FILE,
    load_questions,
    parse_questions,
)
from bot.risk_assessments.follow_ups import FollowUpAnswer, FollowUpService
from bot.risk_assessments.reminders import follow_up_hint
from bot.risk_assessments.service import Action
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import ActionEvent, ActionItem, Notification
from tests.unit.test_follow_up_reminders import TODAY, add_agreement, assessment, person, run

FAQ_DIR = PROJECT_ROOT / "faq"


@pytest.fixture
def service(db: Database) -> FollowUpService:
    region = load_region(PROJECT_ROOT / "regions", "vastmanland")
    return FollowUpService(
        db, region, Clock.frozen(datetime(2027, 3, 1, 9)), directory=demo_directory()
    )


# --- the questions -----------------------------------------------------------------------------


def test_hrs_file_has_both_areas_and_nothing_wrong() -> None:
    markdown = (FAQ_DIR / QUESTIONS_FILE).read_text(encoding="utf-8")
    assert markdown.startswith("# Stödfrågor vid uppföljning av distansarbete\n")
    questions, problems = parse_questions(markdown)
    assert problems == []
    assert [q.area for q in questions].count("Arbetsmiljö") >= 3
    assert [q.area for q in questions].count("Informationssäkerhet") >= 3
    assert all(q.question.endswith("?") for q in questions)
    assert load_questions(FAQ_DIR) == questions


def test_a_question_may_run_over_two_lines_and_other_areas_may_be_added() -> None:
    questions, problems = parse_questions(
        "# Rubrik\n\nText.\n\n## Arbetsmiljö\n\n- Hur fungerar\n  arbetsplatsen?\n\n"
        "## Informationssäkerhet\n* Följs reglerna?\n\n## Övrigt\n- Något mer?\n"
    )
    assert problems == []
    assert [(q.area, q.question) for q in questions] == [
        ("Arbetsmiljö", "Hur fungerar arbetsplatsen?"),
        ("Informationssäkerhet", "Följs reglerna?"),
        ("Övrigt", "Något mer?"),
    ]


@pytest.mark.parametrize(
    ("markdown", "problem"),
    [
        ("## Arbetsmiljö\n- Fråga?\n", "rubriken för informationssäkerhet saknas"),
        ("- Fråga?\n## Arbetsmiljö\n- A?\n## Informationssäkerhet\n- B?\n", "rad 1"),
        ("## Arbetsmiljö\n## Informationssäkerhet\n- B?\n", "rubriken Arbetsmiljö har inga"),
        (f"## Arbetsmiljö\n- {'x' * 301}\n## Informationssäkerhet\n- B?\n", "längre än 300"),
    ],
)
def test_a_broken_file_is_reported_and_the_built_in_questions_are_used(
    tmp_path: Path, markdown: str, problem: str
) -> None:
    _, problems = parse_questions(markdown)
    assert any(problem in p for p in problems), problems
    (tmp_path / QUESTIONS_FILE).write_text(markdown, encoding="utf-8")
    assert load_questions(tmp_path) == list(FALLBACK_QUESTIONS)
    assert load_questions(tmp_path / "missing") == list(FALLBACK_QUESTIONS)


# --- what a follow-up keeps --------------------------------------------------------------------


def test_answers_risks_and_new_actions_are_kept_and_the_employee_told(
    db: Database, service: FollowUpService
) -> None:
    assessment_id = assessment(db)
    recorded = service.record(
        person("maria.berg"),
        TODAY,
        "continue",
        risk_assessment_id=assessment_id,
        answers=[
            FollowUpAnswer("Arbetsmiljö", "Hur fungerar arbetsplatsen?", "  Bra,   ny stol "),
            FollowUpAnswer("Informationssäkerhet", "Följs reglerna?", "ok"),
        ],
        risks="Nackont",
        actions=[Action("Beställa laptopställ", "Anna Andersson", TODAY + timedelta(days=14))],
        notes="Tas upp igen i maj.",
    )
    assert recorded.notes == (
        "Arbetsmiljö:\n- Hur fungerar arbetsplatsen? Bra, ny stol\n\n"
        "Informationssäkerhet:\n- Följs reglerna? ok\n\n"
        "Nya risker: Nackont\n\nAnteckningar: Tas upp igen i maj."
    )
    with db.session() as session:
        item = session.scalar(select(ActionItem).where(ActionItem.text == "Beställa laptopställ"))
        assert item is not None and item.owner_id == "anna.andersson"
        [created] = session.scalars(select(ActionEvent).where(ActionEvent.action_id == item.id))
        assert (created.event, created.detail) == ("created", "vid uppföljningen 2027-03-01")
        [notice] = session.scalars(select(Notification))
    assert notice.recipient_id == "anna.andersson"
    assert "Maria Berg har registrerat uppföljningen" in notice.text
    assert "1 nya åtgärder" in notice.text and "Nästa uppföljning senast 2028-03-01" in notice.text


def test_new_actions_need_a_documented_assessment_and_a_date_to_come(
    db: Database, service: FollowUpService
) -> None:
    agreement_id = add_agreement(db)
    soon = [Action("Ny stol", "Maria Berg", TODAY + timedelta(days=5))]
    with pytest.raises(Refused) as refused:
        service.record(
            person("maria.berg"), TODAY, "continue", agreement_id=agreement_id, actions=soon
        )
    assert (refused.value.status, refused.value.code) == (409, "no_action_plan")
    late = [Action("Ny stol", "Maria Berg", TODAY - timedelta(days=1))]
    with pytest.raises(Refused) as refused:
        service.record(
            person("maria.berg"), TODAY, "continue", risk_assessment_id=assessment(db), actions=late
        )
    assert (refused.value.status, refused.value.code) == (422, "due_in_the_past")
    assert refused.value.text and refused.value.text_en


def test_what_a_manager_may_follow_up(db: Database, service: FollowUpService) -> None:
    assessment_id = assessment(db, follow_up_on=TODAY)
    agreement_id = add_agreement(db, employee_id="erik.ek", manager_id="johan.lind")
    maria, johan = person("maria.berg"), person("johan.lind")

    annas = service.subject_for(maria, "anna.andersson")
    assert annas is not None and annas.assessment is not None and annas.agreement is None
    assert annas.assessment.id == assessment_id
    assert service.subject_for(johan, "anna.andersson") is None
    eriks = service.subject_for(person("hanna.holm"), "erik.ek")
    assert eriks is not None and eriks.agreement is not None
    assert eriks.agreement.id == agreement_id
    assert service.employees_to_follow_up(maria) == ["anna.andersson"]
    assert service.employees_to_follow_up(person("hanna.holm")) == ["anna.andersson", "erik.ek"]
    assert service.subject_for(person("anna.andersson"), "anna.andersson") is None


def test_the_reminders_say_what_to_write(db: Database) -> None:
    assessment(db, follow_up_on=TODAY)
    add_agreement(db, decided_at=datetime(2026, 2, 1, 12, tzinfo=Clock().time_zone))
    region = load_region(PROJECT_ROOT / "regions", "vastmanland")
    assert run(db, region).notices == 2
    with db.session() as session:
        texts = [n.text for n in session.scalars(select(Notification))]
    assert all(follow_up_hint("Anna Andersson") in text for text in texts)
    assert "Skriv ”följ upp distansarbetet med Anna Andersson” i chatten" in texts[0]


def test_an_action_reminder_says_to_write_visa_atgarder(db: Database) -> None:
    assessment(db, actions=[("Höj skärmen", "Anna Andersson", TODAY)])
    region = load_region(PROJECT_ROOT / "regions", "vastmanland")
    run(db, region)
    with db.session() as session:
        texts = [n.text for n in session.scalars(select(Notification))]
    assert len(texts) == 2 and all("”visa åtgärder”" in text for text in texts)
