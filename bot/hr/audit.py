"""The audit trail: one record for every change made through the service."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import AuditRecord

SYSTEM_ACTOR = "system"


def record_change(
    session: Session,
    actor_id: str,
    role: str,
    action: str,
    target: str,
    before_hash: str | None = None,
    after_hash: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Adds one audit record to ``session``; it is committed with the change it describes."""
    record = AuditRecord(
        actor_id=actor_id,
        role=role,
        action=action,
        target=target[:200],
        before_hash=before_hash,
        after_hash=after_hash,
        detail=detail,
    )
    if at is not None:
        record.at = at
    session.add(record)
    return record


def recent_changes(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    """The newest ``limit`` audit records, newest first."""
    records = session.scalars(
        select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "actor": r.actor_id,
            "role": r.role,
            "action": r.action,
            "target": r.target,
            "before_hash": r.before_hash,
            "after_hash": r.after_hash,
            "detail": r.detail,
            "at": r.at.isoformat(),
        }
        for r in records
    ]
