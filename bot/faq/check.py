"""``python -m bot.faq.check``: checks HR's FAQ files before, and whenever, they go live.

Every message names the file and line and a rule code, and says in Swedish and in English what
is wrong and how to fix it. Errors fail the check; warnings (near-duplicate questions, a passed
review-by date) are printed but fail it only with ``--strict``. The hot reload applies the same
errors (``bot/faq/reload.py``), so a file that passes here is a file the service accepts.
"""

import argparse
import difflib
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from bot.faq.content import (
    FRONT_MATTER_DELIMITER,
    FaqEntry,
    FaqFileError,
    is_entry_file,
    parse_entry,
    parse_synonyms,
)
from bot.faq.embeddings import EmbeddingCache, Encoder

Severity = Literal["error", "warning"]

# Every field an entry may have, with the example the messages suggest.
FIELD_EXAMPLES = {
    "id": "id: fritidsbostad",
    "status": "status: draft",
    "question": "question: Får jag arbeta från fritidsbostaden?",
    "alternates": "alternates:\n  - Får jag jobba från sommarstugan?",
    "topic": "topic: place",
    "region": "region: vastmanland",
    "source": "source: Frågor och svar – distansarbete inom Region Västmanland",
    "owner": "owner: HR-avdelningen",
    "reviewed": "reviewed: 2026-11-22",
    "review_by": "review_by: 2027-11-22",
    "answer_en": "answer_en: |\n  Yes, provided that ...",
}
REQUIRED_FIELDS = (
    "id",
    "question",
    "alternates",
    "topic",
    "region",
    "source",
    "owner",
    "reviewed",
    "review_by",
)
TEXT_FIELDS = ("id", "question", "topic", "region", "source", "owner", "answer_en")
DATE_FIELDS = ("reviewed", "review_by")
ENTRY_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
DEFAULT_NEAR_DUPLICATE_SIMILARITY = 0.92

_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*)>")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d+)?$")


@dataclass(frozen=True)
class CheckMessage:
    """One finding: where, which rule, and what to do, in Swedish (``sv``) and English."""

    path: Path
    line: int
    rule: str
    severity: Severity
    sv: str
    en: str

    def render(self, shown_path: str | None = None) -> str:
        label = "FEL" if self.severity == "error" else "VARNING"
        where = f"{shown_path or self.path}:{self.line}"
        return f"{where}: {label} [{self.rule}] {self.sv}\n    EN: {self.en}"

    def __str__(self) -> str:
        return self.render()


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

    @property
    def has_errors(self) -> bool:
        return any(m.severity == "error" for m in self.messages)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass
class CheckReport:
    files: list[CheckedFile]
    messages: list[CheckMessage]
    synonyms: dict[str, list[str]] | None = None

    @property
    def errors(self) -> list[CheckMessage]:
        return [m for m in self.messages if m.severity == "error"]

    @property
    def warnings(self) -> list[CheckMessage]:
        return [m for m in self.messages if m.severity == "warning"]


def check_faq(
    faq_dir: Path,
    *,
    regions: Iterable[str] | None = None,
    today: date | None = None,
    encoder: Encoder | None = None,
    cache: EmbeddingCache | None = None,
    near_duplicate_similarity: float = DEFAULT_NEAR_DUPLICATE_SIMILARITY,
) -> CheckReport:
    """Check every entry file and ``_synonyms.yml`` in ``faq_dir``.

    ``regions``: the known region ids (unchecked when None). ``today``: review-by dates are
    compared with it (unchecked when None). ``encoder``: near-duplicate questions are looked
    for with it (skipped when None); ``cache`` spares re-encoding texts seen before.
    """
    known_regions = set(regions) if regions is not None else None
    files = [
        check_file(path, known_regions)
        for path in sorted(p for p in faq_dir.glob("*.md") if is_entry_file(p))
    ]
    messages = [m for f in files for m in f.messages]
    messages += check_across_files(files, faq_dir)
    synonyms, synonym_messages = check_synonyms(faq_dir / "_synonyms.yml")
    messages += synonym_messages
    good = [f for f in files if not f.has_errors]
    if today is not None:
        messages += review_overdue(good, today)
    if encoder is not None:
        messages += near_duplicates(good, encoder, near_duplicate_similarity, cache)
    messages.sort(key=lambda m: (str(m.path), m.line, m.rule))
    return CheckReport(files, messages, synonyms)


