"""The review queue: masked on the way in, grouped by meaning, turned into alternates or a draft
entry, figures per entry version, retention, erasure, and an audit record for every change."""

import hashlib
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import select

from bot.chat import BotMessage
from bot.errors import Refused
from bot.faq.answering import FaqAnswerer
from bot.faq.content import load_faq
from bot.faq.embeddings import EmbeddingCache
from bot.faq.index import FaqIndex
from bot.faq.lexical import SwedishAnalyzer
from bot.hr.erase import erase_user
from bot.hr.figures import entry_figures
from bot.hr.queue import ReviewDesk, group_questions
from bot.hr.recording import UsageRecorder, user_key
from bot.hr.retention import purge_older_than
from bot.identity import demo_directory
from bot.regions import load_region
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import AuditRecord, FaqUsageEvent, Notification, ReviewItem
from tests.conftest import CharTrigramEncoder
from tests.unit.trackers import SEAL

EDITOR = demo_directory().get("henrik.hall")
ADMIN = demo_directory().get("hanna.holm")
IDENTITY_NUMBER = "19811218-9876"
EMAIL = "anna.andersson@example.org"
PHONE = "070-123 45 67"


@pytest.fixture
def faq_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "faq"
    shutil.copytree(PROJECT_ROOT / "faq", copy)
    return copy


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path}/hr.db")
    database.migrate()
    return database


@pytest.fixture(scope="module")
def analyzer() -> SwedishAnalyzer:
    """Loading spaCy's Swedish tokenizer takes seconds; the index over each test's files not."""
    return SwedishAnalyzer(load_faq(PROJECT_ROOT / "faq").synonyms)


@pytest.fixture
def answerer(faq_dir: Path, tmp_path: Path, analyzer: SwedishAnalyzer) -> FaqAnswerer:
    entries = load_faq(faq_dir).for_region("vastmanland")
    cache = EmbeddingCache(tmp_path / "cache", "test-char-trigrams")
    region = load_region(PROJECT_ROOT / "regions", "vastmanland")
    return FaqAnswerer(FaqIndex(entries, CharTrigramEncoder(), cache, analyzer), region)


@pytest.fixture
def recorder(db: Database, answerer: FaqAnswerer) -> UsageRecorder:
    return UsageRecorder(db, lambda: answerer)


@pytest.fixture
def desk(db: Database, faq_dir: Path) -> ReviewDesk:
    return ReviewDesk(db, faq_dir, "vastmanland", lambda: CharTrigramEncoder())


def unknown(text: str = "Det har jag tyvärr inget svar på.") -> list[BotMessage]:
    return [BotMessage(text=text, kind="unknown")]


def queue_items(db: Database) -> list[ReviewItem]:
    with db.session() as session:
        return list(session.scalars(select(ReviewItem).order_by(ReviewItem.id)).all())


def audit(db: Database) -> list[AuditRecord]:
    with db.session() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_identity_numbers_emails_and_phone_numbers_are_never_stored(
    recorder: UsageRecorder, db: Database, tmp_path: Path
) -> None:
    question = (
        f"Jag heter Anna, personnummer {IDENTITY_NUMBER}, mejla {EMAIL} eller ring {PHONE}: "
        "får jag jobba från Spanien?"
    )
    recorder.record_turn("anna.andersson", question, unknown())
    recorder.record_feedback("anna.andersson", "c-1", "fritidsbostad", question, helpful=False)

    items = queue_items(db)
    assert [i.reason for i in items] == ["low_confidence", "thumbs_down"]
    db.dispose()
    stored = (tmp_path / "hr.db").read_bytes()
    for secret in (IDENTITY_NUMBER, "811218-9876", "8112189876", EMAIL, PHONE, "0701234567"):
        assert secret.encode() not in stored, secret
    assert all("får jag jobba från Spanien?" in i.question for i in items)
    assert b"anna.andersson" not in stored


