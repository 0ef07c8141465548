"""HR's reports over HTTP: the compliance report for the annual SAM follow-up (JSON, CSV, PDF)
and the unit summary for the verksamhetsråd (JSON, PDF).

HR only, like the rest of ``/api/hr`` (``require_hr``). The reports hold counts, and the summary
free text only when HR asks for it, with names taken out: nothing HR does not already see on
the agreements and risk assessments. Reading one changes nothing, so it leaves no audit record
(the audit trail records changes).
"""

import re
import unicodedata
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from bot.agreements.service import AgreementService
from bot.api.deps import ClockDep
from bot.api.errors import ApiError, error_responses
from bot.api.hr import require_hr
from bot.reports.compliance import (
    EARLIEST_YEAR,
    ComplianceReport,
    compliance_csv,
    compliance_report,
    known_unit,
    report_period,
)
from bot.reports.facts import ReportFacts, load_facts
from bot.reports.pdf import compliance_pdf, unit_summary_pdf
from bot.reports.unit_summary import UnitSummary, unit_summary

router = APIRouter(
    prefix="/api/hr/reports",
    tags=["hr"],
    dependencies=[Depends(require_hr)],
    responses=error_responses(401, 403, 404, 422, 503),
)

Year = Annotated[
    int | None,
    Query(
        ge=EARLIEST_YEAR,
        le=2999,
        description="The calendar year; the current year when left out.",
    ),
]
Unit = Annotated[str, Query(min_length=1, max_length=120, description="The unit, as listed.")]


class ReportOptions(BaseModel):
    """What the HR page offers to choose from."""

    region_name: str
    years: list[int]
    current_year: int
    units: list[str]
    min_group_size: int
    reminder_days_before_expiry: int


def _agreements(request: Request) -> AgreementService:
    service: AgreementService | None = getattr(request.app.state, "agreements", None)
    if service is None:
        raise ApiError(
            503,
            "reports_unavailable",
            "Rapporterna kan inte tas fram just nu (databasen svarar inte). Försök igen senare.",
            "The reports cannot be produced right now (the database is not responding). "
            "Please try again later.",
        )
    return service


Agreements = Annotated[AgreementService, Depends(_agreements)]


def _facts(service: AgreementService) -> ReportFacts:
    with service.db.session() as session:
        return load_facts(session, service.region, service.directory)


@router.get("/options")
def options(service: Agreements, clock: ClockDep) -> ReportOptions:
    """The years and units a report can be made for, and the region's settings."""
    facts = _facts(service)
    today = clock.today()
    return ReportOptions(
        region_name=service.region.name,
        years=list(range(today.year, facts.first_year(today) - 1, -1)),
        current_year=today.year,
        units=list(facts.units),
        min_group_size=service.region.reports.min_group_size,
        reminder_days_before_expiry=service.region.agreement.reminder_days_before_expiry,
    )


@router.get(
    "/compliance",
    response_model=ComplianceReport,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "The report as JSON, or with format=csv as CSV for Excel, or with "
            "format=pdf as a printable PDF.",
        }
    },
)
def compliance(
    service: Agreements,
    clock: ClockDep,
    year: Year = None,
    unit: Annotated[str | None, Query(min_length=1, max_length=120)] = None,
    format: Literal["json", "csv", "pdf"] = "json",
) -> Response | ComplianceReport:
    """Per unit (all units, or ``unit``) for the SAM follow-up of ``year``."""
    today = clock.today()
    period = report_period(year or today.year, today)
    facts = _facts(service)
    chosen = known_unit(facts, unit) if unit is not None else None
    report = compliance_report(facts, service.region, period, chosen)
    name = _file_name("sam-uppfoljning-distansarbete", period.year, chosen)
    if format == "csv":
        return Response(
            # With a byte-order mark Excel reads å, ä and ö correctly.
            compliance_csv(report).encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "pdf":
        return Response(
            compliance_pdf(report),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return report


@router.get(
    "/unit-summary",
    response_model=UnitSummary,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The summary as JSON, or with format=pdf as a printable PDF.",
        }
    },
)
def summary(
    service: Agreements,
    clock: ClockDep,
    unit: Unit,
    year: Year = None,
    min_group_size: Annotated[
        int | None,
        Query(ge=1, le=100, description="At least the region's; the region's when left out."),
    ] = None,
    free_text: Annotated[
        bool, Query(description="Include the outcomes and the actions' wording, names removed.")
    ] = False,
    format: Literal["json", "pdf"] = "json",
) -> Response | UnitSummary:
    """What the unit's risk assessments showed and how the risks are handled, anonymised."""
    today = clock.today()
    period = report_period(year or today.year, today)
    facts = _facts(service)
    people = service.directory.all()
    result = unit_summary(
        facts,
        service.region,
        period,
        known_unit(facts, unit),
        min_group_size,
        free_text,
        names=[person.name for person in people],
        ids=[i for person in people for i in (person.id, person.employee_number) if i],
    )
    if format == "pdf":
        name = _file_name("verksamhetsrad-distansarbete", period.year, result.unit)
        return Response(
            unit_summary_pdf(result),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return result


def _file_name(stem: str, year: int, unit: str | None) -> str:
    """An ASCII file name ("sam-uppfoljning-distansarbete-2026-ekonomienheten"): a header
    cannot carry å, ä and ö safely."""
    if unit is None:
        return f"{stem}-{year}"
    ascii_unit = unicodedata.normalize("NFKD", unit).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_unit.lower()).strip("-")[:60] or "enhet"
    return f"{stem}-{year}-{slug}"
