"""'Mina ärenden' in the browser with Microsoft Graph as the calendar (#17): a booked dialogue
whose Teams meeting Graph has made shows the join link, opened in a new tab; an address that is
not a web address is never made a link."""

from typing import Any

from playwright.sync_api import expect

from bot.storage.models import RiskAssessment
from tests.browser.conftest import LiveApp
from tests.browser.test_chat_experience import book_dialogue, open_chat
from tests.browser.test_widget import assert_accessible

JOIN_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjM4%40thread.v2/0"


def keep_link(live_app: LiveApp, booking_id: int, link: str) -> None:
    """What the outbox keeps once Graph has made the event (bot/outbox.py)."""
    with live_app.app.state.agreements.db.session() as session:
        session.get(RiskAssessment, booking_id).online_meeting_url = link


def booking_case(page: Any, booking_id: int) -> Any:
    return page.locator(".dg-case").filter(
        has=page.locator(f'a[href$="/api/risk-assessments/{booking_id}.ics"]')
    )


def test_a_booked_dialogue_links_its_teams_meeting(page: Any, live_app: LiveApp) -> None:
    open_chat(page, live_app, 1280)
    booking_id = book_dialogue(page, live_app)
    unsafe_id = book_dialogue(page, live_app)
    keep_link(live_app, booking_id, JOIN_URL)
    keep_link(live_app, unsafe_id, "javascript:alert(1)")
    page.get_by_role("button", name="Mina ärenden").click()

    join = booking_case(page, booking_id).get_by_role("link", name="Anslut till Teams-mötet")
    expect(join).to_have_attribute("href", JOIN_URL)
    expect(join).to_have_attribute("target", "_blank")
    expect(join).to_have_attribute("rel", "noopener")
    expect(
        booking_case(page, unsafe_id).get_by_role("link", name="Anslut till Teams-mötet")
    ).to_have_count(0)
    assert_accessible(page)
