"""Risk-assessment dialogues over HTTP: list, book, move, cancel, invitation, outcome."""

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bot.api.deps import CurrentUser
from bot.api.errors import ApiError
from bot.errors import Refused
from bot.risk_assessments.invitation import assessment_invitation
from bot.risk_assessments.service import Action, RiskAssessmentService
from bot.storage.models import RiskAssessment

router = APIRouter(prefix="/api/risk-assessments", tags=["risk assessments"])


def risk_assessment_service(request: Request) -> RiskAssessmentService:
    service: RiskAssessmentService | None = getattr(request.app.state, "risk_assessments", None)
    if service is None:
        raise ApiError(
            503,
            "risk_assessments_unavailable",
            "Riskbedömningar går inte att hantera just nu (databasen svarar inte).",
            "Risk assessments cannot be handled right now (the database is not responding).",
        )
    return service


RiskAssessments = Annotated[RiskAssessmentService, Depends(risk_assessment_service)]


class Booking(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee: str
    start: AwareDatetime
    duration_minutes: int = Field(default=45, ge=15, le=240)
    place: str = Field(default="Teams", min_length=1, max_length=200)
    safety_representative: str | None = None
    agreement_id: int | None = None


class Move(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime


class PlannedAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=500)
    owner: str = Field(min_length=1, max_length=120)
    due: date


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    risks: str = Field(min_length=1, max_length=5000)
    actions: list[PlannedAction] = Field(default=[], max_length=50)
    follow_up_on: date


def as_dict(a: RiskAssessment) -> dict[str, Any]:
    return {
        "id": a.id,
        "employee": a.employee_id,
        "manager": a.manager_id,
        "safety_representative": a.safety_representative_id,
        "start": a.start_at.isoformat() if a.start_at else None,
        "end": a.end_at.isoformat() if a.end_at else None,
        "place": a.place,
        "status": a.status,
        "agreement_id": a.agreement_id,
        "outcome": a.outcome,
        "actions": a.actions,
        "follow_up_on": a.follow_up_on.isoformat() if a.follow_up_on else None,
    }


def refused(error: Refused) -> ApiError:
    return ApiError(error.status, error.code, error.text, error.text_en)


class Busy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime
    end: AwareDatetime


@router.get("/busy-times")
def my_busy_times(user: CurrentUser, service: RiskAssessments) -> list[dict[str, Any]]:
    """The signed-in user's busy times from now on (proposals of free slots avoid them)."""
    return [
        {"id": b.id, "start": b.start_at.isoformat(), "end": b.end_at.isoformat()}
        for b in service.busy_times(user)
    ]


@router.post("/busy-times", status_code=201)
def add_busy_time(body: Busy, user: CurrentUser, service: RiskAssessments) -> dict[str, Any]:
    try:
        busy = service.add_busy_time(user, body.start, body.end)
    except Refused as error:
        raise refused(error) from None
    return {"id": busy.id, "start": busy.start_at.isoformat(), "end": busy.end_at.isoformat()}


@router.get("")
def list_risk_assessments(user: CurrentUser, service: RiskAssessments) -> list[dict[str, Any]]:
    return [as_dict(a) for a in service.visible_to(user)]


@router.post("")
def book(body: Booking, user: CurrentUser, service: RiskAssessments) -> dict[str, Any]:
    try:
        booked = service.book(
            user,
            body.employee,
            body.start,
            timedelta(minutes=body.duration_minutes),
            body.place,
            body.safety_representative,
            body.agreement_id,
        )
    except Refused as error:
        raise refused(error) from None
    return as_dict(booked)


@router.post("/{assessment_id}/reschedule")
def reschedule(
    assessment_id: int, body: Move, user: CurrentUser, service: RiskAssessments
) -> dict[str, Any]:
    try:
        return as_dict(service.reschedule(user, assessment_id, body.start))
    except Refused as error:
        raise refused(error) from None


@router.post("/{assessment_id}/cancel")
def cancel(assessment_id: int, user: CurrentUser, service: RiskAssessments) -> dict[str, Any]:
    try:
        return as_dict(service.cancel(user, assessment_id))
    except Refused as error:
        raise refused(error) from None


@router.post("/{assessment_id}/outcome")
def document(
    assessment_id: int, body: Outcome, user: CurrentUser, service: RiskAssessments
) -> dict[str, Any]:
    actions = [Action(a.action, a.owner, a.due) for a in body.actions]
    try:
        return as_dict(
            service.document(user, assessment_id, body.risks, actions, body.follow_up_on)
        )
    except Refused as error:
        raise refused(error) from None


@router.get("/{assessment_id}.ics")
def invitation(
    assessment_id: int, request: Request, user: CurrentUser, service: RiskAssessments
) -> Response:
    try:
        assessment = service.get(user, assessment_id)
    except Refused as error:
        raise refused(error) from None
    if assessment.start_at is None or assessment.end_at is None or assessment.calendar_uid is None:
        raise ApiError(
            404,
            "no_meeting",
            "Riskbedömningen dokumenterades utan bokat möte; det finns ingen kalenderinbjudan.",
            "The risk assessment was documented without a booked meeting; there is no invitation.",
        )
    try:
        ics = assessment_invitation(
            assessment, service.directory, request.app.state.settings.faq_dir
        )
    except LookupError:
        raise ApiError(
            409,
            "person_not_in_directory",
            "Chefen finns inte i katalogen.",
            "The manager is not in the directory.",
        ) from None
    return Response(
        ics,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="riskbedomning-{assessment.id}.ics"'
        },
    )
