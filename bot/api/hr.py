"""HR's API: the review queue, per-entry figures, the audit trail and "try a question".

Every endpoint needs an HR role (``require_hr``); employees, managers and safety representatives
get 403. Resolving or discarding a queue item without a content change, and reading the audit
trail, need HR admin (``require_hr_admin``). HR editors and admins both see the queue and the
figures, try questions, and turn a group into alternates or a draft entry.
"""

from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.agreements.service import AgreementService
from bot.api.deps import ClockDep, CurrentUser, SettingsDep, limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.inputs import FreeText, PathId, RecordId, RequestBody
from bot.faq.answering import FaqAnswerer
from bot.faq.check import edit_errors
from bot.faq.loader import LoadedFaq
from bot.hr.audit import recent_changes
from bot.hr.entries import EntryEditError
from bot.hr.figures import entry_figures
from bot.hr.labels import all_labels, label
from bot.hr.queue import MAX_OPEN_ITEMS, QuestionGroup, ReviewDesk
from bot.identity import Role, User, load_directory
from bot.settings import Settings


def require_hr(user: CurrentUser) -> User:
    if not user.is_hr:
        raise ApiError(
            403,
            "hr_only",
            "Den här sidan är bara för HR (HR-redaktör eller HR-administratör).",
            "This page is for HR only (HR editor or HR admin).",
        )
    return user


def require_hr_admin(user: CurrentUser) -> User:
    if user.role != "hr_admin":
        raise ApiError(
            403,
            "hr_admin_only",
            "Det här får bara en HR-administratör göra.",
            "Only an HR admin may do this.",
        )
    return user


HrUser = Annotated[User, Depends(require_hr)]
HrAdmin = Annotated[User, Depends(require_hr_admin)]

router = APIRouter(
    prefix="/api/hr",
    tags=["hr"],
    dependencies=[Depends(require_hr), Depends(limit_writes)],
    responses=error_responses(401, 403, 422, 503),
)
WRITE_ERRORS = error_responses(400, 404, 409, 413, 429)
# The entries offered first for a group's alternates.
SUGGESTIONS = 3
# The demo-user selector on the HR page, in local mode only.
demo_router = APIRouter(prefix="/api", tags=["hr"], responses=error_responses(404))


def _database(request: Request) -> AgreementService:
    service: AgreementService | None = getattr(request.app.state, "agreements", None)
    if service is None:
        raise ApiError(
            503,
            "hr_unavailable",
            "Databasen svarar inte just nu. Försök igen senare.",
            "The database is not responding right now. Please try again later.",
        )
    return service


def _answerer(request: Request) -> FaqAnswerer | None:
    faq = getattr(request.app.state, "faq", None)
    return faq.answerer if faq else None


def _loaded_answerer(request: Request) -> FaqAnswerer:
    """The current answerer, or 503 while the index is still being built at start-up."""
    answerer = _answerer(request)
    if answerer is None:
        raise ApiError(
            503,
            "faq_index_loading",
            "FAQ-indexet laddas fortfarande. Försök igen om en stund.",
            "The FAQ index is still loading. Please try again shortly.",
        )
    return answerer


def review_desk(request: Request, settings: SettingsDep) -> ReviewDesk:
    db = _database(request).db
    return ReviewDesk(
        db,
        settings.faq_dir,
        settings.region,
        lambda: answerer.index.encoder if (answerer := _answerer(request)) else None,
        partial(refuse_invalid_entry, settings),
    )


def refuse_invalid_entry(settings: Settings, text: str, path: Path) -> None:
    """HR's page writes only files that pass ``make faq-check``'s error rules."""
    regions = [p.stem for p in settings.regions_dir.glob("*.yml")] or None
    errors = edit_errors(text, path, settings.faq_dir, regions)
    if errors:
        raise EntryEditError(
            "; ".join(f"rad/line {m.line} [{m.rule}] {m.sv} / {m.en}" for m in errors[:3])
        )


Desk = Annotated[ReviewDesk, Depends(review_desk)]


class GroupToAlternates(RequestBody):
    item_ids: list[RecordId] = Field(min_length=1, max_length=200)
    faq_id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")
    # HR's cleaned-up wording; the group's (masked) questions when left out.
    questions: list[Annotated[FreeText, Field(min_length=1, max_length=300)]] | None = Field(
        default=None, max_length=200
    )


class GroupToDraft(RequestBody):
    item_ids: list[RecordId] = Field(min_length=1, max_length=200)
    entry_id: str = Field(min_length=1, max_length=200)
    question: FreeText = Field(min_length=1, max_length=300)
    topic: str = Field(min_length=1, max_length=60, pattern=r"^[a-z_]+$")


class ItemClosing(RequestBody):
    resolution: FreeText = Field(default="", max_length=500)


