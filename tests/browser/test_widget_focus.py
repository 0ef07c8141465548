"""The embedded widget on a phone (#18): the panel covers the page, so it is a modal dialog and
Tab goes round inside it; Escape closes it and gives focus back to the launcher. On a desktop
the panel sits beside the page and Tab may leave it."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveApp
from tests.browser.test_widget import assert_accessible

pytestmark = pytest.mark.slow

INSIDE_PANEL = "document.querySelector('.dg-panel').contains(document.activeElement)"


def open_widget(page: Any, live_app: LiveApp, width: int) -> Any:
    page.set_viewport_size({"width": width, "height": 640})
    page.goto(live_app.url + "/static/embed-demo.html")
    launcher = page.get_by_role("button", name="Frågor om distansarbete?")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Din fråga")).to_be_focused()
    return launcher


def test_on_a_phone_tab_stays_in_the_panel_and_escape_returns_to_the_launcher(
    page: Any, live_app: LiveApp
) -> None:
    launcher = open_widget(page, live_app, 320)
    dialog = page.get_by_role("dialog", name="Distansguiden")
    expect(dialog).to_have_attribute("aria-modal", "true")
    visited = set()
    for _ in range(30):
        page.keyboard.press("Tab")
        assert page.evaluate(INSIDE_PANEL), "Tab left the full-screen panel"
        visited.add(page.evaluate("document.activeElement.outerHTML.slice(0, 60)"))
    # Round and round: every control was reached, none outside.
    assert len(visited) >= 4
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(INSIDE_PANEL), "Shift+Tab left the full-screen panel"
    assert_accessible(page)

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()


def test_on_a_desktop_the_panel_is_not_modal_and_tab_may_leave_it(
    page: Any, live_app: LiveApp
) -> None:
    open_widget(page, live_app, 1280)
    dialog = page.get_by_role("dialog", name="Distansguiden")
    expect(dialog).not_to_have_attribute("aria-modal", "true")
    left = False
    for _ in range(30):
        page.keyboard.press("Tab")
        if not page.evaluate(INSIDE_PANEL):
            left = True
            break
    assert left, "Tab never left the panel beside the page"
