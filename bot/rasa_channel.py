"""Rasa's side of ``bot/rasa_client.py``: the only input channel Rasa opens (``credentials.yml``).

Runs inside the Rasa process (Python 3.10, found through PYTHONPATH). It is Rasa's REST channel,
except that it accepts a message only when the request carries the app's signature of its exact
body and a recent timestamp, so nothing that merely reaches Rasa's port can talk to it. Rasa's
own channel also logs the message text on every timeout; this one logs no text.
"""

import hmac
import logging
import os
import time
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.identity_seal import (
    CHANNEL_KEY_VARIABLE,
    CHANNEL_MAX_SKEW_SECONDS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    channel_signature,
)
from bot.rasa_schema_check import check_response_schema_once

log = logging.getLogger(__name__)


class SignedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "signed"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "SignedRestInput":
        key = os.environ.get(CHANNEL_KEY_VARIABLE, "")
        if len(key) < 32:
            # Refuse to start rather than accept unsigned messages.
            raise ValueError(f"{CHANNEL_KEY_VARIABLE} must hold the app's channel key")
        check_response_schema_once()
        return cls(key)

    def __init__(self, key: str) -> None:
        self._key = key

    def is_signed(self, request: Request) -> bool:
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        try:
            fresh = abs(time.time() - int(timestamp)) <= CHANNEL_MAX_SKEW_SECONDS
        except ValueError:
            return False
        expected = channel_signature(self._key, timestamp, request.body or b"")
        return fresh and hmac.compare_digest(signature, expected)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("signed_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_signed(request):
                log.warning("Refused an unsigned or stale message from %s", request.ip)
                return response.json({"error": "unsigned"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        body.get("message"),
                        collector,
                        body.get("sender"),
                        input_channel=self.name(),
                        metadata=body.get("metadata"),
                    )
                )
            except CancelledError:
                log.error("A message timed out")
            except Exception:
                log.exception("A message could not be handled")
            return response.json(collector.messages)

        @webhook.route("/parse", methods=["POST"])
        async def parse(request: Request) -> HTTPResponse:
            """The NLU's reading of a text, for HR's "Prova en fråga": nothing is stored and
            no conversation is touched."""
            if not self.is_signed(request):
                log.warning("Refused an unsigned or stale parse request from %s", request.ip)
                return response.json({"error": "unsigned"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            text = body.get("text")
            agent = getattr(request.app.ctx, "agent", None)
            if not isinstance(text, str) or agent is None or not agent.is_ready():
                return response.json({"error": "unavailable"}, status=503)
            parsed = await agent.parse_message(text)
            ranking = [
                {"name": i.get("name"), "confidence": i.get("confidence")}
                for i in parsed.get("intent_ranking") or []
            ]
            return response.json({"intent_ranking": ranking})

        return webhook
