"""Thin client for the Rasa server's REST channel, the only way the app talks to Rasa."""

from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one user message; returns Rasa's messages (``text``, ``buttons``, ``custom``)."""
        payload = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=payload)
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
            response = await self._http.get("/webhooks/rest/", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._http.aclose()
