"""HR's list of agreements: the employee's name, the risk assessment's state, 'expiring soon'
by the region's window, and each filter narrowing the list."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.hr.agreement_list import AgreementPage, AgreementQuery, list_agreements
from bot.identity import demo_directory
from bot.storage.database import Database
from bot.storage.models import RiskAssessment
from tests.unit.test_agreement_document import make_agreement

TODAY = date(2026, 6, 1)
WINDOW = 30


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path}/list.db")
    database.migrate()
    with database.session() as session:
        documented = RiskAssessment(
            employee_id="anna.andersson",
            manager_id="maria.berg",
            status="documented",
            documented_on=date(2025, 12, 1),
        )
        booked = RiskAssessment(employee_id="erik.ek", manager_id="johan.lind", status="booked")
        session.add_all([documented, booked])
        session.flush()
        for n, (employee, unit, status, start, end, assessment) in enumerate(
            [
                (
                    "anna.andersson",
                    "Ekonomienheten",
                    "active",
                    date(2026, 1, 1),
                    date(2026, 12, 31),
                    documented.id,
                ),
                (
                    "erik.ek",
                    "IT-enheten",
                    "expiring",
                    date(2025, 7, 1),
                    TODAY + timedelta(days=20),
                    booked.id,
                ),
                ("erik.ek", "IT-enheten", "submitted", date(2026, 7, 1), date(2027, 6, 30), None),
                (
                    "gone.person",
                    "IT-enheten",
                    "rejected",
                    date(2026, 3, 1),
                    date(2026, 9, 30),
                    None,
                ),
            ],
            start=1,
        ):
            session.add(
                make_agreement(
                    reference=f"DA-2026-{n:05d}",
                    submission_key=f"k{n}",
                    employee_id=employee,
                    unit=unit,
                    status=status,
                    start_date=start,
                    end_date=end,
                    risk_assessment_id=assessment,
                )
            )
    return database


def listed(db: Database, query: AgreementQuery | None = None, limit: int = 100) -> AgreementPage:
    with db.session() as session:
        return list_agreements(
            session, demo_directory(), TODAY, WINDOW, query or AgreementQuery(), limit
        )


def test_every_agreement_newest_start_first_with_names_assessments_and_expiry(db: Database) -> None:
    page = listed(db)
    assert page.total == 4
    assert page.units == ["Ekonomienheten", "IT-enheten"]
    rows = [
        (r.reference, r.employee_name, r.status, r.risk_assessment_status, r.expiring_soon)
        for r in page.rows
    ]
    assert rows == [
        ("DA-2026-00003", "Erik Ek", "submitted", None, False),
        ("DA-2026-00004", "gone.person", "rejected", None, False),
        ("DA-2026-00001", "Anna Andersson", "active", "documented", False),
        ("DA-2026-00002", "Erik Ek", "expiring", "booked", True),
    ]
    assert page.rows[2].risk_assessment_documented_on == date(2025, 12, 1)


@pytest.mark.parametrize(
    ("query", "references"),
    [
        (AgreementQuery(status="submitted"), ["DA-2026-00003"]),
        (AgreementQuery(unit="Ekonomienheten"), ["DA-2026-00001"]),
        (AgreementQuery(expiring_only=True), ["DA-2026-00002"]),
        (AgreementQuery(risk_assessment="documented"), ["DA-2026-00001"]),
        (
            AgreementQuery(risk_assessment="missing"),
            ["DA-2026-00003", "DA-2026-00004", "DA-2026-00002"],
        ),
        (AgreementQuery(employee="erik"), ["DA-2026-00003", "DA-2026-00002"]),
        (AgreementQuery(employee="ANDERSSON"), ["DA-2026-00001"]),
        (
            AgreementQuery(unit="IT-enheten", status="expiring", risk_assessment="missing"),
            ["DA-2026-00002"],
        ),
        (AgreementQuery(employee="ingen sådan"), []),
    ],
)
def test_each_filter_narrows_the_list(
    db: Database, query: AgreementQuery, references: list[str]
) -> None:
    page = listed(db, query)
    assert [r.reference for r in page.rows] == references
    assert page.total == len(references)


def test_a_page_holds_at_most_the_limit_and_counts_them_all(db: Database) -> None:
    page = listed(db, limit=2)
    assert len(page.rows) == 2 and page.total == 4
