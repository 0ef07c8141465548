"""What an employee notices in the chat (#18), at 1280 and 320 px in Debian's Chromium: the
greeting, the header and input that stay on screen, who wrote what and when, the folded
checklist, sources and contacts as links, several answers ticked at once, retry after a failure,
dates kept whole, and "Mina ärenden" with its PDF and withdraw. Each screen is checked with
axe-core (WCAG 2.1 A/AA) and photographed to test-artifacts/."""

import itertools
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from actions.agreement.fields import pick_button, swedish_date
from bot.agreements.service import AgreementRequest
from bot.regions import load_region
from bot.risk_assessments.invitation import load_checklist
from bot.settings import PROJECT_ROOT
from tests.browser.conftest import ARTIFACTS, SOURCE, SOURCE_SECTION, SOURCE_URL, LiveApp
from tests.browser.test_widget import assert_accessible

pytestmark = pytest.mark.slow

WIDTHS = [pytest.param(1280, id="1280px"), pytest.param(320, id="320px")]
HEIGHTS = {1280: 800, 320: 640}
REGION = load_region(PROJECT_ROOT / "regions", "vastmanland")
CHECKLIST_TEXT = (
    "Inför samtalet, gå gärna igenom checklistan:\n\n"
    + load_checklist(PROJECT_ROOT / "faq")
    + "\n\n[Checklista inför samtalet](http://127.0.0.1:8000/riskbedomning/checklista)"
)
BOOKED = {
    "recipient_id": "x",
    "custom": {
        "text": "Mötet är bokat. tisdag 1 december 2026 kl. 10.00 (Teams). Deltagarna får besked.",
        "link": "/api/risk-assessments/7.ics",
        "buttons": [
            {"title": "Flytta mötet", "payload": "/reschedule_risk_assessment"},
            {"title": "Avboka mötet", "payload": "/cancel_risk_assessment"},
        ],
    },
}
EQUIPMENT = ["Bärbar dator", "Bildskärm", "Headset"]
EQUIPMENT_QUESTION = {
    "recipient_id": "x",
    "text": "Vilken utrustning lånar du hem från arbetsgivaren?",
    # As the agreement form marks them (actions/agreement/fields.py).
    "buttons": [pick_button(item) for item in EQUIPMENT]
    + [{"title": "Ingen", "payload": "ingen", "select": "one"}],
}
SUMMARY = (
    "Stämmer det här?\n\nAndel på distans: 40 % av arbetstiden\nDistansarbetsplats: Hemma\n"
    "Period: 2028-01-31 – 2028-06-30\nArbetsuppgifter: Dokumentation och uppföljning av "
    "ärenden\nHemlånad utrustning: Bärbar dator, Bildskärm"
)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
periods = itertools.count()


def open_chat(page: Any, live_app: LiveApp, width: int) -> Any:
    page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
    page.goto(live_app.url + "/")
    expect(page.locator(".dg-greeting")).to_contain_text("Hej Anna!")
    question = page.get_by_label("Din fråga")
    question.focus()
    return question


def ask(page: Any, text: str) -> None:
    page.get_by_label("Din fråga").fill(text)
    page.keyboard.press("Enter")


def seen(locator: Any) -> bool:
    """On screen and not covered (the sticky header and input cover what scrolls under them)."""
    return bool(
        locator.evaluate(
            """node => {
              const box = node.getBoundingClientRect();
              const x = box.left + Math.min(box.width / 2, 20), y = box.top + box.height / 2;
              if (y < 0 || y > innerHeight || x < 0 || x > innerWidth) return false;
              const hit = document.elementFromPoint(x, y);
              return node === hit || node.contains(hit);
            }"""
        )
    )