def test_unsure_replies_are_queued_and_answers_counted(
    recorder: UsageRecorder, db: Database
) -> None:
    recorder.record_turn(
        "erik.ek",
        "kan man jobba i stugan",
        [BotMessage(text="Menade du …?", kind="clarify")],
    )
    recorder.record_turn(
        "erik.ek",
        '/choose_faq{"faq_id":"fritidsbostad"}',
        [BotMessage(text="Ja …", kind="answer", faq_id="fritidsbostad")],
    )
    recorder.record_turn("erik.ek", "/cancel", unknown())
    recorder.record_turn("erik.ek", "jag vill ansöka", [BotMessage(text="Hur stor andel?")])

    assert [(i.question, i.reason) for i in queue_items(db)] == [
        ("kan man jobba i stugan", "clarified")
    ]
    with db.session() as session:
        events = session.scalars(select(FaqUsageEvent)).all()
    assert [(e.faq_id, e.kind) for e in events] == [("fritidsbostad", "served")]


def test_a_second_vote_replaces_the_first_and_queues_once(
    recorder: UsageRecorder, db: Database
) -> None:
    first = recorder.record_feedback("erik.ek", "c-1", "kostnader", "vem betalar?", False)
    again = recorder.record_feedback("erik.ek", "c-1", "kostnader", "vem betalar?", False)
    changed = recorder.record_feedback("erik.ek", "c-1", "kostnader", "vem betalar?", True)
    assert (first.queued, again.queued, changed.queued) == (True, False, False)
    with db.session() as session:
        votes = session.scalars(select(FaqUsageEvent)).all()
    assert [v.kind for v in votes] == ["helpful"]
    assert len(queue_items(db)) == 1


def test_similar_questions_are_grouped_with_counts_and_a_central_label() -> None:
    questions = [
        "Får jag jobba från Spanien?",
        "Vem betalar min internetuppkoppling?",
        "får jag jobba från spanien i sommar",
        "Får jag arbeta från Spanien?",
        "Hur bokar jag parkering?",
    ]
    items = [
        ReviewItem(id=i + 1, question=q, reason="low_confidence") for i, q in enumerate(questions)
    ]
    groups = group_questions(items, CharTrigramEncoder(), similarity=0.7)
    assert [(g.label, len(g.items)) for g in groups] == [
        ("Får jag jobba från Spanien?", 3),
        ("Hur bokar jag parkering?", 1),
        ("Vem betalar min internetuppkoppling?", 1),
    ]
    assert sorted(i.id for i in groups[0].items) == [1, 3, 4]


def queue(recorder: UsageRecorder, *questions: str, user: str = "anna.andersson") -> list[int]:
    for question in questions:
        recorder.record_turn(user, question, unknown())
    return [i.id for i in queue_items(recorder._db) if i.question in questions]


def test_a_group_becomes_alternates_of_an_entry_and_the_rest_of_the_file_is_unchanged(
    recorder: UsageRecorder, desk: ReviewDesk, faq_dir: Path, db: Database
) -> None:
    ids = queue(
        recorder,
        "får jag jobba i stugan i sommar",
        "kan jag jobba från fritidshuset: hela juli?",
        "Får jag jobba från sommarstugan?",  # already an alternate
    )
    path = faq_dir / "fritidsbostad.md"
    before = path.read_bytes()

    result = desk.add_alternates(EDITOR, ids, "fritidsbostad")

    assert result["added"] == [
        "får jag jobba i stugan i sommar",
        "kan jag jobba från fritidshuset: hela juli?",
    ]
    assert result["skipped"] == ["Får jag jobba från sommarstugan?"]
    after = path.read_bytes()
    old_lines, new_lines = before.decode().splitlines(), after.decode().splitlines()
    assert [line for line in new_lines if line not in old_lines] == [
        "  - får jag jobba i stugan i sommar",
        '  - "kan jag jobba från fritidshuset: hela juli?"',
    ]
    assert [line for line in new_lines if line in old_lines] == old_lines
    entry = next(e for e in load_faq(faq_dir).entries if e.id == "fritidsbostad")
    assert entry.alternates[-2:] == (
        "får jag jobba i stugan i sommar",
        "kan jag jobba från fritidshuset: hela juli?",
    )
    assert {i.status for i in queue_items(db)} == {"resolved"}
    records = audit(db)
    file_records = [r for r in records if r.target == "faq/fritidsbostad.md"]
    assert len(file_records) == 1
    assert file_records[0].before_hash == hashlib.sha256(before).hexdigest()
    assert file_records[0].after_hash == sha(path)
    assert (file_records[0].actor_id, file_records[0].role) == ("henrik.hall", "hr_editor")
    assert sorted(r.target for r in records if r.action == "review_item_resolved") == sorted(
        f"review_item:{i}" for i in ids
    )


