"""Per-entry figures for HR: how often each answer was served and rated, counted since the
entry's current version (the SHA-256 of its file, as in the audit trail) and over all versions.
The page names an entry by its question; the hash only ties the figures to the audit trail."""

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.faq.content import FaqEntry
from bot.hr.charts import Bar, Chart, bar_chart
from bot.storage.models import AuditRecord, FaqUsageEvent

KINDS = ("served", "helpful", "not_helpful")


def entry_version(entry: FaqEntry) -> str:
    """SHA-256 of the entry's file as it is now (the same hash the audit trail records), so the
    figures can say since which edit they count."""
    if entry.path is None:
        return hashlib.sha256(repr(entry).encode()).hexdigest()
    return _file_hash(entry.path)


_hash_cache: dict[tuple[Path, int, int], str] = {}


def _file_hash(path: Path) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return hashlib.sha256(str(path).encode()).hexdigest()
    key = (path, info.st_mtime_ns, info.st_size)
    if key not in _hash_cache:
        if len(_hash_cache) > 1000:
            _hash_cache.clear()
        _hash_cache[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _hash_cache[key]


def entry_figures(session: Session, entries: Sequence[FaqEntry]) -> list[dict[str, Any]]:
    """One row per entry: counts for its current version and for all versions, and since when
    the current version counts (the audit record that wrote it, when it was edited here)."""
    versions = {entry.id: entry_version(entry) for entry in entries}
    counts = session.execute(
        select(
            FaqUsageEvent.faq_id,
            FaqUsageEvent.entry_version,
            FaqUsageEvent.kind,
            func.count(),
            func.min(FaqUsageEvent.at),
        ).group_by(FaqUsageEvent.faq_id, FaqUsageEvent.entry_version, FaqUsageEvent.kind)
    ).all()
    edits = session.execute(
        select(AuditRecord.after_hash, AuditRecord.actor_id, AuditRecord.at)
        .where(AuditRecord.after_hash.in_(list(versions.values())))
        .order_by(AuditRecord.id)
    ).all()
    edited = {row.after_hash: (row.actor_id, row.at) for row in edits}
    rows = []
    for entry in entries:
        version = versions[entry.id]
        current = dict.fromkeys(KINDS, 0)
        total = dict.fromkeys(KINDS, 0)
        first_counted = None
        for faq_id, event_version, kind, count, first_at in counts:
            if faq_id != entry.id or kind not in total:
                continue
            total[kind] += count
            if event_version == version:
                current[kind] += count
                first_counted = min(first_counted or first_at, first_at)
        editor, edited_at = edited.get(version, (None, None))
        rows.append(
            {
                "faq_id": entry.id,
                "question": entry.question,
                "topic": entry.topic,
                "owner": entry.owner,
                "review_by": entry.review_by.isoformat(),
                "file": f"faq/{entry.path.name}" if entry.path else None,
                "version": version,
                "since": {
                    "edited_at": edited_at.isoformat() if edited_at else None,
                    "edited_by": editor,
                    "first_counted_at": first_counted.isoformat() if first_counted else None,
                    "reviewed": entry.reviewed.isoformat(),
                },
                "current_version": current,
                "all_versions": total,
            }
        )
    return rows


# The chart shows the most served entries; the table beside it has them all.
CHART_ENTRIES = 12
# Up green, down red, no verdict grey: each at least 3:1 against white (WCAG 1.4.11).
VERDICT_COLOURS = ("#2e6b30", "#8a1c1c", "#767676")


def figures_chart(rows: Sequence[dict[str, Any]]) -> Chart:
    """The most served entries since their current version, split by the verdicts they got."""
    served = sorted(rows, key=lambda r: (-r["current_version"]["served"], r["question"]))
    bars = []
    for row in served[:CHART_ENTRIES]:
        counts = row["current_version"]
        up, down = counts["helpful"], counts["not_helpful"]
        # A vote can come for an answer served before the counting began: never below zero.
        unrated = max(counts["served"] - up - down, 0)
        text = f"visad {counts['served']}, upp {up}, ned {down}"
        bars.append(Bar(row["question"], (up, down, unrated), text))
    return bar_chart(
        f"De {len(bars)} mest visade svaren sedan senaste ändringen",
        ["Tumme upp", "Tumme ned", "Utan omdöme"],
        bars,
        "inga svar visade ännu.",
        VERDICT_COLOURS,
    )
