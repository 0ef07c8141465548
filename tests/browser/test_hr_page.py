"""The HR page in a real browser: no accessibility violations (axe), usable by keyboard alone,
nothing blocked by the Content-Security-Policy, and a 403 shown to a non-HR demo user."""

import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from bot.launcher import free_port
from bot.main import create_app
from bot.settings import PROJECT_ROOT
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_compliance import seed


@pytest.fixture(scope="module")
def module_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    yield rasa
    rasa.close()


@pytest.fixture(scope="module")
def server(module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hr-page")
    shutil.copytree(PROJECT_ROOT / "faq", root / "faq")
    app = create_app(
        make_settings(root, module_rasa.url, faq_dir=root / "faq"), CharTrigramEncoder()
    )
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.1)
    url = f"http://127.0.0.1:{port}"
    # Agreements, assessments and follow-ups for the reports' charts (the API tests' region).
    with app.state.agreements.db.session() as session:
        seed(session)
    module_rasa.reply = [{"recipient_id": "x", "custom": {"text": "Vet inte", "kind": "unknown"}}]
    for question in ("Får jag jobba från Spanien?", "<img src=x onerror=alert(1)> från Spanien?"):
        httpx.post(f"{url}/api/chat", json={"conversation_id": "c", "message": question})
    yield url
    running.should_exit = True
    thread.join(10)


def open_page(browser: Any, url: str, user: str) -> tuple[Any, list[str]]:
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    # Console errors (a CSP violation is one) and failed requests; the browser's own favicon
    # request is not the page's.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") and "/api/hr/" not in r.url
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.add_init_script(f"sessionStorage.setItem('dg-hr-demo-user', '{user}')")
    page.goto(f"{url}/hr")
    return page, problems


def test_the_page_has_no_accessibility_violations_and_no_blocked_code(
    browser: Any, server: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page, problems = open_page(browser, server, "hanna.holm")
    page.wait_for_selector("#queue li")
    page.wait_for_selector("#audit details")
    # User text is shown as text, never run or rendered as markup.
    assert page.locator("#queue img").count() == 0
    assert page.get_by_text("<img src=x onerror=alert(1)> från Spanien?").count() >= 1
    results = Axe().run(page)
    violations = [(v["id"], v["help"]) for v in results.response["violations"]]
    assert violations == []
    assert problems == []


def test_try_a_question_by_keyboard_alone(browser: Any, server: str) -> None:
    page, problems = open_page(browser, server, "henrik.hall")
    page.wait_for_selector("#queue li")
    page.focus("#try-question")
    page.keyboard.type("Får jag jobba från sommarstugan?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#try-result table")
    tried = page.inner_text("#try-result")
    assert "fritidsbostad" in tried
    # The reply as the user would get it, and why.
    assert "Svaret användaren skulle få" in tried and "Källa:" in tried
    assert "Om distansarbete:" in tried
    assert page.get_attribute("#try-result", "aria-live") == "polite"
    # An editor does not see the admin-only audit trail or resolve buttons.
    assert page.is_hidden("#audit-section")
    assert page.get_by_role("button", name="Kasta").count() == 0
    assert problems == []


def test_an_employee_sees_that_the_page_is_for_hr_only(browser: Any, server: str) -> None:
    page, _ = open_page(browser, server, "anna.andersson")
    page.wait_for_selector("#error:not(:empty)")
    assert "bara för HR" in page.inner_text("#error")
    assert page.is_hidden("#content")


def test_the_compliance_report_is_drawn_with_its_table(browser: Any, server: str) -> None:
    page, problems = open_page(browser, server, "hanna.holm")
    page.wait_for_selector("#compliance table")
    assert page.is_visible("#compliance-section")
    assert page.locator("#compliance svg").count() >= 1
    assert (
        "Samtliga" in page.inner_text("#compliance")
        or page.locator("#compliance table tbody tr").count() >= 1
    )
    assert problems == []
