"""HR's FAQ editor: the entries and their review dates, one entry as a form with the checker's
messages and a preview, saving, and each entry's versions with a diff and restore.

Guarded like the rest of HR's API (``bot/api/hr.py``): an HR role for every operation, and
every change counted against the user's write limit. Who saved comes from the sign-in only.
"""

import pathlib
from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse

from bot.agreements.service import AgreementService
from bot.api.deps import ClockDep, SettingsDep, limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.hr import HrUser, require_hr
from bot.api.hr_entries_models import (
    ChatState,
    CheckerMessage,
    CheckRequest,
    CheckResult,
    CreateRequest,
    DiffLineOut,
    EditorChoices,
    EntryFields,
    EntryList,
    EntrySummaryOut,
    History,
    OpenedEntryOut,
    Preview,
    PreviewRequest,
    RestoreRequest,
    SavedEntryOut,
    SaveRequest,
    Topic,
    VersionDiff,
    VersionOut,
)
from bot.api.inputs import PathId
from bot.faq.check import check_file, known_regions
from bot.faq.entry import ENTRY_ID_PATTERN, FaqEntry
from bot.faq.loader import LoadedFaq
from bot.faq.topics import TOPIC_LABELS
from bot.hr.editor import FaqEditor, OpenedEntry, SavedEntry
from bot.hr.entry_check import NearDuplicates, VectorMemo
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
