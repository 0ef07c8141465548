"""One FAQ entry: what HR writes in ``faq/<id>.md`` and what the index serves.

The entry's validators are the rules ``make faq-check`` applies to one entry, so the loader, the
checker, the hot reload, HR's page and the benchmarks accept and refuse the same entries. Each
refusal is an ``EntryProblem``: a rule code, the field it concerns, and what to do about it in
Swedish and English.
"""

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, TypeAdapter, ValidationError, ValidationInfo, field_validator
from pydantic import dataclasses as pydantic_dataclasses
from pydantic_core import ErrorDetails, PydanticCustomError

# The id is also the file name HR's page writes (``<id>.md``), hence the length limit.
ENTRY_ID_PATTERN = r"[a-z0-9][a-z0-9_-]{0,60}"
ENTRY_ID = re.compile(ENTRY_ID_PATTERN)

# Every front-matter field, in the order a new file lists them, with the example messages give.
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
    "siblings": "siblings:\n  - krav-medarbetare",
    "cues": "cues:\n  - fritidsbostad",
    "remote_work_only": "remote_work_only: true",
}


# What the optional list fields hold, for the message when one is not a list.
OPTIONAL_LIST_ITEMS = {"siblings": ("id:n", "entry ids"), "cues": ("ord", "words")}


@dataclass(frozen=True)
class EntryProblem:
    """Why an entry is refused. ``field`` is a front-matter field or ``answer`` (the text after
    the front matter); ``item`` the position in ``alternates`` when one alternate is at fault."""

    rule: str
    field: str
    sv: str
    en: str
    item: int | None = None


class InvalidEntry(ValueError):
    def __init__(self, problems: list[EntryProblem]) -> None:
        super().__init__("; ".join(f"[{p.rule}] {p.sv} / {p.en}" for p in problems))
        self.problems = problems


def _refusal(rule: str, sv: str, en: str) -> PydanticCustomError:
    # The texts travel in the context, so braces in what HR wrote are never read as a template.
    return PydanticCustomError(rule, "{en}", {"sv": sv, "en": en})


def _missing(name: str) -> PydanticCustomError:
    example = FIELD_EXAMPLES[name].replace("\n", " ")
    return _refusal(
        "missing-field",
        f"Fältet '{name}' saknas eller är tomt. Lägg till det i huvudet (före den avslutande "
        f"'---'), till exempel: {example}",
        f"The field '{name}' is missing or empty. Add it to the front matter (before the "
        f"closing '---'), for example: {example}",
    )


def _not_text(name: str) -> PydanticCustomError:
    return _refusal(
        "wrong-type",
        f"'{name}' ska vara en text, till exempel: {FIELD_EXAMPLES[name]}. Sätt texten inom "
        "citattecken om den ser ut som en lista, ett tal eller ett datum.",
        f"'{name}' must be text, for example: {FIELD_EXAMPLES[name]}. Put the text in quotes if "
        "it looks like a list, a number or a date.",
    )


