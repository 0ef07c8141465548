"""HR's FAQ editor without the API: the checker's messages at the fields, saves that refuse a
file changed meanwhile or with errors, versions (edits outside the editor included), restore,
the audit trail, and the file put back when the records cannot be committed."""

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.faq.check import known_regions
from bot.faq.entry_file import parse_entry, read_entry_file
from bot.hr.editor import FaqEditor
from bot.hr.entry_check import NearDuplicates, VectorMemo
from bot.hr.faq_form import EntryForm, form_of
from bot.hr.files import content_hash
from bot.hr.versions import line_diff
from bot.identity import load_directory
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import AuditRecord, FaqEntryVersion
from tests.conftest import CharTrigramEncoder

TODAY = date(2026, 12, 1)
EDITOR = load_directory().get("henrik.hall")
NEW = EntryForm(
    id="parkering-hemma",
    question="Får jag ersättning för parkering när jag arbetar hemifrån?",
    alternates=("betalar jobbet min parkering?",),
    topic="costs",
    region="vastmanland",
    source="Frågor och svar – distansarbete inom Region Västmanland",
    owner="HR-avdelningen",
    reviewed="2026-11-22",
    review_by="2027-11-22",
    answer="Nej, parkering ersätts inte.",
)


@pytest.fixture
def faq_dir(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "faq", tmp_path / "faq")
    return tmp_path / "faq"


@pytest.fixture
def editor(db: Database, faq_dir: Path) -> FaqEditor:
    return FaqEditor(db, faq_dir, known_regions(PROJECT_ROOT / "regions"), TODAY)


def opened_form(editor: FaqEditor, entry_id: str) -> tuple[EntryForm, str]:
    opened = editor.open(entry_id)
    assert opened.form is not None
    return opened.form, opened.content_hash


def audit(db: Database) -> list[tuple[str, str, str | None, str | None]]:
    with db.session() as session:
        return [
            (r.actor_id, r.action, r.before_hash, r.after_hash)
            for r in session.scalars(select(AuditRecord).order_by(AuditRecord.id))
        ]


def test_a_shared_question_is_an_error_at_that_alternate(editor: FaqEditor) -> None:
    form = replace(NEW, alternates=(*NEW.alternates, "Får jag jobba från sommarstugan?"))
    (message,) = editor.check(form)
    assert (message.field, message.item, message.rule) == ("alternates", 1, "shared-alternate")
    assert message.severity == "error"
    assert "fritidsbostad" in message.sv


def test_each_field_error_is_placed_at_its_field(editor: FaqEditor) -> None:
    form = replace(NEW, question="", review_by="2026-01-01", answer="")
    placed = {(m.field, m.rule) for m in editor.check(form)}
    assert placed == {
        ("question", "missing-field"),
        ("review_by", "review-order"),
        ("answer", "empty-answer"),
    }


def test_an_id_that_is_no_file_name_is_named_at_the_id(editor: FaqEditor) -> None:
    (message,) = editor.check(replace(NEW, id="../../etc/passwd"))
    assert (message.field, message.rule) == ("id", "wrong-type")
    with pytest.raises(Refused) as refused:
        editor.save(EDITOR, replace(NEW, id="../../etc/passwd"), None)
    assert refused.value.status == 422


def test_editing_an_entry_does_not_conflict_with_its_own_file(editor: FaqEditor) -> None:
    form, _ = opened_form(editor, "fritidsbostad")
    assert editor.check(form, editing="fritidsbostad") == []
    # As a new entry it would clash with the file it came from.
    rules = {m.rule for m in editor.check(replace(form, id="fritidsbostad-kopia"))}
    assert rules == {"shared-alternate"}


def test_a_passed_review_date_and_a_near_duplicate_are_warnings(
    db: Database, faq_dir: Path, tmp_path: Path
) -> None:
    near = NearDuplicates(CharTrigramEncoder(), VectorMemo(tmp_path, "test"), 0.8)
    editor = FaqEditor(db, faq_dir, None, TODAY, near)
    form = replace(
        NEW,
        alternates=("Får jag jobba från sommarstugan, alltså?",),
        reviewed="2025-01-01",
        review_by="2026-06-01",
    )
    messages = editor.check(form)
    assert {(m.field, m.rule, m.severity) for m in messages} == {
        ("review_by", "review-overdue", "warning"),
        ("alternates", "near-duplicate", "warning"),
    }
    # Warnings do not stop a save.
    saved = editor.save(EDITOR, form, None)
    assert saved.changed and len(saved.warnings) == 2


