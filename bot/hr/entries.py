"""Edits of FAQ markdown that HR makes from the review queue: new alternates in an existing
entry (the rest of the file kept byte for byte), and a draft of a new entry."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.faq.entry import FaqEntry, InvalidEntry, validate_entry
from bot.faq.entry_file import (
    FRONT_MATTER_DELIMITER,
    FaqFileError,
    entry_text,
    parse_entry,
    yaml_scalar,
)

MAX_PHRASING_CHARS = 300
DRAFT_ANSWER = (
    "UTKAST – svaret är inte skrivet än. Skriv svaret här, ange källdokumentet i `source` och "
    "ta bort raden `status: draft` när svaret är granskat; först då visas det för medarbetarna."
)
DRAFT_SOURCE = "UTKAST: ange källdokument"
_LIST_ITEM = re.compile(r"^(\s*)-(\s+)")


class EntryEditError(ValueError):
    """The file cannot be edited safely as asked (format, or the result would not parse)."""


@dataclass(frozen=True)
class AlternatesEdit:
    text: str
    added: list[str]
    skipped: list[str]


def clean_phrasing(text: str) -> str:
    """One line, single spaces: a phrasing is a question, not a paragraph."""
    return " ".join(text.split())[:MAX_PHRASING_CHARS]


def add_alternates(text: str, questions: Sequence[str]) -> AlternatesEdit:
    """Appends the questions the entry does not already have to its ``alternates`` list.

    Only new lines are inserted, after the list's last item and with its indentation and line
    ending; every other byte of the file stays as it was.
    """
    entry = _parse(text)
    known = {p.casefold() for p in entry.phrasings}
    added: list[str] = []
    skipped: list[str] = []
    for question in questions:
        phrasing = clean_phrasing(question)
        if not phrasing or phrasing.casefold() in known:
            skipped.append(phrasing)
            continue
        known.add(phrasing.casefold())
        added.append(phrasing)
    if not added:
        return AlternatesEdit(text, [], skipped)

    lines = text.splitlines(keepends=True)
    end = next(
        (i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_DELIMITER), None
    )
    start = next((i for i in range(1, end or 0) if lines[i].startswith("alternates:")), None)
    if end is None or start is None:
        raise EntryEditError("the front matter has no 'alternates:' line")
    if lines[start].split(":", 1)[1].split("#", 1)[0].strip():
        raise EntryEditError("'alternates' is not a block list (one '- question' per line)")
    last_item = None
    prefix = None
    for i in range(start + 1, end):
        line = lines[i]
        if not line.strip():
            continue
        if not (line[0].isspace() or line.startswith("-")):
            break
        last_item = i
        match = _LIST_ITEM.match(line)
        if prefix is None and match:
            prefix = f"{match.group(1)}-{match.group(2)}"
    if last_item is None or prefix is None:
        raise EntryEditError("'alternates' has no items to add to")
    newline = "\r\n" if lines[start].endswith("\r\n") else "\n"
    if not lines[last_item].endswith(("\n", "\r")):
        lines[last_item] += newline
    new_lines = [f"{prefix}{yaml_scalar(q)}{newline}" for q in added]
    edited = "".join(lines[: last_item + 1] + new_lines + lines[last_item + 1 :])
    result = _parse(edited)
    if list(result.alternates) != [*entry.alternates, *added]:
        raise EntryEditError("the edited file does not read back with the new alternates")
    return AlternatesEdit(edited, added, skipped)


def draft_text(
    entry_id: str,
    question: str,
    alternates: Sequence[str],
    topic: str,
    region: str,
    owner: str,
    today: date,
) -> str:
    """A new entry marked ``status: draft`` (never served) with a placeholder answer."""
    question = clean_phrasing(question)
    phrasings = list(dict.fromkeys(clean_phrasing(a) for a in alternates if clean_phrasing(a)))
    others = [p for p in phrasings if p.casefold() != question.casefold()]
    # An entry needs at least one alternate; a one-question group repeats its question.
    front_matter = {
        "id": entry_id,
        "status": "draft",
        "question": question,
        "alternates": others or [question],
        "topic": topic,
        "region": region,
        "source": DRAFT_SOURCE,
        "owner": owner,
        "reviewed": today,
        "review_by": today + timedelta(days=365),
    }
    try:
        entry = validate_entry(front_matter, DRAFT_ANSWER)
    except InvalidEntry as invalid:
        raise EntryEditError(str(invalid)) from None
    text = entry_text(entry)
    if _parse(text) != entry:
        raise EntryEditError("the draft does not read back as written")
    return text


def _parse(text: str) -> FaqEntry:
    try:
        return parse_entry(text)
    except FaqFileError as error:
        raise EntryEditError(f"rad/line {error.line}: {error.message}") from None
