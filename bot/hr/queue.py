"""The review queue as HR sees it: open questions grouped by similar meaning (with the FAQ
index's own encoder), and what HR does with a group or an item.

Who may do what (checked by the API, see ``bot/api/hr.py``):

- HR editor and HR admin: see the queue, turn a group into alternates of an entry or into a
  draft entry (which closes the group's items as resolved);
- HR admin only: resolve or discard an item, or a whole group, without changing any content.

A group lists each wording once with how often it was asked: the same short question ("Teams")
asked nineteen times is one line, not nineteen.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.faq.conflicts import normalise_phrasing
from bot.faq.content import FaqEntry, load_faq
from bot.faq.embeddings import Encoder
from bot.hr.audit import record_change
from bot.hr.entries import EntryEditError, add_alternates, draft_text
from bot.hr.files import (
    ENTRY_ID,
    UnsafeFileName,
    content_hash,
    faq_file,
    faq_write_lock,
    read_bytes,
    write_atomically,
)
from bot.identity import User
from bot.storage.database import Database
from bot.storage.models import ReviewItem, utc_now

MAX_OPEN_ITEMS = 500


@dataclass(frozen=True)
class Wording:
    """One way a question was asked, as first written, and the items that asked it so."""

    text: str
    item_ids: tuple[int, ...]


@dataclass
class QuestionGroup:
    label: str
    items: list[ReviewItem] = field(default_factory=list)

    @property
    def wordings(self) -> list[Wording]:
        """Each wording once (case, punctuation and spacing ignored), most asked first."""
        return distinct_wordings(self.items)


def distinct_wordings(items: Sequence[ReviewItem]) -> list[Wording]:
    by_key: dict[str, list[ReviewItem]] = {}
    for item in sorted(items, key=lambda i: i.id):
        by_key.setdefault(normalise_phrasing(item.question) or item.question, []).append(item)
    wordings = [Wording(same[0].question, tuple(i.id for i in same)) for same in by_key.values()]
    return sorted(wordings, key=lambda w: (-len(w.item_ids), w.item_ids[0]))


def group_questions(
    items: Sequence[ReviewItem], encoder: Encoder, similarity: float
) -> list[QuestionGroup]:
    """Groups items whose questions are at least ``similarity`` (cosine) from a group's centre.

    The same wording (case, punctuation and spacing ignored) is always one group, however the
    encoder treats "Teams" beside "teams?": short questions are where their vectors differ most.
    Then greedy over the wordings, oldest first: each joins the closest group centre (weighted
    by how often each wording was asked) above the threshold or starts a group. The label is
    the group's most central wording. Largest groups first.
    """
    if not items:
        return []
    wordings = sorted(distinct_wordings(items), key=lambda w: w.item_ids[0])
    vectors = encoder.encode([w.text for w in wordings])
    weights = np.array([len(w.item_ids) for w in wordings], dtype=np.float32)
    members: list[list[int]] = []
    centres: list[np.ndarray] = []
    for i, vector in enumerate(vectors):
        best = -1
        if centres:
            scores = np.stack(centres) @ vector
            best = int(np.argmax(scores)) if float(np.max(scores)) >= similarity else -1
        if best < 0:
            members.append([i])
            centres.append(vector)
            continue
        members[best].append(i)
        centre = weights[members[best]] @ vectors[members[best]]
        centres[best] = centre / (np.linalg.norm(centre) or 1.0)
    by_id = {item.id: item for item in items}
    groups = []
    for rows in members:
        block = vectors[rows]
        central = rows[int(np.argmax((block @ block.T) @ weights[rows]))]
        grouped = sorted(i for row in rows for i in wordings[row].item_ids)
        groups.append(QuestionGroup(wordings[central].text, [by_id[i] for i in grouped]))
    return sorted(groups, key=lambda g: (-len(g.items), -max(i.id for i in g.items)))


def item_state_hash(item: ReviewItem) -> str:
    state = {"status": item.status, "resolution": item.resolution}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


class ReviewDesk:
    """HR's actions on the queue and on the FAQ files they lead to."""

    def __init__(
        self,
        db: Database,
        faq_dir: Path,
        region: str,
        encoder: Callable[[], Encoder | None],
        validate: Callable[[str, Path], None] | None = None,
    ) -> None:
        """``validate(text, path)`` raises EntryEditError when a file must not be written."""
        self.db = db
        self.faq_dir = faq_dir
        self.region = region
        self._encoder = encoder
        self._validate = validate

    def groups(self, similarity: float) -> list[QuestionGroup]:
        """``similarity``: the cosine at which two questions count as one asked differently
        (``Settings.review_group_similarity``)."""
        encoder = self._encoder()
        if encoder is None:
            raise Refused(
                503,
                "faq_index_loading",
                "FAQ-indexet laddas fortfarande. Försök igen om en stund.",
                "The FAQ index is still loading. Please try again shortly.",
            )
        with self.db.session() as session:
            items = session.scalars(
                select(ReviewItem)
                .where(ReviewItem.status == "open")
                .order_by(ReviewItem.id)
                .limit(MAX_OPEN_ITEMS)
            ).all()
        return group_questions(items, encoder, similarity)

    def question(self, item_id: int) -> str:
        """The (masked) question of a queued item, open or closed."""
        with self.db.session() as session:
            item = session.get(ReviewItem, item_id)
        if item is None:
            raise Refused(
                404,
                "review_item_not_found",
                "Frågan finns inte i kön längre.",
                "The question is no longer in the queue.",
            )
        return item.question

    def add_alternates(
        self,
        user: User,
        item_ids: Sequence[int],
        faq_id: str,
        questions: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Adds the group's questions (or HR's edited wording of them) to entry ``faq_id``."""
        with faq_write_lock(self.faq_dir), self.db.session() as session:
            items = _open_items(session, item_ids)
            entry = self._entry(faq_id)
            if entry is None or entry.path is None:
                raise Refused(
                    404,
                    "unknown_faq_id",
                    f"Det finns ingen FAQ-post med id '{faq_id}'.",
                    f"There is no FAQ entry with id '{faq_id}'.",
                )
            path = _safe_file(self.faq_dir, entry.path.name)
            before = read_bytes(path)
            if before is None:
                raise Refused(
                    409,
                    "faq_file_missing",
                    "FAQ-filen finns inte längre. Ladda om sidan.",
                    "The FAQ file no longer exists. Reload the page.",
                )
            wanted = list(questions) if questions else [w.text for w in distinct_wordings(items)]
            try:
                edit = add_alternates(before.decode("utf-8"), wanted)
                after = edit.text.encode("utf-8")
                if edit.added and self._validate:
                    self._validate(edit.text, path)
            except (EntryEditError, UnicodeDecodeError) as error:
                raise _cannot_edit(str(error)) from None
            target = f"faq/{path.name}"
            if edit.added:
                record_change(
                    session,
                    user.id,
                    user.role,
                    "faq_alternates_added",
                    target,
                    content_hash(before),
                    content_hash(after),
                    detail=json.dumps(edit.added, ensure_ascii=False),
                )
            _close(session, user, items, "resolved", f"alternates:{faq_id}")
            session.flush()
            if edit.added:
                write_atomically(path, after)
        return {
            "faq_id": faq_id,
            "file": target,
            "added": edit.added,
            "skipped": edit.skipped,
            "resolved_items": [i.id for i in items],
        }

    def draft_entry(
        self,
        user: User,
        item_ids: Sequence[int],
        entry_id: str,
        question: str,
        topic: str,
        today: date,
    ) -> dict[str, Any]:
        """Writes ``faq/<entry_id>.md`` as a draft holding the group's questions."""
        if not ENTRY_ID.fullmatch(entry_id):
            raise _bad_name(entry_id)
        path = _safe_file(self.faq_dir, f"{entry_id}.md")
        with faq_write_lock(self.faq_dir), self.db.session() as session:
            items = _open_items(session, item_ids)
            content = load_faq(self.faq_dir)
            taken = {e.id for e in content.entries} | {e.id for e in content.drafts}
            if entry_id in taken or path.exists():
                raise Refused(
                    409,
                    "faq_id_taken",
                    f"Id:t '{entry_id}' används redan. Välj ett annat.",
                    f"The id '{entry_id}' is already in use. Choose another.",
                )
            topics = {e.topic for e in content.entries}
            if topic not in topics:
                raise Refused(
                    422,
                    "unknown_topic",
                    f"Okänt ämne '{topic}'. Välj ett av: {', '.join(sorted(topics))}.",
                    f"Unknown topic '{topic}'. Choose one of: {', '.join(sorted(topics))}.",
                )
            try:
                text = draft_text(
                    entry_id,
                    question,
                    [i.question for i in items],
                    topic,
                    self.region,
                    user.unit,
                    today,
                )
                if self._validate:
                    self._validate(text, path)
            except EntryEditError as error:
                raise _cannot_edit(str(error)) from None
            data = text.encode("utf-8")
            target = f"faq/{path.name}"
            record_change(
                session, user.id, user.role, "faq_draft_created", target, None, content_hash(data)
            )
            _close(session, user, items, "resolved", f"draft:{entry_id}")
            session.flush()
            try:
                write_atomically(path, data, create_only=True)
            except FileExistsError:
                raise Refused(
                    409,
                    "faq_id_taken",
                    f"Id:t '{entry_id}' används redan. Välj ett annat.",
                    f"The id '{entry_id}' is already in use. Choose another.",
                ) from None
        return {
            "faq_id": entry_id,
            "file": target,
            "resolved_items": [i.id for i in items],
        }

    def close_item(self, user: User, item_id: int, status: str, resolution: str) -> ReviewItem:
        """Marks one open item ``resolved`` or ``discarded`` without touching any content."""
        return self.close_items(user, [item_id], status, resolution)[0]

    def close_items(
        self, user: User, item_ids: Sequence[int], status: str, resolution: str
    ) -> list[ReviewItem]:
        """Closes a whole group at once: all of ``item_ids`` or, when one is gone or already
        closed, none (the page then reloads the queue)."""
        with self.db.session() as session:
            items = _open_items(session, item_ids)
            _close(session, user, items, status, resolution or status)
        return items

    def _entry(self, faq_id: str) -> FaqEntry | None:
        content = load_faq(self.faq_dir)
        return next((e for e in [*content.entries, *content.drafts] if e.id == faq_id), None)


