"""Dependencies shared by the routers: settings, the current user, the chat service, the
per-user limit on writes."""

import math
from typing import Annotated

from fastapi import Depends, Header, Request

from bot.api.errors import ApiError
from bot.auth import signed_in_user
from bot.chat import ChatService
from bot.clock import Clock
from bot.identity import DEFAULT_DEMO_USER, User, load_directory
from bot.rate_limit import RateLimiter
from bot.settings import Settings


async def app_settings(request: Request) -> Settings:
    """The settings the app was created with. Read from the app's state, not through FastAPI's
    dependency overrides: an override makes FastAPI rebuild every route's dependencies on every
    request (6 % of the app's CPU per chat turn)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


def current_user(
    request: Request,
    settings: SettingsDep,
    x_demo_user: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> User:
    """Local mode: the demo directory, selected by ``X-Demo-User``. Elsewhere the header is ignored
    and the user is whoever the SSO token (``bot/auth.py``) says."""
    if settings.mode != "local":
        return signed_in_user(request.app.state.sso, authorization)
    user = load_directory(settings.directory_file).get(x_demo_user or DEFAULT_DEMO_USER)
    if user is None:
        raise ApiError(
            401,
            "unknown_demo_user",
            f"Okänd demoanvändare: '{x_demo_user}'.",
            f"Unknown demo user: '{x_demo_user}'.",
        )
    return user


# The small dependencies are coroutines: a plain function would cost every request a trip
# through the thread pool.
async def chat_service(request: Request) -> ChatService:
    service: ChatService = request.app.state.chat_service
    return service


async def clock(request: Request) -> Clock:
    """The service's one clock (the region's time zone), built at start-up."""
    service_clock: Clock = request.app.state.clock
    return service_clock


CurrentUser = Annotated[User, Depends(current_user)]
ChatServiceDep = Annotated[ChatService, Depends(chat_service)]
ClockDep = Annotated[Clock, Depends(clock)]


async def refuse_when_limited(limiter: RateLimiter, user: User, what: str, what_en: str) -> None:
    """Counts one request of ``user``; 429 with Retry-After once the window's limit is passed.
    ``what``: what the user did many of ("skickat många meddelanden")."""
    wait = await limiter.retry_after(user.id)
    if wait is None:
        return
    seconds = max(1, math.ceil(wait))
    raise retry_later(
        429,
        "rate_limited",
        seconds,
        f"Du har {what} på kort tid. Vänta {seconds} sekunder och försök igen.",
        f"You have {what_en} in a short time. Wait {seconds} seconds and try again.",
    )


def retry_later(status: int, code: str, seconds: int, detail: str, detail_en: str) -> ApiError:
    """An error the client should send again after ``seconds`` (the ``Retry-After`` header)."""
    return ApiError(status, code, detail, detail_en, headers={"Retry-After": str(seconds)})


async def limit_writes(request: Request, user: CurrentUser) -> None:
    """On a router's dependencies: every change (any method but GET and HEAD) counts against the
    user's write limit (``Settings.write_rate_limit``); reads are not counted."""
    if request.method in ("GET", "HEAD"):
        return
    limiter: RateLimiter = request.app.state.write_rate_limiter
    await refuse_when_limited(limiter, user, "gjort många ändringar", "made many changes")