def test_an_unknown_entry_or_a_handled_item_changes_nothing(
    recorder: UsageRecorder, desk: ReviewDesk, faq_dir: Path, db: Database
) -> None:
    ids = queue(recorder, "får jag jobba i stugan i sommar")
    with pytest.raises(Refused) as missing:
        desk.add_alternates(EDITOR, ids, "finns-inte")
    assert missing.value.code == "unknown_faq_id"
    desk.close_item(ADMIN, ids[0], "discarded", "spam")
    before = (faq_dir / "fritidsbostad.md").read_bytes()
    with pytest.raises(Refused) as closed:
        desk.add_alternates(EDITOR, ids, "fritidsbostad")
    assert closed.value.code == "review_item_closed"
    assert (faq_dir / "fritidsbostad.md").read_bytes() == before
    assert [r.action for r in audit(db)] == ["review_item_discarded"]


def test_a_group_becomes_a_draft_that_is_never_served(
    recorder: UsageRecorder, desk: ReviewDesk, faq_dir: Path, db: Database
) -> None:
    ids = queue(
        recorder, "Får jag ta med hunden hem?", "får min hund vara med när jag jobbar hemma"
    )
    result = desk.draft_entry(
        EDITOR,
        ids,
        "hund-hemma",
        "Får jag ha hunden hos mig när jag arbetar hemma?",
        "place",
        date(2026, 12, 1),
    )
    path = faq_dir / "hund-hemma.md"
    assert result["file"] == "faq/hund-hemma.md"
    content = load_faq(faq_dir)
    assert "hund-hemma" not in {e.id for e in content.entries}
    draft = next(e for e in content.drafts if e.id == "hund-hemma")
    assert draft.alternates == (
        "Får jag ta med hunden hem?",
        "får min hund vara med när jag jobbar hemma",
    )
    assert (draft.owner, draft.source, draft.review_by) == (
        "HR-avdelningen",
        "UTKAST: ange källdokument",
        date(2027, 12, 1),
    )
    assert draft.answer.startswith("UTKAST")
    assert content.problems == []
    created = [r for r in audit(db) if r.action == "faq_draft_created"]
    assert len(created) == 1 and created[0].before_hash is None
    assert created[0].after_hash == sha(path)

    more = queue(recorder, "hund på hemmakontoret?")
    with pytest.raises(Refused) as taken:
        desk.draft_entry(EDITOR, more, "hund-hemma", "Hund?", "place", date(2026, 12, 1))
    assert taken.value.code == "faq_id_taken"
    with pytest.raises(Refused) as existing:
        desk.draft_entry(EDITOR, more, "fritidsbostad", "Hund?", "place", date(2026, 12, 1))
    assert existing.value.code == "faq_id_taken"
    with pytest.raises(Refused) as topic:
        desk.draft_entry(EDITOR, more, "hund-2", "Hund?", "pets", date(2026, 12, 1))
    assert topic.value.code == "unknown_topic"
    assert not (faq_dir / "hund-2.md").exists()


@pytest.mark.parametrize("entry_id", ["../x", "..%2fx", "/etc/passwd", "x/../../y", "X", "a\x00b"])
def test_a_draft_id_that_is_not_a_plain_name_is_refused(
    recorder: UsageRecorder, desk: ReviewDesk, faq_dir: Path, entry_id: str
) -> None:
    ids = queue(recorder, "en fråga")
    before = sorted(p.name for p in faq_dir.parent.rglob("*"))
    with pytest.raises(Refused) as refused:
        desk.draft_entry(EDITOR, ids, entry_id, "Fråga?", "place", date(2026, 12, 1))
    assert refused.value.code == "invalid_file_name"
    assert sorted(p.name for p in faq_dir.parent.rglob("*")) == before


