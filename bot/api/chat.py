"""``POST /api/chat``: one user message in, the assistant's messages out; ``GET
/api/chat/welcome``: what the chat shows before the first message."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.api.deps import (
    ChatServiceDep,
    CurrentUser,
    SettingsDep,
    refuse_when_limited,
    retry_later,
)
from bot.api.errors import ApiError, error_responses
from bot.api.inputs import RequestBody
from bot.chat import BotMessage
from bot.faq.answering import choose_payload
from bot.rasa_client import RasaBusy
from bot.regions import Region

router = APIRouter(prefix="/api", tags=["chat"])


class ChatRequest(RequestBody):
    conversation_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    message: str


class ChatResponse(BaseModel):
    conversation_id: str
    messages: list[BotMessage]


class Suggestion(BaseModel):
    """A suggested question: ``payload`` is sent as the message, ``title`` shown as the user's."""

    title: str
    title_en: str
    payload: str


class Welcome(BaseModel):
    """The signed-in user's name (from the sign-in, never from anything typed) and the
    region's suggested questions whose FAQ entries are served now."""

    name: str
    first_name: str
    region: str
    # The region's time zone (IANA): meeting times are shown in it, wherever the browser is.
    time_zone: str
    suggestions: list[Suggestion]


@router.get("/chat/welcome", responses=error_responses(401, 422))
def welcome(user: CurrentUser, http_request: Request) -> Welcome:
    region: Region = http_request.app.state.region
    faq = getattr(http_request.app.state, "faq", None)
    served = faq.answerer.index if faq is not None else None
    suggestions = [
        Suggestion(
            title=question.text,
            title_en=question.text_en or question.text,
            payload=choose_payload(question.faq_id) if question.faq_id else question.text,
        )
        for question in region.suggested_questions
        if question.faq_id is None or (served is not None and served.get(question.faq_id))
    ]
    return Welcome(
        name=user.name,
        first_name=user.name.split()[0],
        region=region.name,
        time_zone=region.time_zone,
        suggestions=suggestions,
    )


@router.post("/chat", responses=error_responses(400, 401, 413, 422, 429, 503))
async def chat(
    request: ChatRequest,
    user: CurrentUser,
    service: ChatServiceDep,
    settings: SettingsDep,
    http_request: Request,
) -> ChatResponse:
    text = request.message.strip()
    if not text:
        raise ApiError(422, "message_empty", "Meddelandet är tomt.", "The message is empty.")
    if len(text) > settings.max_message_chars:
        limit = settings.max_message_chars
        raise ApiError(
            422,
            "message_too_long",
            f"Meddelandet är för långt (högst {limit} tecken).",
            f"The message is too long (at most {limit} characters).",
        )
    await refuse_when_limited(
        http_request.app.state.rate_limiter, user, "skickat många meddelanden", "sent many messages"
    )
    try:
        messages = await service.handle(user, request.conversation_id, text)
    except RasaBusy as busy:
        seconds = busy.retry_after_seconds
        raise retry_later(
            503,
            "busy",
            seconds,
            f"Assistenten har många frågor just nu. Skicka igen om {seconds} sekunder.",
            f"The assistant is busy right now. Send again in {seconds} seconds.",
        ) from None
    return ChatResponse(conversation_id=request.conversation_id, messages=messages)
