"""Risk-assessment dialogues over HTTP: list, book, move, cancel, invitation, outcome."""

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from bot.api.deps import CurrentUser, SettingsDep, limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.inputs import Day, FreeText, Moment, PathId, RecordId, RequestBody
from bot.rendering import render_markdown
from bot.risk_assessments.invitation import assessment_invitation, load_checklist
from bot.risk_assessments.links import CHECKLIST_PATH
from bot.risk_assessments.service import (
    DEFAULT_DURATION,
    LONGEST,
    SHORTEST,
    Action,
    RiskAssessmentService,
)
from bot.storage.models import ActionStatus, BusyTime, RiskAssessment, RiskAssessmentStatus

router = APIRouter(
    prefix="/api/risk-assessments",
    tags=["risk assessments"],
    dependencies=[Depends(limit_writes)],
    responses=error_responses(401, 422, 503),
)
WRITE_ERRORS = error_responses(400, 403, 404, 409, 413, 429)
# Opened from a calendar, Teams or an e-mail, where the browser has no token: HR's checklist
# (general guidance, nobody's data) and a dialogue's invitation by its signed link.
public_router = APIRouter(include_in_schema=False)
CHECKLIST_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checklista för riskbedömning av distansarbete</title>
</head>
<body>
<main>
{content}
</main>
</body>
</html>
"""


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


class Booking(RequestBody):
    employee: str = Field(max_length=80)
    start: Moment
    duration_minutes: int = Field(
        default=DEFAULT_DURATION.seconds // 60,
        ge=SHORTEST.seconds // 60,
        le=LONGEST.seconds // 60,
    )
    place: FreeText = Field(default="Teams", min_length=1, max_length=200)
    safety_representative: str | None = Field(default=None, max_length=80)
    agreement_id: RecordId | None = None


class Move(RequestBody):
    start: Moment


class PlannedAction(RequestBody):
    action: FreeText = Field(min_length=1, max_length=500)
    owner: FreeText = Field(min_length=1, max_length=120)
    due: Day


class Outcome(RequestBody):
    risks: FreeText = Field(min_length=1, max_length=5000)
    actions: list[PlannedAction] = Field(default=[], max_length=50)
    follow_up_on: Day


class Busy(RequestBody):
    start: Moment
    end: Moment


class PlannedActionOut(BaseModel):
    """An action of the plan; ``id`` is its id under ``/api/action-plans``."""

    id: int
    action: str
    owner: str
    due: date
    status: ActionStatus


class RiskAssessmentOut(BaseModel):
    """A risk assessment as its participants and HR see it; ``start`` and ``end`` are null for
    one documented without a booked dialogue."""

    id: int
    employee: str
    manager: str
    safety_representative: str | None
    start: datetime | None
    end: datetime | None
    place: str | None
    status: RiskAssessmentStatus
    agreement_id: int | None
    outcome: str | None
    actions: list[PlannedActionOut]
    follow_up_on: date | None
    # Whether the time was checked against the participants' calendars: null when no calendar
    # system is configured, false when it could not be reached (only this app's bookings were).
    calendar_checked: bool | None = None

    @classmethod
    def of(cls, assessment: RiskAssessment) -> "RiskAssessmentOut":
        return cls(
            id=assessment.id,
            employee=assessment.employee_id,
            manager=assessment.manager_id,
            safety_representative=assessment.safety_representative_id,
            start=assessment.start_at,
            end=assessment.end_at,
            place=assessment.place,
            status=RiskAssessmentStatus(assessment.status),
            agreement_id=assessment.agreement_id,
            outcome=assessment.outcome,
            actions=[
                PlannedActionOut(
                    id=item.id,
                    action=item.text,
                    owner=item.owner,
                    due=item.due_on,
                    status=ActionStatus(item.status),
                )
                for item in assessment.action_items
            ],
            follow_up_on=assessment.follow_up_on,
            calendar_checked=assessment.calendar_checked,
        )


class BusyTimeOut(BaseModel):
    id: int
    start: datetime
    end: datetime

    @classmethod
    def of(cls, busy: BusyTime) -> "BusyTimeOut":
        return cls(id=busy.id, start=busy.start_at, end=busy.end_at)


@router.get("/busy-times")
def my_busy_times(user: CurrentUser, service: RiskAssessments) -> list[BusyTimeOut]:
    """The signed-in user's busy times from now on (proposals of free slots avoid them)."""
    return [BusyTimeOut.of(b) for b in service.meeting_times.busy_times(user)]


@router.post("/busy-times", status_code=201, responses=WRITE_ERRORS)
def add_busy_time(body: Busy, user: CurrentUser, service: RiskAssessments) -> BusyTimeOut:
    return BusyTimeOut.of(service.meeting_times.add_busy_time(user, body.start, body.end))