def test_figures_count_since_the_entry_was_last_edited(
    recorder: UsageRecorder, desk: ReviewDesk, answerer: FaqAnswerer, db: Database
) -> None:
    served = [BotMessage(text="Ja", kind="answer", faq_id="fritidsbostad")]
    recorder.record_turn("anna.andersson", "stugan?", served)
    recorder.record_turn("erik.ek", "stugan?", served)
    recorder.record_feedback("erik.ek", "c-1", "fritidsbostad", "stugan?", helpful=False)

    def figures() -> dict[str, object]:
        with db.session() as session:
            rows = entry_figures(session, answerer.index.entries)
        return next(r for r in rows if r["faq_id"] == "fritidsbostad")

    row = figures()
    assert row["current_version"] == {"served": 2, "helpful": 0, "not_helpful": 1}
    assert row["since"]["edited_by"] is None  # type: ignore[index]

    ids = [i.id for i in queue_items(db)]
    desk.add_alternates(EDITOR, ids, "fritidsbostad", ["kan jag jobba i stugan"])
    recorder.record_turn("anna.andersson", "stugan?", served)

    row = figures()
    assert row["current_version"] == {"served": 1, "helpful": 0, "not_helpful": 0}
    assert row["all_versions"] == {"served": 3, "helpful": 0, "not_helpful": 1}
    assert row["since"]["edited_by"] == "henrik.hall"  # type: ignore[index]


def make_tracker_store(path: Path, events: list[tuple[str, float, dict[str, object]]]) -> str:
    url = f"sqlite:///{path}"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,"
                " type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),"
                " action_name VARCHAR(255), data TEXT)"
            )
        )
        for sender, timestamp, data in events:
            connection.execute(
                sqlalchemy.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data)"
                    " VALUES (:s, :t, :ts, :d)"
                ),
                {
                    "s": sender,
                    "t": data.get("event", "user"),
                    "ts": timestamp,
                    "d": json.dumps(data),
                },
            )
    engine.dispose()
    return url


def tracker_senders(url: str) -> list[tuple[str, float]]:
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sqlalchemy.text("SELECT sender_id, timestamp FROM events ORDER BY id")
        ).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


def test_retention_deletes_only_what_is_older_than_the_limit(db: Database, tmp_path: Path) -> None:
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    old, recent = now - timedelta(days=91), now - timedelta(days=89)
    with db.session() as session:
        for at, text in ((old, "gammal"), (recent, "ny")):
            session.add(
                ReviewItem(question=text, reason="low_confidence", user_key="k", created_at=at)
            )
            session.add(
                FaqUsageEvent(faq_id=text, kind="served", entry_version="v", user_key="k", at=at)
            )
        session.add(
            AuditRecord(actor_id="henrik.hall", role="hr_editor", action="x", target="y", at=old)
        )
    tracker = make_tracker_store(
        tmp_path / "tracker.db",
        [
            ("old", old.timestamp(), {"event": "user"}),
            ("new", recent.timestamp(), {"event": "user"}),
        ],
    )

    purged = purge_older_than(db, 90, now, tracker)

    assert (purged.review_items, purged.usage_events, purged.conversation_events) == (1, 1, 1)
    assert [i.question for i in queue_items(db)] == ["ny"]
    with db.session() as session:
        assert session.scalars(select(FaqUsageEvent.faq_id)).all() == ["ny"]
    assert len(audit(db)) == 1  # the audit trail is kept
    assert [s for s, _ in tracker_senders(tracker)] == ["new"]


def test_erasure_removes_one_users_data_only_and_is_audited(
    recorder: UsageRecorder, db: Database, tmp_path: Path
) -> None:
    served = [BotMessage(text="Ja", kind="answer", faq_id="fritidsbostad")]
    for user in ("anna.andersson", "erik.ek"):
        recorder.record_turn(user, f"fråga från {user[:4]}", unknown())
        recorder.record_turn(user, "stugan?", served)
        recorder.record_feedback(user, "c-1", "fritidsbostad", "stugan?", helpful=False)
    with db.session() as session:
        session.add(Notification(recipient_id="anna.andersson", text="Beslut"))
        session.add(Notification(recipient_id="erik.ek", text="Beslut"))
    tracker = make_tracker_store(
        tmp_path / "tracker.db",
        [
            (
                "conv-anna",
                1.0,
                {"event": "user", "metadata": SEAL.metadata("anna.andersson", "conv-anna")},
            ),
            ("conv-anna", 2.0, {"event": "bot", "text": "svar"}),
            (
                "conv-erik",
                3.0,
                {"event": "user", "metadata": SEAL.metadata("erik.ek", "conv-erik")},
            ),
            (
                "conv-anna2",
                4.0,
                {"event": "user", "metadata": SEAL.metadata("anna.andersson2", "conv-anna2")},
            ),
        ],
    )

    erased = erase_user(db, "anna.andersson", "hanna.holm", "hr_admin", tracker, SEAL)

    assert (erased.review_items, erased.usage_events, erased.notifications) == (2, 2, 1)
    assert erased.conversation_events == 2
    assert {i.user_key for i in queue_items(db)} == {user_key("erik.ek")}
    with db.session() as session:
        assert set(session.scalars(select(FaqUsageEvent.user_key)).all()) == {user_key("erik.ek")}
        assert session.scalars(select(Notification.recipient_id)).all() == ["erik.ek"]
    assert [s for s, _ in tracker_senders(tracker)] == ["conv-erik", "conv-anna2"]
    record = audit(db)[-1]
    assert (record.action, record.actor_id, record.role) == (
        "user_erased",
        "hanna.holm",
        "hr_admin",
    )
    assert record.target == f"user:{user_key('anna.andersson')}"
    assert "anna.andersson" not in (record.detail or "")


