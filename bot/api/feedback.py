"""``POST /api/feedback``: thumbs up or down on an FAQ answer, from the chat widget or Teams."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from bot.api.deps import CurrentUser, SettingsDep
from bot.api.errors import ApiError
from bot.hr.recording import UnknownEntry, UsageRecorder

router = APIRouter(prefix="/api", tags=["feedback"])


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    faq_id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")
    question: str = Field(min_length=1, max_length=2000)
    helpful: StrictBool


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
) -> JSONResponse:
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
    return JSONResponse({"recorded": result.recorded, "queued": result.queued}, status_code=201)
