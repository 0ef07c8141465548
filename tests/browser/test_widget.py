"""The chat widget in a real browser: keyboard use, history across reloads, both languages,
axe-core's WCAG 2.1 A/AA rules, 320 px reflow, the embedded panel, and failures."""

import json
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, LiveApp

pytestmark = pytest.mark.slow

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SOURCE = "Frågor och svar – distansarbete inom Region Västmanland"
COSTS_ANSWER = {
    "recipient_id": "x",
    "custom": {
        "text": "Arbetsgivaren står **inte** för kostnader hemma:\n\n- el\n- internet\n\n"
        f"Källa: {SOURCE}",
        "faq_id": "kostnader",
        "source": SOURCE,
        "kind": "answer",
    },
}
ACCIDENT_PAYLOAD = '/choose_faq{"faq_id":"olycka"}'
DID_YOU_MEAN = {
    "recipient_id": "x",
    "custom": {
        "text": "Menade du något av det här?",
        "kind": "clarify",
        "buttons": [
            {"title": "Vad gäller om jag skadar mig hemma?", "payload": ACCIDENT_PAYLOAD},
            {"title": "Vem ansvarar för arbetsmiljön?", "payload": "/choose_faq{}"},
        ],
    },
}
ACCIDENT_ANSWER = {
    "recipient_id": "x",
    "custom": {
        "text": f"Anmäl skadan till din chef *så snart som möjligt*.\n\nKälla: {SOURCE}",
        "faq_id": "olycka",
        "source": SOURCE,
        "kind": "answer",
    },
}
# The live app's region names the source's address: "Källa" is a link that opens a new tab.
SOURCE_LINE = f"Källa: {SOURCE} (öppnas i ny flik)"
UNREACHABLE = "Assistenten går inte att nå just nu. Din fråga finns kvar – försök igen om en stund."


