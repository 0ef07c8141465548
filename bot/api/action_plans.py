"""Action plans over HTTP: list (overdue ones too), mark done, move. Same rules as in chat
(see ``bot.risk_assessments.action_plans``)."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from bot.api.deps import ClockDep, CurrentUser, limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.inputs import Day, FreeText, PathId, RequestBody
from bot.risk_assessments.action_plans import ActionPlanService, is_overdue, moves
from bot.storage.models import ActionItem, ActionStatus

router = APIRouter(
    prefix="/api/action-plans",
    tags=["action plans"],
    dependencies=[Depends(limit_writes)],
    responses=error_responses(401, 422, 503),
)
WRITE_ERRORS = error_responses(400, 403, 404, 409, 413, 429)


def action_plan_service(request: Request) -> ActionPlanService:
    service: ActionPlanService | None = getattr(request.app.state, "action_plans", None)
    if service is None:
        raise ApiError(
            503,
            "action_plans_unavailable",
            "Handlingsplaner går inte att hantera just nu (databasen svarar inte). "
            "Försök igen senare.",
            "Action plans cannot be handled right now (the database is not responding). "
            "Please try again later.",
        )
    return service


ActionPlans = Annotated[ActionPlanService, Depends(action_plan_service)]


class NewDueDate(RequestBody):
    due_on: Day
    # Checked by the service (not empty, at most 500 characters), which says what is wrong.
    reason: FreeText


class MoveOut(BaseModel):
    """One move of the due date: from, to, why, who, when."""

    from_due_on: date | None
    to_due_on: date | None
    reason: str | None
    by: str
    at: datetime


class ActionOut(BaseModel):
    """An action of a risk assessment's action plan. ``owner`` as the manager wrote it;
    ``owner_id`` the person in the directory it names, if any."""

    id: int
    risk_assessment_id: int
    employee: str
    manager: str
    text: str
    owner: str
    owner_id: str | None
    due_on: date
    status: ActionStatus
    overdue: bool
    done_at: datetime | None
    done_by: str | None
    moved_count: int
    moves: list[MoveOut]
    reminded_on: date | None

    @classmethod
    def of(cls, item: ActionItem, today: date) -> "ActionOut":
        assessment = item.risk_assessment
        return cls(
            id=item.id,
            risk_assessment_id=item.risk_assessment_id,
            employee=assessment.employee_id,
            manager=assessment.manager_id,
            text=item.text,
            owner=item.owner,
            owner_id=item.owner_id,
            due_on=item.due_on,
            status=ActionStatus(item.status),
            overdue=is_overdue(item, today),
            done_at=item.done_at,
            done_by=item.done_by,
            moved_count=item.moved_count,
            moves=[
                MoveOut(
                    from_due_on=event.previous_due_on,
                    to_due_on=event.due_on,
                    reason=event.detail,
                    by=event.actor_id,
                    at=event.at,
                )
                for event in moves(item)
            ],
            reminded_on=item.reminded_on,
        )


@router.get("")
def list_actions(
    user: CurrentUser,
    service: ActionPlans,
    clock: ClockDep,
    overdue: Annotated[
        bool, Query(description="Only open actions whose due date has passed.")
    ] = False,
    status: Annotated[ActionStatus | None, Query(description="open or done")] = None,
) -> list[ActionOut]:
    """HR: every action; a manager: those of their employees' assessments; anyone: those they
    own or whose assessment they took part in. By due date."""
    today = clock.today()
    return [ActionOut.of(item, today) for item in service.visible_to(user, overdue, status)]


@router.get("/{action_id}", responses=error_responses(404))
def get_action(
    action_id: PathId, user: CurrentUser, service: ActionPlans, clock: ClockDep
) -> ActionOut:
    return ActionOut.of(service.get(user, action_id), clock.today())


@router.post("/{action_id}/done", responses=WRITE_ERRORS)
def mark_done(
    action_id: PathId, user: CurrentUser, service: ActionPlans, clock: ClockDep
) -> ActionOut:
    """The assessment's manager, the action's owner or HR; 409 ``action_already_done``."""
    return ActionOut.of(service.mark_done(user, action_id), clock.today())


@router.post("/{action_id}/move", responses=WRITE_ERRORS)
def move(
    action_id: PathId,
    body: NewDueDate,
    user: CurrentUser,
    service: ActionPlans,
    clock: ClockDep,
) -> ActionOut:
    """A new due date with the reason; 422 ``reason_required``, ``due_in_the_past``,
    ``same_due_date``; 409 once done."""
    return ActionOut.of(service.move(user, action_id, body.due_on, body.reason), clock.today())
