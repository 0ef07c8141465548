"""The review queue in compact groups: each wording once with how often it was asked, a whole
group closed at once (all or nothing, one audit record per question), and the group's questions
added as alternates without repeating a wording."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.errors import Refused
from bot.hr.queue import ReviewDesk, distinct_wordings, group_questions
from bot.identity import demo_directory
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import AuditRecord, ReviewItem
from tests.conftest import CharTrigramEncoder

ADMIN = demo_directory().get("hanna.holm")
EDITOR = demo_directory().get("henrik.hall")


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path}/hr.db")
    database.migrate()
    return database


@pytest.fixture
def desk(db: Database, tmp_path: Path) -> ReviewDesk:
    shutil.copytree(PROJECT_ROOT / "faq", tmp_path / "faq")
    return ReviewDesk(db, tmp_path / "faq", "vastmanland", lambda: CharTrigramEncoder())


def add(db: Database, *questions: str) -> list[int]:
    with db.session() as session:
        items = [ReviewItem(question=q, reason="low_confidence", user_key="k") for q in questions]
        session.add_all(items)
        session.flush()
        return [i.id for i in items]


def test_the_same_short_question_asked_nineteen_times_is_one_line_with_its_count() -> None:
    questions = ["Teams"] * 15 + ["teams", "Teams?", " TEAMS ", "Teams!"] + ["Hund på jobbet?"]
    items = [
        ReviewItem(id=i + 1, question=q, reason="low_confidence") for i, q in enumerate(questions)
    ]

    teams, *_ = group_questions(items, CharTrigramEncoder(), similarity=0.7)

    assert len(teams.items) == 19
    assert [(w.text, w.item_ids) for w in teams.wordings] == [("Teams", tuple(range(1, 20)))]


def test_wordings_keep_the_first_spelling_and_put_the_most_asked_first() -> None:
    items = [
        ReviewItem(id=1, question="får jag ha hund på jobbet?", reason="clarified"),
        ReviewItem(id=2, question="Får jag ta med hunden?", reason="low_confidence"),
        ReviewItem(id=3, question="Får jag ta med hunden", reason="low_confidence"),
    ]
    assert [(w.text, w.item_ids) for w in distinct_wordings(items)] == [
        ("Får jag ta med hunden?", (2, 3)),
        ("får jag ha hund på jobbet?", (1,)),
    ]


def test_an_admin_discards_a_whole_group_in_one_action_with_an_audit_record_each(
    db: Database, desk: ReviewDesk
) -> None:
    ids = add(db, "Teams", "Teams", "teams?")
    other = add(db, "Får jag jobba från Spanien?")

    closed = desk.close_items(ADMIN, ids, "discarded", "")

    assert sorted(i.id for i in closed) == ids
    with db.session() as session:
        statuses = {i.id: i.status for i in session.scalars(select(ReviewItem))}
        records = session.scalars(select(AuditRecord)).all()
    assert statuses == {
        ids[0]: "discarded",
        ids[1]: "discarded",
        ids[2]: "discarded",
        other[0]: "open",
    }
    assert sorted(r.target for r in records) == sorted(f"review_item:{i}" for i in ids)
    assert {(r.actor_id, r.role, r.action) for r in records} == {
        ("hanna.holm", "hr_admin", "review_item_discarded")
    }


def test_a_group_with_one_question_already_handled_closes_nothing(
    db: Database, desk: ReviewDesk
) -> None:
    ids = add(db, "Teams", "Teams")
    desk.close_items(ADMIN, ids[:1], "resolved", "")

    with pytest.raises(Refused) as refused:
        desk.close_items(ADMIN, ids, "discarded", "")

    assert refused.value.code == "review_item_closed"
    with db.session() as session:
        assert session.get(ReviewItem, ids[1]).status == "open"


def test_a_group_becomes_alternates_with_each_wording_once(
    db: Database, desk: ReviewDesk, tmp_path: Path
) -> None:
    ids = add(
        db,
        "kan jag jobba i stugan i juli",
        "Kan jag jobba i stugan i juli?",
        "kan jag jobba i stugan i juli",
    )

    result = desk.add_alternates(EDITOR, ids, "fritidsbostad")

    assert result["added"] == ["kan jag jobba i stugan i juli"]
    text = (tmp_path / "faq" / "fritidsbostad.md").read_text(encoding="utf-8")
    assert text.lower().count("kan jag jobba i stugan i juli") == 1
