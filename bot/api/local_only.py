"""Local demo mode answers only this computer.

Local mode picks users by a header, so whatever address the server was bound to (the launcher
refuses any other too), a request from another host is refused. A pure ASGI middleware, as
``bot/api/headers.py`` explains: ``@app.middleware("http")`` cost every turn an extra task.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.api.errors import error_response
from bot.settings import is_remote_address


class OnlyThisComputer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        peer = client[0] if scope["type"] == "http" and client else None
        if peer is not None and is_remote_address(peer):
            refusal = error_response(
                403,
                "local_mode",
                "Assistenten körs i lokalt demoläge och svarar bara på den egna datorn.",
                "The assistant runs in local demo mode and answers only this computer.",
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)
