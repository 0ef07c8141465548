"""A database that is down or hanging when the app starts: FAQ answers work at once, the
processes say they are unavailable, and everything comes back by itself when the database
does, without a restart. Against the real PostgreSQL, through a proxy the test breaks."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from tests.api.conftest import make_settings
from tests.conftest import POSTGRES_URL, CharTrigramEncoder, FakeRasa, postgres_schema
from tests.faults import BreakableProxy

EMPLOYEE = {"X-Demo-User": "anna.andersson"}


@pytest.fixture
def schema_url() -> Iterator[str]:
    """A fresh, empty schema: the app must create its tables itself once it gets through."""
    with postgres_schema(migrate=False) as db:
        yield db.url


@pytest.fixture
def running_app(
    schema_url: str, tmp_path: Path, rasa: FakeRasa
) -> Iterator[tuple[TestClient, BreakableProxy]]:
    """The app started with a working database behind a proxy the test can break."""
    proxy = BreakableProxy(5432)
    settings = make_settings(tmp_path, rasa.url, database_url=through(proxy, schema_url))
    try:
        with TestClient(create_app(settings, CharTrigramEncoder())) as client:
            yield client, proxy
    finally:
        proxy.close()


def through(proxy: BreakableProxy, url: str) -> str:
    return url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")


def wait_for_database(client: TestClient, seconds: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get("/health").json()
        if body["database"] == "ready":
            return body
        time.sleep(0.5)
    raise AssertionError(f"the database did not come back within {seconds:.0f} s: {body}")


@pytest.mark.parametrize("fault", ["refuse", "hang"])
def test_database_down_at_start_then_back(
    fault: str, schema_url: str, tmp_path: Path, rasa: FakeRasa
) -> None:
    assert schema_url.startswith(POSTGRES_URL)
    proxy = BreakableProxy(5432)
    proxy.set(fault)  # type: ignore[arg-type]
    settings = make_settings(tmp_path, rasa.url, database_url=through(proxy, schema_url))
    started = time.monotonic()
    try:
        with TestClient(create_app(settings, CharTrigramEncoder())) as client:
            # A hanging database costs start-up its connect timeout, not forever.
            assert time.monotonic() - started < 30
            assert client.get("/health/live").status_code == 200
            assert client.get("/health/ready").status_code == 200
            assert client.get("/health").json()["database"] == "migrating"
            chat = client.post("/api/chat", json={"conversation_id": "c", "message": "hej"})
            assert chat.status_code == 200
            down = client.get("/api/agreements", headers=EMPLOYEE)
            assert down.status_code == 503
            assert down.json()["code"] == "agreements_unavailable"

            proxy.set("forward")
            wait_for_database(client)
            assert client.get("/api/agreements", headers=EMPLOYEE).json() == []
    finally:
        proxy.close()


def test_database_lost_while_running_then_back(
    running_app: tuple[TestClient, BreakableProxy],
) -> None:
    client, proxy = running_app
    assert client.get("/api/agreements", headers=EMPLOYEE).status_code == 200
    proxy.set("refuse")
    assert client.get("/health").json()["database"] == "unavailable"
    lost = client.get("/api/agreements", headers=EMPLOYEE)
    assert lost.status_code == 503
    assert lost.json()["code"] == "database_unavailable"
    answered = client.post("/api/chat", json={"conversation_id": "c", "message": "hej"})
    assert answered.status_code == 200
    proxy.set("forward")
    wait_for_database(client)
    assert client.get("/api/agreements", headers=EMPLOYEE).status_code == 200


def test_liveness_and_readiness(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "alive"}
    assert client.get("/health/ready").json() == {"status": "ready"}
    assert client.get("/health").json()["database"] == "ready"


def test_a_hanging_database_does_not_hold_faq_answers(
    running_app: tuple[TestClient, BreakableProxy],
) -> None:
    client, proxy = running_app
    proxy.set("hang")
    started = time.monotonic()
    answered = client.post("/api/chat", json={"conversation_id": "c", "message": "hej"})
    assert answered.status_code == 200
    assert answered.json()["messages"][0]["text"] == "Hej från Rasa"
    assert client.get("/health").json()["database"] == "unavailable"
    # Recording the turn and fetching the reminders wait half a second, side by side.
    assert time.monotonic() - started < 5
