"""One entry file: YAML front matter between two ``---`` lines, then the answer.

Reading a file yields the entry (``bot.faq.entry.FaqEntry``) or the problems that keep it out,
each on the line HR has to edit. Writing one (HR's drafts) goes through the same entry model.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.faq.entry import FIELD_EXAMPLES, EntryProblem, FaqEntry, InvalidEntry, validate_entry
from bot.faq.findings import CheckMessage, error

FRONT_MATTER_DELIMITER = "---"


class FaqFileError(Exception):
    """The first problem of a file that does not read as an entry, with its 1-based line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Link:
    line: int
    target: str


@dataclass
class CheckedFile:
    """One entry file as checked: the entry (None when the file has errors) and where its parts
    are, so messages about several files can name the line in each."""

    path: Path
    entry: FaqEntry | None = None
    messages: list[CheckMessage] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    # Line of the question, then of each alternate, in the order of ``entry.phrasings``.
    phrasing_lines: tuple[int, ...] = ()
    links: list[Link] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    # As written, even when the file has errors, so links to it are not reported as broken too.
    declared: tuple[str, str] | None = None  # (region, id) of a published entry
    text_lines: list[str] = field(default_factory=list)
    # Index in ``text_lines`` of the closing '---' (None until the front matter is found).
    end: int | None = None

    @property
    def has_errors(self) -> bool:
        return any(m.severity == "error" for m in self.messages)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


def is_entry_file(path: Path) -> bool:
    """Entries are ``*.md`` files; ``_``-prefixed files and the README are not."""
    return path.suffix == ".md" and not path.name.startswith("_") and path.name != "README.md"


def read_entry_file(text: str, path: Path | None, regions: set[str] | None = None) -> CheckedFile:
    """The rules of one file apart from its links; the entry is set when none is broken.
    ``path`` None: text that is not (yet) a file, such as HR's edit before it is written."""
    entry_path = path
    path = path or Path("-")
    checked = CheckedFile(path, text_lines=text.splitlines())
    lines = checked.text_lines
    if not lines or lines[0].strip() != FRONT_MATTER_DELIMITER:
        checked.messages.append(
            error(
                path,
                1,
                "front-matter",
                "Filen måste börja med en rad med bara '---' (huvudet med fälten). "
                "Lägg till '---' som första rad.",
                "The file must start with a '---' line (the front matter). "
                "Add '---' as the first line.",
            )
        )
        return checked
    checked.end = next(
        (i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_DELIMITER), None
    )
    if checked.end is None:
        checked.messages.append(
            error(
                path,
                1,
                "front-matter",
                "Huvudet avslutas inte. Lägg till en rad med bara '---' efter sista fältet, "
                "före svaret.",
                "The front matter is not closed. Add a line holding only '---' after the last "
                "field, before the answer.",
            )
        )
        return checked
    meta = _front_matter(checked, "\n".join(lines[1 : checked.end]))
    if meta is None:
        return checked
    region, entry_id = meta.get("region"), meta.get("id")
    if isinstance(region, str) and isinstance(entry_id, str) and meta.get("status") != "draft":
        checked.declared = (region.strip(), entry_id.strip())
    alternates = meta.get("alternates")
    checked.phrasing_lines = (
        checked.line_of("question"),
        *(checked.lines.get(f"alternates[{i}]", 1) for i in range(_count(alternates))),
    )
    answer = "\n".join(lines[checked.end + 1 :])
    try:
        checked.entry = validate_entry(meta, answer, entry_path, regions)
    except InvalidEntry as invalid:
        checked.messages += [
            error(path, _line_of(checked, p), p.rule, p.sv, p.en) for p in invalid.problems
        ]
    return checked


def parse_entry(text: str, path: Path | None = None, regions: set[str] | None = None) -> FaqEntry:
    """The entry in ``text``; raises ``FaqFileError`` naming the first problem and its line.
    Links are not followed (``bot.faq.check.check_file`` does)."""
    checked = read_entry_file(text, path, regions)
    if checked.entry is None or checked.has_errors:
        first = min(checked.messages, key=lambda m: m.line)
        raise FaqFileError(first.line, f"[{first.rule}] {first.sv} / {first.en}")
    return checked.entry