def check_file(path: Path, regions: set[str] | None = None, text: str | None = None) -> CheckedFile:
    """The rules that concern one file alone; ``text`` instead of reading ``path`` if given."""
    checked = CheckedFile(path)
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        checked.messages.append(
            _error(
                path,
                1,
                "unreadable",
                f"Filen går inte att läsa som UTF-8-text ({error}). Spara den som UTF-8.",
                f"The file cannot be read as UTF-8 text ({error}). Save it as UTF-8.",
            )
        )
        return checked
    lines = text.splitlines()
    report = checked.messages.append
    if not lines or lines[0].strip() != FRONT_MATTER_DELIMITER:
        report(
            _error(
                path,
                1,
                "front-matter",
                "Filen måste börja med en rad med bara '---' (huvudet med fälten). "
                "Lägg till '---' som första rad.",
                "The file must start with a line holding only '---' (the front matter). "
                "Add '---' as the first line.",
            )
        )
        return checked
    end = next(
        (i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_DELIMITER), None
    )
    if end is None:
        report(
            _error(
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
    meta = _front_matter(checked, "\n".join(lines[1:end]))
    if meta is None:
        return checked
    _check_fields(checked, meta, end, regions)
    region, entry_id = meta.get("region"), meta.get("id")
    if isinstance(region, str) and isinstance(entry_id, str) and meta.get("status") != "draft":
        checked.declared = (region.strip(), entry_id.strip())
    _collect_links(checked, lines, end)
    if not "\n".join(lines[end + 1 :]).strip():
        report(
            _error(
                path,
                end + 1,
                "empty-answer",
                "Svaret saknas. Skriv svaret på raderna efter den avslutande '---'-raden.",
                "The answer is missing. Write the answer on the lines after the closing '---'.",
            )
        )
    for link in checked.links:
        problem = _local_link_problem(link.target, path, checked.anchors)
        if problem is not None:
            report(_error(path, link.line, "broken-link", *problem))
    if not checked.has_errors:
        try:
            checked.entry = parse_entry(text, path)
        except FaqFileError as error:  # the loader's own rules, should they ever differ
            report(
                _error(
                    path,
                    error.line,
                    "front-matter",
                    f"Posten kan inte läsas: {error.message}.",
                    f"The entry cannot be read: {error.message}.",
                )
            )
    return checked


def check_across_files(files: Sequence[CheckedFile], faq_dir: Path) -> list[CheckMessage]:
    """Rules between entries: unique ids, no phrasing in two entries of one region, and
    ``faq:<id>`` links to an entry of the same region. Files with errors are left out."""
    messages: list[CheckMessage] = []
    good = [f for f in files if f.entry is not None and not f.has_errors]
    first_id: dict[str, CheckedFile] = {}
    for checked in good:
        entry = _entry(checked)
        other = first_id.setdefault(entry.id, checked)
        if other is not checked:
            where = f"{other.path.name}:{other.line_of('id')}"
            messages.append(
                _error(
                    checked.path,
                    checked.line_of("id"),
                    "duplicate-id",
                    f"Id:t '{entry.id}' används redan i {where}. Varje post behöver ett eget id; "
                    "byt id i en av filerna.",
                    f"The id '{entry.id}' is already used in {where}. Every entry needs its own "
                    "id; change the id in one of the files.",
                )
            )
    published = [f for f in good if not _entry(f).draft]
    declared = {f.declared for f in files if f.declared is not None}
    for region, region_files in _by_region(published).items():
        messages += _shared_phrasings(region_files)
        ids = {entry_id for entry_region, entry_id in declared if entry_region == region}
        for checked in region_files:
            for link in checked.links:
                if not link.target.startswith("faq:"):
                    continue
                target = link.target.removeprefix("faq:").split("#", 1)[0]
                if target not in ids:
                    messages.append(
                        _error(
                            checked.path,
                            link.line,
                            "broken-link",
                            f"Länken '{link.target}' pekar på id:t '{target}', som inte finns i "
                            "samma region. Rätta id:t eller ta bort länken.",
                            f"The link '{link.target}' points to the id '{target}', which does "
                            "not exist in the same region. Fix the id or remove the link.",
                        )
                    )
    return messages


def edit_errors(
    text: str, path: Path, faq_dir: Path, regions: Iterable[str] | None = None
) -> list[CheckMessage]:
    """The errors writing ``text`` to ``path`` would bring: the file's own, and conflicts with
    the other files that are not there already (HR's page refuses such a write)."""
    known_regions = set(regions) if regions is not None else None
    others = [
        check_file(p, known_regions)
        for p in sorted(faq_dir.glob("*.md"))
        if is_entry_file(p) and p.resolve() != path.resolve()
    ]
    edited = check_file(path, known_regions, text=text)
    own = [m for m in edited.messages if m.severity == "error"]
    if own:
        return own

    def key(m: CheckMessage) -> tuple[str, str, str]:
        return (m.path.name, m.rule, m.en)

    before = {key(m) for m in check_across_files(others, faq_dir)}
    return [m for m in check_across_files([*others, edited], faq_dir) if key(m) not in before]


def check_synonyms(path: Path) -> tuple[dict[str, list[str]] | None, list[CheckMessage]]:
    """HR's synonym list: its groups, or None and the message when it cannot be used."""
    if not path.exists():
        return {}, []
    try:
        return parse_synonyms(path.read_text(encoding="utf-8")), []
    except (OSError, UnicodeDecodeError) as error:
        problem = str(error)
        line = 1
    except FaqFileError as error:
        problem, line = error.message, error.line
    return None, [
        _error(
            path,
            line,
            "synonyms",
            f"Synonymlistan kan inte läsas ({problem}). Formatet är 'synonyms:' följt av rader "
            "som '  term: [variant, variant]'.",
            f"The synonym list cannot be read ({problem}). The format is 'synonyms:' followed by "
            "lines like '  term: [variant, variant]'.",
        )
    ]


def review_overdue(files: Sequence[CheckedFile], today: date) -> list[CheckMessage]:
    """A warning for each published entry whose review-by date has passed."""
    messages = []
    for checked in files:
        entry = _entry(checked)
        if entry.draft or not entry.is_expired(today):
            continue
        messages.append(
            CheckMessage(
                checked.path,
                checked.line_of("review_by"),
                "review-overdue",
                "warning",
                f"Granskningsdatumet {entry.review_by} har passerat. Granska svaret mot källan, "
                "sätt 'reviewed' till dagens datum och 'review_by' till nästa granskning.",
                f"The review-by date {entry.review_by} has passed. Check the answer against the "
                "source, set 'reviewed' to today and 'review_by' to the next review.",
            )
        )
    return messages


def near_duplicates(
    files: Sequence[CheckedFile],
    encoder: Encoder,
    threshold: float,
    cache: EmbeddingCache | None = None,
) -> list[CheckMessage]:
    """A warning for each pair of entries in one region whose closest phrasings have a cosine
    similarity of at least ``threshold``: the index could not tell them apart reliably."""
    messages: list[CheckMessage] = []
    for region_files in _by_region([f for f in files if not _entry(f).draft]).values():
        texts = [p for f in region_files for p in _entry(f).phrasings]
        if not texts:
            continue
        vectors = cache.embed(texts, encoder) if cache else encoder.encode(texts)
        similarity = vectors @ vectors.T
        normalised = [normalise_phrasing(t) for t in texts]
        # Entry k's phrasings are rows starts[k] .. starts[k + 1] - 1.
        starts = [0]
        for checked in region_files:
            starts.append(starts[-1] + len(_entry(checked).phrasings))
        for j, later in enumerate(region_files):
            for i in range(j):
                best, a, b = -1.0, 0, 0
                for row in range(starts[i], starts[i + 1]):
                    for column in range(starts[j], starts[j + 1]):
                        # Identical wordings are the shared-alternate error, not this warning.
                        score = float(similarity[row, column])
                        if score > best and normalised[row] != normalised[column]:
                            best, a, b = score, row - starts[i], column - starts[j]
                if best < threshold:
                    continue
                earlier = region_files[i]
                where = f"{earlier.path.name}:{earlier.phrasing_lines[a]}"
                mine, theirs = texts[starts[j] + b], texts[starts[i] + a]
                messages.append(
                    CheckMessage(
                        later.path,
                        later.phrasing_lines[b],
                        "near-duplicate",
                        "warning",
                        f"'{mine}' är nästan samma fråga som '{theirs}' i {where} (likhet "
                        f"{best:.2f}). Slå ihop posterna, eller formulera om så att det syns "
                        "vad som skiljer dem.",
                        f"'{mine}' is nearly the same question as '{theirs}' in {where} "
                        f"(similarity {best:.2f}). Merge the entries, or reword them so the "
                        "difference shows.",
                    )
                )
    return messages


def normalise_phrasing(text: str) -> str:
    """Case, punctuation and spacing removed: 'Får jag jobba hemma?' == 'får jag  jobba hemma'."""
    kept = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text.casefold())
    return " ".join(kept.split())


def heading_anchor(heading: str) -> str:
    """The anchor a markdown heading gets: lower case, punctuation dropped, spaces as '-'."""
    kept = "".join(
        c for c in heading.strip().lower() if c in "-_ " or unicodedata.category(c)[0] in "LN"
    )
    return kept.replace(" ", "-")


def _front_matter(checked: CheckedFile, text: str) -> dict[str, Any] | None:
    """The front matter as a mapping, recording each key's and alternate's line; None (with a
    message) when it is not a YAML mapping."""
    path = checked.path
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error)
        checked.messages.append(
            _error(
                path,
                line,
                "front-matter",
                f"Huvudet är inte giltig YAML ({problem}). Kontrollera indrag, kolon och "
                "citattecken; en text med ':' eller '#' behöver citattecken.",
                f"The front matter is not valid YAML ({problem}). Check indentation, colons "
                "and quotes; text holding ':' or '#' needs quotes.",
            )
        )
        return None
    if not isinstance(node, yaml.MappingNode) or not isinstance(meta, dict):
        checked.messages.append(
            _error(
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
                _error(
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


def _check_fields(
    checked: CheckedFile, meta: dict[str, Any], end: int, regions: set[str] | None
) -> None:
    path = checked.path
    report = checked.messages.append
    for key in meta:
        if str(key) in FIELD_EXAMPLES:
            continue
        close = difflib.get_close_matches(str(key), FIELD_EXAMPLES, n=1)
        hint_sv = f" Menade du '{close[0]}'?" if close else ""
        hint_en = f" Did you mean '{close[0]}'?" if close else ""
        known = ", ".join(FIELD_EXAMPLES)
        report(
            _error(
                path,
                checked.line_of(str(key)),
                "unknown-field",
                f"Okänt fält '{key}'.{hint_sv} Rätta stavningen eller ta bort raden. "
                f"Tillåtna fält: {known}.",
                f"Unknown field '{key}'.{hint_en} Fix the spelling or remove the line. "
                f"Allowed fields: {known}.",
            )
        )
    for key in REQUIRED_FIELDS:
        if meta.get(key) in (None, "", []):
            example = FIELD_EXAMPLES[key].replace("\n", " ")
            report(
                _error(
                    path,
                    checked.lines.get(key, end + 1),
                    "missing-field",
                    f"Fältet '{key}' saknas eller är tomt. Lägg till det i huvudet (före den "
                    f"avslutande '---'), till exempel: {example}",
                    f"The field '{key}' is missing or empty. Add it to the front matter (before "
                    f"the closing '---'), for example: {example}",
                )
            )
    for key in TEXT_FIELDS:
        value = meta.get(key)
        if value not in (None, "") and not isinstance(value, str):
            report(
                _error(
                    path,
                    checked.line_of(key),
                    "wrong-type",
                    f"'{key}' ska vara en text, till exempel: {FIELD_EXAMPLES[key]}. Sätt texten "
                    "inom citattecken om den ser ut som en lista, ett tal eller ett datum.",
                    f"'{key}' must be text, for example: {FIELD_EXAMPLES[key]}. Put the text in "
                    "quotes if it looks like a list, a number or a date.",
                )
            )
    entry_id = meta.get("id")
    if isinstance(entry_id, str) and entry_id and not ENTRY_ID.fullmatch(entry_id):
        report(
            _error(
                path,
                checked.line_of("id"),
                "wrong-type",
                f"Id:t '{entry_id}' får bara innehålla små bokstäver a–z, siffror, '-' och '_' "
                "(till exempel 'fritidsbostad' eller 'sjuk-hemma').",
                f"The id '{entry_id}' may hold only lower-case letters a–z, digits, '-' and '_' "
                "(for example 'fritidsbostad' or 'sjuk-hemma').",
            )
        )
    _check_alternates(checked, meta.get("alternates"))
    status = meta.get("status", "published")
    if status not in ("draft", "published"):
        report(
            _error(
                path,
                checked.line_of("status"),
                "wrong-type",
                "'status' ska vara 'draft' (utkast, visas inte) eller 'published'. Ta bort raden "
                "när svaret ska visas.",
                "'status' must be 'draft' (not shown) or 'published'. Remove the line when the "
                "answer is to be shown.",
            )
        )
    region = meta.get("region")
    if regions is not None and isinstance(region, str) and region and region not in regions:
        choices = ", ".join(sorted(regions))
        report(
            _error(
                path,
                checked.line_of("region"),
                "unknown-region",
                f"Regionen '{region}' finns inte (ingen fil regions/{region}.yml). Använd en "
                f"av: {choices}.",
                f"The region '{region}' does not exist (no file regions/{region}.yml). Use one "
                f"of: {choices}.",
            )
        )
    dates = {key: _check_date(checked, key, meta.get(key)) for key in DATE_FIELDS}
    reviewed, review_by = dates["reviewed"], dates["review_by"]
    if reviewed is not None and review_by is not None and review_by <= reviewed:
        report(
            _error(
                path,
                checked.line_of("review_by"),
                "review-order",
                f"'review_by' ({review_by}) måste ligga efter 'reviewed' ({reviewed}). Sätt "
                "'review_by' till datumet för nästa granskning, till exempel ett år senare.",
                f"'review_by' ({review_by}) must come after 'reviewed' ({reviewed}). Set "
                "'review_by' to the date of the next review, for example a year later.",
            )
        )
    question_line = checked.line_of("question")
    alternates = meta.get("alternates") if isinstance(meta.get("alternates"), list) else []
    checked.phrasing_lines = (
        question_line,
        *(checked.lines.get(f"alternates[{i}]", 1) for i in range(len(alternates or []))),
    )


def _check_alternates(checked: CheckedFile, alternates: Any) -> None:
    if alternates in (None, "", []):
        return  # reported as missing
    if not isinstance(alternates, list):
        checked.messages.append(
            _error(
                checked.path,
                checked.line_of("alternates"),
                "wrong-type",
                "'alternates' ska vara en lista med andra sätt att ställa frågan, en per rad "
                "som börjar med '  - ' under 'alternates:'.",
                "'alternates' must be a list of other ways to ask the question, one per line "
                "starting with '  - ' under 'alternates:'.",
            )
        )
        return
    for i, item in enumerate(alternates):
        if isinstance(item, str) and item.strip():
            continue
        checked.messages.append(
            _error(
                checked.path,
                checked.lines.get(f"alternates[{i}]", checked.line_of("alternates")),
                "wrong-type",
                "Den alternativa frågan är tom eller inte en text. Skriv en fråga efter '- ', "
                "inom citattecken om den innehåller ':' eller börjar med ett specialtecken.",
                "The alternate question is empty or not text. Write a question after '- ', in "
                "quotes if it holds ':' or starts with a special character.",
            )
        )


def _check_date(checked: CheckedFile, key: str, value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        checked.messages.append(
            _error(
                checked.path,
                checked.line_of(key),
                "invalid-date",
                f"'{key}' ska vara ett datum på formen ÅÅÅÅ-MM-DD, till exempel 2026-11-22 "
                f"(nu står det '{value}').",
                f"'{key}' must be a date written YYYY-MM-DD, for example 2026-11-22 (it says "
                f"'{value}').",
            )
        )
        return None


def _collect_links(checked: CheckedFile, lines: list[str], end: int) -> None:
    """Links in the whole file (answer and ``answer_en``) and the answer's heading anchors."""
    for number, line in enumerate(lines, start=1):
        if number == 1 or number == end + 1:
            continue
        targets = [m.group(1) for m in _INLINE_LINK.finditer(line)]
        targets += [m.group(1) for m in _AUTOLINK.finditer(line)]
        definition = _REFERENCE_DEFINITION.match(line) if number > end + 1 else None
        if definition:
            targets.append(definition.group(1))
        checked.links += [Link(number, target) for target in targets]
        heading = _HEADING.match(line) if number > end + 1 else None
        if heading:
            checked.anchors.add(heading_anchor(heading.group(1)))


def _local_link_problem(target: str, path: Path, anchors: set[str]) -> tuple[str, str] | None:
    """Swedish and English text when ``target`` cannot work; None when it resolves (``faq:``
    links are resolved across files). Web addresses are checked for form only, never fetched."""
    if not target:
        return (
            "Länken saknar adress. Skriv adressen inom parentesen: [text](https://...).",
            "The link has no address. Write it inside the brackets: [text](https://...).",
        )
    lower = target.lower()
    if lower.startswith(("http://", "https://")):
        parts = urlsplit(target)
        host = parts.netloc.rsplit("@", 1)[-1]
        if _HOST.fullmatch(host) and "." in host.split(":")[0] and " " not in target:
            return None
        return (
            f"Webbadressen '{target}' är inte giltig. Kopiera hela adressen från webbläsaren, "
            "till exempel https://www.regionvastmanland.se/...",
            f"The web address '{target}' is not valid. Copy the whole address from the "
            "browser, for example https://www.regionvastmanland.se/...",
        )
    if lower.startswith("mailto:"):
        if re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+", target, re.IGNORECASE):
            return None
        return (
            f"E-postlänken '{target}' är inte giltig. Skriv den som mailto:namn@region.se.",
            f"The e-mail link '{target}' is not valid. Write it as mailto:name@region.se.",
        )
    if lower.startswith("faq:"):
        return None
    if _SCHEME.match(target):
        return (
            f"Länktypen i '{target}' stöds inte. Använd https://, mailto:, faq:<id> eller en "
            "fil i faq/.",
            f"The kind of link '{target}' is not supported. Use https://, mailto:, faq:<id> "
            "or a file in faq/.",
        )
    file_part, _, anchor = target.partition("#")
    if not file_part:
        if anchor in anchors:
            return None
        return (
            f"Rubriken '#{anchor}' finns inte i svaret. Rätta länken efter rubrikens text "
            "(små bokstäver, mellanslag som '-').",
            f"There is no heading '#{anchor}' in the answer. Fix the link to match the "
            "heading's text (lower case, spaces as '-').",
        )
    linked = (path.parent / file_part).resolve()
    if linked.parent != path.parent.resolve() or not linked.is_file():
        return (
            f"Filen '{file_part}' finns inte i faq-mappen. Rätta filnamnet eller ta bort länken.",
            f"The file '{file_part}' does not exist in the faq folder. Fix the file name or "
            "remove the link.",
        )
    if anchor and linked.suffix == ".md":
        headings = {
            heading_anchor(m.group(1))
            for line in linked.read_text(encoding="utf-8", errors="replace").splitlines()
            if (m := _HEADING.match(line))
        }
        if anchor not in headings:
            return (
                f"Rubriken '#{anchor}' finns inte i {file_part}. Rätta länken efter "
                "rubrikens text (små bokstäver, mellanslag som '-').",
                f"There is no heading '#{anchor}' in {file_part}. Fix the link to match the "
                "heading's text (lower case, spaces as '-').",
            )
    return None


def _shared_phrasings(files: Sequence[CheckedFile]) -> list[CheckMessage]:
    messages = []
    seen: dict[str, tuple[CheckedFile, int]] = {}
    for checked in files:
        entry = _entry(checked)
        for phrasing, line in zip(entry.phrasings, checked.phrasing_lines, strict=True):
            key = normalise_phrasing(phrasing)
            first = seen.setdefault(key, (checked, line))
            if first[0] is checked:
                continue
            where = f"{first[0].path.name}:{first[1]}"
            messages.append(
                _error(
                    checked.path,
                    line,
                    "shared-alternate",
                    f"Frågan '{phrasing}' finns också i {where} (id '{_entry(first[0]).id}'). "
                    "En formulering får höra till en enda post; ta bort den ur den ena filen.",
                    f"The question '{phrasing}' is also in {where} (id "
                    f"'{_entry(first[0]).id}'). A wording may belong to one entry only; remove "
                    "it from one of the files.",
                )
            )
    return messages


def _by_region(files: Iterable[CheckedFile]) -> dict[str, list[CheckedFile]]:
    groups: dict[str, list[CheckedFile]] = {}
    for checked in files:
        groups.setdefault(_entry(checked).region, []).append(checked)
    return groups


def _entry(checked: CheckedFile) -> FaqEntry:
    assert checked.entry is not None, "only files without errors reach the cross-file rules"
    return checked.entry


def _error(path: Path, line: int, rule: str, sv: str, en: str) -> CheckMessage:
    return CheckMessage(path, line, rule, "error", sv, en)


def main(argv: Sequence[str] | None = None) -> int:
    from bot.settings import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m bot.faq.check",
        description="Kontrollerar FAQ-filerna / Checks the FAQ files.",
    )
    parser.add_argument("--faq-dir", type=Path, default=settings.faq_dir)
    parser.add_argument(
        "--strict", action="store_true", help="varningar fäller också / warnings fail too"
    )
    parser.add_argument(
        "--no-embeddings",
        action="store_true",
        help="hoppa över nästan-dubbletter / skip near-duplicate questions",
    )
    args = parser.parse_args(argv)
    encoder: Encoder | None = None
    cache: EmbeddingCache | None = None
    if not args.no_embeddings:
        from bot.faq.embeddings import SentenceTransformerEncoder

        encoder = SentenceTransformerEncoder(settings.embedding_model)
        cache = EmbeddingCache(settings.cache_dir, settings.embedding_model)
    regions = [p.stem for p in settings.regions_dir.glob("*.yml")]
    report = check_faq(
        args.faq_dir,
        regions=regions or None,
        today=date.today(),
        encoder=encoder,
        cache=cache,
        near_duplicate_similarity=settings.faq_near_duplicate_similarity,
    )
    for message in report.messages:
        print(message.render(_shown(message.path)))
    files = len(report.files)
    errors, warnings = len(report.errors), len(report.warnings)
    print(
        f"FAQ-kontroll: {files} filer, {errors} fel, {warnings} varningar. "
        f"/ FAQ check: {files} files, {errors} errors, {warnings} warnings."
    )
    return 1 if errors or (args.strict and warnings) else 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