class FreeTimesOut(BaseModel):
    """Times when everybody taking part is free, each on a day of its own, from the next working
    days after the minimum notice (``DG_BOOKING_*``). ``starts`` empty: nothing is free until
    ``searched_until``; ask again with ``after`` = ``next_search_from`` to look further ahead."""

    starts: list[datetime]
    # Checked against the participants' calendars too: null when no calendar system is
    # configured, false when it could not be reached (only this app's bookings were).
    calendars_checked: bool | None
    searched_from: datetime
    searched_until: datetime
    next_search_from: date


@router.get("/free-times", responses=error_responses(403))
def free_times(
    user: CurrentUser,
    service: RiskAssessments,
    employee: Annotated[str, Query(max_length=80)],
    duration_minutes: Annotated[
        int, Query(ge=SHORTEST.seconds // 60, le=LONGEST.seconds // 60)
    ] = DEFAULT_DURATION.seconds // 60,
    safety_representative: Annotated[str | None, Query(max_length=80)] = None,
    after: Annotated[Day | None, Query()] = None,
) -> FreeTimesOut:
    offer = service.free_times(
        user, employee, timedelta(minutes=duration_minutes), safety_representative, after
    )
    return FreeTimesOut(
        starts=offer.starts,
        calendars_checked=offer.calendars_checked,
        searched_from=offer.searched_from,
        searched_until=offer.searched_until,
        next_search_from=offer.widen_from,
    )


@router.get("")
def list_risk_assessments(user: CurrentUser, service: RiskAssessments) -> list[RiskAssessmentOut]:
    return [RiskAssessmentOut.of(a) for a in service.visible_to(user)]


@router.post("", responses=WRITE_ERRORS)
def book(body: Booking, user: CurrentUser, service: RiskAssessments) -> RiskAssessmentOut:
    booked = service.book(
        user,
        body.employee,
        body.start,
        timedelta(minutes=body.duration_minutes),
        body.place,
        body.safety_representative,
        body.agreement_id,
    )
    return RiskAssessmentOut.of(booked)


@router.post("/{assessment_id}/reschedule", responses=WRITE_ERRORS)
def reschedule(
    assessment_id: PathId, body: Move, user: CurrentUser, service: RiskAssessments
) -> RiskAssessmentOut:
    return RiskAssessmentOut.of(service.reschedule(user, assessment_id, body.start))


@router.post("/{assessment_id}/cancel", responses=WRITE_ERRORS)
def cancel(assessment_id: PathId, user: CurrentUser, service: RiskAssessments) -> RiskAssessmentOut:
    return RiskAssessmentOut.of(service.cancel(user, assessment_id))


@router.post("/{assessment_id}/outcome", responses=WRITE_ERRORS)
def document(
    assessment_id: PathId, body: Outcome, user: CurrentUser, service: RiskAssessments
) -> RiskAssessmentOut:
    actions = [Action(a.action, a.owner, a.due) for a in body.actions]
    return RiskAssessmentOut.of(
        service.document(user, assessment_id, body.risks, actions, body.follow_up_on)
    )


@router.get(
    "/{assessment_id}.ics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "description": "The dialogue's calendar invitation (iCalendar).",
        },
        **error_responses(404, 409),
    },
)
def invitation(assessment_id: PathId, user: CurrentUser, service: RiskAssessments) -> Response:
    assessment = service.get(user, assessment_id)
    if assessment.start_at is None or assessment.end_at is None or assessment.calendar_uid is None:
        raise ApiError(
            404,
            "no_meeting",
            "Riskbedömningen dokumenterades utan bokat möte; det finns ingen kalenderinbjudan.",
            "The risk assessment was documented without a booked meeting; there is no invitation.",
        )
    return invitation_response(assessment, service)


@public_router.get("/riskbedomning/{assessment_id}.ics", response_class=Response)
def invitation_by_link(
    assessment_id: PathId, until: int, sig: str, request: Request, service: RiskAssessments
) -> Response:
    """A dialogue's invitation by the signed link the chat, Teams and e-mail give
    (``bot.risk_assessments.links``); an altered or expired link gets 404."""
    now = request.app.state.clock.now()
    assessment = (
        service.by_signed_link(assessment_id)
        if service.links.opens(assessment_id, until, sig, now)
        else None
    )
    if assessment is None or assessment.start_at is None:
        raise ApiError(
            404,
            "invitation_link_invalid",
            "Länken till kalenderinbjudan gäller inte (längre). Be om en ny i chatten.",
            "The link to the invitation is not valid (any more). Ask for a new one in the chat.",
        )
    return invitation_response(assessment, service)


def invitation_response(assessment: RiskAssessment, service: RiskAssessmentService) -> Response:
    try:
        ics = assessment_invitation(
            assessment, service.directory, service.links, service.agreement_reference(assessment)
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


@public_router.get(CHECKLIST_PATH, response_class=HTMLResponse)
def checklist(settings: SettingsDep) -> HTMLResponse:
    """HR's checklist (``faq/_risk_assessment_checklist.md``) as a page; edits show at once."""
    content = render_markdown(load_checklist(settings.faq_dir))
    return HTMLResponse(CHECKLIST_PAGE.format(content=content))
