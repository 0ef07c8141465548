"""Thin client for the Rasa server's signed REST channel (``bot/rasa_channel.py``), the only way
the app talks to Rasa."""

import json
from typing import Any

import httpx

from bot.identity_seal import channel_headers

WEBHOOK = "/webhooks/signed/webhook"


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, base_url: str, timeout_seconds: float, channel_key: str) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)
        self._channel_key = channel_key

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one user message; returns Rasa's messages (``text``, ``buttons``, ``custom``)."""
        payload = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", **channel_headers(self._channel_key, body)}
        try:
            response = await self._http.post(WEBHOOK, content=body, headers=headers)
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RasaUnavailable(str(error) or type(error).__name__) from error
        if not isinstance(messages, list):
            raise RasaUnavailable("unexpected response from Rasa")
        return messages

    async def is_ready(self) -> bool:
        """Rasa's server accepts connections only once its model is loaded."""
        try:
            response = await self._http.get("/webhooks/signed/", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._http.aclose()
