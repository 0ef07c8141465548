"""Remote-work agreements over HTTP. Same visibility rules as in chat (see AgreementService)."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, StringConstraints

from bot.agreements.document import agreement_pdf
from bot.agreements.service import WORKPLACE_ADDRESS_MAX_LENGTH, AgreementService
from bot.agreements.statistics import agreement_statistics, statistics_csv
from bot.api.deps import ClockDep, CurrentUser, limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.inputs import Day, FreeText, PathId, RequestBody
from bot.notifications import take_undelivered
from bot.storage.models import Agreement, AgreementStatus

router = APIRouter(
    prefix="/api",
    tags=["agreements"],
    dependencies=[Depends(limit_writes)],
    responses=error_responses(401, 422, 503),
)
WRITE_ERRORS = error_responses(400, 403, 404, 409, 413, 429)


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


class Decision(RequestBody):
    decision: Literal["approve", "reject"]
    reason: FreeText = Field(default="", max_length=2000)


class DocumentedRiskAssessment(RequestBody):
    outcome: FreeText = Field(min_length=1, max_length=5000)
    documented_on: Day


class WorkplaceAddress(RequestBody):
    """Street address, postcode and town of the remote workplace, on one line."""

    address: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=WORKPLACE_ADDRESS_MAX_LENGTH
        ),
        Field(examples=["Björkvägen 3, 837 52 Åre"]),
    ]


class Place(BaseModel):
    kind: str
    description: str
    # Null until the employee (or the manager) has given it.
    address: str | None = None


class AgreementOut(BaseModel):
    """An agreement as the employee, the manager and HR see it."""

    id: int
    reference: str
    employee: str
    manager: str
    unit: str
    share_percent: int
    place: Place
    start_date: date
    end_date: date
    tasks: str
    equipment: list[str]
    it_security_confirmed: bool
    status: AgreementStatus
    decision_reason: str | None
    risk_assessment_id: int | None
    region: str

    @classmethod
    def of(cls, agreement: Agreement) -> "AgreementOut":
        return cls(
            id=agreement.id,
            reference=agreement.reference,
            employee=agreement.employee_id,
            manager=agreement.manager_id,
            unit=agreement.unit,
            share_percent=agreement.share_percent,
            place=Place(
                kind=agreement.place_kind,
                description=agreement.place_description,
                address=agreement.workplace_address,
            ),
            start_date=agreement.start_date,
            end_date=agreement.end_date,
            tasks=agreement.tasks,
            equipment=list(agreement.equipment or []),
            it_security_confirmed=agreement.it_security_confirmed,
            status=AgreementStatus(agreement.status),
            decision_reason=agreement.decision_reason,
            risk_assessment_id=agreement.risk_assessment_id,
            region=agreement.region,
        )


class NotificationOut(BaseModel):
    text: str


class AgreementStatistics(BaseModel):
    """Counts only, no names (see ``agreement_statistics``)."""

    in_force_per_unit: dict[str, int]
    share_percent: dict[str, int]
    expiring_within_days: dict[str, int]
    per_status: dict[str, int]


@router.get("/agreements")
def list_agreements(user: CurrentUser, service: Agreements) -> list[AgreementOut]:
    return [AgreementOut.of(a) for a in service.visible_to(user)]


@router.get("/agreements/{agreement_id}", responses=error_responses(404))
def get_agreement(agreement_id: PathId, user: CurrentUser, service: Agreements) -> AgreementOut:
    return AgreementOut.of(service.get(user, agreement_id))


@router.post("/agreements/{agreement_id}/decision", responses=WRITE_ERRORS)
def decide(
    agreement_id: PathId, decision: Decision, user: CurrentUser, service: Agreements
) -> AgreementOut:
    agreement = service.decide(user, agreement_id, decision.decision == "approve", decision.reason)
    return AgreementOut.of(agreement)


@router.post("/agreements/{agreement_id}/withdraw", responses=WRITE_ERRORS)
def withdraw(agreement_id: PathId, user: CurrentUser, service: Agreements) -> AgreementOut:
    """The applicant takes back a request that has not been decided; the manager is told, and
    the change is kept in the agreement's history. 403 ``not_your_request``, 409
    ``already_decided``."""
    return AgreementOut.of(service.withdraw(user, agreement_id))


@router.post("/agreements/{agreement_id}/risk-assessment", responses=WRITE_ERRORS)
def register_risk_assessment(
    agreement_id: PathId, body: DocumentedRiskAssessment, user: CurrentUser, service: Agreements
) -> AgreementOut:
    agreement = service.register_risk_assessment(
        user, agreement_id, body.outcome, body.documented_on
    )
    return AgreementOut.of(agreement)


@router.post("/agreements/{agreement_id}/workplace-address", responses=WRITE_ERRORS)
def set_workplace_address(
    agreement_id: PathId, body: WorkplaceAddress, user: CurrentUser, service: Agreements
) -> AgreementOut:
    """Give or correct where the remote work is done (the work-injury insurance needs it); the
    printed agreement shows it. Until the agreement has ended."""
    return AgreementOut.of(service.set_workplace_address(user, agreement_id, body.address))


@router.get(
    "/agreements/{agreement_id}/document.pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The agreement as a PDF document, watermarked as a draft until "
            "it is approved.",
        },
        **error_responses(404, 409),
    },
)
def agreement_document(agreement_id: PathId, user: CurrentUser, service: Agreements) -> Response:
    agreement = service.get(user, agreement_id)
    employee = service.directory.get(agreement.employee_id)
    manager = service.directory.get(agreement.manager_id)
    if employee is None or manager is None:
        raise ApiError(
            409,
            "person_not_in_directory",
            "Medarbetaren eller chefen finns inte längre i personalkatalogen.",
            "The employee or the manager is no longer in the directory.",
        )
    pdf = agreement_pdf(
        agreement,
        employee,
        manager,
        service.region,
        decided_by=service.directory.get(agreement.decided_by) if agreement.decided_by else None,
        risk_assessment=service.linked_risk_assessment(agreement),
    )
    # A downloaded draft says so in its name too, before anyone opens it.
    suffix = "-utkast" if agreement.status == AgreementStatus.SUBMITTED else ""
    filename = f"{agreement.reference}{suffix}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/notifications")
def notifications(user: CurrentUser, service: Agreements) -> list[NotificationOut]:
    """Messages waiting for the user (reminders, decisions); each is returned once."""
    return [NotificationOut(text=text) for text in take_undelivered(service.db, user.id)]


@router.get(
    "/statistics/agreements",
    response_model=AgreementStatistics,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The figures as JSON, or with format=csv as CSV for Excel.",
        },
        **error_responses(403),
    },
)
def statistics(
    user: CurrentUser,
    service: Agreements,
    clock: ClockDep,
    format: Literal["json", "csv"] = "json",
) -> Response | AgreementStatistics:
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
    return AgreementStatistics.model_validate(stats)