def _alternate(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise _refusal(
        "wrong-type",
        "Den alternativa frågan är tom eller inte en text. Skriv en fråga efter '- ', inom "
        "citattecken om den innehåller ':' eller börjar med ett specialtecken.",
        "The alternate question is empty or not text. Write a question after '- ', in quotes "
        "if it holds ':' or starts with a special character.",
    )


def _sibling(value: Any) -> Any:
    if isinstance(value, str) and ENTRY_ID.fullmatch(value.strip()):
        return value.strip()
    raise _refusal(
        "wrong-type",
        "Ett syskon ska vara id:t på en annan post, till exempel: krav-medarbetare.",
        "A sibling must be the id of another entry, for example: krav-medarbetare.",
    )


def _cue(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise _refusal(
        "wrong-type",
        "Ett nyckelord ska vara ett ord eller några ord, till exempel: fritidsbostad.",
        "A cue must be a word or a few words, for example: fritidsbostad.",
    )


@pydantic_dataclasses.dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    alternates: tuple[Annotated[str, BeforeValidator(_alternate)], ...]
    topic: str
    region: str
    source: str
    owner: str
    reviewed: date
    review_by: date
    answer: str
    answer_en: str | None = None
    # Entries so alike that a close call between them is asked back ("Menade du …?") rather
    # than answered: "Kan chef kräva …" and "Kan medarbetare kräva …".
    siblings: tuple[Annotated[str, BeforeValidator(_sibling)], ...] = ()
    # Words that name what this entry is about ("stuga", "fritidsbostad"; the synonym list
    # folds their variants): a question using one is fully covered by it lexically.
    cues: tuple[Annotated[str, BeforeValidator(_cue)], ...] = ()
    # The answer is only about working remotely ("how much may I work remotely"): a question
    # that names neither remote work nor home ("Hur mycket OB får jag på nyårsafton?") is not
    # answered by it, however well it ranks.
    remote_work_only: bool = False
    # ``draft``: written from HR's review queue and never served until HR publishes it.
    status: Literal["draft", "published"] = "published"
    path: Path | None = None

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Every way of asking this entry's question: the question itself first."""
        return (self.question, *self.alternates)

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    def is_expired(self, today: date) -> bool:
        """Past its review-by date; on the date itself it still counts as reviewed."""
        return self.review_by < today

    @field_validator("id", "question", "topic", "region", "source", "owner", mode="before")
    @classmethod
    def _required_text(cls, value: Any, info: ValidationInfo) -> Any:
        name = str(info.field_name)
        if value in (None, "", []):
            raise _missing(name)
        if not isinstance(value, str):
            raise _not_text(name)
        return value.strip()

    @field_validator("id")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if ENTRY_ID.fullmatch(value):
            return value
        raise _refusal(
            "wrong-type",
            f"Id:t '{value}' får bara innehålla små bokstäver a–z, siffror, '-' och '_', högst "
            "61 tecken (till exempel 'fritidsbostad' eller 'sjuk-hemma').",
            f"The id '{value}' may hold only lower-case letters a–z, digits, '-' and '_', at "
            "most 61 characters (for example 'fritidsbostad' or 'sjuk-hemma').",
        )

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str, info: ValidationInfo) -> str:
        regions = (info.context or {}).get("regions")
        if regions is None or value in regions:
            return value
        choices = ", ".join(sorted(regions))
        raise _refusal(
            "unknown-region",
            f"Regionen '{value}' finns inte (ingen fil regions/{value}.yml). Använd en av: "
            f"{choices}.",
            f"The region '{value}' does not exist (no file regions/{value}.yml). Use one of: "
            f"{choices}.",
        )

    @field_validator("alternates", mode="before")
    @classmethod
    def _alternates_list(cls, value: Any) -> Any:
        if value in (None, "", [], ()):
            raise _missing("alternates")
        if isinstance(value, list | tuple):
            return value
        raise _refusal(
            "wrong-type",
            "'alternates' ska vara en lista med andra sätt att ställa frågan, en per rad som "
            "börjar med '  - ' under 'alternates:'.",
            "'alternates' must be a list of non-empty questions (other ways to ask it), one "
            "per line starting with '  - ' under 'alternates:'.",
        )

    @field_validator("siblings", "cues", mode="before")
    @classmethod
    def _optional_list(cls, value: Any, info: ValidationInfo) -> Any:
        if value in (None, "", []):
            return ()
        if isinstance(value, list | tuple):
            return value
        name = str(info.field_name)
        sv, en = OPTIONAL_LIST_ITEMS[name]
        raise _refusal(
            "wrong-type",
            f"'{name}' ska vara en lista med {sv}, ett per rad som börjar med '  - '.",
            f"'{name}' must be a list of {en}, one per line starting with '  - '.",
        )

    @field_validator("remote_work_only", mode="before")
    @classmethod
    def _yes_or_no(cls, value: Any) -> Any:
        if value in (None, ""):
            return False
        if isinstance(value, bool):
            return value
        raise _refusal(
            "wrong-type",
            "'remote_work_only' ska vara true eller false.",
            "'remote_work_only' must be true or false.",
        )

    @field_validator("reviewed", "review_by", mode="before")
    @classmethod
    def _iso_date(cls, value: Any, info: ValidationInfo) -> Any:
        name = str(info.field_name)
        if value in (None, "", []):
            raise _missing(name)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise _refusal(
                "invalid-date",
                f"'{name}' ska vara ett datum på formen ÅÅÅÅ-MM-DD, till exempel 2026-11-22 "
                f"(nu står det '{value}').",
                f"'{name}' must be a date written YYYY-MM-DD, for example 2026-11-22 (it says "
                f"'{value}').",
            ) from None

    @field_validator("review_by")
    @classmethod
    def _after_reviewed(cls, value: date, info: ValidationInfo) -> date:
        reviewed = info.data.get("reviewed")
        if reviewed is None or value > reviewed:
            return value
        raise _refusal(
            "review-order",
            f"'review_by' ({value}) måste ligga efter 'reviewed' ({reviewed}). Sätt 'review_by' "
            "till datumet för nästa granskning, till exempel ett år senare.",
            f"'review_by' ({value}) must come after 'reviewed' ({reviewed}). Set 'review_by' to "
            "the date of the next review, for example a year later.",
        )

    @field_validator("answer", mode="before")
    @classmethod
    def _answer_written(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            return value.strip()
        raise _refusal(
            "empty-answer",
            "Svaret saknas. Skriv svaret på raderna efter den avslutande '---'-raden.",
            "The answer is missing. Write the answer on the lines after the closing '---'.",
        )

    @field_validator("answer_en", mode="before")
    @classmethod
    def _optional_text(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise _not_text("answer_en")
        return value.strip()

    @field_validator("status", mode="before")
    @classmethod
    def _draft_or_published(cls, value: Any) -> Any:
        if value in ("draft", "published"):
            return value
        raise _refusal(
            "wrong-type",
            "'status' ska vara 'draft' (utkast, visas inte) eller 'published'. Ta bort raden när "
            "svaret ska visas.",
            "'status' must be 'draft' (not shown) or 'published'. Remove the line when the "
            "answer is to be shown.",
        )


_ENTRY = TypeAdapter(FaqEntry)


def validate_entry(
    front_matter: Mapping[str, Any],
    answer: str,
    path: Path | None = None,
    regions: Collection[str] | None = None,
) -> FaqEntry:
    """The entry a file's front matter and answer make; raises ``InvalidEntry`` with every
    problem at once. ``regions``: the known region ids (unchecked when None)."""
    problems = [_unknown_field(str(key)) for key in front_matter if key not in FIELD_EXAMPLES]
    known = {key: value for key, value in front_matter.items() if key in FIELD_EXAMPLES}
    try:
        entry = _ENTRY.validate_python(
            {**known, "answer": answer, "path": path},
            context={"regions": set(regions) if regions is not None else None},
        )
    except ValidationError as error:
        problems += [_problem(details) for details in error.errors()]
    if problems:
        raise InvalidEntry(problems)
    return entry


def _unknown_field(key: str) -> EntryProblem:
    close = difflib.get_close_matches(key, FIELD_EXAMPLES, n=1)
    hint_sv = f" Menade du '{close[0]}'?" if close else ""
    hint_en = f" Did you mean '{close[0]}'?" if close else ""
    known = ", ".join(FIELD_EXAMPLES)
    return EntryProblem(
        "unknown-field",
        key,
        f"Okänt fält '{key}'.{hint_sv} Rätta stavningen eller ta bort raden. Tillåtna fält: "
        f"{known}.",
        f"Unknown field '{key}'.{hint_en} Fix the spelling or remove the line. Allowed fields: "
        f"{known}.",
    )


def _problem(details: ErrorDetails) -> EntryProblem:
    field = str(details["loc"][0]) if details["loc"] else ""
    item = details["loc"][1] if len(details["loc"]) > 1 else None
    position = item if isinstance(item, int) else None
    context = details.get("ctx") or {}
    if "sv" in context:
        return EntryProblem(details["type"], field, context["sv"], context["en"], position)
    if details["type"] == "missing" and field in FIELD_EXAMPLES:
        missing = _missing(field).context or {}
        return EntryProblem("missing-field", field, missing["sv"], missing["en"])
    # Not reachable from a file's YAML; named anyway rather than lost.
    return EntryProblem(
        "wrong-type",
        field,
        f"Fältet '{field}' har fel form: {details['msg']}.",
        f"The field '{field}' has the wrong form: {details['msg']}.",
        position,
    )