def entry_text(entry: FaqEntry) -> str:
    """The file for ``entry``: its fields in the usual order, then the answer."""
    values = asdict(entry)
    front_matter = []
    for name in FIELD_EXAMPLES:
        value = values[name]
        if value in (None, (), False) or (name == "status" and value == "published"):
            continue
        if name in ("alternates", "siblings", "cues"):
            front_matter += [f"{name}:", *(f"  - {yaml_scalar(a)}" for a in value)]
        elif isinstance(value, bool):
            front_matter.append(f"{name}: {'true' if value else 'false'}")
        elif isinstance(value, str):
            front_matter.append(f"{name}: {yaml_scalar(value)}")
        else:
            front_matter.append(f"{name}: {value.isoformat()}")
    delimiter = FRONT_MATTER_DELIMITER
    return "\n".join([delimiter, *front_matter, delimiter, entry.answer, ""])


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML value on one line: plain when YAML reads it back unchanged, otherwise
    double-quoted (a JSON string is a valid YAML double-quoted scalar)."""
    try:
        if text and yaml.safe_load(f"- {text}") == [text]:
            return text
    # A date-like text that is no date ("2027-13-01") fails in the constructor, not the parser.
    except (yaml.YAMLError, ValueError):
        pass
    return json.dumps(text, ensure_ascii=False)


def _count(alternates: Any) -> int:
    return len(alternates) if isinstance(alternates, list) else 0


def _line_of(checked: CheckedFile, problem: EntryProblem) -> int:
    """Where HR fixes ``problem``: at the field, or, for something missing, at the closing '---'
    before which it belongs."""
    closing = (checked.end or 0) + 1
    if problem.field == "answer":
        return closing
    if problem.item is not None:
        return checked.lines.get(f"alternates[{problem.item}]", checked.line_of("alternates"))
    if problem.rule == "missing-field":
        return checked.lines.get(problem.field, closing)
    return checked.line_of(problem.field)


def _impossible_date_line(text: str) -> int:
    """The file line of the first value YAML takes for a date that the calendar lacks."""
    constructor = yaml.SafeLoader("")
    for node in yaml.compose_all(text, Loader=yaml.SafeLoader):
        pending = [node]
        while pending:
            current = pending.pop(0)
            if isinstance(current, yaml.MappingNode):
                pending += [part for pair in current.value for part in pair]
            elif isinstance(current, yaml.SequenceNode):
                pending += current.value
            elif (
                isinstance(current, yaml.ScalarNode)
                and current.tag == "tag:yaml.org,2002:timestamp"
            ):
                try:
                    constructor.construct_yaml_timestamp(current)
                except ValueError:
                    return int(current.start_mark.line) + 2
    return 2


def _front_matter(checked: CheckedFile, text: str) -> dict[str, Any] | None:
    """The front matter as a mapping, recording each key's and alternate's line; None (with a
    message) when it is not a YAML mapping."""
    path = checked.path
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(text)
    except yaml.YAMLError as invalid:
        # The context mark points at where the broken construct starts, which is what HR edits.
        mark = getattr(invalid, "context_mark", None) or getattr(invalid, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(invalid, "problem", None) or str(invalid)
        checked.messages.append(
            error(
                path,
                line,
                "front-matter",
                f"Huvudet är inte giltig YAML ({problem}). Kontrollera indrag, kolon och "
                "citattecken; en text med ':' eller '#' behöver citattecken.",
                f"The front matter is invalid YAML ({problem}). Check indentation, colons and "
                "quotes; text holding ':' or '#' needs quotes.",
            )
        )
        return None
    except ValueError as impossible:
        # YAML reads "2027-13-01" as a date and fails building it; the date rule names it.
        line = _impossible_date_line(text)
        checked.messages.append(
            error(
                path,
                line,
                "invalid-date",
                f"Ett datum i huvudet finns inte i kalendern ({impossible}). Skriv datumet på "
                "formen ÅÅÅÅ-MM-DD, till exempel 2026-11-22.",
                f"A date in the front matter does not exist ({impossible}). Write the date as "
                "YYYY-MM-DD, for example 2026-11-22.",
            )
        )
        return None
    if not isinstance(node, yaml.MappingNode) or not isinstance(meta, dict):
        checked.messages.append(
            error(
                path,
                2,
                "front-matter",
                "Huvudet ska bestå av rader 'fält: värde', till exempel 'id: fritidsbostad'.",
                "The front matter must be lines of 'field: value', for example "
                "'id: fritidsbostad'.",
            )
        )
        return None
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 2
        if key in checked.lines:
            checked.messages.append(
                error(
                    path,
                    line,
                    "duplicate-field",
                    f"Fältet '{key}' står två gånger (även på rad {checked.lines[key]}). "
                    "Ta bort den ena raden.",
                    f"The field '{key}' appears twice (also on line {checked.lines[key]}). "
                    "Remove one of the lines.",
                )
            )
            continue
        checked.lines[key] = line
        if key == "alternates" and isinstance(value_node, yaml.SequenceNode):
            checked.lines.update(
                {
                    f"alternates[{i}]": item.start_mark.line + 2
                    for i, item in enumerate(value_node.value)
                }
            )
    return meta
