"""The request and response bodies of HR's FAQ editor (``bot/api/hr_entries.py``): the form as
typed, the checker's messages, the entry list, versions and diffs, and the preview."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool

from bot.api.inputs import RequestBody
from bot.faq.entry import ENTRY_ID_PATTERN
from bot.faq.topics import topic_label
from bot.hr.editor import EntrySummary
from bot.hr.entry_check import FieldMessage
from bot.hr.faq_form import EntryForm

Phrasing = Annotated[str, Field(max_length=300)]
Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class EntryFields(RequestBody):
    """The editor's form as typed; the checker, not this model, judges the values, so that its
    messages can be shown at the fields."""

    id: str = Field(max_length=80)
    status: Literal["draft", "published"] = "published"
    question: str = Field(max_length=300)
    alternates: list[Phrasing] = Field(default_factory=list, max_length=50)
    topic: str = Field(max_length=60)
    region: str = Field(max_length=60)
    source: str = Field(max_length=300)
    owner: str = Field(max_length=120)
    reviewed: str = Field(max_length=20)
    review_by: str = Field(max_length=20)
    answer: str = Field(max_length=5_000)
    answer_en: str = Field(default="", max_length=5_000)
    siblings: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=20
    )
    cues: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=20)
    remote_work_only: StrictBool = False

    def form(self) -> EntryForm:
        values = self.model_dump()
        return EntryForm(
            **values
            | {
                "alternates": tuple(self.alternates),
                "siblings": tuple(self.siblings),
                "cues": tuple(self.cues),
            }
        )

    @classmethod
    def of(cls, form: EntryForm) -> "EntryFields":
        values = asdict(form)
        return cls.model_construct(
            **values
            | {
                "alternates": list(form.alternates),
                "siblings": list(form.siblings),
                "cues": list(form.cues),
            }
        )


class CheckRequest(RequestBody):
    entry: EntryFields
    # The entry being edited, whose file the edit replaces; None for a new entry.
    editing: Annotated[str, Field(pattern=f"^{ENTRY_ID_PATTERN}$")] | None = None


class CreateRequest(RequestBody):
    entry: EntryFields


class SaveRequest(RequestBody):
    entry: EntryFields
    # The SHA-256 of the file as the editor loaded it.
    base_hash: Hash


class RestoreRequest(RequestBody):
    base_hash: Hash | None = None


class PreviewRequest(RequestBody):
    answer: str = Field(max_length=5_000)
    answer_en: str = Field(default="", max_length=5_000)


class CheckerMessage(BaseModel):
    """``field``: the form's field (``answer`` for the text); None when the message concerns
    the entries as a whole, such as ``file``'s link to this entry."""

    field: str | None
    item: int | None
    line: int
    rule: str
    severity: Literal["error", "warning"]
    text: str
    text_en: str
    file: str | None

    @classmethod
    def of(cls, message: FieldMessage) -> "CheckerMessage":
        return cls(
            field=message.field,
            item=message.item,
            line=message.line,
            rule=message.rule,
            severity=message.severity,
            text=message.sv,
            text_en=message.en,
            file=message.file,
        )


class CheckResult(BaseModel):
    errors: int
    warnings: int
    messages: list[CheckerMessage]


class Topic(BaseModel):
    code: str
    label: str


class EditorChoices(BaseModel):
    """What the form offers: topics with their Swedish labels, regions, and the entries a
    sibling may name."""

    topics: list[Topic]
    regions: list[str]
    region: str
    today: date
    entry_ids: list[str]


class ChatState(BaseModel):
    """Whether the chat serves the file as it is now: ``serving`` once the hot reload has
    taken it, ``waiting`` until then (or when the reload rejected it), ``draft`` never."""

    state: Literal["serving", "waiting", "draft", "other_region"]
    text: str


class EntrySummaryOut(BaseModel):
    id: str
    file: str
    question: str
    topic: str
    topic_label: str
    owner: str
    region: str
    status: Literal["draft", "published"]
    status_label: str
    reviewed: date | None
    review_by: date | None
    days_left: int | None
    has_errors: bool

    @classmethod
    def of(cls, row: EntrySummary) -> "EntrySummaryOut":
        return cls(
            **asdict(row),
            topic_label=topic_label(row.topic),
            status_label="utkast" if row.status == "draft" else "publicerad",
        )


class EntryList(BaseModel):
    today: date
    due_within_days: int | None
    entries: list[EntrySummaryOut]


class OpenedEntryOut(BaseModel):
    id: str
    file: str
    text: str
    content_hash: str
    entry: EntryFields | None
    messages: list[CheckerMessage]
    chat: ChatState


class SavedEntryOut(BaseModel):
    id: str
    file: str
    content_hash: str
    version_id: int | None
    changed: bool
    warnings: list[CheckerMessage]
    chat: ChatState


class VersionOut(BaseModel):
    id: int
    content_hash: str
    origin: Literal["created", "saved", "restored", "found"]
    origin_label: str
    actor: str | None
    restored_from: int | None
    at: datetime
    current: bool


class History(BaseModel):
    entry_id: str
    current_hash: str | None
    versions: list[VersionOut]


class DiffLineOut(BaseModel):
    kind: Literal["same", "added", "removed"]
    text: str


class VersionDiff(BaseModel):
    version: VersionOut
    against: Literal["previous", "current"]
    text: str
    lines: list[DiffLineOut]


class Preview(BaseModel):
    """The answer as the chat shows it: the same renderer and sanitiser."""

    html: str
    html_en: str
