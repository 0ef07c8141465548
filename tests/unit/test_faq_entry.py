"""One FAQ entry model: its validators refuse what `make faq-check` refuses, with the same
Swedish and English messages, and every reader of the FAQ files agrees on which entries exist."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot.faq.check import check_faq, check_file
from bot.faq.content import load_faq
from bot.faq.entry import FaqEntry, InvalidEntry, validate_entry
from bot.faq.entry_file import FaqFileError, entry_text, parse_entry
from bot.hr.entries import EntryEditError, draft_text
from bot.hr.files import UnsafeFileName, faq_file
from bot.settings import PROJECT_ROOT
from tests.unit.test_faq_check import BROKEN, REGIONS, VALID, faq_with

ENTRY_RULES = [
    ("unknown-field.md", "unknown-field"),
    ("missing-field.md", "missing-field"),
    ("wrong-type.md", "wrong-type"),
    ("invalid-date.md", "invalid-date"),
    ("review-order.md", "review-order"),
    ("unknown-region.md", "unknown-region"),
    ("empty-answer.md", "empty-answer"),
]


def front_matter_and_answer(path: Path) -> tuple[dict[str, object], str]:
    _, front_matter, answer = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front_matter), answer


@pytest.mark.parametrize(("fixture", "rule"), ENTRY_RULES)
def test_the_model_refuses_what_the_checker_refuses_in_both_languages(
    fixture: str, rule: str
) -> None:
    meta, answer = front_matter_and_answer(BROKEN / fixture)
    with pytest.raises(InvalidEntry) as refused:
        validate_entry(meta, answer, regions=REGIONS)
    (problem,) = refused.value.problems
    (message,) = check_file(BROKEN / fixture, REGIONS).messages
    assert problem.rule == message.rule == rule
    # The checker's words are the model's, in Swedish and in English.
    assert (problem.sv, problem.en) == (message.sv, message.en)
    assert problem.sv != problem.en
    with pytest.raises(FaqFileError, match=rf"\[{rule}\]"):
        parse_entry((BROKEN / fixture).read_text(encoding="utf-8"), regions=REGIONS)


def entry_fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": "hemarbete",
        "question": "Får jag arbeta hemifrån?",
        "alternates": ["kan jag jobba hemma"],
        "topic": "place",
        "region": "vastmanland",
        "source": "Testkälla",
        "owner": "HR",
        "reviewed": date(2026, 11, 22),
        "review_by": date(2027, 11, 22),
        "answer": "Ja.",
    }
    return fields | changes


@pytest.mark.parametrize(
    ("changes", "rule", "swedish", "english"),
    [
        ({"id": "Hem Arbete"}, "wrong-type", "får bara innehålla små bokstäver", "lower-case"),
        ({"id": "a" * 62}, "wrong-type", "högst 61 tecken", "at most 61 characters"),
        ({"review_by": None}, "missing-field", "Fältet 'review_by' saknas", "is missing"),
        ({"alternates": ["ok", "  "]}, "wrong-type", "alternativa frågan är tom", "alternate"),
        ({"status": "klar"}, "wrong-type", "'status' ska vara", "'status' must be"),
        ({"owner": 42}, "wrong-type", "'owner' ska vara en text", "'owner' must be text"),
        ({"siblings": "krav-chef"}, "wrong-type", "lista med id:n", "list of entry ids"),
        ({"cues": "stuga"}, "wrong-type", "'cues' ska vara en lista med ord", "list of words"),
        ({"remote_work_only": "ja"}, "wrong-type", "true eller false", "true or false"),
        ({"review_by": "snart"}, "invalid-date", "ÅÅÅÅ-MM-DD", "YYYY-MM-DD"),
        ({"answer": "  "}, "empty-answer", "Svaret saknas", "The answer is missing"),
    ],
)
def test_each_rule_says_what_to_fix_in_swedish_and_english(
    changes: dict[str, object], rule: str, swedish: str, english: str
) -> None:
    fields = entry_fields(**changes)
    answer = str(fields.pop("answer"))
    with pytest.raises(InvalidEntry) as refused:
        validate_entry(fields, answer)
    (problem,) = refused.value.problems
    assert problem.rule == rule
    assert swedish in problem.sv and english in problem.en
    # Built in code (tests, HR's drafts) the entry is held to the same rules.
    with pytest.raises(ValidationError):
        FaqEntry(**entry_fields(**changes))  # type: ignore[arg-type]


def test_every_problem_of_an_entry_is_reported_at_once() -> None:
    fields = entry_fields(id="Fel", reviewed="igår", kategori="x")
    answer = str(fields.pop("answer"))
    with pytest.raises(InvalidEntry) as refused:
        validate_entry(fields, answer)
    assert sorted(p.rule for p in refused.value.problems) == [
        "invalid-date",
        "unknown-field",
        "wrong-type",
    ]


@pytest.mark.parametrize("fixture", sorted(p.name for p in BROKEN.iterdir()))
def test_loader_and_checker_agree_on_every_fixture(tmp_path: Path, fixture: str) -> None:
    faq_dir = faq_with(tmp_path, fixture)
    report = check_faq(faq_dir, regions=REGIONS)
    content = load_faq(faq_dir, REGIONS)
    warnings_only = fixture in ("review-overdue.md", "z-near-duplicate.md")
    assert bool(report.errors) != warnings_only
    problems = sorted((p.path, p.line, p.message) for p in content.problems)
    assert problems == sorted((m.path, m.line, f"[{m.rule}] {m.en}") for m in report.errors)
    loaded = {e.path for e in [*content.entries, *content.drafts]}
    assert loaded == {f.path for f in report.files} - {m.path for m in report.errors}


def test_loader_and_checker_agree_on_the_valid_fixture_and_the_shipped_faq() -> None:
    for faq_dir in (VALID, PROJECT_ROOT / "faq"):
        regions = {p.stem for p in (PROJECT_ROOT / "regions").glob("*.yml")}
        report = check_faq(faq_dir, regions=regions)
        content = load_faq(faq_dir, regions)
        assert report.errors == [] and content.problems == []
        loaded = {e.path for e in [*content.entries, *content.drafts]}
        assert loaded == {f.path for f in report.files}


def test_an_entry_written_from_the_model_reads_back_as_the_same_entry() -> None:
    entry = parse_entry((VALID / "hemarbete.md").read_text(encoding="utf-8"))
    assert parse_entry(entry_text(entry)) == entry


def test_hr_drafts_are_held_to_the_entry_rules() -> None:
    today = date(2026, 12, 1)
    text = draft_text("hund-hemma", "Hund?", ["Får hunden vara med?"], "place", "vm", "HR", today)
    draft = parse_entry(text)
    assert draft.draft and draft.review_by == date(2027, 12, 1)
    with pytest.raises(EntryEditError) as refused:
        draft_text("hund-hemma", "Hund?", [], "", "vm", "HR", today)
    reason = str(refused.value)
    assert "[missing-field]" in reason
    assert "Fältet 'topic' saknas" in reason and "The field 'topic' is missing" in reason


def test_hr_file_names_follow_the_entry_id_rule(tmp_path: Path) -> None:
    longest = "a" * 61
    assert faq_file(tmp_path, f"{longest}.md").name == f"{longest}.md"
    with pytest.raises(UnsafeFileName):
        faq_file(tmp_path, f"{longest}a.md")
    fields = entry_fields(id=longest)
    assert validate_entry(fields, str(fields.pop("answer"))).id == longest
