"""A burst at about three times what the stack can serve, against the real Rasa and app: the
turns that fit are answered in full, the rest are refused at once with a time to retry, and
normal service is back within seconds of the burst's end."""

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest

from bot.chat import DEGRADED_NOTE

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Får jag jobba från sommarstugan?",
    "Vem betalar min internetuppkoppling?",
    "Vad gäller om jag blir sjuk när jag jobbar hemma?",
    "Måste jag ha en överenskommelse för att jobba hemifrån?",
]
# About 40-45 FAQ turns a second fit on the 2-core development machine (make bench, 2026-12-05):
# about three times that for four seconds. At 75 a second (three times the 25 of a month ago)
# every turn was once served, and nothing showed the refusal.
BURST_RATE = 130
BURST_SECONDS = 4


async def burst(url: str) -> list[httpx.Response | Exception]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def turn(n: int) -> httpx.Response | Exception:
            await asyncio.sleep(n / BURST_RATE)
            try:
                return await client.post(
                    "/api/chat",
                    json={
                        "conversation_id": f"burst-{uuid.uuid4().hex[:8]}",
                        "message": QUESTIONS[n % len(QUESTIONS)],
                    },
                )
            except httpx.HTTPError as error:
                return error

        return await asyncio.gather(*(turn(n) for n in range(BURST_RATE * BURST_SECONDS)))


def is_limited(response: httpx.Response) -> bool:
    return any(m["text"] == DEGRADED_NOTE for m in response.json()["messages"])


def test_a_burst_is_served_or_refused_with_retry_after_and_service_returns(stack: Any) -> None:
    outcomes = asyncio.run(burst(stack.url))
    failed = [o for o in outcomes if not isinstance(o, httpx.Response)]
    assert failed == [], "no turn may time out or lose its connection"
    responses = [o for o in outcomes if isinstance(o, httpx.Response)]
    answered = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 503]
    assert len(answered) + len(refused) == len(responses)
    assert refused, "three times the capacity cannot all be served"
    assert all(1 <= int(r.headers["Retry-After"]) <= 30 for r in refused)
    assert all(r.json()["code"] == "busy" for r in refused)
    # Refusing early is what keeps the served turns whole: at most a few fall back to the index.
    assert len(answered) >= BURST_SECONDS * 10
    assert sum(is_limited(r) for r in answered) <= len(answered) // 20

    ended = time.monotonic()
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        while True:
            reply = client.post(
                "/api/chat", json={"conversation_id": "after-burst", "message": QUESTIONS[0]}
            )
            if reply.status_code == 200 and not is_limited(reply):
                break
            assert time.monotonic() - ended < 10, "normal service within 10 s of the burst"
            time.sleep(0.2)
    assert reply.json()["messages"][0]["faq_id"] == "fritidsbostad"
