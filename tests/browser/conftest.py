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
import yaml

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
# The FAQ's source document as the region's file may name it, with one entry's section.
SOURCE = "Frågor och svar – distansarbete inom Region Västmanland"
SOURCE_URL = "https://intranat.region.example/distansarbete/fragor-och-svar"
SOURCE_SECTION = ("olycka", "Olyckor och tillbud", SOURCE_URL + "#olyckor")


def regions_with_sources(directory: Path) -> Path:
    """The project's regions, with Västmanland's source document given an address."""
    directory.mkdir()
    for region in (PROJECT_ROOT / "regions").glob("*.yml"):
        (directory / region.name).write_text(region.read_text(encoding="utf-8"), encoding="utf-8")
    file = directory / "vastmanland.yml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    entry, name, url = SOURCE_SECTION
    data["sources"] = [
        {"title": SOURCE, "url": SOURCE_URL, "sections": {entry: {"name": name, "url": url}}}
    ]
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


@dataclass
class LiveApp:
    url: str
    rasa: FakeRasa
    # The running app, for tests that set up records through its services.
    app: Any = None


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    rasa = FakeRasa()
    tmp = tmp_path_factory.mktemp("browser")
    # One demo user sends every test's messages: the per-user limits must not end a test.
    settings = make_settings(
        tmp,
        rasa.url,
        regions_dir=regions_with_sources(tmp / "regions"),
        chat_rate_limit=100_000,
        write_rate_limit=100_000,
    )
    port = free_port()
    app = create_app(settings, CharTrigramEncoder())
    server = uvicorn.Server(
        uvicorn.Config(
            app,
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
    yield LiveApp(f"http://127.0.0.1:{port}", rasa, app)
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
    live_app.rasa.delay_seconds = 0.0
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
