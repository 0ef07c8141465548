"""HR's FAQ editor: the entries and their review dates, one entry as a form with the checker's
messages and a preview, saving, and each entry's versions with a diff and restore.

Guarded like the rest of HR's API (``bot/api/hr.py``): an HR role for every operation, and
every change counted against the user's write limit. Who saved comes from the sign-in only.
"""

import pathlib
from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from bot.agreements.service import AgreementService
from bot.api.deps import ClockDep, SettingsDep, limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.hr import HrUser, require_hr
from bot.api.inputs import PathId, RequestBody
from bot.faq.check import check_file, known_regions
from bot.faq.entry import ENTRY_ID_PATTERN, FaqEntry
from bot.faq.loader import LoadedFaq
from bot.faq.topics import TOPIC_LABELS, topic_label
from bot.hr.editor import EntrySummary, FaqEditor, OpenedEntry, SavedEntry
from bot.hr.entry_check import FieldMessage, NearDuplicates, VectorMemo
from bot.hr.faq_form import EntryForm
from bot.rendering import render_markdown
from bot.storage.models import FaqEntryVersion

STATIC_DIR = pathlib.Path(__file__).parent.parent / "static"
PAGE_PATH = "/hr/poster"

EntryIdPath = Annotated[
    str,
    Path(
        pattern=f"^{ENTRY_ID_PATTERN}$",
        description="An entry's id: 1–61 lower-case letters a–z, digits, '-' and '_'.",
    ),
]
Phrasing = Annotated[str, Field(max_length=300)]
Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

router = APIRouter(
    prefix="/api/hr",
    tags=["hr"],
    dependencies=[Depends(require_hr), Depends(limit_writes)],
    responses=error_responses(401, 403, 422, 503),
)
WRITE_ERRORS = error_responses(400, 404, 409, 413, 429)
# The page holds no data; everything on it comes from the API above.
page_router = APIRouter(include_in_schema=False)


