"""Remote-work agreements over HTTP. Same visibility rules as in chat (see AgreementService)."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from bot.agreements.document import agreement_pdf
from bot.agreements.service import AgreementService
from bot.agreements.statistics import agreement_statistics, statistics_csv
from bot.api.deps import ClockDep, CurrentUser
from bot.api.errors import ApiError
from bot.errors import Refused
from bot.notifications import take_undelivered

router = APIRouter(prefix="/api", tags=["agreements"])


def agreement_service(request: Request) -> AgreementService:
    service: AgreementService | None = getattr(request.app.state, "agreements", None)
    if service is None:
        raise ApiError(
            503,
            "agreements_unavailable",
            "Överenskommelser går inte att hantera just nu (databasen svarar inte). "
            "Försök igen senare.",
            "Agreements cannot be handled right now (the database is not responding). "
            "Please try again later.",
        )
    return service


Agreements = Annotated[AgreementService, Depends(agreement_service)]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: str = Field(default="", max_length=2000)


class DocumentedRiskAssessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(min_length=1, max_length=5000)
    documented_on: date


def refused(error: Refused) -> ApiError:
    return ApiError(error.status, error.code, error.text, error.text_en)


@router.get("/agreements")
def list_agreements(user: CurrentUser, service: Agreements) -> list[dict[str, Any]]:
    return [a.as_dict() for a in service.visible_to(user)]


@router.get("/agreements/{agreement_id}")
def get_agreement(agreement_id: int, user: CurrentUser, service: Agreements) -> dict[str, Any]:
    try:
        return service.get(user, agreement_id).as_dict()
    except Refused as error:
        raise refused(error) from None


@router.post("/agreements/{agreement_id}/decision")
def decide(
    agreement_id: int, decision: Decision, user: CurrentUser, service: Agreements
) -> dict[str, Any]:
    try:
        agreement = service.decide(
            user, agreement_id, decision.decision == "approve", decision.reason
        )
    except Refused as error:
        raise refused(error) from None
    return agreement.as_dict()


@router.post("/agreements/{agreement_id}/risk-assessment")
def register_risk_assessment(
    agreement_id: int, body: DocumentedRiskAssessment, user: CurrentUser, service: Agreements
) -> dict[str, Any]:
    try:
        agreement = service.register_risk_assessment(
            user, agreement_id, body.outcome, body.documented_on
        )
    except Refused as error:
        raise refused(error) from None
    return agreement.as_dict()


@router.get("/agreements/{agreement_id}/document.pdf")
def agreement_document(agreement_id: int, user: CurrentUser, service: Agreements) -> Response:
    try:
        agreement = service.get(user, agreement_id)
    except Refused as error:
        raise refused(error) from None
    employee = service.directory.get(agreement.employee_id)
    manager = service.directory.get(agreement.manager_id)
    if employee is None or manager is None:
        raise ApiError(
            409,
            "person_not_in_directory",
            "Medarbetaren eller chefen finns inte längre i personalkatalogen.",
            "The employee or the manager is no longer in the directory.",
        )
    pdf = agreement_pdf(agreement, employee, manager, service.region)
    filename = f"{agreement.reference}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/notifications")
def notifications(user: CurrentUser, service: Agreements) -> list[dict[str, str]]:
    """Messages waiting for the user (reminders, decisions); each is returned once."""
    return [{"text": text} for text in take_undelivered(service.db, user.id)]


@router.get("/statistics/agreements", response_model=None)
def statistics(
    user: CurrentUser,
    service: Agreements,
    clock: ClockDep,
    format: Literal["json", "csv"] = "json",
) -> Response | dict[str, Any]:
    if not user.is_hr:
        raise ApiError(
            403, "hr_only", "Statistiken är bara för HR.", "The statistics are for HR only."
        )
    with service.db.session() as session:
        stats = agreement_statistics(session, clock.today())
    if format == "csv":
        return Response(
            # With a byte-order mark Excel reads å, ä and ö correctly.
            statistics_csv(stats).encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="distansoverenskommelser.csv"'},
        )
    return stats
