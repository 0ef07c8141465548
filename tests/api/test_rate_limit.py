"""Per-user limits: chat messages, and changes on every write endpoint. The API answers 429 with
Retry-After, replicas share the count through Redis, and a Redis that is down never stops the
chat."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.rate_limit import RateLimiter
from tests.api.conftest import make_settings
from tests.api.test_teams import Teams, stack, teams  # noqa: F401 (the Teams stack fixtures)
from tests.conftest import CharTrigramEncoder, FakeRasa, sealed_user

LOCAL_REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def limited(tmp_path: Path, rasa: FakeRasa) -> Iterator[TestClient]:
    # A long window so the test cannot straddle two windows.
    settings = make_settings(tmp_path, rasa.url, chat_rate_limit=3, chat_rate_window_seconds=3600)
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        yield client


def say(client: TestClient, user: str, message: str = "Får jag jobba hemma?") -> object:
    return client.post(
        "/api/chat",
        json={"conversation_id": "c1", "message": message},
        headers={"X-Demo-User": user},
    )


def test_the_fourth_message_within_the_window_is_refused(
    limited: TestClient, rasa: FakeRasa
) -> None:
    for _ in range(3):
        assert say(limited, "anna.andersson").status_code == 200  # type: ignore[attr-defined]
    refused = say(limited, "anna.andersson")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    body = refused.json()  # type: ignore[attr-defined]
    wait = int(refused.headers["Retry-After"])  # type: ignore[attr-defined]
    assert 1 <= wait <= 3600
    assert body["code"] == "rate_limited"
    assert f"Vänta {wait} sekunder" in body["detail"]
    assert f"Wait {wait} seconds" in body["detail_en"]
    assert len(rasa.received) == 3


def test_another_user_is_not_affected(limited: TestClient, rasa: FakeRasa) -> None:
    for _ in range(4):
        say(limited, "anna.andersson")
    assert say(limited, "erik.ek").status_code == 200  # type: ignore[attr-defined]
    assert sealed_user(rasa.received[-1], "test-token") == "erik.ek"


def test_teams_tells_the_user_to_wait_instead_of_answering(
    teams: Teams,  # noqa: F811
    rasa: FakeRasa,
) -> None:
    app: Any = teams.client.app
    # The Teams agent holds the app's limiter, so a lower limit there applies to Teams too.
    limiter: RateLimiter = app.state.rate_limiter
    limiter.limit, limiter.window_seconds = 2, 3600
    for text in ("Hej", "Får jag jobba hemma?", "Och från stugan?"):
        assert teams.post(teams.activity(text=text)).status_code == 202
    assert [sent["message"] for sent in rasa.received] == ["Hej", "Får jag jobba hemma?"]
    refusal = teams.connector.messages()[-1]["body"]["text"]
    assert "Vänta" in refusal and "sekunder" in refusal
    assert "Please wait" in refusal


async def test_the_count_starts_again_in_the_next_window() -> None:
    limiter = RateLimiter(limit=1, window_seconds=0.2)
    assert await limiter.retry_after("anna.andersson") is None
    wait = await limiter.retry_after("anna.andersson")
    assert wait is not None and 0 < wait <= 0.2
    await asyncio.sleep(wait + 0.01)
    assert await limiter.retry_after("anna.andersson") is None


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    try:
        redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379: {error}")
    prefix = f"test-chat-rate-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(LOCAL_REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


async def test_two_replicas_share_the_count_in_redis(redis_prefix: str) -> None:
    first = RateLimiter(3, 3600, LOCAL_REDIS, prefix=redis_prefix)
    second = RateLimiter(3, 3600, LOCAL_REDIS, prefix=redis_prefix)
    try:
        assert await first.retry_after("anna.andersson") is None
        assert await second.retry_after("anna.andersson") is None
        assert await first.retry_after("anna.andersson") is None
        wait = await second.retry_after("anna.andersson")
        assert wait is not None and 0 < wait <= 3600
        assert await first.retry_after("erik.ek") is None
    finally:
        await first.close()
        await second.close()


async def test_the_user_id_is_not_stored_in_redis(redis_prefix: str) -> None:
    limiter = RateLimiter(3, 3600, LOCAL_REDIS, prefix=redis_prefix)
    try:
        await limiter.retry_after("anna.andersson")
    finally:
        await limiter.close()
    keys = [k.decode() for k in redis.Redis.from_url(LOCAL_REDIS).scan_iter(f"{redis_prefix}:*")]
    assert len(keys) == 1
    assert "anna" not in keys[0]


async def test_redis_down_lets_messages_through(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RateLimiter(1, 3600, "redis://127.0.0.1:1/0")
    try:
        for _ in range(3):
            assert await limiter.retry_after("anna.andersson") is None
    finally:
        await limiter.close()
    assert "Redis unavailable" in caplog.text


def busy_time(client: TestClient, user: str, day: int = 30) -> Any:
    start = datetime.now(UTC) + timedelta(days=day)
    return client.post(
        "/api/risk-assessments/busy-times",
        json={"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
        headers={"X-Demo-User": user},
    )


@pytest.fixture
def few_writes(tmp_path: Path, rasa: FakeRasa) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, rasa.url, write_rate_limit=3, write_rate_window_seconds=3600)
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        yield client


def test_a_flood_of_busy_times_is_cut_off_at_the_default_limit(
    tmp_path: Path, rasa: FakeRasa
) -> None:
    with TestClient(create_app(make_settings(tmp_path, rasa.url), CharTrigramEncoder())) as client:
        statuses = [busy_time(client, "maria.berg", day).status_code for day in range(1, 71)]
        stored = client.get(
            "/api/risk-assessments/busy-times", headers={"X-Demo-User": "maria.berg"}
        )
    assert statuses == [201] * 60 + [429] * 10
    assert len(stored.json()) == 60


def test_every_write_endpoint_counts_against_one_limit_per_user(
    few_writes: TestClient, rasa: FakeRasa
) -> None:
    for day in (1, 2, 3):
        assert busy_time(few_writes, "maria.berg", day).status_code == 201
    refused = busy_time(few_writes, "maria.berg", 4)
    assert refused.status_code == 429
    body = refused.json()
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 3600
    assert body["code"] == "rate_limited"
    assert f"Vänta {wait} sekunder" in body["detail"] and "ändringar" in body["detail"]
    assert f"Wait {wait} seconds" in body["detail_en"]
    # The same budget on another router's write; reads and the chat are not counted.
    decision = few_writes.post(
        "/api/agreements/1/decision",
        json={"decision": "approve"},
        headers={"X-Demo-User": "maria.berg"},
    )
    assert decision.status_code == 429
    listed = few_writes.get(
        "/api/risk-assessments/busy-times", headers={"X-Demo-User": "maria.berg"}
    )
    assert len(listed.json()) == 3
    assert say(few_writes, "maria.berg").status_code == 200
    assert busy_time(few_writes, "johan.lind").status_code == 201


def test_hr_changes_are_limited_too(few_writes: TestClient) -> None:
    hr = {"X-Demo-User": "hanna.holm"}
    closes = [
        few_writes.post("/api/hr/queue/items/999999/discard", json={}, headers=hr) for _ in range(4)
    ]
    assert [c.status_code for c in closes] == [404, 404, 404, 429]
    assert few_writes.get("/api/hr/session", headers=hr).status_code == 200


def test_replicas_share_the_write_count_in_redis(
    tmp_path: Path, rasa: FakeRasa, redis_prefix: str
) -> None:
    settings = make_settings(
        tmp_path,
        rasa.url,
        write_rate_limit=2,
        write_rate_window_seconds=3600,
        redis_url=LOCAL_REDIS,
    )
    user = "sven.skog"
    with (
        TestClient(create_app(settings, CharTrigramEncoder())) as first,
        TestClient(create_app(settings, CharTrigramEncoder())) as second,
    ):
        first_limiter: RateLimiter = first.app.state.write_rate_limiter  # type: ignore[attr-defined]
        second_limiter: RateLimiter = second.app.state.write_rate_limiter  # type: ignore[attr-defined]
        # A prefix of the test's own, so no other run's counts get in.
        first_limiter._prefix = second_limiter._prefix = redis_prefix
        assert busy_time(first, user, 1).status_code == 201
        assert busy_time(second, user, 2).status_code == 201
        assert busy_time(first, user, 3).status_code == 429
