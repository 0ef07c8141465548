"""The launcher starts a process that died again, with growing pauses, and keeps its log."""

import os
import signal
import sys
import time
from pathlib import Path

from bot import launcher
from bot.launcher import Stack


def restarted_within(stack: Stack, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if restarted := stack.keep_running():
            return restarted
        time.sleep(0.05)
    return []


def test_a_dead_process_is_started_again_with_growing_pauses(
    tmp_path: Path, monkeypatch: object
) -> None:
    monkeypatch.setattr(launcher, "RESTART_FIRST_SECONDS", 0.2)  # type: ignore[attr-defined]
    stack = Stack(run_dir=tmp_path, log_to_files=True)
    dies = [sys.executable, "-c", "print('working'); raise SystemExit(3)"]
    lives = [sys.executable, "-c", "import time; time.sleep(60)"]
    try:
        stack._spawn("rasa", dies, {})
        stack._spawn("app", lives, {})
        stack.processes["rasa"].wait(timeout=10)
        started = time.monotonic()
        assert restarted_within(stack, 5) == ["rasa"]
        first_pause = time.monotonic() - started
        stack.processes["rasa"].wait(timeout=10)
        started = time.monotonic()
        assert restarted_within(stack, 5) == ["rasa"]
        second_pause = time.monotonic() - started
        assert 0.15 < first_pause < second_pause
        assert stack.processes["app"].poll() is None, "the other process is left alone"
        stack.processes["rasa"].wait(timeout=10)
    finally:
        stack.stop()
    log = (tmp_path / "rasa.log").read_text()
    assert log.count("working") == 3
    assert "rasa: start ===" in log
    assert log.count("rasa: restart after exit 3 ===") == 2


def test_a_process_that_stops_answering_is_killed_and_started_again(
    tmp_path: Path, monkeypatch: object
) -> None:
    """A hung process (here stopped with SIGSTOP) is not dead, so only its silence shows it."""
    for name, value in {
        "LIVENESS_CHECK_SECONDS": 0.1,
        "LIVENESS_TIMEOUT_SECONDS": 0.5,
        "MISSED_CHECKS_BEFORE_KILL": 2,
        "RESTART_FIRST_SECONDS": 0.2,
    }.items():
        monkeypatch.setattr(launcher, name, value)  # type: ignore[attr-defined]
    stack = Stack(run_dir=tmp_path, log_to_files=True, rasa_port=launcher.free_port())
    serves = [sys.executable, "-m", "http.server", str(stack.rasa_port), "--bind", "127.0.0.1"]
    try:
        stack._spawn("rasa", serves, {})
        deadline = time.monotonic() + 10
        while not stack._answered.get("rasa") and time.monotonic() < deadline:
            stack.keep_running()
            time.sleep(0.05)
        assert stack._answered.get("rasa"), "the stand-in server never answered"
        hung = stack.processes["rasa"]
        os.kill(hung.pid, signal.SIGSTOP)
        assert restarted_within(stack, 15) == ["rasa"]
        assert hung.returncode == -signal.SIGKILL
        assert stack.processes["rasa"].poll() is None
    finally:
        stack.stop()
    assert "rasa: restart after exit -9 ===" in (tmp_path / "rasa.log").read_text()
