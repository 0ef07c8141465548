"""HR's list of remote-work agreements: who, which unit, how much, when, where it stands, whether
the risk assessment is documented, and whether it runs out soon; filtered as HR asks.

HR sees every agreement of the region (``AgreementService.visible_to``); this list adds the
employee's name from the directory and the linked risk assessment's state, in one query.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.agreements.statistics import IN_FORCE
from bot.identity import Directory
from bot.storage.models import Agreement, RiskAssessment, RiskAssessmentStatus

RiskAssessmentFilter = Literal["documented", "missing"]


@dataclass(frozen=True)
class AgreementQuery:
    """What HR filters on; ``None`` or ``False``: no filter. ``employee``: part of a name or id."""

    status: str | None = None
    unit: str | None = None
    expiring_only: bool = False
    risk_assessment: RiskAssessmentFilter | None = None
    employee: str | None = None


@dataclass(frozen=True)
class AgreementRow:
    id: int
    reference: str
    employee_id: str
    employee_name: str
    unit: str
    share_percent: int
    start_date: date
    end_date: date
    status: str
    # The linked assessment's status ("documented", "booked", …), or None when none is linked.
    risk_assessment_status: str | None
    risk_assessment_documented_on: date | None
    expiring_soon: bool


@dataclass(frozen=True)
class AgreementPage:
    rows: list[AgreementRow]
    # How many match the filters, of which ``rows`` is one page.
    total: int
    units: list[str]


def list_agreements(
    session: Session,
    directory: Directory,
    today: date,
    expiry_days: int,
    query: AgreementQuery,
    limit: int,
    offset: int = 0,
) -> AgreementPage:
    """The agreements matching ``query``, newest start first. ``expiry_days``: how close to
    its end an agreement in force counts as running out (the region's reminder window)."""
    in_force = Agreement.status.in_([status.value for status in IN_FORCE])
    expiring = and_(
        in_force,
        Agreement.end_date >= today,
        Agreement.end_date <= today + timedelta(days=expiry_days),
    )
    conditions: list[ColumnElement[bool]] = []
    if query.status:
        conditions.append(Agreement.status == query.status)
    if query.unit:
        conditions.append(Agreement.unit == query.unit)
    if query.expiring_only:
        conditions.append(expiring)
    if query.risk_assessment == "documented":
        conditions.append(RiskAssessment.status == RiskAssessmentStatus.DOCUMENTED)
    elif query.risk_assessment == "missing":
        conditions.append(
            or_(
                RiskAssessment.id.is_(None),
                RiskAssessment.status != RiskAssessmentStatus.DOCUMENTED,
            )
        )
    if query.employee:
        conditions.append(Agreement.employee_id.in_(_matching_people(directory, query.employee)))

    joined = select(Agreement, RiskAssessment).outerjoin(
        RiskAssessment, RiskAssessment.id == Agreement.risk_assessment_id
    )
    total = session.scalar(
        select(func.count())
        .select_from(Agreement)
        .outerjoin(RiskAssessment, RiskAssessment.id == Agreement.risk_assessment_id)
        .where(*conditions)
    )
    found = session.execute(
        joined.where(*conditions)
        .order_by(Agreement.start_date.desc(), Agreement.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    units = session.scalars(select(Agreement.unit).distinct().order_by(Agreement.unit)).all()
    soon = today + timedelta(days=expiry_days)
    rows = [
        AgreementRow(
            id=agreement.id,
            reference=agreement.reference,
            employee_id=agreement.employee_id,
            employee_name=_name(directory, agreement.employee_id),
            unit=agreement.unit,
            share_percent=agreement.share_percent,
            start_date=agreement.start_date,
            end_date=agreement.end_date,
            status=agreement.status,
            risk_assessment_status=assessment.status if assessment else None,
            risk_assessment_documented_on=assessment.documented_on if assessment else None,
            expiring_soon=agreement.status in IN_FORCE and today <= agreement.end_date <= soon,
        )
        for agreement, assessment in found
    ]
    return AgreementPage(rows, int(total or 0), list(units))


def _matching_people(directory: Directory, text: str) -> Sequence[str]:
    wanted = text.casefold().strip()
    return [u.id for u in directory.all() if wanted in u.name.casefold() or wanted in u.id]


def _name(directory: Directory, user_id: str) -> str:
    """The directory's name; someone who has left is shown by id, so the row still reads."""
    person = directory.get(user_id)
    return person.name if person else user_id
