"""The app's client towards Rasa under load: a burst is refused early with a time to retry, not
left to time out, and nothing a burst does leaves the client broken afterwards."""

import asyncio
import time

import aiohttp
import anyio
import pytest

from bot.rasa_client import RasaBusy, RasaClient, RasaUnavailable
from tests.conftest import FakeRasa


async def test_a_burst_beyond_the_queue_budget_is_refused_at_once_with_a_time_to_retry(
    fake_rasa: FakeRasa,
) -> None:
    fake_rasa.delay_seconds = 0.2
    rasa = RasaClient(fake_rasa.url, 5.0, "key", max_in_flight=2, queue_budget_seconds=1.0)
    outcomes: list[tuple[str, float, int]] = []

    async def turn(n: int) -> None:
        started = time.monotonic()
        try:
            await rasa.send(f"user-{n}", "hej")
            outcomes.append(("answered", time.monotonic() - started, 0))
        except RasaBusy as busy:
            outcomes.append(("busy", time.monotonic() - started, busy.retry_after_seconds))

    async with anyio.create_task_group() as burst:
        for n in range(40):
            burst.start_soon(turn, n)
    answered = [o for o in outcomes if o[0] == "answered"]
    refused = [o for o in outcomes if o[0] == "busy"]
    assert len(answered) >= 8, "the turns Rasa has time for are served"
    assert refused, "40 turns of 0.1 s each cannot all start within a 1 s budget"
    # Refused within the budget (plus slack for a loaded machine), never left to time out.
    assert max(seconds for _, seconds, _ in refused) < 2.5
    assert all(1 <= retry <= 30 for *_, retry in refused)

    fake_rasa.delay_seconds = 0.0
    assert await rasa.send("after", "hej") == fake_rasa.reply
    await rasa.close()


async def test_a_broken_connection_pool_is_replaced_so_the_next_turn_works(
    fake_rasa: FakeRasa,
) -> None:
    rasa = RasaClient(fake_rasa.url, 1.0, "key")
    # A pool with its one connection taken by a turn that hangs: every later turn would wait.
    broken = aiohttp.ClientSession(
        base_url=fake_rasa.url,
        timeout=aiohttp.ClientTimeout(total=1.0, connect=0.2),
        connector=aiohttp.TCPConnector(limit=1),
    )
    rasa._session = broken
    fake_rasa.delay_seconds = 0.8

    async def hang() -> None:
        async with broken.post("/webhooks/signed/webhook", data=b"{}") as response:
            await response.read()

    hanging = asyncio.create_task(hang())
    await asyncio.sleep(0.1)
    fake_rasa.delay_seconds = 0.0
    with pytest.raises(RasaUnavailable, match="PoolTimeout"):
        await rasa.send("user", "hej")
    assert await rasa.send("user", "hej") == fake_rasa.reply
    await hanging
    await rasa.close()


async def test_a_rasa_that_keeps_failing_is_paused_then_tried_again(fake_rasa: FakeRasa) -> None:
    """A hanging or broken Rasa must not cost every user the whole timeout: after three
    failures in a row turns go straight to limited mode, and one turn tries again later."""
    fake_rasa.status = 500
    rasa = RasaClient(fake_rasa.url, 1.0, "key")
    for _ in range(3):
        with pytest.raises(RasaUnavailable):
            await rasa.send("user", "hej")
    reached = len(fake_rasa.received)
    fake_rasa.status = 200
    with pytest.raises(RasaUnavailable, match="paused"):
        await rasa.send("user", "hej")
    assert len(fake_rasa.received) == reached, "a paused turn never reaches Rasa"

    rasa._paused_until = 0.0  # the pause is over
    assert await rasa.send("user", "hej") == fake_rasa.reply
    assert await rasa.send("user", "hej") == fake_rasa.reply
    await rasa.close()
