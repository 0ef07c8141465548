"""The app in-process with a small encoder and a fake Rasa; no real Rasa needed."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.settings import Settings
from tests.conftest import CharTrigramEncoder, FakeRasa, postgres_schema


@pytest.fixture(scope="module")
def module_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    yield rasa
    rasa.close()


@pytest.fixture
def rasa(module_rasa: FakeRasa) -> FakeRasa:
    module_rasa.reply = [{"recipient_id": "x", "text": "Hej från Rasa"}]
    module_rasa.delay_seconds = 0.0
    module_rasa.status = 200
    module_rasa.ranking = None
    module_rasa.received.clear()
    return module_rasa


def make_settings(tmp: Path, rasa_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "cache_dir": tmp,
        "database_url": f"sqlite:///{tmp}/app.db",
        "rasa_url": rasa_url,
        "rasa_timeout_seconds": 1.0,
        # One test's Rasa faults must not pause Rasa for the next (tests/unit/test_rasa_client).
        "rasa_pause_seconds": 0.0,
        "action_token": "test-token",
        # A watcher would reload on another test's file writes mid-test; its own tests turn it on.
        "faq_hot_reload": False,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client(module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(
        make_settings(tmp_path_factory.mktemp("cache"), module_rasa.url), CharTrigramEncoder()
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def any_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    module_rasa: FakeRasa,
) -> Iterator[TestClient]:
    """The app on SQLite, or on a private schema of the local PostgreSQL."""
    tmp_path = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        settings = make_settings(tmp_path, module_rasa.url)
        with TestClient(create_app(settings, CharTrigramEncoder())) as client:
            yield client
        return
    with postgres_schema(migrate=False) as db:
        settings = make_settings(tmp_path, module_rasa.url, database_url=db.url)
        with TestClient(create_app(settings, CharTrigramEncoder())) as client:
            yield client
