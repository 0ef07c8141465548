"""The actions' texts in English, for a user who writes English.

The actions speak Swedish. Every reply to a conversation whose user writes English passes
through ``in_users_language`` at the action endpoint: each Swedish phrase of the catalogs
(``actions/**/english.yml``) is replaced by its English one. A phrase's ``{name}`` stands for a
value filled in at run time (a date, a share, a person); the value is translated too where the
catalogs know it ("1 mars 2027" → "1 March 2027", "Bärbar dator" → "Laptop").

A text the catalogs do not know stays Swedish: ``make flows`` counts the replies to users
writing English that still hold a Swedish sentence.
"""

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.faq.language import language_of
from bot.regions import RegionConfigError, load_region
from bot.settings import get_settings

log = logging.getLogger(__name__)

CATALOGS = Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A value: from a non-space up to, not across, the end of a sentence or a line.
VALUE = r"\S(?:kl\. |(?![.!?]\s)[^\n])*?"
LAST_VALUE = r"\S(?:kl\. |(?![.!?](?:\s|$))[^\n])*"


@dataclass(frozen=True)
class Phrase:
    swedish: re.Pattern[str]
    english: str
    # The length of its Swedish words, values left out: the longest phrase is tried first.
    length: int

    def replace(self, text: str, values_in_english: "Catalog") -> str:
        def english(match: re.Match[str]) -> str:
            values = {k: values_in_english.value(v) for k, v in match.groupdict().items()}
            return self.english.format(**values)

        return self.swedish.sub(english, text)


def phrase(swedish: str, english: str) -> Phrase:
    parts = PLACEHOLDER.split(swedish.strip())
    pattern = []
    for position, part in enumerate(parts):
        if position % 2 == 0:
            pattern.append(re.escape(part))
        else:
            last = position == len(parts) - 2 and not parts[-1]
            pattern.append(f"(?P<{part}>{LAST_VALUE if last else VALUE})")
    # A phrase starting or ending with a word does not match inside another word.
    start = r"(?<!\w)" if parts[0][:1].isalnum() else ""
    end = r"(?!\w)" if parts[-1][-1:].isalnum() else ""
    literal = len(PLACEHOLDER.sub("", swedish))
    return Phrase(re.compile(start + "".join(pattern) + end), english.strip(), literal)


@dataclass(frozen=True)
class Catalog:
    phrases: tuple[Phrase, ...]
    # Single words and names of values ("mars", "Bärbar dator"), lower case.
    words: Mapping[str, str]

    def translate(self, text: str) -> str:
        """``text`` with every phrase it holds in English; a text that is one known word or
        label ("Hemma", a button's "Ja") is that word's English."""
        for known in self.phrases:
            text = known.replace(text, self)
        label = self.words.get(text.strip().lower())
        return same_case(text.strip(), label) if label else text

    def value(self, text: str) -> str:
        """A value put into a phrase ("1 mars 2027", "Bärbar dator, Headset"): its phrases and
        its words in English. Words are not replaced in whole messages, where they would mix
        English into a Swedish text the catalogs do not know (HR's checklist)."""
        text = self.translate(text)
        if not self.words:
            return text

        def english(match: re.Match[str]) -> str:
            return same_case(match.group(1), self.words[match.group(1).lower()])

        return self._word_pattern.sub(english, text)

    @property
    def _word_pattern(self) -> re.Pattern[str]:
        return _word_pattern(tuple(sorted(self.words, key=len, reverse=True)))


def same_case(swedish: str, english: str) -> str:
    """ "Hemma" -> "At home", "hemma" -> "at home"."""
    return english[:1].upper() + english[1:] if swedish[:1].isupper() else english


@cache
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)", re.IGNORECASE)


def read_catalogs(paths: Iterable[Path], content: Iterable[tuple[str, str]] = ()) -> Catalog:
    """The catalogs at ``paths``, and HR's content as pairs of Swedish and English texts."""
    entries: dict[str, str] = {}
    words: dict[str, str] = {}
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("phrases") or []:
            entries[str(entry["sv"]).strip()] = str(entry["en"])
        words.update({str(k).lower(): str(v) for k, v in (data.get("words") or {}).items()})
    found = [phrase(sv, en) for sv, en in entries.items()]
    found += [literal(sv, en) for sv, en in content]
    # The longest phrase first: "Vill du avbryta ansökan?" before "ansökan".
    found.sort(key=lambda p: p.length, reverse=True)
    return Catalog(tuple(found), words)


