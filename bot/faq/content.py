"""Reads FAQ entries from markdown files with YAML front matter.

A broken file is reported with its name and line and left out; the other entries still load,
so one bad edit never takes the assistant down.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

REQUIRED_FIELDS = ("id", "question", "alternates", "topic", "source", "owner", "reviewed", "region")
FRONT_MATTER_DELIMITER = "---"


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    alternates: tuple[str, ...]
    topic: str
    region: str
    source: str
    owner: str
    reviewed: date
    answer: str
    answer_en: str | None = None
    review_by: date | None = None
    path: Path | None = None
    # ``status: draft`` in the front matter: written from the review queue, never served.
    draft: bool = False

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Every way of asking this entry's question: the question itself first."""
        return (self.question, *self.alternates)

    def is_expired(self, today: date) -> bool:
        """Past its review-by date; on the date itself it still counts as reviewed."""
        return self.review_by is not None and self.review_by < today


@dataclass(frozen=True)
class FaqProblem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class FaqContent:
    entries: list[FaqEntry] = field(default_factory=list)
    problems: list[FaqProblem] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    drafts: list[FaqEntry] = field(default_factory=list)

    def for_region(self, region: str) -> list[FaqEntry]:
        return [entry for entry in self.entries if entry.region == region]


class FaqFileError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def expired_entries(content: FaqContent, today: date) -> list[FaqEntry]:
    """Served entries past their review-by date (the date itself still counts), for HR."""
    return [entry for entry in content.entries if entry.is_expired(today)]


def is_entry_file(path: Path) -> bool:
    """Entries are ``*.md`` files; ``_``-prefixed files and the README are not."""
    return path.suffix == ".md" and not path.name.startswith("_") and path.name != "README.md"


def load_faq(faq_dir: Path) -> FaqContent:
    """Load every entry file in ``faq_dir`` plus ``_synonyms.yml``, collecting problems."""
    content = FaqContent()
    first_seen: dict[str, Path] = {}
    for path in sorted(p for p in faq_dir.glob("*.md") if is_entry_file(p)):
        try:
            entry = parse_entry(path.read_text(encoding="utf-8"), path)
        except FaqFileError as error:
            content.problems.append(FaqProblem(path, error.line, error.message))
            continue
        except (OSError, UnicodeDecodeError) as error:
            content.problems.append(FaqProblem(path, 1, f"cannot read file: {error}"))
            continue
        if entry.draft:
            content.drafts.append(entry)
            continue
        if entry.id in first_seen:
            content.problems.append(
                FaqProblem(
                    path,
                    2,
                    f"duplicate id '{entry.id}', already used in {first_seen[entry.id].name}",
                )
            )
            continue
        first_seen[entry.id] = path
        content.entries.append(entry)
    synonyms_path = faq_dir / "_synonyms.yml"
    if synonyms_path.exists():
        try:
            content.synonyms = parse_synonyms(synonyms_path.read_text(encoding="utf-8"))
        except FaqFileError as error:
            content.problems.append(FaqProblem(synonyms_path, error.line, error.message))
    return content


def parse_entry(text: str, path: Path | None = None) -> FaqEntry:
    """Parse one entry file. Raises ``FaqFileError`` with the 1-based line of the problem."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_DELIMITER:
        raise FaqFileError(1, "the file must start with a '---' line (YAML front matter)")
    try:
        end = next(
            i for i, line in enumerate(lines[1:], start=1) if line.strip() == FRONT_MATTER_DELIMITER
        )
    except StopIteration:
        raise FaqFileError(1, "the front matter is not closed by a second '---' line") from None
    meta = _load_yaml("\n".join(lines[1:end]), line_offset=1)
    if not isinstance(meta, dict):
        raise FaqFileError(2, "the front matter must be a YAML mapping (key: value)")

    def line_of(key: str) -> int:
        for number, line in enumerate(lines[1:end], start=2):
            if line.startswith(f"{key}:"):
                return number
        return 1

    missing = [name for name in REQUIRED_FIELDS if meta.get(name) in (None, "", [])]
    if missing:
        raise FaqFileError(1, f"missing required field(s): {', '.join(missing)}")
    for name in ("id", "question", "topic", "source", "owner", "region"):
        if not isinstance(meta[name], str):
            raise FaqFileError(line_of(name), f"'{name}' must be text")
    alternates = meta["alternates"]
    if not isinstance(alternates, list) or not all(
        isinstance(a, str) and a.strip() for a in alternates
    ):
        raise FaqFileError(
            line_of("alternates"), "'alternates' must be a list of non-empty questions"
        )
    reviewed = _as_date(meta["reviewed"], line_of("reviewed"), "reviewed")
    review_by = (
        _as_date(meta["review_by"], line_of("review_by"), "review_by")
        if meta.get("review_by")
        else None
    )
    answer_en = meta.get("answer_en")
    if answer_en is not None and not isinstance(answer_en, str):
        raise FaqFileError(line_of("answer_en"), "'answer_en' must be text")
    status = meta.get("status", "published")
    if status not in ("draft", "published"):
        raise FaqFileError(line_of("status"), "'status' must be 'draft' or 'published'")
    answer = "\n".join(lines[end + 1 :]).strip()
    if not answer:
        raise FaqFileError(end + 1, "the answer (the text after the front matter) is empty")
    return FaqEntry(
        id=meta["id"].strip(),
        question=meta["question"].strip(),
        alternates=tuple(a.strip() for a in alternates),
        topic=meta["topic"].strip(),
        region=meta["region"].strip(),
        source=meta["source"].strip(),
        owner=meta["owner"].strip(),
        reviewed=reviewed,
        review_by=review_by,
        answer=answer,
        answer_en=answer_en.strip() if answer_en else None,
        path=path,
        draft=status == "draft",
    )


def parse_synonyms(text: str) -> dict[str, list[str]]:
    """``synonyms: {canonical: [variant, ...]}`` with everything lower-cased."""
    data = _load_yaml(text, line_offset=0)
    groups = data.get("synonyms") if isinstance(data, dict) else None
    if not isinstance(groups, dict):
        raise FaqFileError(1, "expected a mapping 'synonyms: {term: [variants]}'")
    synonyms: dict[str, list[str]] = {}
    for canonical, variants in groups.items():
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise FaqFileError(1, f"synonyms for '{canonical}' must be a list of words")
        synonyms[str(canonical).lower()] = [v.lower() for v in variants]
    return synonyms


def _load_yaml(text: str, line_offset: int) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        # The context mark points at where the broken construct starts, which is what HR edits.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else 1 + line_offset
        problem = getattr(error, "problem", None) or str(error)
        raise FaqFileError(line, f"invalid YAML: {problem}") from None


def _as_date(value: Any, line: int, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FaqFileError(line, f"'{name}' must be a date like 2026-11-22") from None
