"""HR's overview: the agreements, filtered, with each one's PDF; and the charts of the agreement
statistics and of the answers served per FAQ entry.

HR only (``require_hr``), like the rest of ``/api/hr``. Reading changes nothing, so it leaves no
audit record. The PDF itself comes from ``GET /api/agreements/{id}/document.pdf``, which lets HR
read every agreement and the employee and manager only their own.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from bot.agreements.statistics import agreement_statistics, statistics_charts
from bot.api.agreements import Agreements
from bot.api.deps import ClockDep
from bot.api.errors import ApiError, error_responses
from bot.api.hr import _database, _loaded_answerer, require_hr
from bot.hr.agreement_list import AgreementQuery, RiskAssessmentFilter, list_agreements
from bot.hr.charts import Chart
from bot.hr.figures import entry_figures, figures_chart
from bot.hr.labels import label
from bot.storage.models import AgreementStatus

router = APIRouter(
    prefix="/api/hr",
    tags=["hr"],
    dependencies=[Depends(require_hr)],
    responses=error_responses(401, 403, 422, 503),
)


class AgreementListed(BaseModel):
    id: int
    reference: str
    employee: str
    employee_name: str
    unit: str
    share_percent: int
    start_date: date
    end_date: date
    status: AgreementStatus
    status_label: str
    # Whether the linked risk assessment is documented, and its state in words.
    risk_assessment_documented: bool
    risk_assessment_label: str
    risk_assessment_documented_on: date | None
    # In force and ending within the region's reminder window.
    expiring_soon: bool
    # The agreement as a PDF (HR may read every one).
    document: str


class AgreementList(BaseModel):
    agreements: list[AgreementListed]
    total: int
    limit: int
    offset: int
    units: list[str]
    statuses: dict[str, str]
    expiring_within_days: int


class ChartRow(BaseModel):
    label: str
    values: list[int]
    text: str


class ChartOut(BaseModel):
    """A chart drawn as SVG, with its rows for the table beside it."""

    title: str
    description: str
    series: list[str]
    rows: list[ChartRow]
    svg: str

    @classmethod
    def of(cls, chart: Chart) -> "ChartOut":
        return cls(
            title=chart.title,
            description=chart.description,
            series=list(chart.series),
            rows=[ChartRow(label=b.label, values=list(b.values), text=b.text) for b in chart.bars],
            svg=chart.svg,
        )


def _assessment_label(status: str | None) -> str:
    if status is None:
        return "Ingen kopplad"
    return label("risk_assessment_statuses", status)


@router.get("/agreements")
def agreements(
    service: Agreements,
    clock: ClockDep,
    status: AgreementStatus | None = None,
    unit: Annotated[str | None, Query(min_length=1, max_length=120)] = None,
    expiring: Annotated[bool, Query(description="Only those in force that end soon.")] = False,
    risk_assessment: Annotated[
        RiskAssessmentFilter | None,
        Query(description="documented: the linked assessment is documented; missing: it is not."),
    ] = None,
    employee: Annotated[
        str | None, Query(min_length=2, max_length=80, description="Part of a name or id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AgreementList:
    """Every agreement of the region, newest start first, with the filters HR chose."""
    if unit is not None and not unit.strip():
        raise ApiError(422, "unit_empty", "Ange en enhet.", "Give a unit.")
    days = service.region.agreement.reminder_days_before_expiry
    query = AgreementQuery(status, unit, expiring, risk_assessment, employee)
    with service.db.session() as session:
        page = list_agreements(
            session, service.directory, clock.today(), days, query, limit, offset
        )
    return AgreementList(
        agreements=[
            AgreementListed(
                id=row.id,
                reference=row.reference,
                employee=row.employee_id,
                employee_name=row.employee_name,
                unit=row.unit,
                share_percent=row.share_percent,
                start_date=row.start_date,
                end_date=row.end_date,
                status=AgreementStatus(row.status),
                status_label=label("agreement_statuses", row.status),
                risk_assessment_documented=row.risk_assessment_status == "documented",
                risk_assessment_label=_assessment_label(row.risk_assessment_status),
                risk_assessment_documented_on=row.risk_assessment_documented_on,
                expiring_soon=row.expiring_soon,
                document=f"/api/agreements/{row.id}/document.pdf",
            )
            for row in page.rows
        ],
        total=page.total,
        limit=limit,
        offset=offset,
        units=page.units,
        statuses={s.value: label("agreement_statuses", s.value) for s in AgreementStatus},
        expiring_within_days=days,
    )


@router.get("/charts/agreements")
def agreement_charts(service: Agreements, clock: ClockDep) -> list[ChartOut]:
    """The agreement statistics (``GET /api/statistics/agreements``) as charts."""
    with service.db.session() as session:
        stats = agreement_statistics(session, clock.today())
    return [ChartOut.of(chart) for chart in statistics_charts(stats)]


@router.get("/charts/figures")
def answers_chart(request: Request) -> ChartOut:
    """The most served FAQ answers since their last edit, by the verdicts they got."""
    answerer = _loaded_answerer(request)
    with _database(request).db.session() as db_session:
        rows = entry_figures(db_session, answerer.index.entries)
    return ChartOut.of(figures_chart(rows))
