"""HR's editor form and the entry file it stands for.

The form holds what HR typed, as text: a date HR mistyped still makes a file, so the checker can
say what is wrong next to the field instead of the form refusing it blindly. The file is the
same markdown HR writes by hand (``bot/faq/entry_file.py``), and each of its lines is known to
belong to one field, so every checker message can be shown at its field.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from bot.faq.entry_file import FRONT_MATTER_DELIMITER, read_entry_file, yaml_scalar

ANSWER = "answer"


@dataclass(frozen=True)
class EntryForm:
    id: str
    question: str
    alternates: tuple[str, ...]
    topic: str
    region: str
    source: str
    owner: str
    reviewed: str
    review_by: str
    answer: str
    answer_en: str = ""
    siblings: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    remote_work_only: bool = False
    status: str = "published"


@dataclass(frozen=True)
class FieldPlace:
    """Where a line of the file belongs: a field, and the alternate's position in its list."""

    field: str
    item: int | None = None


@dataclass(frozen=True)
class EntryDocument:
    """A file's text, with the field each of its lines belongs to."""

    text: str
    places: dict[int, FieldPlace] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> "EntryDocument":
        """Places read from the text itself: a key's lines run until the next key's, and the
        lines after the front matter are the answer."""
        checked = read_entry_file(text, None)
        starts = sorted((line, _place(key)) for key, line in checked.lines.items())
        places: dict[int, FieldPlace] = {}
        last = len(checked.text_lines)
        end = checked.end + 1 if checked.end is not None else last + 1
        ends = [line for line, _ in starts[1:]] + ([end] if starts else [])
        for (line, place), following in zip(starts, ends, strict=True):
            for number in range(line, following):
                places[number] = place
        for number in range(end, last + 1):
            places[number] = FieldPlace(ANSWER)
        return cls(text, places)

    def place_of(self, line: int) -> FieldPlace | None:
        """None for a line that belongs to no field (the front matter's first line, or a
        front matter that cannot be read)."""
        return self.places.get(line)


def _place(key: str) -> FieldPlace:
    """``alternates[2]`` is the third alternate; any other key is a field."""
    name, _, position = key.partition("[")
    return FieldPlace(name, int(position.rstrip("]")) if position else None)


def one_line(text: str) -> str:
    """Single-line fields hold one line with single spaces, however they were pasted."""
    return " ".join(text.split())


def _multi_line(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def entry_document(form: EntryForm) -> EntryDocument:
    """The file for ``form``: fields in the order of HR's guide, the English answer as a block,
    the answer after the front matter. Every field is written, even empty, so a message about
    it has a line of its own."""
    lines = [FRONT_MATTER_DELIMITER, f"id: {yaml_scalar(one_line(form.id))}"]

    def listed(name: str, values: tuple[str, ...]) -> None:
        items = [one_line(v) for v in values if one_line(v)]
        lines.append(f"{name}:" if items else f"{name}: []")
        lines.extend(f"  - {yaml_scalar(item)}" for item in items)

    if form.status == "draft":
        lines.append("status: draft")
    lines.append(f"question: {yaml_scalar(one_line(form.question))}")
    listed("alternates", form.alternates)
    for name in ("topic", "region", "source", "owner"):
        lines.append(f"{name}: {yaml_scalar(one_line(getattr(form, name)))}")
    for name in ("reviewed", "review_by"):
        written = one_line(getattr(form, name))
        lines.append(f"{name}: {written if _iso_date(written) else yaml_scalar(written)}")
    english = _multi_line(form.answer_en)
    if english:
        # A literal block keeps HR's line breaks; an indentation indicator when the first line
        # is indented, which YAML would otherwise take as the block's indentation.
        lines.append(f"answer_en: {'|2' if english[0] == ' ' else '|'}")
        lines.extend(f"  {line}" if line else "" for line in english.split("\n"))
    if any(one_line(s) for s in form.siblings):
        listed("siblings", form.siblings)
    if any(one_line(c) for c in form.cues):
        listed("cues", form.cues)
    if form.remote_work_only:
        lines.append("remote_work_only: true")
    lines += [FRONT_MATTER_DELIMITER, _multi_line(form.answer)]
    return EntryDocument.of("\n".join(lines) + "\n")


def _iso_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def form_of(text: str) -> EntryForm | None:
    """The form for a file as it is on disk, even one with errors, so HR can fix it in the
    editor; None when its front matter cannot be read at all."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_DELIMITER:
        return None
    end = next(
        (i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_DELIMITER), None
    )
    if end is None:
        return None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except (yaml.YAMLError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    return EntryForm(
        id=_text(meta.get("id")),
        status="draft" if meta.get("status") == "draft" else "published",
        question=_text(meta.get("question")),
        alternates=_texts(meta.get("alternates")),
        topic=_text(meta.get("topic")),
        region=_text(meta.get("region")),
        source=_text(meta.get("source")),
        owner=_text(meta.get("owner")),
        reviewed=_text(meta.get("reviewed")),
        review_by=_text(meta.get("review_by")),
        answer="\n".join(lines[end + 1 :]).strip(),
        answer_en=_text(meta.get("answer_en")).strip(),
        siblings=_texts(meta.get("siblings")),
        cues=_texts(meta.get("cues")),
        remote_work_only=meta.get("remote_work_only") is True,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_text(v) for v in value if v is not None)
    return (_text(value),) if value not in (None, "") else ()
