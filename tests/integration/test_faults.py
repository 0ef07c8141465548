"""Rasa dies in the middle of an agreement request: FAQ questions are still answered, the
launcher starts Rasa again by itself, and the request goes on from the question it was at,
because the conversation lives in Rasa's tracker store, not in Rasa's memory."""

import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.chat import DEGRADED_NOTE
from tests.conftest import chat_client, start_stack

pytestmark = pytest.mark.slow


@pytest.fixture
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A stack of its own: this test kills its Rasa."""
    running = start_stack("vastmanland", tmp_path_factory.mktemp("faults"))
    yield running
    running.stop()


def test_rasa_killed_mid_request_is_restarted_and_the_request_resumes(own_stack: Any) -> None:
    chat = chat_client(own_stack)
    conversation = f"fault-{uuid.uuid4().hex[:8]}"

    def say(text: str) -> list[dict[str, Any]]:
        response = chat(text, conversation_id=conversation, user="anna.andersson")
        assert response.status_code == 200, response.text
        return list(response.json()["messages"])

    def texts(messages: list[dict[str, Any]]) -> str:
        return "\n".join(m["text"] for m in messages)

    assert "Hur stor del av arbetstiden" in texts(say("jag vill ansöka om distansarbete"))
    assert "Var ska du arbeta" in texts(say("40 %"))

    rasa = own_stack.processes["rasa"]
    rasa.send_signal(signal.SIGKILL)
    rasa.wait(timeout=10)

    # While Rasa is down: the FAQ still answers, and says the processes are paused.
    degraded = say("Vilka kostnader står arbetsgivaren för?")
    assert degraded[0]["faq_id"], degraded
    assert degraded[-1]["text"] == DEGRADED_NOTE

    deadline = time.monotonic() + 180
    restarted: list[str] = []
    while time.monotonic() < deadline:
        restarted += own_stack.keep_running()
        if restarted and httpx.get(f"{own_stack.url}/health", timeout=5).status_code == 200:
            break
        time.sleep(1.0)
    assert restarted == ["rasa"], "the launcher did not start Rasa again"
    assert own_stack.processes["app"].poll() is None, "the app must keep running"

    # The half-filled request is where it was: the place is the next answer it needs.
    assert "Från vilket datum" in texts(say("Hemma"))
    log = (own_stack.run_dir / "rasa.log").read_text(errors="replace")
    assert "rasa: start ===" in log and "rasa: restart after exit -9 ===" in log