def literal(swedish: str, english: str) -> Phrase:
    """A text of HR's taken as it stands: its braces are not placeholders."""
    escaped = english.replace("{", "{{").replace("}", "}}")
    return Phrase(re.compile(re.escape(swedish)), escaped, len(swedish))


# HR's Swedish content that the chat shows, and its English version beside it in faq/.
CONTENT = ("_risk_assessment_checklist.md", "_follow_up_questions.md")
MARKER = re.compile(r"^\s*(?:#+|-|\*)\s*")


def content_pairs(faq_dir: Path) -> list[tuple[str, str]]:
    """Each content file with its ``.en.md`` English: the whole text, and line by line when
    both have the same lines (a follow-up question is asked on its own)."""
    pairs: list[tuple[str, str]] = []
    for name in CONTENT:
        try:
            swedish = (faq_dir / name).read_text(encoding="utf-8").strip()
            english = (faq_dir / name.replace(".md", ".en.md")).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        pairs.append((swedish, english))
        sv_lines = [line for line in swedish.splitlines() if line.strip()]
        en_lines = [line for line in english.splitlines() if line.strip()]
        if len(sv_lines) != len(en_lines):
            log.warning("%s and its English have different lines: only the whole is paired", name)
            continue
        pairs += [
            (MARKER.sub("", sv), MARKER.sub("", en))
            for sv, en in zip(sv_lines, en_lines, strict=True)
            if MARKER.sub("", sv).strip()
        ]
    return pairs


def region_pairs(region_file: Path) -> list[tuple[str, str]]:
    """The region's own texts the chat shows (the agreement's terms) and their English."""
    try:
        terms = load_region(region_file.parent, region_file.stem).agreement
    except RegionConfigError:
        return []
    return [
        (swedish, english)
        for swedish, english in (
            (terms.ending_terms, terms.ending_terms_en),
            (terms.equipment_return_terms, terms.equipment_return_terms_en),
        )
        if english
    ]


def catalog() -> Catalog:
    """The catalogs with HR's content and the region's file as they are now: an edit shows at
    the next reply."""
    settings = get_settings()
    region_file = settings.regions_dir / f"{settings.region}.yml"
    files = [
        *(settings.faq_dir / name for name in CONTENT),
        *(settings.faq_dir / name.replace(".md", ".en.md") for name in CONTENT),
        region_file,
    ]
    return _catalog(settings.faq_dir, region_file, tuple(map(_stamp, files)))


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=4)
def _catalog(faq_dir: Path, region_file: Path, stamps: tuple[float, ...]) -> Catalog:
    content = [*content_pairs(faq_dir), *region_pairs(region_file)]
    return read_catalogs(sorted(CATALOGS.glob("**/english.yml")), content)


def conversation_language(tracker: Mapping[str, Any]) -> str:
    """ "en" when the user's last message that says a language (not a button, a number or a
    date) is English; "sv" otherwise."""
    typed = [
        str(event.get("text") or "")
        for event in tracker.get("events") or []
        if event.get("event") == "user"
    ] or [str((tracker.get("latest_message") or {}).get("text") or "")]
    for text in reversed(typed):
        language = None if text.startswith("/") else language_of(text)
        if language:
            return language
    return "sv"


def in_users_language(action_call: Mapping[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """``response`` of an action, its texts and button titles in English when the user writes
    English. FAQ answers are already in the asker's language and are left as they are."""
    if conversation_language(action_call.get("tracker") or {}) != "en":
        return response
    english = catalog()
    for message in response.get("responses") or []:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom:
            if not custom.get("kind"):
                _translate_message(custom, english)
        else:
            _translate_message(message, english)
    return response


def translated(text: str) -> str:
    return catalog().translate(text)


def in_english(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa's own responses (a greeting, "Varsågod!") in English, for a message in English;
    the actions' replies have been through ``in_users_language`` already. The chat also
    passes the waiting notices through ``translated``."""
    english = catalog()
    for message in messages:
        if not message.get("custom"):
            _translate_message(message, english)
    return messages


def _translate_message(message: dict[str, Any], english: Catalog) -> None:
    if message.get("text"):
        message["text"] = english.translate(str(message["text"]))
    for button in message.get("buttons") or []:
        if button.get("title"):
            button["title"] = english.translate(str(button["title"]))