@page_router.get(PAGE_PATH)
async def entries_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "hr-entries.html")


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

    def form(self) -> EntryForm:
        values = self.model_dump()
        return EntryForm(
            **values | {"alternates": tuple(self.alternates), "siblings": tuple(self.siblings)}
        )

    @classmethod
    def of(cls, form: EntryForm) -> "EntryFields":
        values = asdict(form)
        return cls.model_construct(
            **values | {"alternates": list(form.alternates), "siblings": list(form.siblings)}
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


ORIGIN_LABELS = {
    "created": "Skapad i redigeraren",
    "saved": "Sparad i redigeraren",
    "restored": "Återställd",
    "found": "Ändrad direkt i filen",
}
# The oldest version, when the editor found it on disk: the file before any edit here.
FIRST_FOUND_LABEL = "Filen som den var när den först öppnades här"


def faq_editor(request: Request, settings: SettingsDep, clock: ClockDep) -> FaqEditor:
    agreements: AgreementService | None = getattr(request.app.state, "agreements", None)
    if agreements is None:
        raise ApiError(
            503,
            "hr_unavailable",
            "Databasen svarar inte just nu. Försök igen senare.",
            "The database is not responding right now. Please try again later.",
        )
    return FaqEditor(
        agreements.db,
        settings.faq_dir,
        known_regions(settings.regions_dir),
        clock.today(),
        _near_duplicates(request),
    )


def _near_duplicates(request: Request) -> NearDuplicates | None:
    """Near-duplicate questions are looked for with the model the chat uses, once it is
    loaded; the vectors it already has are read once per process."""
    loaded: LoadedFaq | None = getattr(request.app.state, "faq", None)
    if loaded is None:
        return None
    settings = request.app.state.settings
    memo: VectorMemo | None = getattr(request.app.state, "faq_editor_vectors", None)
    if memo is None:
        memo = request.app.state.faq_editor_vectors = VectorMemo(
            settings.cache_dir, settings.embedding_model
        )
    return NearDuplicates(
        loaded.answerer.index.encoder, memo, settings.faq_near_duplicate_similarity
    )


Editor = Annotated[FaqEditor, Depends(faq_editor)]


def chat_state(
    request: Request, settings: SettingsDep, entry_id: str, editor: FaqEditor
) -> ChatState:
    """Compares the entry the chat serves with the file on disk."""
    loaded: LoadedFaq | None = getattr(request.app.state, "faq", None)
    on_disk = _entry_on_disk(editor, entry_id)
    if on_disk is not None and on_disk.draft:
        return ChatState(state="draft", text="Utkast: visas inte i chatten.")
    if on_disk is not None and on_disk.region != settings.region:
        return ChatState(
            state="other_region",
            text=f"Gäller region {on_disk.region}; chatten här visar {settings.region}.",
        )
    served = next(
        (
            f.entry
            for f in (loaded.content.files if loaded else [])
            if f.entry is not None and f.entry.id == entry_id
        ),
        None,
    )
    if on_disk is not None and served is not None and _same(on_disk, served):
        return ChatState(state="serving", text="Chatten svarar med den här versionen.")
    return ChatState(
        state="waiting",
        text="Chatten har inte tagit in den här versionen än; den laddas om inom några "
        "sekunder. Står det kvar har filen fel eller krockar med en annan post.",
    )


def _entry_on_disk(editor: FaqEditor, entry_id: str) -> FaqEntry | None:
    checked = check_file(editor.path_of(entry_id), editor.regions)
    return checked.entry


def _same(a: FaqEntry, b: FaqEntry) -> bool:
    return replace(a, path=None) == replace(b, path=None)


def _version_out(
    version: FaqEntryVersion, versions: list[FaqEntryVersion], current_hash: str | None
) -> VersionOut:
    """``versions``: the entry's, newest first. Only the newest is ``current``, when the file is
    still as it was saved: an older version with the same text is one to compare, not a second
    current one."""
    first_found = version is versions[-1] and version.origin == "found"
    return VersionOut(
        id=version.id,
        content_hash=version.content_hash,
        origin=version.origin,  # type: ignore[arg-type]
        origin_label=FIRST_FOUND_LABEL
        if first_found
        else ORIGIN_LABELS.get(version.origin, version.origin),
        actor=version.actor_id,
        restored_from=version.restored_from,
        at=version.at,
        current=version is versions[0] and version.content_hash == current_hash,
    )


def _saved(
    request: Request, settings: SettingsDep, editor: FaqEditor, saved: SavedEntry
) -> SavedEntryOut:
    return SavedEntryOut(
        id=saved.id,
        file=saved.file,
        content_hash=saved.content_hash,
        version_id=saved.version_id,
        changed=saved.changed,
        warnings=[CheckerMessage.of(m) for m in saved.warnings],
        chat=chat_state(request, settings, saved.id, editor),
    )


def _opened(
    request: Request, settings: SettingsDep, editor: FaqEditor, opened: OpenedEntry
) -> OpenedEntryOut:
    return OpenedEntryOut(
        id=opened.id,
        file=opened.file,
        text=opened.text,
        content_hash=opened.content_hash,
        entry=EntryFields.of(opened.form) if opened.form else None,
        messages=[CheckerMessage.of(m) for m in opened.messages],
        chat=chat_state(request, settings, opened.id, editor),
    )


@router.get("/entry-choices")
def editor_choices(editor: Editor, settings: SettingsDep) -> EditorChoices:
    return EditorChoices(
        topics=[Topic(code=code, label=label) for code, label in TOPIC_LABELS.items()],
        regions=sorted(editor.regions or {settings.region}),
        region=settings.region,
        today=editor.today,
        entry_ids=sorted({row.id for row in editor.summaries()}),
    )


@router.get("/entries")
def list_entries(
    editor: Editor,
    due_within_days: Annotated[
        int | None,
        Query(ge=0, le=3650, description="Only entries to review within this many days, or late."),
    ] = None,
) -> EntryList:
    return EntryList(
        today=editor.today,
        due_within_days=due_within_days,
        entries=[EntrySummaryOut.of(row) for row in editor.summaries(due_within_days)],
    )


@router.post("/entry-checks", responses=error_responses(400, 413, 429))
def check_entry(body: CheckRequest, editor: Editor) -> CheckResult:
    """The checker's messages for the form as it stands, before anything is saved."""
    messages = editor.check(body.entry.form(), body.editing)
    return CheckResult(
        errors=sum(m.severity == "error" for m in messages),
        warnings=sum(m.severity == "warning" for m in messages),
        messages=[CheckerMessage.of(m) for m in messages],
    )


@router.post("/entry-previews", responses=error_responses(400, 413, 429))
def preview(body: PreviewRequest) -> Preview:
    return Preview(html=render_markdown(body.answer), html_en=render_markdown(body.answer_en))


@router.post("/entries", status_code=201, responses=WRITE_ERRORS)
def create_entry(
    body: CreateRequest, user: HrUser, editor: Editor, request: Request, settings: SettingsDep
) -> SavedEntryOut:
    saved = editor.save(user, body.entry.form(), None)
    return _saved(request, settings, editor, saved)


@router.get("/entries/{entry}", responses=error_responses(404))
def open_entry(
    entry: EntryIdPath, editor: Editor, request: Request, settings: SettingsDep
) -> OpenedEntryOut:
    return _opened(request, settings, editor, editor.open(entry))


@router.put("/entries/{entry}", responses=WRITE_ERRORS)
def save_entry(
    entry: EntryIdPath,
    body: SaveRequest,
    user: HrUser,
    editor: Editor,
    request: Request,
    settings: SettingsDep,
) -> SavedEntryOut:
    saved = editor.save(user, body.entry.form(), body.base_hash, entry)
    return _saved(request, settings, editor, saved)


@router.get("/entries/{entry}/versions", responses=error_responses(404))
def history(entry: EntryIdPath, editor: Editor) -> History:
    current_hash, versions = editor.history(entry)
    return History(
        entry_id=entry,
        current_hash=current_hash,
        versions=[_version_out(v, versions, current_hash) for v in versions],
    )


@router.get("/entries/{entry}/versions/{version_id}", responses=error_responses(404))
def version_diff(
    entry: EntryIdPath,
    version_id: PathId,
    editor: Editor,
    against: Literal["previous", "current"] = "previous",
) -> VersionDiff:
    """The version's text, and its lines compared with the version before it, or with the
    file as it is now (what restoring it would change)."""
    current_hash, versions = editor.history(entry)
    version, lines = editor.compare(entry, version_id, against)
    same = next(v for v in versions if v.id == version.id)
    return VersionDiff(
        version=_version_out(same, versions, current_hash),
        against=against,
        text=version.content,
        lines=[DiffLineOut(kind=line.kind, text=line.text) for line in lines],
    )


@router.post("/entries/{entry}/versions/{version_id}/restore", responses=WRITE_ERRORS)
def restore_version(
    entry: EntryIdPath,
    version_id: PathId,
    body: RestoreRequest,
    user: HrUser,
    editor: Editor,
    request: Request,
    settings: SettingsDep,
) -> SavedEntryOut:
    """Saves the version's text again, as a new version; refused like any save when the file
    changed since it was loaded or when the old text has errors now."""
    saved = editor.restore(user, entry, version_id, body.base_hash)
    return _saved(request, settings, editor, saved)
