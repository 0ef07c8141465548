"""`make faq-check`: each rule on a broken fixture, named with file, line and rule code, in
Swedish and English; the valid fixture and the shipped content pass."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.api.hr import refuse_invalid_entry
from bot.faq.check import check_faq, edit_errors, main
from bot.faq.conflicts import normalise_phrasing
from bot.faq.content import expired_entries, load_faq
from bot.hr.entries import EntryEditError, add_alternates
from bot.settings import PROJECT_ROOT, Settings
from tests.conftest import CharTrigramEncoder

FIXTURES = PROJECT_ROOT / "tests" / "data" / "faq_check"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
REGIONS = {"vastmanland", "vasternorrland"}
TODAY = date(2026, 12, 1)


def faq_with(tmp_path: Path, *broken: str) -> Path:
    """The valid fixture plus the named broken files (a broken ``_synonyms.yml`` replaces)."""
    faq_dir = tmp_path / "faq"
    shutil.copytree(VALID, faq_dir)
    for name in broken:
        shutil.copy(BROKEN / name, faq_dir / name)
    return faq_dir


def test_valid_fixture_passes_every_rule() -> None:
    report = check_faq(
        VALID,
        regions=REGIONS,
        today=TODAY,
        encoder=CharTrigramEncoder(),
        near_duplicate_similarity=0.8,
    )
    assert report.messages == []
    # README.md is HR's guide and _checklista.md a link target: neither is an entry.
    assert sorted(f.path.name for f in report.files) == ["hemarbete.md", "kostnad.md", "utkast.md"]


@pytest.mark.parametrize(
    ("fixture", "rule", "lines"),
    [
        ("no-front-matter.md", "front-matter", [1]),
        ("unclosed.md", "front-matter", [1]),
        ("bad-yaml.md", "front-matter", [6]),
        ("unknown-field.md", "unknown-field", [12]),
        ("duplicate-field.md", "duplicate-field", [10]),
        ("missing-field.md", "missing-field", [11]),
        ("wrong-type.md", "wrong-type", [4]),
        ("invalid-date.md", "invalid-date", [11]),
        ("review-order.md", "review-order", [11]),
        ("unknown-region.md", "unknown-region", [7]),
        ("empty-answer.md", "empty-answer", [12]),
        ("broken-link.md", "broken-link", [13, 14, 15, 16, 17]),
        ("faq-link.md", "broken-link", [13]),
        ("z-duplicate-id.md", "duplicate-id", [2]),
        ("z-shared-alternate.md", "shared-alternate", [5]),
        ("_synonyms.yml", "synonyms", [1]),
    ],
)
def test_each_error_names_file_line_and_rule(
    tmp_path: Path, fixture: str, rule: str, lines: list[int]
) -> None:
    faq_dir = faq_with(tmp_path, fixture)
    report = check_faq(faq_dir, regions=REGIONS, today=TODAY)
    assert [(m.path.name, m.line, m.rule) for m in report.messages] == [
        (fixture, line, rule) for line in lines
    ]
    assert all(m.severity == "error" for m in report.messages)


def test_messages_say_how_to_fix_in_swedish_and_english(tmp_path: Path) -> None:
    report = check_faq(faq_with(tmp_path, "missing-field.md"), regions=REGIONS)
    (message,) = report.messages
    assert "Fältet 'review_by' saknas" in message.sv and "review_by: 2027-11-22" in message.sv
    assert "The field 'review_by' is missing" in message.en
    assert str(message).startswith(f"{message.path}:11: FEL [missing-field] ")
    assert "\n    EN: " in str(message)


def test_unknown_field_suggests_the_known_spelling(tmp_path: Path) -> None:
    faq_dir = faq_with(tmp_path)
    text = (VALID / "kostnad.md").read_text(encoding="utf-8")
    (faq_dir / "kostnad.md").write_text(text.replace("reviewed:", "reviewd:"), encoding="utf-8")
    messages = check_faq(faq_dir).messages
    # The field is missing, so it belongs before the closing '---' on line 13.
    assert [(m.path.name, m.line, m.rule) for m in messages] == [
        ("kostnad.md", 11, "unknown-field"),
        ("kostnad.md", 13, "missing-field"),
    ]
    unknown = messages[0]
    assert "Menade du 'reviewed'?" in unknown.sv


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    faq_dir = faq_with(tmp_path)
    (faq_dir / "latin1.md").write_bytes("---\nid: å\n".encode("latin-1"))
    (message,) = check_faq(faq_dir).messages
    assert (message.path.name, message.line, message.rule) == ("latin1.md", 1, "unreadable")


def test_shared_alternate_ignores_case_spacing_and_punctuation() -> None:
    assert normalise_phrasing("Kan jag  jobba HEMMA?!") == normalise_phrasing("kan jag jobba hemma")
    assert normalise_phrasing("jobba hemma") != normalise_phrasing("jobba hemifrån")


def test_near_duplicate_question_is_a_warning_above_the_threshold(tmp_path: Path) -> None:
    faq_dir = faq_with(tmp_path, "z-near-duplicate.md")
    report = check_faq(faq_dir, encoder=CharTrigramEncoder(), near_duplicate_similarity=0.8)
    (warning,) = report.messages
    assert (warning.path.name, warning.line, warning.rule, warning.severity) == (
        "z-near-duplicate.md",
        3,
        "near-duplicate",
        "warning",
    )
    assert "hemarbete.md:3" in warning.sv and "Får jag arbeta hemifrån?" in warning.en
    # The character-trigram encoder scores this pair at 0.84: below a stricter threshold, silent.
    strict = check_faq(faq_dir, encoder=CharTrigramEncoder(), near_duplicate_similarity=0.9)
    assert strict.messages == []


def test_near_duplicates_are_compared_within_a_region_only(tmp_path: Path) -> None:
    faq_dir = faq_with(tmp_path)
    text = (BROKEN / "z-near-duplicate.md").read_text(encoding="utf-8")
    (faq_dir / "annan-region.md").write_text(
        text.replace("region: vastmanland", "region: vasternorrland"), encoding="utf-8"
    )
    report = check_faq(faq_dir, encoder=CharTrigramEncoder(), near_duplicate_similarity=0.8)
    assert report.messages == []


def test_passed_review_by_date_is_a_warning_and_listed_as_expired(tmp_path: Path) -> None:
    faq_dir = faq_with(tmp_path, "review-overdue.md")
    (warning,) = check_faq(faq_dir, today=TODAY).messages
    assert (warning.path.name, warning.line, warning.rule, warning.severity) == (
        "review-overdue.md",
        11,
        "review-overdue",
        "warning",
    )
    assert "2025-01-10" in warning.sv
    content = load_faq(faq_dir)
    assert [e.id for e in expired_entries(content, TODAY)] == ["gammal"]
    # On its review-by date an entry still counts as reviewed.
    assert expired_entries(content, date(2025, 1, 10)) == []


def test_cli_fails_on_errors_and_prints_file_line_and_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faq_dir = faq_with(tmp_path, "invalid-date.md")
    assert main(["--faq-dir", str(faq_dir), "--no-embeddings"]) == 1
    out = capsys.readouterr().out
    assert "invalid-date.md:11: FEL [invalid-date] 'review_by' ska vara ett datum" in out
    assert "EN: 'review_by' must be a date written YYYY-MM-DD" in out
    assert "1 fel" in out and "1 errors" in out


def test_cli_passes_with_warnings_unless_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faq_dir = faq_with(tmp_path, "review-overdue.md")
    assert main(["--faq-dir", str(faq_dir), "--no-embeddings"]) == 0
    assert "VARNING [review-overdue]" in capsys.readouterr().out
    assert main(["--faq-dir", str(faq_dir), "--no-embeddings", "--strict"]) == 1


def test_shipped_faq_has_no_errors() -> None:
    regions = {p.stem for p in (PROJECT_ROOT / "regions").glob("*.yml")}
    report = check_faq(PROJECT_ROOT / "faq", regions=regions, today=TODAY)
    assert report.errors == []
    assert len(report.files) >= 19


def test_hr_page_write_is_refused_when_it_would_fail_the_check(tmp_path: Path) -> None:
    faq_dir = faq_with(tmp_path)
    settings = Settings(faq_dir=faq_dir, regions_dir=PROJECT_ROOT / "regions")
    kostnad = faq_dir / "kostnad.md"
    # An alternate hemarbete.md already has, written differently, would make two answers.
    taken = add_alternates(kostnad.read_text(encoding="utf-8"), ["Kan jag jobba hemma?"]).text
    with pytest.raises(EntryEditError, match=r"\[shared-alternate\].*hemarbete\.md"):
        refuse_invalid_entry(settings, taken, kostnad)
    fine = add_alternates(kostnad.read_text(encoding="utf-8"), ["Vem betalar skärmen?"]).text
    refuse_invalid_entry(settings, fine, kostnad)
    # A new file may not take an id in use.
    copy = (faq_dir / "hemarbete.md").read_text(encoding="utf-8")
    errors = edit_errors(copy, faq_dir / "ny.md", faq_dir, REGIONS)
    assert {m.rule for m in errors} >= {"duplicate-id"}