def test_a_new_entry_is_written_versioned_and_audited(
    editor: FaqEditor, faq_dir: Path, db: Database
) -> None:
    saved = editor.save(EDITOR, NEW, None)
    path = faq_dir / "parkering-hemma.md"
    entry = parse_entry(path.read_text(encoding="utf-8"))
    assert entry.question == NEW.question and entry.topic == "costs"
    assert saved.content_hash == content_hash(path.read_bytes())
    assert audit(db) == [("henrik.hall", "faq_entry_created", None, saved.content_hash)]
    _, versions = editor.history("parkering-hemma")
    assert [(v.origin, v.actor_id) for v in versions] == [("created", "henrik.hall")]
    with pytest.raises(Refused) as taken:
        editor.save(EDITOR, NEW, None)
    assert (taken.value.status, taken.value.code) == (409, "faq_id_taken")


def test_a_save_over_someone_elses_save_is_refused(editor: FaqEditor, faq_dir: Path) -> None:
    form, loaded = opened_form(editor, "kostnader")
    first = editor.save(EDITOR, replace(form, owner="Lönegruppen"), loaded, "kostnader")
    with pytest.raises(Refused) as changed:
        editor.save(EDITOR, replace(form, owner="IT-avdelningen"), loaded, "kostnader")
    assert (changed.value.status, changed.value.code) == (409, "faq_entry_changed")
    assert "ändrats av någon annan" in changed.value.text
    assert content_hash((faq_dir / "kostnader.md").read_bytes()) == first.content_hash


def test_a_save_with_errors_is_refused_and_leaves_the_file(
    editor: FaqEditor, faq_dir: Path, db: Database
) -> None:
    before = (faq_dir / "kostnader.md").read_bytes()
    form, loaded = opened_form(editor, "kostnader")
    with pytest.raises(Refused) as invalid:
        editor.save(EDITOR, replace(form, source=""), loaded, "kostnader")
    assert (invalid.value.status, invalid.value.code) == (422, "faq_entry_invalid")
    assert "'source' saknas" in invalid.value.text
    assert (faq_dir / "kostnader.md").read_bytes() == before
    assert audit(db) == []


def test_an_edit_outside_the_editor_becomes_a_version_and_restore_brings_back_any(
    editor: FaqEditor, faq_dir: Path, db: Database
) -> None:
    path = faq_dir / "sjukdom.md"
    original = path.read_bytes()
    form, loaded = opened_form(editor, "sjukdom")
    editor.save(EDITOR, replace(form, answer="Andra versionen."), loaded, "sjukdom")
    # Someone edits the file by hand.
    path.write_text(path.read_text(encoding="utf-8") + "\nTillagt i filen.\n", encoding="utf-8")
    current, versions = editor.history("sjukdom")
    assert [v.origin for v in versions] == ["found", "saved", "found"]
    assert versions[0].content == path.read_text(encoding="utf-8")
    assert versions[-1].content_hash == content_hash(original)

    restored = editor.restore(EDITOR, "sjukdom", versions[-1].id, current)
    assert path.read_bytes() == original
    assert restored.changed
    actions = [action for _, action, _, _ in audit(db)]
    assert actions == ["faq_entry_saved", "faq_entry_found", "faq_entry_restored"]
    _, after = editor.history("sjukdom")
    assert (after[0].origin, after[0].restored_from) == ("restored", versions[-1].id)

    with pytest.raises(Refused) as stale:
        editor.restore(EDITOR, "sjukdom", versions[1].id, current)
    assert stale.value.code == "faq_entry_changed"