def test_resolving_and_discarding_write_one_audit_record_each(
    recorder: UsageRecorder, desk: ReviewDesk, db: Database
) -> None:
    ids = queue(recorder, "första frågan", "andra frågan")
    desk.close_item(ADMIN, ids[0], "resolved", "besvarad i intranätet")
    desk.close_item(ADMIN, ids[1], "discarded", "")
    items = queue_items(db)
    assert [(i.status, i.resolution, i.resolved_by) for i in items] == [
        ("resolved", "besvarad i intranätet", "hanna.holm"),
        ("discarded", "discarded", "hanna.holm"),
    ]
    records = audit(db)
    assert [(r.action, r.target) for r in records] == [
        ("review_item_resolved", f"review_item:{ids[0]}"),
        ("review_item_discarded", f"review_item:{ids[1]}"),
    ]
    assert all(r.before_hash and r.after_hash and r.before_hash != r.after_hash for r in records)
    with pytest.raises(Refused) as again:
        desk.close_item(ADMIN, ids[0], "discarded", "")
    assert again.value.code == "review_item_closed"
    with pytest.raises(Refused) as missing:
        desk.close_item(ADMIN, 9999, "discarded", "")
    assert missing.value.code == "review_item_not_found"


def test_the_erasure_command_prints_what_it_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.hr import erase
    from bot.settings import get_settings

    url = f"sqlite:///{tmp_path}/cli.db"
    database = Database(url)
    database.migrate()
    with database.session() as session:
        session.add(ReviewItem(question="q", reason="low_confidence", user_key=user_key("erik.ek")))
    database.dispose()
    tracker = make_tracker_store(
        tmp_path / "tracker.db",
        [("conv", 1.0, {"event": "user", "metadata": SEAL.metadata("erik.ek", "conv")})],
    )
    monkeypatch.setenv("DG_ACTION_TOKEN", "test-token")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DG_DATABASE_URL", url)
    monkeypatch.setenv("DG_RASA_TRACKER_STORE_URL", tracker)
    get_settings.cache_clear()
    try:
        status = erase.main(["erik.ek", "--by", "hanna.holm"])
    finally:
        get_settings.cache_clear()

    assert status == 0
    out = capsys.readouterr().out
    assert "review_items: 1" in out and "conversation_events: 1" in out
    assert "distansöverenskommelser och riskbedömningar" in out
    database = Database(url)
    assert [(r.action, r.role) for r in audit(database)] == [("user_erased", "hr_admin")]
    database.dispose()


def test_a_file_the_validator_rejects_is_not_written(
    recorder: UsageRecorder, db: Database, faq_dir: Path
) -> None:
    from bot.hr.entries import EntryEditError

    def reject(text: str, path: Path) -> None:
        raise EntryEditError(f"{path.name}: alternates must be questions")

    strict = ReviewDesk(db, faq_dir, "vastmanland", lambda: CharTrigramEncoder(), reject)
    ids = queue(recorder, "stugan i juli")
    before = tree_of(faq_dir)
    with pytest.raises(Refused) as refused:
        strict.add_alternates(EDITOR, ids, "fritidsbostad")
    assert refused.value.code == "faq_edit_invalid"
    with pytest.raises(Refused):
        strict.draft_entry(EDITOR, ids, "stugan", "Stugan?", "place", date(2026, 12, 1))
    assert tree_of(faq_dir) == before
    assert {i.status for i in queue_items(db)} == {"open"}
    assert audit(db) == []


def tree_of(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}
