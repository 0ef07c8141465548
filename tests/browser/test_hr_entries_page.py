"""An HR officer's whole edit of an FAQ entry, done only through the editor page (/hr/poster), goes
live in the chat of the real stack (Rasa, the app, the embedding model and the hot reload): create
an entry, see the checker's error at its field, fix it, save, ask the question in the chat, change
the answer, then restore the first version and get its answer in the chat again. At 1280 and
320 px, by keyboard, axe-core clean at each step, photographed to test-artifacts/."""

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bot.settings import PROJECT_ROOT
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_widget import assert_accessible
from tests.conftest import start_stack

pytestmark = pytest.mark.slow

HR_EDITOR = "henrik.hall"
SHARED = "Får jag jobba från sommarstugan?"
SERVING = "Chatten svarar med den här versionen."
# The hot reload checks, re-encodes and swaps the index within seconds; the page polls for it.
LIVE_TIMEOUT_MS = 20_000
# A save runs the whole check (near-duplicates with the real model) on a shared 2-core machine.
SAVE_TIMEOUT_MS = 20_000
# Each width writes its own entry, so the two runs share the stack without meeting.
CASES = {
    1280: (
        "kontorsstol-hemma",
        "Får jag ta hem min kontorsstol när jag arbetar på distans?",
        "kan jag låna hem kontorsstolen",
    ),
    320: (
        "skrivare-hemma",
        "Får jag låna hem en skrivare från kontoret när jag arbetar på distans?",
        "kan jag ta hem jobbets skrivare",
    ),
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Both real processes on a copy of faq/, which the editor writes."""
    root = tmp_path_factory.mktemp("hr-entries-stack")
    shutil.copytree(PROJECT_ROOT / "faq", root / "faq")
    running = start_stack("vastmanland", root / "run", {"DG_FAQ_DIR": str(root / "faq")})
    yield running
    running.stop()


def photograph(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=True)


def type_into(page: Any, label: str, text: str) -> None:
    """Focus the field by its label and type, as a person at the keyboard would."""
    field = page.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def press(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).focus()
    page.keyboard.press("Enter")


def ask_in_chat(context: Any, url: str, question: str, width: int) -> str:
    """The chat's answer to ``question``, asked in the chat page as an employee."""
    chat = context.new_page()
    chat.set_viewport_size({"width": width, "height": 800})
    chat.goto(url + "/")
    chat.get_by_label("Din fråga").fill(question)
    chat.keyboard.press("Enter")
    answer = chat.locator(".dg-bot").last
    expect(answer).not_to_have_text("", timeout=30_000)
    expect(chat.locator(".dg-log .dg-group")).to_have_count(2, timeout=30_000)
    text: str = answer.inner_text()
    chat.close()
    return text


def wait_until_live(page: Any) -> float:
    started = time.monotonic()
    expect(page.locator("#chat-state")).to_have_text(SERVING, timeout=LIVE_TIMEOUT_MS)
    return time.monotonic() - started


@pytest.mark.parametrize("width", [1280, 320], ids=["1280px", "320px"])
def test_an_hr_officers_edit_goes_live_in_the_chat_and_is_restored(
    browser: Any, stack: Any, width: int
) -> None:
    entry_id, question, alternate = CASES[width]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    context.add_init_script(f"sessionStorage.setItem('dg-hr-demo-user', '{HR_EDITOR}')")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(stack.url + "/hr/poster")
    expect(page.locator("#entries table")).to_be_visible()
    expect(page.get_by_role("link", name="Till HR-sidan")).to_have_attribute("href", "/hr")
    assert_accessible(page)
    photograph(page, f"hr-entries-list-{width}px.png")

    # A new entry with a wording that already belongs to another entry.
    press(page, "Ny post")
    expect(page.get_by_label("Id (filnamn)")).to_be_focused()
    type_into(page, "Id (filnamn)", entry_id)
    type_into(page, "Fråga", question)
    type_into(page, "Andra sätt att ställa frågan", f"{alternate}\n{SHARED}")
    page.get_by_label("Ämne").select_option(label="Arbetsmiljö")
    type_into(page, "Källa", "Frågor och svar – distansarbete inom Region Västmanland")
    type_into(page, "Svar", "Ja, **efter överenskommelse** med chefen. Version ett.")
    expect(page.locator("#preview strong")).to_have_text("efter överenskommelse")
    press(page, "Spara")

    summary = page.locator("#check-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(
        "Posten sparades inte: 1 fel att rätta", timeout=SAVE_TIMEOUT_MS
    )
    inline = page.locator("#msg-alternates")
    expect(inline).to_contain_text(f"Frågan '{SHARED}' finns också i fritidsbostad.md")
    expect(page.get_by_label("Andra sätt att ställa frågan")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert not (stack_faq(stack) / f"{entry_id}.md").exists()
    assert_accessible(page)
    photograph(page, f"hr-entries-error-{width}px.png")

    # Fixed, saved, live.
    summary.get_by_role("link", name="Andra sätt att ställa frågan:").click()
    expect(page.get_by_label("Andra sätt att ställa frågan")).to_be_focused()
    type_into(page, "Andra sätt att ställa frågan", alternate)
    press(page, "Spara")
    expect(summary.get_by_role("heading")).to_have_text("Posten är skapad", timeout=SAVE_TIMEOUT_MS)
    expect(page.get_by_role("heading", name=f"Redigera {entry_id}")).to_be_visible()
    created_live = wait_until_live(page)
    assert "Version ett." in ask_in_chat(context, stack.url, question, width)

    # A second version, marked as only about remote work (the question says "på distans").
    type_into(page, "Svar", "Nej, inte längre. Version två.")
    page.get_by_label("Bara om distansarbete").check()
    press(page, "Spara")
    expect(summary.get_by_role("heading")).to_have_text("Posten är sparad", timeout=SAVE_TIMEOUT_MS)
    on_disk = (stack_faq(stack) / f"{entry_id}.md").read_text(encoding="utf-8")
    assert "remote_work_only: true" in on_disk.splitlines()
    wait_until_live(page)
    assert "Version två." in ask_in_chat(context, stack.url, question, width)

    # Back to the first, from the versions.
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(2)
    first = history.filter(has_text="Skapad i redigeraren")
    first_name = first.locator("th").inner_text()
    first.get_by_role("button", name="Visa ändringar").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#diff .diff-added")).to_contain_text(["Version ett."])
    page.get_by_label("Jämför med").select_option("current")
    expect(page.locator("#diff .diff-removed")).to_contain_text(["Version två."])
    first.get_by_role("button", name="Återställ").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text(
        f"{first_name} är återställd", timeout=SAVE_TIMEOUT_MS
    )
    expect(page.get_by_label("Svar", exact=True)).to_have_value(
        "Ja, **efter överenskommelse** med chefen. Version ett."
    )
    wait_until_live(page)
    assert "Version ett." in ask_in_chat(context, stack.url, question, width)
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text("Återställd från version")
    assert_accessible(page)
    photograph(page, f"hr-entries-restored-{width}px.png")
    if width == 320:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{scroll_width} px of content in a {width} px window"
    print(f"{width} px: the new entry was served {created_live:.1f} s after the page said saved")
    assert problems == []
    context.close()


def stack_faq(stack: Any) -> Path:
    return Path(stack.app_env["DG_FAQ_DIR"])