def photograph(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_greeting_names_the_user_offers_questions_and_warns_about_personal_data(
    page: Any, live_app: LiveApp, width: int
) -> None:
    open_chat(page, live_app, width)
    expect(page.get_by_text("Inloggad som Anna Andersson")).to_be_visible()
    expect(page.get_by_text("Skriv inte personnummer")).to_be_visible()
    privacy = page.get_by_role("link", name="Så hanteras dina uppgifter")
    expect(privacy).to_have_attribute("href", live_app.url + "/integritet")
    offered = page.get_by_role("group", name="Vanliga frågor").get_by_role("button")
    expect(offered).to_have_text([q.text for q in REGION.suggested_questions])
    assert 4 <= offered.count() <= 6
    assert_accessible(page)
    photograph(page, f"chat-start-{width}px.png")

    page.get_by_role("button", name="English").click()
    expect(page.locator(".dg-greeting")).to_contain_text("Hi Anna!")
    in_english = page.get_by_role("group", name="Common questions").get_by_role("button")
    expect(in_english.first).to_have_text("May I work from my holiday home?")
    page.get_by_role("button", name="Svenska").click()

    offered.first.click()
    expect(page.locator(".dg-bot")).to_have_text(["Hej från Rasa"])
    assert live_app.rasa.received[-1]["message"] == '/choose_faq{"faq_id":"fritidsbostad"}'
    expect(page.locator(".dg-user p")).to_have_text(["Får jag jobba från sommarstugan?"])
    expect(page.get_by_role("group", name="Vanliga frågor")).to_have_count(0)

    text = page.request.get(live_app.url + "/integritet").text()
    assert "Region Västmanland är personuppgiftsansvarig" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_the_title_and_the_input_stay_on_screen_through_a_long_answer(
    page: Any, live_app: LiveApp, width: int
) -> None:
    question = open_chat(page, live_app, width)
    long_reply = "\n\n".join(f"Stycke {n} om distansarbete och arbetsmiljö." for n in range(12))
    live_app.rasa.reply = [{"recipient_id": "x", "text": long_reply}] * 3
    ask(page, "Berätta allt")
    expect(page.locator(".dg-bot")).to_have_count(3)
    title = page.get_by_role("heading", name="Distansguiden")
    for position in ("0", "document.body.scrollHeight"):
        page.evaluate(f"window.scrollTo(0, {position})")
        assert seen(title) and seen(question), f"scrolled to {position}"
    # The text uses the screen's width: at 320 px the column is no longer some 210 px.
    answer = page.locator(".dg-bot").first.bounding_box()
    assert answer["width"] >= min(width - 40, 640)


def test_on_a_phone_the_embedded_panel_fills_the_screen_and_keeps_close_and_input(
    page: Any, live_app: LiveApp
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_app.url + "/static/embed-demo.html")
    page.get_by_role("button", name="Frågor om distansarbete?").click()
    panel = page.locator(".dg-panel")
    assert panel.bounding_box() == {"x": 0, "y": 0, "width": 320, "height": 640}
    live_app.rasa.reply = [{"recipient_id": "x", "text": "Ett långt svar.\n\n" * 20}]
    ask(page, "Berätta")
    close, question = page.get_by_role("button", name="Stäng"), page.get_by_label("Din fråga")
    for position in ("0", "el.scrollHeight"):
        panel.evaluate(f"el => el.scrollTo(0, {position})")
        assert seen(close) and seen(question), f"scrolled to {position}"
    assert page.locator(".dg-panel .dg-bot").bounding_box()["width"] >= 280
    assert_accessible(page)
    photograph(page, "widget-embedded-phone.png")


def test_a_reply_is_one_group_with_its_time_after_the_users_message(
    page: Any, live_app: LiveApp
) -> None:
    open_chat(page, live_app, 1280)
    live_app.rasa.reply = [
        {"recipient_id": "x", "text": "Första delen."},
        {"recipient_id": "x", "text": "Andra delen."},
        {"recipient_id": "x", "text": "Tredje delen."},
    ]
    ask(page, "Hej")
    groups = page.locator(".dg-log .dg-group")
    expect(groups).to_have_count(2)
    expect(groups.nth(0).locator(".dg-meta")).to_have_text(re.compile(r"^Du \d{2}:\d{2}$"))
    expect(groups.nth(1).locator(".dg-meta")).to_have_text(
        re.compile(r"^Distansguiden \d{2}:\d{2}$")
    )
    expect(groups.nth(1).locator(".dg-bot")).to_have_count(3)
    sent = datetime.fromisoformat(
        groups.nth(0).locator("time").get_attribute("datetime").replace("Z", "+00:00")
    )
    assert abs((datetime.now(sent.tzinfo) - sent).total_seconds()) < 60
    page.reload()
    expect(page.locator(".dg-log .dg-group")).to_have_count(2)
    expect(page.locator(".dg-log .dg-group").nth(1).locator(".dg-bot")).to_have_count(3)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_checklist_after_a_booking_is_one_folded_message_under_the_confirmation(
    page: Any, live_app: LiveApp, width: int
) -> None:
    open_chat(page, live_app, width)
    live_app.rasa.reply = [BOOKED, {"recipient_id": "x", "text": CHECKLIST_TEXT}]
    ask(page, "ja")
    expect(page.locator(".dg-bot")).to_have_count(2)
    fold = page.locator(".dg-fold")
    expect(fold).to_have_count(1)
    summary = fold.locator("summary")
    expect(summary).to_contain_text("Inför samtalet, gå gärna igenom checklistan:")
    heading = page.get_by_role("heading", name="Ergonomi och distansarbetsplatsens utformning")
    expect(heading).to_be_hidden()
    # The confirmation and its buttons are not pushed off the screen by the checklist.
    assert seen(page.get_by_role("button", name="Flytta mötet"))
    assert seen(page.get_by_role("link", name="Ladda ner 7.ics"))
    assert_accessible(page)
    photograph(page, f"chat-booking-{width}px.png")

    summary.focus()
    page.keyboard.press("Enter")
    expect(heading).to_be_visible()
    expect(summary).to_contain_text("Dölj")
    link = page.get_by_role("link", name=re.compile("Checklista inför samtalet"))
    expect(link).to_have_attribute("target", "_blank")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_source_is_a_link_to_the_document_at_the_answers_section(
    page: Any, live_app: LiveApp, width: int
) -> None:
    open_chat(page, live_app, width)
    entry, section, section_url = SOURCE_SECTION
    live_app.rasa.reply = [
        {
            "recipient_id": "x",
            "custom": {
                "text": f"Anmäl skadan till din chef.\n\nKälla: {SOURCE}",
                "faq_id": entry,
                "source": SOURCE,
                "kind": "answer",
            },
        }
    ]
    ask(page, "Jag ramlade hemma")
    source = page.locator(".dg-source")
    expect(source).to_have_text(f"Källa: {SOURCE} (öppnas i ny flik), avsnitt {section}")
    link = source.get_by_role("link", name=re.compile(SOURCE))
    expect(link).to_have_attribute("href", section_url)
    expect(link).to_have_attribute("target", "_blank")
    live_app.rasa.reply[0]["custom"]["faq_id"] = "kostnader"
    ask(page, "Vem betalar?")
    expect(page.locator(".dg-source").nth(1).get_by_role("link")).to_have_attribute(
        "href", SOURCE_URL
    )
    assert_accessible(page)


def test_a_question_outside_the_faq_names_whom_to_ask_with_a_link(
    page: Any, live_app: LiveApp
) -> None:
    open_chat(page, live_app, 320)
    live_app.rasa.status = 500  # the app answers from the FAQ index alone
    ask(page, "När kommer OB-ersättningen på lönen?")
    contact = REGION.contact_for("När kommer OB-ersättningen på lönen?")
    assert contact is not None and contact.url
    link = page.locator(".dg-bot").first.get_by_role("link", name=contact.name)
    expect(link).to_have_attribute("href", contact.url)
    live_app.rasa.status = 200
    live_app.rasa.reply = [
        {"recipient_id": "x", "text": "Anmäl till sakerhetsenheten@regionvastmanland.se."}
    ]
    ask(page, "Vart anmäler jag?")
    mail = page.get_by_role("link", name=re.compile("sakerhetsenheten@regionvastmanland.se"))
    expect(mail).to_have_attribute("href", "mailto:sakerhetsenheten@regionvastmanland.se")
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_several_pieces_of_equipment_are_ticked_and_sent_as_one_answer(
    page: Any, live_app: LiveApp, width: int
) -> None:
    open_chat(page, live_app, width)
    live_app.rasa.reply = [EQUIPMENT_QUESTION]
    ask(page, "vidare")
    choices = page.get_by_role("group", name="Välj en eller flera och skicka")
    expect(choices.get_by_role("checkbox")).to_have_count(len(EQUIPMENT))
    send = choices.get_by_role("button", name="Skicka valda")
    send.click()
    expect(choices).to_contain_text("Välj minst ett alternativ")
    assert [m["message"] for m in live_app.rasa.received] == ["vidare"]

    choices.get_by_label("Bärbar dator").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(choices.get_by_label("Bildskärm")).to_be_checked()
    expect(choices).not_to_contain_text("Välj minst ett alternativ")
    assert_accessible(page)
    photograph(page, f"chat-equipment-{width}px.png")
    live_app.rasa.reply = [{"recipient_id": "x", "text": "Har du läst reglerna?"}]
    send.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".dg-bot").last).to_have_text("Har du läst reglerna?")
    expect(page.locator(".dg-user p").last).to_have_text("Bärbar dator, Bildskärm")
    assert live_app.rasa.received[-1]["message"] == "Bärbar dator, Bildskärm"
    expect(page.get_by_role("checkbox")).to_have_count(0)

    live_app.rasa.reply = [EQUIPMENT_QUESTION]
    ask(page, "ändra utrustningen")
    expect(page.get_by_role("checkbox")).to_have_count(len(EQUIPMENT))
    live_app.rasa.reply = [{"recipient_id": "x", "text": "Inget lånat."}]
    page.get_by_role("button", name="Ingen").click()
    expect(page.locator(".dg-bot").last).to_have_text("Inget lånat.")
    assert live_app.rasa.received[-1]["message"] == "ingen"


