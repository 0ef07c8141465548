"""Thin client for the Rasa server's signed REST channel (``bot/rasa_channel.py``), the only way
the app talks to Rasa.

Rasa is one process on a few cores; sending it more turns at once than it can serve only makes
every turn slow. So at most ``max_in_flight`` turns are at Rasa at a time, and a turn that would
wait longer than the queue budget is refused at once (``RasaBusy``: the API answers 503 with
Retry-After) instead of letting every user time out.

aiohttp, not httpx: at four turns in flight httpx's pool cost the app about 3 ms of CPU per
turn, aiohttp's 0.4 ms.
"""

import asyncio
import json
import logging
import math
import time
from typing import Any

import aiohttp
import anyio

from bot.identity_seal import channel_headers

WEBHOOK = "/webhooks/signed/webhook"
PARSE = "/webhooks/signed/parse"
# Smoothing of the measured Rasa time per turn: recent turns count most.
SERVICE_TIME_WEIGHT = 0.2
INITIAL_SERVICE_SECONDS = 0.1
MAX_RETRY_AFTER_SECONDS = 30
# After this many failed turns in a row Rasa counts as down: turns go straight to the index
# (limited mode) instead of each waiting out the timeout, and one turn tries Rasa again after
# the pause.
FAILURES_BEFORE_PAUSE = 3

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaBusy(Exception):
    """More turns wait for Rasa than it can serve within the queue budget; nothing was sent."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"Rasa busy, retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class RasaClient:
    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        channel_key: str,
        max_in_flight: int = 4,
        queue_budget_seconds: float | None = None,
        pause_seconds: float = 5.0,
    ) -> None:
        self._base_url = base_url
        self._timeout_seconds = timeout_seconds
        self._max_in_flight = max_in_flight
        self._session: aiohttp.ClientSession | None = None
        self._retired: list[aiohttp.ClientSession] = []
        self._channel_key = channel_key
        self._gate = asyncio.Semaphore(max_in_flight)
        # A turn that cannot start within the budget would time out at Rasa anyway.
        self._queue_budget = (
            queue_budget_seconds if queue_budget_seconds is not None else timeout_seconds * 0.6
        )
        self._waiting = 0
        self._in_flight = 0
        self._service_seconds = INITIAL_SERVICE_SECONDS
        self._failures_in_a_row = 0
        self._pause_seconds = pause_seconds
        self._paused_until = 0.0

    @property
    def _http(self) -> aiohttp.ClientSession:
        """Made on first use: an aiohttp session belongs to the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                base_url=self._base_url,
                # "connect" includes waiting for a free connection in the pool.
                timeout=aiohttp.ClientTimeout(
                    total=self._timeout_seconds, connect=self._timeout_seconds
                ),
                # The gate bounds the turns; the rest of the pool is for readiness checks.
                connector=aiohttp.TCPConnector(limit=self._max_in_flight + 4),
            )
        return self._session

    @property
    def expected_wait_seconds(self) -> float:
        """How long a turn sent now would wait before Rasa starts on it."""
        queued = self._waiting + max(0, self._in_flight - self._max_in_flight + 1)
        return queued * self._service_seconds

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one user message; returns Rasa's messages (``text``, ``buttons``, ``custom``)."""
        if time.monotonic() < self._paused_until:
            raise RasaUnavailable("Rasa failed several turns in a row; paused")
        if self._failures_in_a_row >= FAILURES_BEFORE_PAUSE:
            # This turn is the one that tries again; until it is answered, the others wait.
            self._paused_until = time.monotonic() + self._timeout_seconds
        if self._waiting and self.expected_wait_seconds > self._queue_budget:
            raise self._busy()
        self._waiting += 1
        try:
            with anyio.fail_after(self._queue_budget):
                await self._gate.acquire()
        except TimeoutError:
            raise self._busy() from None
        finally:
            self._waiting -= 1
        try:
            messages = await self._post(sender_id, text, metadata)
        except RasaUnavailable:
            self._failures_in_a_row += 1
            if self._failures_in_a_row >= FAILURES_BEFORE_PAUSE:
                self._paused_until = time.monotonic() + self._pause_seconds
            raise
        finally:
            self._gate.release()
        self._failures_in_a_row = 0
        self._paused_until = 0.0
        return messages

    async def _post(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        payload = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", **channel_headers(self._channel_key, body)}
        self._in_flight += 1
        concurrent = self._in_flight
        started = time.monotonic()
        try:
            # Shielded: a turn cancelled half-way (a user who closes the tab) still ends its
            # request, so the connection goes back to the pool whole. The timeouts end it.
            with anyio.CancelScope(shield=True):
                messages = await self._post_json(WEBHOOK, body, headers)
        except aiohttp.ConnectionTimeoutError as error:
            self._renew_http()
            raise RasaUnavailable("PoolTimeout") from error
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailable(str(error) or type(error).__name__) from error
        finally:
            self._in_flight -= 1
        self._learn(time.monotonic() - started, concurrent)
        if not isinstance(messages, list):
            raise RasaUnavailable("unexpected response from Rasa")
        return messages

    async def intent_ranking(self, text: str) -> list[dict[str, Any]]:
        """Rasa's intent ranking for ``text`` (``name``, ``confidence``), without a conversation;
        raises ``RasaUnavailable``. Not gated: HR's page asks one at a time."""
        body = json.dumps({"text": text}).encode()
        headers = {"Content-Type": "application/json", **channel_headers(self._channel_key, body)}
        try:
            ranking = (await self._post_json(PARSE, body, headers))["intent_ranking"]
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
            raise RasaUnavailable(str(error) or type(error).__name__) from error
        if not isinstance(ranking, list):
            raise RasaUnavailable("unexpected response from Rasa")
        return [r for r in ranking if isinstance(r, dict)]

    async def _post_json(self, path: str, body: bytes, headers: dict[str, str]) -> Any:
        async with self._http.post(path, data=body, headers=headers) as response:
            response.raise_for_status()
            return json.loads(await response.read())

    def _learn(self, seconds: float, concurrent: int) -> None:
        """Rasa serves the turns at the gate together, so one turn costs its time shared."""
        per_turn = seconds / max(1, min(concurrent, self._max_in_flight))
        self._service_seconds += SERVICE_TIME_WEIGHT * (per_turn - self._service_seconds)

    def _busy(self) -> RasaBusy:
        seconds = math.ceil(max(1.0, self.expected_wait_seconds))
        log.warning("Rasa busy: %d turns waiting; asked to retry in %d s", self._waiting, seconds)
        return RasaBusy(min(seconds, MAX_RETRY_AFTER_SECONDS))

    def _renew_http(self) -> None:
        """The pool has no free connection although the gate bounds the turns: it is broken,
        so later turns get a fresh one (the old one is closed on shutdown)."""
        log.error("Rasa connection pool exhausted; opening a new one")
        self._retired.append(self._http)
        self._session = None

    async def is_ready(self) -> bool:
        """Rasa's server accepts connections only once its model is loaded."""
        try:
            async with self._http.get(
                "/webhooks/signed/", timeout=aiohttp.ClientTimeout(total=2.0)
            ) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def close(self) -> None:
        for session in (*self._retired, self._session):
            if session is not None:
                await session.close()
