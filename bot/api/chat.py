"""``POST /api/chat``: one user message in, the assistant's messages out."""

import math

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.api.deps import ChatServiceDep, CurrentUser, SettingsDep
from bot.api.errors import ApiError
from bot.chat import BotMessage
from bot.rate_limit import RateLimiter

router = APIRouter(prefix="/api", tags=["chat"])


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    message: str


class ChatResponse(BaseModel):
    conversation_id: str
    messages: list[BotMessage]


@router.post("/chat")
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
    limiter: RateLimiter = http_request.app.state.rate_limiter
    wait = await limiter.retry_after(user.id)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            "rate_limited",
            f"Du har skickat många meddelanden på kort tid. Vänta {seconds} sekunder "
            "och försök igen.",
            f"You have sent many messages in a short time. Wait {seconds} seconds and try again.",
            headers={"Retry-After": str(seconds)},
        )
    messages = await service.handle(user, request.conversation_id, text)
    return ChatResponse(conversation_id=request.conversation_id, messages=messages)
