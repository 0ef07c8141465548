"""HR's figures about agreements, on SQLite and on PostgreSQL."""

import csv
import io
from datetime import date, timedelta
from itertools import count

from sqlalchemy.orm import Session

from bot.agreements.statistics import agreement_statistics, statistics_csv
from bot.storage.database import Database
from tests.conftest import postgres_schema
from tests.unit.test_agreement_document import make_agreement

TODAY = date(2026, 3, 2)

EXPECTED = {
    "in_force_per_unit": {"Ekonomienheten": 6, "IT-enheten": 2, "Vårdcentral Öster": 3},
    "share_percent": {"1–20 %": 2, "21–40 %": 2, "41–49 %": 2, "50–80 %": 3, "81–100 %": 2},
    "expiring_within_days": {"30": 3, "90": 5},
    "per_status": {
        "submitted": 1,
        "approved": 2,
        "rejected": 1,
        "active": 7,
        "expiring": 2,
        "expired": 1,
        "renewed": 0,
        "withdrawn": 0,
    },
}


def seed(session: Session) -> None:
    """Agreements placed on the bucket and expiry boundaries around TODAY."""
    numbers = count(1)

    def add(unit: str, share: int, end: date, status: str) -> None:
        n = next(numbers)
        session.add(
            make_agreement(
                reference=f"DA-2026-{n:05d}",
                submission_key=f"key-{n}",
                unit=unit,
                share_percent=share,
                start_date=date(2025, 1, 1),
                end_date=end,
                status=status,
            )
        )

    far = TODAY + timedelta(days=365)
    # In force: counted per unit, per share bucket and (by end date) as expiring.
    add("Ekonomienheten", 1, TODAY, "expiring")  # ends today: within 30 and 90
    add("Ekonomienheten", 20, TODAY + timedelta(days=30), "expiring")  # last day of 30
    add("Ekonomienheten", 21, TODAY + timedelta(days=31), "active")  # 90 only
    add("Ekonomienheten", 40, TODAY + timedelta(days=90), "active")  # last day of 90
    add("Ekonomienheten", 41, TODAY + timedelta(days=91), "active")  # beyond 90
    add("Ekonomienheten", 49, TODAY - timedelta(days=1), "active")  # ended yesterday: neither
    add("IT-enheten", 50, far, "approved")
    add("IT-enheten", 80, TODAY + timedelta(days=10), "approved")  # within 30 and 90
    add("Vårdcentral Öster", 81, far, "active")
    add("Vårdcentral Öster", 100, far, "active")
    add("Vårdcentral Öster", 60, far, "active")
    # Not in force: only in the per-status totals.
    add("Ekonomienheten", 30, TODAY + timedelta(days=5), "submitted")
    add("IT-enheten", 30, TODAY + timedelta(days=5), "rejected")
    add("Vårdcentral Öster", 30, TODAY + timedelta(days=5), "expired")


def test_figures_per_unit_share_expiry_and_status(db: Database) -> None:
    with db.session() as session:
        seed(session)
    with db.session() as session:
        stats = agreement_statistics(session, TODAY)

    assert stats == EXPECTED


def test_an_empty_database_gives_zeros_not_errors(db: Database) -> None:
    with db.session() as session:
        stats = agreement_statistics(session, TODAY)

    assert stats["in_force_per_unit"] == {}
    assert set(stats["share_percent"].values()) == {0}
    assert stats["expiring_within_days"] == {"30": 0, "90": 0}
    assert set(stats["per_status"].values()) == {0}


def test_csv_reads_back_with_semicolons() -> None:
    rows = list(csv.reader(io.StringIO(statistics_csv(EXPECTED)), delimiter=";"))

    assert rows[0] == ["section", "key", "value"]
    figures = {(section, key): int(value) for section, key, value in rows[1:]}
    assert len(figures) == len(rows) - 1 == sum(len(v) for v in EXPECTED.values())
    assert figures[("in_force_per_unit", "Vårdcentral Öster")] == 3
    assert figures[("share_percent", "50–80 %")] == 3
    assert figures[("expiring_within_days", "90")] == 5
    assert figures[("per_status", "renewed")] == 0


def test_the_same_figures_on_postgresql() -> None:
    with postgres_schema() as db:
        with db.session() as session:
            seed(session)
        with db.session() as session:
            assert agreement_statistics(session, TODAY) == EXPECTED