def test_while_waiting_the_input_is_locked_and_a_failure_offers_to_try_again(
    page: Any, live_app: LiveApp
) -> None:
    question = open_chat(page, live_app, 320)
    live_app.rasa.delay_seconds = 0.7
    ask(page, "Får jag jobba hemifrån?")
    expect(question).not_to_be_editable()
    expect(page.get_by_role("button", name="Skicka")).to_be_disabled()
    expect(page.locator(".dg-bot")).to_have_count(1)
    expect(question).to_be_editable()
    expect(question).to_be_focused()
    live_app.rasa.delay_seconds = 0.0

    page.route("**/api/chat", lambda route: route.fulfill(status=502, body="Bad gateway"))
    ask(page, "Vem betalar internet?")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Assistenten går inte att nå just nu")
    retry = page.get_by_role("button", name="Försök igen")
    # At 320 px the message and its retry do not push the input off the screen.
    assert seen(alert) and seen(retry) and seen(question)
    assert_accessible(page)
    photograph(page, "chat-retry-320px.png")

    page.unroute("**/api/chat")
    live_app.rasa.reply = [{"recipient_id": "x", "text": "Arbetsgivaren betalar inte."}]
    retry.click()
    expect(page.locator(".dg-bot")).to_have_count(2)
    assert live_app.rasa.received[-1]["message"] == "Vem betalar internet?"
    expect(page.locator(".dg-alert")).to_be_empty()
    expect(retry).to_be_hidden()
    expect(question).to_have_value("")


