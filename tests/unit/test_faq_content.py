"""FAQ markdown parsing: the real content loads cleanly; broken files are named with their line."""

import re
from pathlib import Path

import pytest

from bot.faq.content import load_faq
from bot.faq.entry_file import parse_entry
from bot.settings import PROJECT_ROOT

SEED = PROJECT_ROOT.parent / "shared" / "seeds" / "001_cdc81eb225dafeb4.txt"
SOURCE_QUESTIONS = [
    "Vad menas med huvudarbetsplats, tjänsteställe och distansarbetsplats?",
    "Får medarbetaren arbeta på distans från exempelvis fritidsbostaden?",
    "Hur mycket får medarbetaren arbeta på distans?",
    "Kan medarbetaren kräva att få arbeta på distans?",
    "Kan chef kräva att medarbetare arbetar på distans?",
    "Vem ansvarar för medarbetarens arbetsmiljö?",
    "Hur riskbedöms distansarbetsplatsen?",
    "Vad händer om olyckan är framme?",
    "Vilka tider ska medarbetaren vara tillgänglig?",
    "Vad gäller om medarbetaren blir sjuk?",
    "Vilken teknisk support kan medarbetaren få i hemmet?",
    "Vilken teknisk support kräver närvaro på huvudarbetsplatsen?",
    "Vilka kostnader står arbetsgivaren för?",
    "Vad gäller kopplat till säkerhet och sekretess?",
]

# review_by is required; the flow-style list keeps every other field on its old line.
VALID = """---
id: exempel
question: Får jag jobba hemma?
alternates: [jobba hemifrån]
review_by: 2027-11-01
topic: place
region: vastmanland
source: Testkälla
owner: HR
reviewed: 2026-11-01
---
Ja, om chefen säger ja.
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_faq_loads_without_problems() -> None:
    content = load_faq(PROJECT_ROOT / "faq")
    assert content.problems == []
    assert len(content.for_region("vastmanland")) == 14
    assert len(content.for_region("vasternorrland")) >= 4
    assert content.synonyms, "the HR synonym list should load"


def test_every_source_question_is_an_entry_with_its_source_answer() -> None:
    entries = {e.question: e for e in load_faq(PROJECT_ROOT / "faq").for_region("vastmanland")}
    assert sorted(entries) == sorted(SOURCE_QUESTIONS)
    if not SEED.exists():
        pytest.skip(
            f"source document not beside the repository ({SEED}); answer texts not compared"
        )
    # The PDF text has non-breaking hyphens ("IT\u2011användare") where the entries have plain ones.
    source = re.sub(r"\s+", " ", SEED.read_text(encoding="utf-8").replace("\u2011", "-"))
    for question, entry in entries.items():
        first_sentence = re.sub(r"\s+", " ", entry.answer).split(". ")[0]
        assert first_sentence in source, f"{question}: answer does not follow the source text"


def test_every_entry_has_english_text_and_enough_alternates() -> None:
    for entry in load_faq(PROJECT_ROOT / "faq").entries:
        assert entry.answer_en, entry.id
        assert len(entry.alternates) >= 8, entry.id


def test_valid_entry_is_parsed() -> None:
    entry = parse_entry(VALID)
    assert entry.id == "exempel"
    assert entry.phrasings == ("Får jag jobba hemma?", "jobba hemifrån")
    assert entry.answer == "Ja, om chefen säger ja."


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (VALID.replace("topic: place", "topic: [place"), 6, "invalid YAML"),
        # Named where it belongs: before the closing '---' (the checker's line and wording).
        (VALID.replace("owner: HR\n", ""), 10, "The field 'owner' is missing"),
        (VALID.replace("reviewed: 2026-11-01", "reviewed: igår"), 10, "must be a date"),
        (VALID.replace("Ja, om chefen säger ja.\n", ""), 11, "answer"),
        ("id: x\n", 1, "must start with a '---' line"),
        (VALID.replace("alternates: [jobba hemifrån]", "alternates: 3"), 4, "list of non-empty"),
    ],
)
def test_broken_file_is_named_with_line_and_others_still_load(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    write(tmp_path, "a-bra.md", VALID.replace("id: exempel", "id: bra"))
    broken = write(tmp_path, "b-trasig.md", text)
    content = load_faq(tmp_path)
    assert [e.id for e in content.entries] == ["bra"]
    (problem,) = content.problems
    assert problem.path == broken
    assert problem.line == line
    assert words in problem.message
    assert str(problem).startswith(f"{broken}:{line}:")


def test_duplicate_id_is_reported_and_first_entry_kept(tmp_path: Path) -> None:
    write(tmp_path, "a.md", VALID)
    write(tmp_path, "b.md", VALID)
    content = load_faq(tmp_path)
    assert len(content.entries) == 1
    assert content.entries[0].path == tmp_path / "a.md"
    assert "duplicate id 'exempel'" in content.problems[0].message
    assert content.problems[0].path == tmp_path / "b.md"


def test_readme_and_underscore_files_are_not_entries(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Guide för HR\n")
    write(tmp_path, "_utkast.md", "not an entry")
    write(tmp_path, "_synonyms.yml", "synonyms:\n  fritidsbostad: [Stuga, landet]\n")
    content = load_faq(tmp_path)
    assert content.entries == [] and content.problems == []
    assert content.synonyms == {"fritidsbostad": ["stuga", "landet"]}


def test_broken_synonym_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "_synonyms.yml", "synonyms: [a, b]\n")
    content = load_faq(tmp_path)
    assert content.synonyms == {}
    assert content.problems[0].path.name == "_synonyms.yml"
