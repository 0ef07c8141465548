"""Request bodies above ``max_request_bytes`` are refused with 413 before they are held in memory.

A pure ASGI middleware: a declared Content-Length is refused without reading anything, and a body
without one (chunked) is counted while the app reads it.
"""

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.api.errors import error_body

# Rasa's action calls carry the domain and the whole conversation, which outgrow the limit for
# people after a few dozen turns; they come with the action token, checked before the body is read.
ACTION_CALL_PREFIX = "/internal/rasa/"
ACTION_CALL_MAX_BYTES = 16 * 1024 * 1024


class RequestTooLarge(Exception):
    """Raised into the app from ``receive`` once a streamed body passes the limit."""


def too_large_response(max_bytes: int) -> JSONResponse:
    kib = max_bytes // 1024
    return JSONResponse(
        error_body(
            "request_too_large",
            f"Förfrågan är för stor (högst {kib} kB).",
            f"The request is too large (at most {kib} kB).",
        ),
        status_code=413,
    )


class RequestSizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = (
            ACTION_CALL_MAX_BYTES
            if scope.get("path", "").startswith(ACTION_CALL_PREFIX)
            else self.max_bytes
        )
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            await too_large_response(limit)(scope, receive, send)
            return

        received = 0
        exceeded = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise RequestTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            # Whatever the app makes of the interrupted body (a 400, a 500) is replaced by 413.
            if exceeded and not response_started:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not response_started:
            await too_large_response(limit)(scope, receive, send)


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