def test_a_version_that_would_conflict_now_is_not_restored(
    editor: FaqEditor, faq_dir: Path
) -> None:
    form, loaded = opened_form(editor, "sjukdom")
    shared = "Kan jag jobba hemma när jag är förkyld?"
    first = editor.save(
        EDITOR, replace(form, alternates=(*form.alternates, shared)), loaded, "sjukdom"
    )
    second = editor.save(EDITOR, form, first.content_hash, "sjukdom")
    # The wording now belongs to another entry.
    other, other_hash = opened_form(editor, "kostnader")
    editor.save(
        EDITOR, replace(other, alternates=(*other.alternates, shared)), other_hash, "kostnader"
    )
    with pytest.raises(Refused) as conflict:
        editor.restore(EDITOR, "sjukdom", first.version_id or 0, second.content_hash)
    assert conflict.value.status == 422
    assert "kostnader.md" in conflict.value.text


def test_the_file_is_put_back_when_the_records_cannot_be_committed(
    editor: FaqEditor, faq_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (faq_dir / "olycka.md").read_bytes()
    form, loaded = opened_form(editor, "olycka")

    def failing_commit(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("database went away"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    with pytest.raises(OperationalError):
        editor.save(EDITOR, replace(form, owner="Någon annan"), loaded, "olycka")
    assert (faq_dir / "olycka.md").read_bytes() == before
    with pytest.raises(OperationalError):
        editor.save(EDITOR, NEW, None)
    assert not (faq_dir / "parkering-hemma.md").exists()


def test_entries_due_for_review_are_the_published_ones_within_the_days_or_late(
    editor: FaqEditor, faq_dir: Path
) -> None:
    editor.save(EDITOR, replace(NEW, reviewed="2025-11-01", review_by="2026-11-01"), None)
    draft = replace(
        NEW,
        id="utkast",
        question="Ett utkast?",
        alternates=("utkast?",),
        status="draft",
        reviewed="2025-11-01",
        review_by="2026-11-01",
    )
    editor.save(EDITOR, draft, None)
    soon = replace(
        NEW, id="snart", question="Snart?", alternates=("snart granskad?",), review_by="2026-12-20"
    )
    editor.save(EDITOR, soon, None)
    due = {(row.id, row.days_left) for row in editor.summaries(due_within_days=30)}
    assert due == {("parkering-hemma", -30), ("snart", 19)}
    assert {row.id for row in editor.summaries(due_within_days=0)} == {"parkering-hemma"}
    assert len(editor.summaries()) == len(list(faq_dir.glob("[a-z]*.md")))


def test_a_file_with_errors_is_listed_and_opens_with_its_problems(
    editor: FaqEditor, faq_dir: Path
) -> None:
    path = faq_dir / "support-hemma.md"
    path.write_text(path.read_text(encoding="utf-8").replace("owner:", "ägare:"), "utf-8")
    row = next(r for r in editor.summaries() if r.id == "support-hemma")
    assert row.has_errors and row.question
    opened = editor.open("support-hemma")
    assert {m.rule for m in opened.messages} == {"unknown-field", "missing-field"}
    assert opened.form is not None and opened.form.owner == ""
    with pytest.raises(Refused) as missing:
        editor.open("finns-inte")
    assert missing.value.status == 404


def test_a_hand_written_impossible_date_is_an_error_not_a_crash() -> None:
    text = (PROJECT_ROOT / "faq" / "olycka.md").read_text(encoding="utf-8")
    broken = text.replace("review_by: 2027-11-22", "review_by: 2027-13-01")
    checked = read_entry_file(broken, None)
    (message,) = checked.messages
    assert message.rule == "invalid-date"
    assert broken.splitlines()[message.line - 1] == "review_by: 2027-13-01"
    assert form_of(broken) is None


def test_the_diff_keeps_every_line_in_reading_order() -> None:
    lines = line_diff("a\nb\nc\n", "a\nB\nc\nd\n")
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "B"),
        ("same", "c"),
        ("added", "d"),
    ]


def test_opening_the_same_file_twice_records_one_version(editor: FaqEditor, db: Database) -> None:
    editor.open("omfattning")
    editor.open("omfattning")
    with db.session() as session:
        stored = session.scalars(
            select(FaqEntryVersion).where(FaqEntryVersion.entry_id == "omfattning")
        ).all()
    assert len(stored) == 1
    assert audit(db) == []
