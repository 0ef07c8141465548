"""The versions of each FAQ entry file: every save and restore through HR's editor, and the file
as found on disk whenever it differs from the last version known (an edit made outside the
editor, or the file as it was before the editor first touched it)."""

import difflib
import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.hr.audit import SYSTEM_ACTOR, record_change
from bot.hr.files import content_hash
from bot.storage.models import FaqEntryVersion

Origin = Literal["created", "saved", "restored", "found"]


@dataclass(frozen=True)
class DiffLine:
    kind: Literal["same", "added", "removed"]
    text: str


def latest_version(session: Session, entry_id: str) -> FaqEntryVersion | None:
    return session.scalars(
        select(FaqEntryVersion)
        .where(FaqEntryVersion.entry_id == entry_id)
        .order_by(FaqEntryVersion.id.desc())
        .limit(1)
    ).first()


def add_version(
    session: Session,
    entry_id: str,
    data: bytes,
    origin: Origin,
    actor_id: str | None = None,
    restored_from: int | None = None,
) -> FaqEntryVersion:
    version = FaqEntryVersion(
        entry_id=entry_id,
        content=data.decode("utf-8"),
        content_hash=content_hash(data),
        origin=origin,
        actor_id=actor_id,
        restored_from=restored_from,
    )
    session.add(version)
    session.flush()
    return version


def note_file(session: Session, entry_id: str, data: bytes | None) -> FaqEntryVersion | None:
    """Records the file as found on disk when it is not the latest version known; the new
    version, or None when there was nothing new (or no readable file). A change after a known
    version was made outside the editor, and is audited as such."""
    if data is None:
        return None
    latest = latest_version(session, entry_id)
    if latest is not None and latest.content_hash == content_hash(data):
        return None
    try:
        found = add_version(session, entry_id, data, "found")
    except UnicodeDecodeError:
        return None
    if latest is not None:
        # Not the first sight of the file but a change made outside the service: on record.
        record_change(
            session,
            SYSTEM_ACTOR,
            SYSTEM_ACTOR,
            "faq_entry_found",
            f"faq/{entry_id}.md",
            latest.content_hash,
            found.content_hash,
            detail=json.dumps({"version": found.id}),
        )
    return found


def entry_versions(session: Session, entry_id: str) -> list[FaqEntryVersion]:
    """Newest first."""
    return list(
        session.scalars(
            select(FaqEntryVersion)
            .where(FaqEntryVersion.entry_id == entry_id)
            .order_by(FaqEntryVersion.id.desc())
        ).all()
    )


def entry_version(session: Session, entry_id: str, version_id: int) -> FaqEntryVersion | None:
    return session.scalars(
        select(FaqEntryVersion).where(
            FaqEntryVersion.entry_id == entry_id, FaqEntryVersion.id == version_id
        )
    ).first()


def previous_version(session: Session, version: FaqEntryVersion) -> FaqEntryVersion | None:
    return session.scalars(
        select(FaqEntryVersion)
        .where(FaqEntryVersion.entry_id == version.entry_id, FaqEntryVersion.id < version.id)
        .order_by(FaqEntryVersion.id.desc())
        .limit(1)
    ).first()


def line_diff(old: str, new: str) -> list[DiffLine]:
    """Every line of both texts, each kept, added or removed, in reading order."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", line) for line in old_lines[i1:i2]]
            continue
        lines += [DiffLine("removed", line) for line in old_lines[i1:i2]]
        lines += [DiffLine("added", line) for line in new_lines[j1:j2]]
    return lines