class GroupClosing(RequestBody):
    item_ids: list[RecordId] = Field(min_length=1, max_length=MAX_OPEN_ITEMS)
    action: Literal["resolve", "discard"]
    resolution: FreeText = Field(default="", max_length=500)


class HrSession(BaseModel):
    id: str
    name: str
    role: Role
    role_label: str
    is_admin: bool
    mode: Literal["local", "production"]


class ReviewItemOut(BaseModel):
    """A question waiting for HR (masked before it was stored)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    reason: str
    faq_id: str | None
    status: str
    created_at: datetime
    resolved_by: str | None
    resolution: str | None


class WordingOut(BaseModel):
    """One way the question was asked, and how often."""

    text: str
    count: int
    item_ids: list[int]


class SuggestedEntry(BaseModel):
    faq_id: str
    question: str


class QuestionGroupOut(BaseModel):
    """Questions asked the same way, labelled by the most central one."""

    # Stable while the group's oldest question is open: the page keeps a group open across
    # reloads by it.
    key: int
    label: str
    # A question worded as the label: its suggestions are the group's
    # (GET /api/hr/queue/items/{id}/suggestions).
    label_item_id: int
    count: int
    reasons: dict[str, int]
    faq_ids: list[str]
    wordings: list[WordingOut]
    items: list[ReviewItemOut]

    @classmethod
    def of(cls, group: QuestionGroup) -> "QuestionGroupOut":
        reasons: dict[str, int] = {}
        for item in group.items:
            reasons[item.reason] = reasons.get(item.reason, 0) + 1
        return cls(
            key=min(i.id for i in group.items),
            label=group.label,
            label_item_id=next(w.item_ids[0] for w in group.wordings if w.text == group.label),
            count=len(group.items),
            reasons=reasons,
            faq_ids=sorted({i.faq_id for i in group.items if i.faq_id}),
            wordings=[
                WordingOut(text=w.text, count=len(w.item_ids), item_ids=list(w.item_ids))
                for w in group.wordings
            ],
            items=[ReviewItemOut.model_validate(i) for i in group.items],
        )


class ReviewQueue(BaseModel):
    open: int
    groups: list[QuestionGroupOut]


class GroupClosed(BaseModel):
    status: Literal["resolved", "discarded"]
    item_ids: list[int]


class AlternatesAdded(BaseModel):
    faq_id: str
    file: str
    added: list[str]
    skipped: list[str]
    resolved_items: list[int]


class DraftCreated(BaseModel):
    faq_id: str
    file: str
    resolved_items: list[int]


class UsageCounts(BaseModel):
    served: int
    helpful: int
    not_helpful: int


class CountedSince(BaseModel):
    edited_at: datetime | None
    edited_by: str | None
    first_counted_at: datetime | None
    reviewed: date


class EntryFigures(BaseModel):
    """One FAQ entry's use, for its current version (``version``: the SHA-256 of its file) and
    over all versions, and when it is due for review."""

    faq_id: str
    question: str
    topic: str
    owner: str
    file: str | None
    review_by: date
    review_overdue: bool
    version: str
    since: CountedSince
    current_version: UsageCounts
    all_versions: UsageCounts


class RejectedFile(BaseModel):
    """A file the last load or reload of ``faq/`` would not serve, and why (in Swedish)."""

    file: str
    line: int
    rule: str
    message: str
    # An earlier version of the file still serves; otherwise the file serves nothing.
    previous_version_served: bool


class OverdueEntry(BaseModel):
    faq_id: str
    question: str
    review_by: date


class FaqStatus(BaseModel):
    """What the HR guide promises the page shows: rejected files and passed review dates."""

    entries: int
    rejected: list[RejectedFile]
    review_overdue: list[OverdueEntry]
    # DG_WITHHOLD_EXPIRED_FAQ: overdue answers are withheld rather than served.
    overdue_withheld: bool


class AuditRecordOut(BaseModel):
    id: int
    actor: str
    role: str
    action: str
    target: str
    before_hash: str | None
    after_hash: str | None
    detail: str | None
    at: datetime


class DemoUser(BaseModel):
    id: str
    name: str
    role: Role


@router.get("/session")
def session(user: HrUser, settings: SettingsDep) -> HrSession:
    """Who is signed in, and whether they may resolve items and read the audit trail."""
    return HrSession(
        id=user.id,
        name=user.name,
        role=user.role,
        role_label=label("roles", user.role),
        is_admin=user.role == "hr_admin",
        mode=settings.mode,
    )


@router.get("/labels")
def labels() -> dict[str, dict[str, str]]:
    """The Swedish words for the codes the other endpoints return, by kind (``topics``,
    ``agreement_statuses``, ``queue_reasons``, ``roles``, ``audit_actions``, …)."""
    return all_labels()


@router.get("/queue")
def queue(desk: Desk, settings: SettingsDep) -> ReviewQueue:
    """Open questions in groups, largest first; each wording once."""
    groups = desk.groups(settings.review_group_similarity)
    return ReviewQueue(
        open=sum(len(g.items) for g in groups),
        groups=[QuestionGroupOut.of(g) for g in groups],
    )


@router.get("/queue/items/{item_id}/suggestions", responses=error_responses(404))
def suggestions(item_id: PathId, request: Request, desk: Desk) -> list[SuggestedEntry]:
    """The entries closest to a queued question, best first: offered to HR, never chosen.
    Asked for when a group is opened, as each costs one encoding (tens of milliseconds)."""
    answerer = _loaded_answerer(request)
    question = desk.question(item_id)
    return [
        SuggestedEntry(faq_id=hit.entry.id, question=hit.entry.question)
        for hit in answerer.index.search(question, limit=SUGGESTIONS)
    ]


@router.post("/queue/alternates", responses=WRITE_ERRORS)
def group_to_alternates(body: GroupToAlternates, user: HrUser, desk: Desk) -> AlternatesAdded:
    added = desk.add_alternates(user, body.item_ids, body.faq_id, body.questions)
    return AlternatesAdded.model_validate(added)


@router.post("/queue/draft", status_code=201, responses=WRITE_ERRORS)
def group_to_draft(body: GroupToDraft, user: HrUser, desk: Desk, clock: ClockDep) -> DraftCreated:
    created = desk.draft_entry(
        user, body.item_ids, body.entry_id, body.question, body.topic, clock.today()
    )
    return DraftCreated.model_validate(created)


# Two fixed paths, not "/{action}": that one also matched .../suggestions, so a POST there got
# 403 or 422 instead of 405.
@router.post("/queue/items/{item_id}/resolve", responses=WRITE_ERRORS)
def resolve_item(
    item_id: PathId, user: HrAdmin, desk: Desk, body: ItemClosing | None = None
) -> ReviewItemOut:
    item = desk.close_item(user, item_id, "resolved", body.resolution if body else "")
    return ReviewItemOut.model_validate(item)


@router.post("/queue/items/{item_id}/discard", responses=WRITE_ERRORS)
def discard_item(
    item_id: PathId, user: HrAdmin, desk: Desk, body: ItemClosing | None = None
) -> ReviewItemOut:
    item = desk.close_item(user, item_id, "discarded", body.resolution if body else "")
    return ReviewItemOut.model_validate(item)


@router.post("/queue/close", responses=WRITE_ERRORS)
def close_group(body: GroupClosing, user: HrAdmin, desk: Desk) -> GroupClosed:
    """Resolves or discards a whole group without a content change; one audit record each."""
    status: Literal["resolved", "discarded"] = (
        "resolved" if body.action == "resolve" else "discarded"
    )
    items = desk.close_items(user, body.item_ids, status, body.resolution)
    return GroupClosed(status=status, item_ids=[i.id for i in items])


@router.get("/figures")
def figures(request: Request, clock: ClockDep) -> list[EntryFigures]:
    answerer = _loaded_answerer(request)
    with _database(request).db.session() as db_session:
        rows = entry_figures(db_session, answerer.index.entries)
    today = clock.today()
    return [
        EntryFigures.model_validate(
            row | {"review_overdue": date.fromisoformat(row["review_by"]) < today}
        )
        for row in rows
    ]


@router.get("/faq-status")
def faq_status(request: Request, settings: SettingsDep, clock: ClockDep) -> FaqStatus:
    _loaded_answerer(request)  # 503 while the index is still being built
    loaded: LoadedFaq = request.app.state.faq
    served = {f.path for f in loaded.content.files}
    today = clock.today()
    entries = loaded.answerer.index.entries
    return FaqStatus(
        entries=len(entries),
        rejected=[
            RejectedFile(
                file=f"faq/{p.path.name}",
                line=p.line,
                rule=p.rule,
                message=p.sv or p.message,
                previous_version_served=p.path in served,
            )
            for p in loaded.problems
        ],
        review_overdue=[
            OverdueEntry(faq_id=e.id, question=e.question, review_by=e.review_by)
            for e in sorted(entries, key=lambda e: e.review_by)
            if e.is_expired(today)
        ],
        overdue_withheld=settings.withhold_expired_faq,
    )


@router.get("/audit")
def audit(
    request: Request, _: HrAdmin, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditRecordOut]:
    with _database(request).db.session() as db_session:
        records = recent_changes(db_session, limit)
    return [AuditRecordOut.model_validate(record) for record in records]


@demo_router.get("/demo-users")
def demo_users(settings: SettingsDep) -> list[DemoUser]:
    if settings.mode != "local":
        raise ApiError(404, "not_found", "Finns inte.", "Not found.")
    return [
        DemoUser(id=u.id, name=u.name, role=u.role)
        for u in load_directory(settings.directory_file).all()
    ]