def test_dates_and_references_are_never_broken_across_lines(page: Any, live_app: LiveApp) -> None:
    open_chat(page, live_app, 320)
    live_app.rasa.reply = [
        {
            "recipient_id": "x",
            "text": SUMMARY,
            "buttons": [
                {"title": "Ersätt DA-2027-00012 (2028-01-31 – 2028-06-30)", "payload": "x"}
            ],
        }
    ]
    ask(page, "Period 2028-01-31 till 2028-06-30, ersätter DA-2027-00012")
    expect(page.locator(".dg-bot")).to_have_count(1)
    split = []
    for width in range(300, 481, 4):
        page.set_viewport_size({"width": width, "height": 640})
        found = page.evaluate(
            """() => {
              const split = [];
              const pattern = /\\d{4}-\\d{2}-\\d{2}|DA-\\d{4}-\\d+/g;
              const walker = document.createTreeWalker(
                document.querySelector('.dg-log'), NodeFilter.SHOW_TEXT);
              while (walker.nextNode()) {
                const node = walker.currentNode;
                for (const match of node.data.matchAll(pattern)) {
                  const range = document.createRange();
                  range.setStart(node, match.index);
                  range.setEnd(node, match.index + match[0].length);
                  const lines = new Set(
                    Array.from(range.getClientRects(), (r) => Math.round(r.top)));
                  if (lines.size > 1) split.push(match[0]);
                }
              }
              return split;
            }"""
        )
        split += [f"{value} at {width} px" for value in found]
    assert split == []
    assert "Hemma (Hemma)" not in page.locator(".dg-log").inner_text()


