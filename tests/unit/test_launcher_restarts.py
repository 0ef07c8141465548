"""The launcher starts a process that died again, with growing pauses, and keeps its log."""

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
