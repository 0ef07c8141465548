"""What the booking says in chat about the calendar: nothing free in the next working days and a
button that looks further ahead, the minimum notice, and links that Teams can open."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.conversation.fields import FormContext
from actions.risk_assessment.booking import ActionBookRiskAssessment, ValidateRiskAssessmentForm
from actions.risk_assessment.changes import ValidateRescheduleForm
from actions.risk_assessment.meeting import start_prompt
from actions.services import Services
from bot.clock import Clock
from bot.identity import demo_directory
from bot.risk_assessments.availability import add_busy_time
from bot.risk_assessments.links import PublicLinks
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import Notification
from tests.unit.forms import form_turn
from tests.unit.trackers import SEAL, texts, tracker

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Tuesday 24 November 2026.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
BASE = "https://distansguiden.example.se"
BOOKING = {
    "ra_employee": "anna.andersson",
    "ra_safety_representative": "sven.skog",
    "ra_duration": 45.0,
    "ra_start": None,
    "ra_place": "Teams",
}


@pytest.fixture
def services(db: Database) -> Iterator[Services]:
    service = RiskAssessmentService(db, demo_directory(), now=lambda: NOW, links=PublicLinks(BASE))
    yield Services(
        answerer=lambda: None,  # type: ignore[arg-type, return-value]
        seal=SEAL,
        risk_assessments=service,
        faq_dir=PROJECT_ROOT / "faq",
        clock=Clock(utc_now=lambda: NOW),
    )


def away(services: Services, user: str, start: datetime, end: datetime) -> None:
    assert services.risk_assessments is not None
    with services.risk_assessments.db.session() as session:
        add_busy_time(session, user, start, end)


async def test_nothing_free_is_said_and_the_button_looks_further_ahead(services: Services) -> None:
    # The safety representative is away for two weeks.
    away(
        services,
        "sven.skog",
        datetime(2026, 11, 25, tzinfo=STOCKHOLM),
        datetime(2026, 12, 9, tzinfo=STOCKHOLM),
    )
    prompt = start_prompt(FormContext(services, tracker("", slots=BOOKING)))
    assert "Det finns ingen tid då alla är lediga de närmaste 10 arbetsdagarna" in prompt.text
    assert "till och med tisdag 8 december 2026" in prompt.text
    assert "Vill du att jag letar längre fram" in prompt.text
    assert prompt.buttons == [
        {"title": "Sök längre fram", "payload": "lediga tider från 2026-12-09"}
    ]

    turn = await form_turn(
        ValidateRiskAssessmentForm(services), "lediga tider från 2026-12-09", BOOKING, "ra_start"
    )
    assert turn.slots.get("ra_start") is None
    assert "Från onsdag 9 december 2026 är alla lediga de här tiderna." in turn.said
    assert [b["payload"] for b in turn.buttons] == [
        "2026-12-09 08:00",
        "2026-12-10 13:00",
        "2026-12-11 08:00",
    ]
    assert turn.said.count("När vill ni ses?") == 0, "the offer is the question"


async def test_still_nothing_free_asks_to_look_further_again(services: Services) -> None:
    away(
        services,
        "maria.berg",
        datetime(2026, 11, 25, tzinfo=STOCKHOLM),
        datetime(2026, 12, 24, tzinfo=STOCKHOLM),
    )
    turn = await form_turn(
        ValidateRiskAssessmentForm(services), "lediga tider från 2026-12-09", BOOKING, "ra_start"
    )
    assert "Ska jag leta ännu längre fram?" in turn.said
    assert turn.buttons == [{"title": "Sök längre fram", "payload": "lediga tider från 2026-12-23"}]


async def test_moving_offers_further_ahead_the_same_way(services: Services) -> None:
    assert services.risk_assessments is not None
    anna = demo_directory().get("anna.andersson")
    assert anna is not None
    booked = services.risk_assessments.book(
        anna, "anna.andersson", datetime(2026, 11, 25, 10, tzinfo=STOCKHOLM)
    )
    turn = await form_turn(
        ValidateRescheduleForm(services),
        "lediga tider från 2027-01-11",
        {"ra_assessment_id": str(booked.id), "ra_duration": 45.0, "ra_start": None},
        "ra_start",
    )
    assert "Från måndag 11 januari 2027" in turn.said
    assert turn.buttons[0]["payload"] == "2027-01-11 08:00"


async def test_a_time_today_is_refused_with_the_next_working_day(services: Services) -> None:
    turn = await form_turn(ValidateRiskAssessmentForm(services), "idag kl 15", BOOKING, "ra_start")
    assert turn.slots.get("ra_start") is None
    assert "Mötet behöver bokas minst en arbetsdag i förväg" in turn.said
    assert "Förslag: onsdag 25 november 2026 kl. 15.00." in turn.said


async def test_the_booking_and_the_notices_link_by_name_on_the_public_address(
    services: Services,
) -> None:
    dispatcher = CollectingDispatcher()
    slots: dict[str, Any] = BOOKING | {
        "ra_start": datetime(2026, 11, 26, 10, tzinfo=STOCKHOLM).isoformat()
    }
    await ActionBookRiskAssessment(services).run(
        dispatcher, tracker("/affirm", slots=slots, active_loop=None), {}
    )
    reply = dispatcher.messages[0]["custom"]
    assert reply["link"] == "/api/risk-assessments/1.ics", "the web chat's download button"
    assert f"[Kalenderinbjudan (.ics)]({BASE}/api/risk-assessments/1.ics)" in reply["text"]
    assert f"[Checklista inför samtalet]({BASE}/riskbedomning/checklista)" in texts(dispatcher)
    assert "kalendrar" not in reply["text"], "no calendar system: nothing to excuse"
    assert services.risk_assessments is not None
    with services.risk_assessments.db.session() as session:
        notices = [n.text for n in session.scalars(select(Notification))]
    assert notices and all(
        f"[kalenderinbjudan]({BASE}/api/risk-assessments/1.ics)" in n for n in notices
    )
