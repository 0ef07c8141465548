"""The editor's form and the file it writes: every entry HR wrote by hand reads back the same
through the form, and each line of a file is placed at the field HR fixes it in."""

from dataclasses import replace
from pathlib import Path

import pytest

from bot.faq.entry_file import is_entry_file, parse_entry, read_entry_file
from bot.hr.faq_form import EntryDocument, EntryForm, FieldPlace, entry_document, form_of
from bot.settings import PROJECT_ROOT

ENTRY_FILES = sorted(p for p in (PROJECT_ROOT / "faq").glob("*.md") if is_entry_file(p))

FORM = EntryForm(
    id="parkering-hemma",
    question="Får jag ersättning för parkering hemma?",
    alternates=("betalar jobbet min parkering?", "  parking  when working from home  "),
    topic="costs",
    region="vastmanland",
    source="Frågor och svar – distansarbete",
    owner="HR-avdelningen",
    reviewed="2026-11-22",
    review_by="2027-11-22",
    answer="Nej.\r\n\r\n- Parkering betalas inte.",
    answer_en="No.\n\n  Parking is not paid: see below.",
)


@pytest.mark.parametrize("path", ENTRY_FILES, ids=[p.name for p in ENTRY_FILES])
def test_every_entry_reads_back_the_same_through_the_form(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    form = form_of(text)
    assert form is not None
    assert parse_entry(entry_document(form).text) == parse_entry(text)


def test_the_written_file_is_the_entry_hr_typed() -> None:
    entry = parse_entry(entry_document(FORM).text)
    assert entry.alternates == ("betalar jobbet min parkering?", "parking when working from home")
    assert entry.answer == "Nej.\n\n- Parkering betalas inte."
    # The English answer keeps its line breaks and its indented line.
    assert entry.answer_en == "No.\n\n  Parking is not paid: see below."
    assert entry.reviewed.isoformat() == "2026-11-22"
    assert not entry.draft


def test_a_draft_says_so_and_a_published_entry_has_no_status_line() -> None:
    assert "status: draft" in entry_document(replace(FORM, status="draft")).text
    assert "status:" not in entry_document(FORM).text
    assert parse_entry(entry_document(replace(FORM, status="draft")).text).draft


def test_every_line_is_placed_at_its_field() -> None:
    document = entry_document(replace(FORM, siblings=("krav-chef",)))
    lines = document.text.splitlines()
    placed = {
        lines[number - 1].split(":")[0].strip(): place
        for number, place in document.places.items()
        if ":" in lines[number - 1] and not lines[number - 1].startswith(" ")
    }
    assert placed["question"] == FieldPlace("question")
    assert placed["review_by"] == FieldPlace("review_by")
    second = lines.index("  - parking when working from home") + 1
    assert document.place_of(second) == FieldPlace("alternates", 1)
    assert document.place_of(lines.index("  No.") + 1) == FieldPlace("answer_en")
    assert document.place_of(lines.index("  - krav-chef") + 1) == FieldPlace("siblings")
    assert document.place_of(len(lines)) == FieldPlace("answer")


def test_a_mistyped_date_is_kept_for_the_checker_to_name() -> None:
    text = entry_document(replace(FORM, review_by="2027-13-01")).text
    assert 'review_by: "2027-13-01"' in text
    assert form_of(text) == replace(
        FORM,
        review_by="2027-13-01",
        alternates=("betalar jobbet min parkering?", "parking when working from home"),
        answer="Nej.\n\n- Parkering betalas inte.",
    )


def test_cues_are_written_read_back_and_kept_through_the_editor() -> None:
    text = entry_document(replace(FORM, cues=("fritidsbostad", "sommarställe"))).text
    lines = text.splitlines()
    assert lines[lines.index("cues:") + 1 : lines.index("cues:") + 3] == [
        "  - fritidsbostad",
        "  - sommarställe",
    ]
    assert parse_entry(text).cues == ("fritidsbostad", "sommarställe")
    form = form_of(text)
    assert form is not None and form.cues == ("fritidsbostad", "sommarställe")
    assert "cues:" not in entry_document(FORM).text


def test_remote_work_only_is_written_read_back_and_kept_through_the_editor() -> None:
    text = entry_document(replace(FORM, remote_work_only=True)).text
    assert "remote_work_only: true" in text.splitlines()
    assert parse_entry(text).remote_work_only is True
    form = form_of(text)
    assert form is not None and form.remote_work_only is True
    assert "remote_work_only" not in entry_document(FORM).text
    assert parse_entry(entry_document(FORM).text).remote_work_only is False


def test_a_file_whose_front_matter_cannot_be_read_has_no_form() -> None:
    assert form_of("---\nid: [unclosed\n---\nSvar\n") is None
    assert form_of("Ingen front matter\n") is None
    assert form_of("---\nid: x\n") is None


def test_lines_of_a_hand_written_file_are_placed_too() -> None:
    text = (PROJECT_ROOT / "faq" / "krav-chef.md").read_text(encoding="utf-8")
    document = EntryDocument.of(text)
    lines = text.splitlines()
    assert document.place_of(lines.index("siblings:") + 1) == FieldPlace("siblings")
    assert document.place_of(lines.index("topic: ordered_remote") + 1) == FieldPlace("topic")
    assert document.place_of(1) is None


def test_a_front_matter_yaml_cannot_read_is_a_document_without_places() -> None:
    # Found by fuzzing: control characters in the English answer made the file unreadable
    # YAML, and placing its lines failed instead of letting the checker say so.
    document = entry_document(replace(FORM, answer_en="No.\x00\u2028Yes."))
    assert document.place_of(2) is None
    checked = read_entry_file(document.text, None)
    assert [m.rule for m in checked.messages] == ["front-matter"]
