"""The app served by uvicorn in a thread, with a fake Rasa, and Debian's headless Chromium
driven by Playwright. Nothing is downloaded: Playwright uses /usr/bin/chromium, axe-core comes
bundled with axe-playwright-python."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from bot.launcher import free_port
from bot.main import create_app
from bot.settings import PROJECT_ROOT
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@dataclass
class LiveApp:
    url: str
    rasa: FakeRasa


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    rasa = FakeRasa()
    settings = make_settings(tmp_path_factory.mktemp("browser"), rasa.url)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, CharTrigramEncoder()),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("The app did not start under uvicorn")
        time.sleep(0.05)
    yield LiveApp(f"http://127.0.0.1:{port}", rasa)
    server.should_exit = True
    thread.join(timeout=10)
    rasa.close()


# Per module, not per session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and the asyncio tests that run after the browser tests need the thread free.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_app: LiveApp) -> Iterator[Any]:
    """A fresh browser context (empty storage) whose page fails the test on any CSP violation."""
    live_app.rasa.reply = [{"recipient_id": "x", "text": "Hej från Rasa"}]
    live_app.rasa.status = 200
    live_app.rasa.received.clear()
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert problems == [], problems