def _open_items(session: Session, item_ids: Sequence[int]) -> list[ReviewItem]:
    wanted = sorted(set(item_ids))
    items = list(
        session.scalars(select(ReviewItem).where(ReviewItem.id.in_(wanted)).with_for_update()).all()
    )
    if len(items) != len(wanted):
        raise Refused(
            404,
            "review_item_not_found",
            "En eller flera frågor finns inte i kön längre.",
            "One or more questions are no longer in the queue.",
        )
    if any(item.status != "open" for item in items):
        raise Refused(
            409,
            "review_item_closed",
            "En eller flera frågor är redan hanterade. Ladda om kön.",
            "One or more questions have already been handled. Reload the queue.",
        )
    return items


def _close(
    session: Session, user: User, items: Sequence[ReviewItem], status: str, resolution: str
) -> None:
    """Closes each item and writes one audit record per item."""
    now = utc_now()
    for item in items:
        before = item_state_hash(item)
        item.status = status
        item.resolution = resolution[:500]
        item.resolved_by = user.id
        item.resolved_at = now
        record_change(
            session,
            user.id,
            user.role,
            f"review_item_{status}",
            f"review_item:{item.id}",
            before,
            item_state_hash(item),
            detail=resolution[:500],
        )


def _safe_file(faq_dir: Path, name: str) -> Path:
    try:
        return faq_file(faq_dir, name)
    except UnsafeFileName:
        raise _bad_name(name) from None


def _bad_name(name: str) -> Refused:
    return Refused(
        422,
        "invalid_file_name",
        "Ogiltigt id: använd 1–61 små bokstäver a–z, siffror, bindestreck eller understreck.",
        "Invalid id: use 1–61 lower-case letters a–z, digits, hyphens or underscores.",
    )


def _cannot_edit(reason: str) -> Refused:
    return Refused(
        422,
        "faq_edit_invalid",
        f"Ändringen skulle ge en ogiltig FAQ-fil och sparades inte: {reason}",
        f"The change would make an invalid FAQ file and was not saved: {reason}",
    )
