"""HR edits a file in faq/ while the service runs: the edit is served without a restart and
without breaking a chat in flight; an invalid edit is rejected and the previous answer stays."""

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.faq.reload import FaqReloader
from bot.main import create_app
from bot.settings import PROJECT_ROOT
from tests.api.conftest import make_settings
from tests.api.test_rasa_actions import action_call
from tests.conftest import CharTrigramEncoder, FakeRasa

QUESTION = "Vilka kostnader står arbetsgivaren för?"
OLD_ANSWER = "Arbetsgivaren står inte för kostnader på distansarbetsplatsen"
NEW_ANSWER = "Från och med 2027 betalar arbetsgivaren en del av bredbandet."
WAIT_SECONDS = 20.0


@pytest.fixture
def faq_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "faq"
    shutil.copytree(PROJECT_ROOT / "faq", directory)
    return directory


@pytest.fixture
def encoder() -> CharTrigramEncoder:
    return CharTrigramEncoder()


@pytest.fixture
def hot_reload() -> bool:
    """Tests that call the reload themselves turn the watcher off, so it cannot race them."""
    return True


@pytest.fixture
def app(
    tmp_path: Path, faq_dir: Path, rasa: FakeRasa, encoder: CharTrigramEncoder, hot_reload: bool
) -> FastAPI:
    settings = make_settings(
        tmp_path, rasa.url, faq_dir=faq_dir, rasa_timeout_seconds=30.0, faq_hot_reload=hot_reload
    )
    return create_app(settings, encoder)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def reloader(app: FastAPI) -> FaqReloader:
    found: FaqReloader = app.state.faq_reloader
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT_SECONDS} s for {what}")
        time.sleep(0.05)


def action_answer(client: TestClient, question: str = QUESTION) -> dict[str, Any]:
    """What Rasa's call of action_answer_faq gets back from the app."""
    response = client.post("/internal/rasa/webhook?token=test-token", json=action_call(question))
    assert response.status_code == 200
    (message,) = response.json()["responses"]
    custom: dict[str, Any] = message["custom"]
    return custom


def degraded_answer(client: TestClient, rasa: FakeRasa, question: str = QUESTION) -> str:
    """With Rasa failing, the chat answers from the index in service."""
    rasa.status = 500
    response = client.post("/api/chat", json={"conversation_id": "c", "message": question})
    rasa.status = 200
    assert response.status_code == 200
    text: str = response.json()["messages"][0]["text"]
    return text


def test_edit_goes_live_while_a_chat_is_in_flight(
    app: FastAPI, client: TestClient, rasa: FakeRasa, faq_dir: Path
) -> None:
    assert action_answer(client)["faq_id"] == "kostnader"
    assert OLD_ANSWER in action_answer(client)["text"]
    served_before = app.state.faq

    # A chat turn waiting for Rasa while HR saves the file and the index is swapped.
    rasa.delay_seconds = 8.0
    in_flight: list[httpx.Response] = []
    chat = threading.Thread(
        target=lambda: in_flight.append(
            client.post("/api/chat", json={"conversation_id": "samtal-1", "message": "hej"})
        )
    )
    chat.start()
    wait_for(lambda: bool(rasa.received), "the chat turn to reach Rasa")
    edit(faq_dir / "kostnader.md", OLD_ANSWER, NEW_ANSWER + " " + OLD_ANSWER)
    wait_for(lambda: app.state.faq is not served_before, "the watcher to reload the edited file")
    assert chat.is_alive(), "the reload should have happened while the chat turn was waiting"
    chat.join(timeout=WAIT_SECONDS)
    rasa.delay_seconds = 0.0

    (response,) = in_flight
    assert response.status_code == 200
    assert response.json()["messages"][0]["text"] == "Hej från Rasa"
    assert NEW_ANSWER in action_answer(client)["text"]
    assert NEW_ANSWER in degraded_answer(client, rasa)
    assert client.get("/health").json()["faq_problems"] == 0


def test_invalid_edit_is_rejected_and_the_previous_answer_keeps_serving(
    app: FastAPI,
    client: TestClient,
    rasa: FakeRasa,
    faq_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lines = (faq_dir / "kostnader.md").read_text(encoding="utf-8").splitlines()
    review_line = lines.index("review_by: 2027-11-22") + 1
    edit(faq_dir / "kostnader.md", "review_by: 2027-11-22", "review_by: nästa år")
    edit(faq_dir / "sjukdom.md", "Vad gäller om medarbetaren blir sjuk?", "Vad gäller vid sjukdom?")
    wait_for(
        lambda: app.state.faq.answerer.index.get("sjukdom").question == "Vad gäller vid sjukdom?",
        "the watcher to reload after both edits",
    )

    outcome = reloader(app).last_outcome
    assert outcome is not None and outcome.applied
    assert outcome.rejected_files == [faq_dir / "kostnader.md"]
    assert f"kostnader.md:{review_line}: [invalid-date]" in caplog.text
    # The broken file's previous version serves on; the other file's edit went live.
    assert OLD_ANSWER in action_answer(client)["text"]
    assert OLD_ANSWER in degraded_answer(client, rasa)
    assert client.get("/health").json()["faq_problems"] == 1

    edit(faq_dir / "kostnader.md", "review_by: nästa år", "review_by: 2027-11-22")
    edit(faq_dir / "kostnader.md", OLD_ANSWER, NEW_ANSWER)
    wait_for(lambda: NEW_ANSWER in action_answer(client)["text"], "the fixed file to go live")
    assert client.get("/health").json()["faq_problems"] == 0


@pytest.mark.parametrize("hot_reload", [False])
def test_only_the_changed_texts_are_encoded(
    app: FastAPI, client: TestClient, faq_dir: Path, encoder: CharTrigramEncoder
) -> None:
    client.get("/health")
    calls_before = len(encoder.calls)
    edit(faq_dir / "kostnader.md", OLD_ANSWER, NEW_ANSWER)
    edit(faq_dir / "kostnader.md", "  - kostnader hemma\n", "  - vad kostar det att jobba hemma\n")
    outcome = reloader(app).reload()

    assert outcome.applied and outcome.encoded == 1
    assert encoder.calls[calls_before:] == [["vad kostar det att jobba hemma"]]
    assert NEW_ANSWER in action_answer(client, "vad kostar det att jobba hemma")["text"]


@pytest.mark.parametrize("hot_reload", [False])
def test_a_conflict_between_files_rejects_the_whole_reload(
    app: FastAPI, client: TestClient, faq_dir: Path
) -> None:
    served_before = app.state.faq
    edit(faq_dir / "kostnader.md", OLD_ANSWER, NEW_ANSWER)
    # The question of fritidsbostad.md, added as an alternate of sjukdom.md.
    edit(
        faq_dir / "sjukdom.md",
        "alternates:\n",
        "alternates:\n  - Får jag jobba från sommarstugan?\n",
    )
    outcome = reloader(app).reload()

    assert not outcome.applied
    assert [(e.path.name, e.rule) for e in outcome.errors] == [("sjukdom.md", "shared-alternate")]
    assert app.state.faq is served_before
    assert OLD_ANSWER in action_answer(client)["text"]
