"""``POST /api/feedback``: thumbs up or down on an FAQ answer, from the chat widget or Teams."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, StrictBool

from bot.api.deps import CurrentUser, SettingsDep, limit_writes
from bot.api.errors import ApiError, error_responses
from bot.api.inputs import FreeText, RequestBody
from bot.hr.recording import UnknownEntry, UsageRecorder

router = APIRouter(
    prefix="/api",
    tags=["feedback"],
    dependencies=[Depends(limit_writes)],
    responses=error_responses(400, 401, 404, 413, 422, 429, 503),
)


class Feedback(RequestBody):
    conversation_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    faq_id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")
    question: FreeText = Field(min_length=1, max_length=2000)
    helpful: StrictBool


class FeedbackRecorded(BaseModel):
    """``queued``: this thumbs-down put the question in HR's review queue (once per vote)."""

    recorded: bool
    queued: bool


def usage_recorder(request: Request) -> UsageRecorder:
    recorder: UsageRecorder | None = getattr(request.app.state, "usage", None)
    if recorder is None:
        raise ApiError(
            503,
            "feedback_unavailable",
            "Det gick inte att spara ditt omdöme just nu. Försök igen senare.",
            "Your feedback could not be saved right now. Please try again later.",
        )
    return recorder


@router.post("/feedback", status_code=201)
def feedback(
    body: Feedback,
    user: CurrentUser,
    settings: SettingsDep,
    recorder: Annotated[UsageRecorder, Depends(usage_recorder)],
) -> FeedbackRecorded:
    question = body.question.strip()
    if not question:
        raise ApiError(422, "question_empty", "Frågan är tom.", "The question is empty.")
    if len(question) > settings.max_message_chars:
        raise ApiError(
            422,
            "question_too_long",
            f"Frågan är för lång (högst {settings.max_message_chars} tecken).",
            f"The question is too long (at most {settings.max_message_chars} characters).",
        )
    try:
        result = recorder.record_feedback(
            user.id, body.conversation_id, body.faq_id, question, body.helpful
        )
    except UnknownEntry:
        raise ApiError(
            404,
            "unknown_faq_id",
            f"Det finns inget svar med id '{body.faq_id}'.",
            f"There is no answer with id '{body.faq_id}'.",
        ) from None
    return FeedbackRecorded(recorded=result.recorded, queued=result.queued)