def tab_to(page: Any, target: Any, limit: int = 10) -> None:
    """Moves focus with Tab only, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("node => node === document.activeElement"):
            return
    pytest.fail(f"{target} was not reached with {limit} presses of Tab")


def ask(page: Any, question: str) -> None:
    page.keyboard.type(question)
    page.keyboard.press("Enter")


def assert_accessible(page: Any) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, results.generate_report()


def assert_no_horizontal_scroll(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{scroll_width} px of content in a {width} px window"


def test_a_keyboard_conversation_survives_a_reload_in_both_languages(
    page: Any, live_app: LiveApp
) -> None:
    rasa = live_app.rasa
    page.goto(live_app.url + "/")
    question = page.get_by_label("Din fråga")
    tab_to(page, question)

    rasa.reply = [COSTS_ANSWER]
    ask(page, "Vem betalar internet hemma?")
    costs = page.locator(".dg-bot").nth(0)
    expect(costs.locator("strong")).to_have_text("inte")
    expect(costs.locator("li")).to_have_text(["el", "internet"])
    expect(costs.locator(".dg-source")).to_have_text(SOURCE_LINE)
    expect(costs.locator(".dg-body")).not_to_contain_text("Källa")
    expect(question).to_be_focused()

    rasa.reply = [DID_YOU_MEAN]
    ask(page, "Jag ramlade i trappan hemma")
    quick_reply = page.get_by_role("button", name="Vad gäller om jag skadar mig hemma?")
    expect(quick_reply).to_be_visible()
    expect(question).to_be_focused()
    page.keyboard.press("Shift+Tab")  # the quick replies come right before the input
    expect(page.get_by_role("button", name="Vem ansvarar för arbetsmiljön?")).to_be_focused()
    rasa.reply = [ACCIDENT_ANSWER]
    quick_reply.click()
    accident = page.locator(".dg-bot").nth(2)
    expect(accident.locator("em")).to_have_text("så snart som möjligt")
    assert rasa.received[-1]["message"] == ACCIDENT_PAYLOAD
    expect(page.locator(".dg-user p")).to_have_text(
        ["Vem betalar internet hemma?", "Jag ramlade i trappan hemma", quick_reply_title()]
    )
    expect(page.locator(".dg-quick")).to_have_count(0)
    expect(question).to_be_focused()

    with page.expect_response("**/api/feedback") as feedback:
        costs.get_by_role("button", name="Ja, svaret hjälpte").click()
    assert feedback.value.status == 201
    sent = feedback.value.request.post_data_json
    assert (sent["faq_id"], sent["question"], sent["helpful"]) == (
        "kostnader",
        "Vem betalar internet hemma?",
        True,
    )
    expect(costs.get_by_text("Tack för din återkoppling!")).to_be_visible()
    for thumb in costs.locator(".dg-thumb").all():
        expect(thumb).to_be_disabled()
    with page.expect_response("**/api/feedback") as feedback:
        accident.get_by_role("button", name="Nej, svaret hjälpte inte").click()
    # The question behind a "did you mean" choice is what the user typed, for HR's review queue.
    assert feedback.value.request.post_data_json["question"] == "Jag ramlade i trappan hemma"

    sender_before = rasa.received[-1]["sender"]
    page.reload()
    expect(page.locator(".dg-user p")).to_have_count(3)
    expect(page.locator(".dg-bot")).to_have_count(3)
    expect(costs.locator("li")).to_have_text(["el", "internet"])
    expect(costs.get_by_text("Tack för din återkoppling!")).to_be_visible()
    expect(costs.get_by_role("button", name="Ja, svaret hjälpte")).to_be_disabled()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Your question")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(costs.locator(".dg-source")).to_have_text(f"Source: {SOURCE} (opens in a new tab)")
    expect(page.get_by_role("button", name="Svenska")).to_have_attribute("lang", "sv")
    page.get_by_label("Your question").focus()
    rasa.reply = [{"recipient_id": "x", "text": "Hello!"}]
    ask(page, "Hello")
    expect(page.locator(".dg-bot").nth(3)).to_contain_text("Hello!")
    assert rasa.received[-1]["sender"] == sender_before  # the same conversation after reload
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    assert_accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "widget.png", full_page=True)
    assert_no_horizontal_scroll(page, 640)  # a 1280 px window at 200 % zoom
    assert_no_horizontal_scroll(page, 320)
    page.screenshot(path=ARTIFACTS / "widget-320px.png", full_page=True)


def quick_reply_title() -> str:
    return str(DID_YOU_MEAN["custom"]["buttons"][0]["title"])  # type: ignore[index]


def test_an_unreachable_service_is_explained_and_the_question_kept(
    page: Any, live_app: LiveApp
) -> None:
    page.goto(live_app.url + "/")
    question = page.get_by_label("Din fråga")
    question.focus()
    page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
    ask(page, "Får jag jobba hemifrån?")
    expect(page.get_by_role("alert")).to_have_text(UNREACHABLE)
    expect(question).to_have_value("Får jag jobba hemifrån?")
    expect(page.locator(".dg-user")).to_have_count(0)

    page.unroute("**/api/chat")
    page.route(
        "**/api/chat",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"code": "x", "detail": "Tekniskt fel", "detail_en": "Error"}),
        ),
    )
    page.get_by_role("alert").evaluate("node => { node.textContent = '' }")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(UNREACHABLE)
    expect(question).to_have_value("Får jag jobba hemifrån?")

    page.unroute("**/api/chat")
    live_app.rasa.reply = [COSTS_ANSWER]
    page.keyboard.press("Enter")
    expect(page.locator(".dg-bot .dg-source")).to_have_text(SOURCE_LINE)
    expect(page.locator(".dg-alert")).to_be_empty()
    expect(question).to_have_value("")


def test_too_many_questions_say_how_long_to_wait(page: Any, live_app: LiveApp) -> None:
    page.goto(live_app.url + "/")
    page.route(
        "**/api/chat",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "30"},
            content_type="application/json",
            body=json.dumps({"code": "rate_limited", "detail": "För många", "detail_en": "Many"}),
        ),
    )
    page.get_by_label("Din fråga").focus()
    ask(page, "Hej")
    expect(page.get_by_role("alert")).to_contain_text("Vänta 30 sekunder")


def test_markup_in_an_answer_is_shown_as_text_and_never_run(page: Any, live_app: LiveApp) -> None:
    live_app.rasa.reply = [
        {
            "recipient_id": "x",
            "custom": {
                "text": "<script>window.dgOwned = 1</script> "
                '<img src="x" onerror="window.dgOwned = 2"> '
                "[klicka](javascript:window.dgOwned=3) **fet**",
                "kind": "unknown",
            },
        }
    ]
    page.goto(live_app.url + "/")
    page.get_by_label("Din fråga").focus()
    ask(page, "Hej")
    answer = page.locator(".dg-bot")
    expect(answer.locator("strong")).to_have_text("fet")
    expect(answer).to_contain_text("<script>window.dgOwned = 1</script>")
    assert answer.locator("script, img, a").count() == 0
    assert page.evaluate("window.dgOwned") is None


def test_feedback_that_cannot_be_saved_says_so_and_can_be_retried(
    page: Any, live_app: LiveApp
) -> None:
    live_app.rasa.reply = [COSTS_ANSWER]
    page.goto(live_app.url + "/")
    page.get_by_label("Din fråga").focus()
    ask(page, "Vem betalar internet hemma?")
    page.route("**/api/feedback", lambda route: route.fulfill(status=503, body="{}"))
    thumbs_up = page.get_by_role("button", name="Ja, svaret hjälpte")
    thumbs_up.click()
    expect(page.locator(".dg-note")).to_have_text(
        "Din återkoppling kunde inte sparas just nu. Försök gärna igen senare."
    )
    expect(thumbs_up).to_be_enabled()


def test_the_embedded_widget_opens_and_closes_by_keyboard(page: Any, live_app: LiveApp) -> None:
    page.goto(live_app.url + "/static/embed-demo.html")
    launcher = page.get_by_role("button", name="Frågor om distansarbete?")
    tab_to(page, launcher)
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    question = page.get_by_label("Din fråga")
    expect(question).to_be_focused()

    live_app.rasa.reply = [COSTS_ANSWER]
    ask(page, "Vem betalar internet hemma?")
    expect(page.locator(".dg-panel .dg-source")).to_have_text(SOURCE_LINE)
    expect(question).to_be_focused()
    assert_accessible(page)
    assert_no_horizontal_scroll(page, 320)
    panel = page.locator(".dg-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 320
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "widget-embedded.png")

    page.keyboard.press("Escape")
    expect(page.locator(".dg-panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_a_calendar_invitation_is_offered_for_download(page: Any, live_app: LiveApp) -> None:
    live_app.rasa.reply = [
        {
            "recipient_id": "x",
            "custom": {
                "text": "Dialogen är bokad.",
                "link": "/api/risk-assessments/7.ics",
            },
        }
    ]
    page.goto(live_app.url + "/")
    page.get_by_label("Din fråga").focus()
    ask(page, "Boka riskbedömning")
    download = page.get_by_role("link", name="Ladda ner 7.ics")
    expect(download).to_have_attribute("href", live_app.url + "/api/risk-assessments/7.ics")
    expect(download).to_have_attribute("download", "7.ics")
