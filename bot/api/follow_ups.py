"""Recording a held follow-up of remote work over HTTP, for regions that hold the dialogue
outside the chat (in the medarbetarsamtal's own tool): the same rules as the chat's dialogue
(see ``bot.risk_assessments.follow_ups``): the manager or HR, never the employee, who is told."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from bot.agreements.service import AgreementService
from bot.api.deps import CurrentUser, limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.inputs import Day, FreeText, RecordId, RequestBody
from bot.api.risk_assessments import PlannedAction
from bot.risk_assessments.follow_ups import (
    ANSWER_MAX_LENGTH,
    MAX_ACTIONS,
    MAX_ANSWERS,
    NOTES_MAX_LENGTH,
    RISKS_MAX_LENGTH,
    FollowUpAnswer,
    FollowUpService,
)
from bot.risk_assessments.service import Action
from bot.storage.models import FollowUp

router = APIRouter(
    prefix="/api/follow-ups",
    tags=["follow-ups"],
    dependencies=[Depends(limit_writes)],
    responses=error_responses(401, 422, 503),
)


def follow_up_service(request: Request) -> FollowUpService:
    """On the agreements' database, region, clock and directory, once the database answers."""
    agreements: AgreementService | None = getattr(request.app.state, "agreements", None)
    if agreements is None:
        raise ApiError(
            503,
            "follow_ups_unavailable",
            "Uppföljningar går inte att registrera just nu (databasen svarar inte). "
            "Försök igen senare.",
            "Follow-ups cannot be recorded right now (the database is not responding). "
            "Please try again later.",
        )
    return FollowUpService(agreements.db, agreements.region, agreements.clock, agreements.directory)


FollowUps = Annotated[FollowUpService, Depends(follow_up_service)]


class Answer(RequestBody):
    """The answer to one of HR's supporting questions, with the question as it was asked."""

    area: FreeText = Field(min_length=1, max_length=120)
    question: FreeText = Field(min_length=1, max_length=300)
    answer: FreeText = Field(min_length=1, max_length=ANSWER_MAX_LENGTH)


class HeldFollowUp(RequestBody):
    """A held follow-up. At least one of ``risk_assessment_id`` (a documented one) and
    ``agreement_id``; an assessment's own agreement is linked by itself."""

    risk_assessment_id: RecordId | None = None
    agreement_id: RecordId | None = None
    held_on: Day
    # Checked by the service, which names the choices: "continue", "change" or "end".
    outcome: str = Field(max_length=20, description="continue, change or end")
    notes: FreeText = Field(default="", max_length=NOTES_MAX_LENGTH)
    answers: list[Answer] = Field(default=[], max_length=MAX_ANSWERS)
    risks: FreeText = Field(default="", max_length=RISKS_MAX_LENGTH)
    actions: list[PlannedAction] = Field(default=[], max_length=MAX_ACTIONS)
    next_follow_up_on: Day | None = None


class FollowUpOut(BaseModel):
    """A recorded follow-up; ``notes`` holds the answers by area, the new risks and the notes.
    New actions are in the assessment's action plan (``/api/action-plans``)."""

    id: int
    risk_assessment_id: int | None
    agreement_id: int | None
    held_on: date
    outcome: str
    notes: str | None
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, follow_up: FollowUp) -> "FollowUpOut":
        return cls(
            id=follow_up.id,
            risk_assessment_id=follow_up.risk_assessment_id,
            agreement_id=follow_up.agreement_id,
            held_on=follow_up.held_on,
            outcome=follow_up.outcome,
            notes=follow_up.notes,
            recorded_by=follow_up.recorded_by,
            recorded_at=follow_up.created_at,
        )


@router.post("", status_code=201, responses=error_responses(400, 403, 404, 409, 413, 429))
def record(body: HeldFollowUp, user: CurrentUser, service: FollowUps) -> FollowUpOut:
    """The employee's manager or HR. 422 ``follow_up_subject_missing``, ``invalid_outcome``,
    ``held_in_the_future``, ``follow_up_too_late``, ``no_follow_up_after_end``,
    ``due_in_the_past``; 403 ``not_the_manager``; 404 for a record the user may not see; 409
    ``not_documented``, ``no_action_plan`` (actions without a documented risk assessment)."""
    return FollowUpOut.of(
        service.record(
            user,
            body.held_on,
            body.outcome,
            risk_assessment_id=body.risk_assessment_id,
            agreement_id=body.agreement_id,
            notes=body.notes,
            next_follow_up_on=body.next_follow_up_on,
            answers=[FollowUpAnswer(a.area, a.question, a.answer) for a in body.answers],
            risks=body.risks,
            actions=[Action(a.action, a.owner, a.due) for a in body.actions],
        )
    )