def file_agreement(live_app: LiveApp) -> tuple[int, str, date, date]:
    """A request of Anna's waiting for a decision, in a period of its own."""
    service = live_app.app.state.agreements
    anna = service.directory.get("anna.andersson")
    period = next(periods)
    start = date(2031 + period, 2, 1)
    agreement = service.submit(
        AgreementRequest(
            employee=anna,
            share_percent=40,
            place_kind="home",
            place_description="Hemma",
            start_date=start,
            end_date=start + timedelta(days=180),
            tasks="Dokumentation",
            equipment=["Bärbar dator"],
            it_security_confirmed=True,
            submission_key=f"browser-test-{period}",
        )
    )
    return agreement.id, agreement.reference, agreement.start_date, agreement.end_date


def book_dialogue(page: Any, live_app: LiveApp) -> int:
    """Anna books her risk-assessment dialogue on the first free working morning."""
    day = datetime.now(ZoneInfo("Europe/Stockholm")).date() + timedelta(days=20)
    for _ in range(60):
        day += timedelta(days=1)
        start = datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Europe/Stockholm"))
        response = page.request.post(
            live_app.url + "/api/risk-assessments",
            data={"employee": "anna.andersson", "start": start.isoformat(), "place": "Teams"},
        )
        if response.ok:
            return int(response.json()["id"])
    pytest.fail("no free time for the dialogue")


@pytest.mark.parametrize("width", WIDTHS)
def test_my_cases_list_requests_and_bookings_with_the_pdf_and_withdraw(
    page: Any, live_app: LiveApp, width: int
) -> None:
    agreement_id, reference, start, end = file_agreement(live_app)
    open_chat(page, live_app, width)
    booking_id = book_dialogue(page, live_app)
    cases_button = page.get_by_role("button", name="Mina ärenden")
    cases_button.click()
    expect(cases_button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("heading", name="Mina ärenden")).to_be_focused()
    expect(page.get_by_label("Din fråga")).to_be_hidden()

    request = page.locator(".dg-case", has=page.get_by_role("heading", name=reference))
    expect(request).to_contain_text("Väntar på beslut")
    expect(request).to_contain_text("40 % på distans, Hemma")
    expect(request).not_to_contain_text("Hemma (Hemma)")
    expect(request).to_contain_text(f"{swedish_date(start)} – {swedish_date(end)}")
    pdf = request.get_by_role("link", name=f"Överenskommelsen {reference} (PDF)")
    expect(pdf).to_have_attribute(
        "href", f"{live_app.url}/api/agreements/{agreement_id}/document.pdf"
    )
    download = page.request.get(pdf.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    booking = (
        page.locator(".dg-case")
        .filter(has_text="Riskbedömningsdialog")
        .filter(has=page.get_by_role("link", name="Kalenderinbjudan (.ics)"))
    )
    expect(booking.first).to_contain_text("Bokad")
    # At the region's time, whatever zone the browser runs in (here UTC).
    expect(booking.first).to_contain_text("10:00–10:45, Teams")
    assert_accessible(page)
    photograph(page, f"chat-my-cases-{width}px.png")

    request.get_by_role("button", name="Ta tillbaka ansökan").click()
    expect(request).to_contain_text(f"Vill du ta tillbaka ansökan {reference}?")
    request.get_by_role("button", name="Ja, ta tillbaka").click()
    expect(page.locator(".dg-cases-status")).to_have_text(f"Ansökan {reference} är återtagen.")
    withdrawn = page.locator(".dg-case", has=page.get_by_role("heading", name=reference))
    expect(withdrawn).to_contain_text("Återtagen")
    expect(withdrawn.get_by_role("button", name="Ta tillbaka ansökan")).to_have_count(0)
    stored = page.request.get(f"{live_app.url}/api/agreements/{agreement_id}").json()
    assert stored["status"] == "withdrawn"

    cancel = page.locator(".dg-case").filter(
        has=page.locator(f'a[href$="/api/risk-assessments/{booking_id}.ics"]')
    )
    cancel.get_by_role("button", name="Avboka").click()
    cancel.get_by_role("button", name="Ja, avboka").click()
    expect(page.locator(".dg-cases-status")).to_have_text("Riskbedömningen är avbokad.")
    stored_bookings = page.request.get(f"{live_app.url}/api/risk-assessments").json()
    assert next(b for b in stored_bookings if b["id"] == booking_id)["status"] == "cancelled"

    page.get_by_role("button", name="Tillbaka till chatten").click()
    expect(page.get_by_label("Din fråga")).to_be_visible()
    expect(cases_button).to_be_focused()
