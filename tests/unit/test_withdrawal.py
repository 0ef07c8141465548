"""Taking back a request waiting for a decision in the chat: shown and confirmed first, only the
applicant's own, the manager told, and nothing changed on a no or when the database fails."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.agreement.withdrawal import (
    ActionStartWithdrawal,
    ActionWithdrawAgreement,
    ValidateWithdrawForm,
)
from actions.conversation.commands import command_in
from actions.services import Services
from bot.agreements.service import AgreementService
from bot.clock import Clock
from bot.faq.answering import FaqAnswerer
from bot.faq.loader import load_answerer
from bot.identity import demo_directory
from bot.regions import load_region
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import Notification
from tests.conftest import CharTrigramEncoder
from tests.faults import database_error
from tests.unit.agreements import waiting_request
from tests.unit.forms import form_turn
from tests.unit.trackers import SEAL, texts, tracker

CLOCK = Clock(lambda: datetime(2026, 12, 3, 8, 0, tzinfo=UTC))


@pytest.fixture
def agreements(tmp_path: Path) -> Iterator[AgreementService]:
    db = Database(f"sqlite:///{tmp_path}/a.db")
    db.migrate()
    service = AgreementService(
        db, demo_directory(), load_region(Settings().regions_dir, "vasternorrland"), CLOCK
    )
    yield service
    db.dispose()


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> FaqAnswerer:
    settings = Settings(cache_dir=tmp_path_factory.mktemp("cache"))
    return load_answerer(settings, CharTrigramEncoder()).answerer


@pytest.fixture
def services(agreements: AgreementService, answerer: FaqAnswerer) -> Services:
    return Services(answerer=lambda: answerer, seal=SEAL, agreements=agreements, clock=CLOCK)


async def start(services: Services, text: str, user: str = "anna.andersson", **kwargs: Any):  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await ActionStartWithdrawal(services).run(
        dispatcher, tracker(text, user=user, active_loop=None, **kwargs), {}
    )
    return events, dispatcher


def chosen_of(events: list[dict[str, Any]]) -> Any:
    return next(e["value"] for e in events if e.get("name") == "withdrawal_id" and e["value"])


async def test_the_request_is_shown_asked_about_and_taken_back_on_yes(
    services: Services, agreements: AgreementService
) -> None:
    request = waiting_request(agreements)
    events, _ = await start(services, "jag vill dra tillbaka min ansokan, har fatt nytt jobb")
    assert events[-1] == {"event": "followup", "name": "withdraw_form", "timestamp": None}
    slots = {"withdrawal_id": chosen_of(events)}
    asked = await form_turn(ValidateWithdrawForm(services), "hmm", slots, "withdraw_confirmed")
    assert "Vill du ta tillbaka ansökan" in asked.said and request.reference in asked.said
    assert "40 % på distans, 1 januari 2027 – 30 juni 2027" in asked.said
    assert agreements.get(demo_directory().get("anna.andersson"), request.id).status == "submitted"  # type: ignore[arg-type]

    yes = await form_turn(ValidateWithdrawForm(services), "ja", slots, "withdraw_confirmed")
    assert yes.slots["withdraw_confirmed"] is True
    done = CollectingDispatcher()
    await ActionWithdrawAgreement(services).run(
        done, tracker("ja", slots=slots, active_loop=None), {}
    )
    assert "är tillbakatagen" in texts(done) and request.reference in texts(done)
    manager = demo_directory().get("maria.berg")
    assert agreements.pending_for(manager) == []  # type: ignore[arg-type]
    with agreements.db.session() as session:
        told = session.query(Notification).filter_by(recipient_id="maria.berg").all()
        assert any("återtagen" in n.text for n in told)


@pytest.mark.parametrize("no", ["nej", "nej, låt den vara", "behåll den", "no, keep it"])
async def test_a_no_keeps_the_request(
    services: Services, agreements: AgreementService, no: str
) -> None:
    request = waiting_request(agreements)
    slots = {"withdrawal_id": str(request.id)}
    kept = await form_turn(ValidateWithdrawForm(services), no, slots, "withdraw_confirmed")
    assert kept.slots["flow_outcome"] == "cancelled" and "ligger kvar" in kept.said
    done = CollectingDispatcher()
    await ActionWithdrawAgreement(services).run(
        done,
        tracker("", slots={**slots, "flow_outcome": "cancelled"}, active_loop=None),
        {},
    )
    assert agreements.get(demo_directory().get("anna.andersson"), request.id).status == "submitted"  # type: ignore[arg-type]


async def test_a_question_at_the_confirmation_is_not_a_yes(
    services: Services, agreements: AgreementService
) -> None:
    request = waiting_request(agreements)
    slots = {"withdrawal_id": str(request.id)}
    turn = await form_turn(
        ValidateWithdrawForm(services),
        "vet inte... kan jag söka igen senare om jag drar tillbaka den nu?",
        slots,
        "withdraw_confirmed",
    )
    assert turn.slots["withdraw_confirmed"] is None
    assert "Vill du ta tillbaka ansökan" in turn.said


async def test_without_a_request_waiting_nothing_is_asked(services: Services) -> None:
    events, said = await start(services, "jag vill dra tillbaka min ansökan")
    assert "ingen ansökan som väntar på beslut" in texts(said)
    assert not any(e.get("event") == "followup" for e in events)


async def test_a_manager_cannot_take_back_an_employees_request(
    services: Services, agreements: AgreementService
) -> None:
    waiting_request(agreements)
    events, said = await start(services, "dra tillbaka annas ansökan", user="maria.berg")
    assert "ingen ansökan som väntar på beslut" in texts(said)
    assert not any(e.get("event") == "followup" for e in events)


async def test_with_two_waiting_the_user_picks_one_then_confirms(
    services: Services, agreements: AgreementService
) -> None:
    first = waiting_request(agreements)
    second = waiting_request(agreements, start=date(2027, 7, 1), end=date(2027, 12, 31))
    events, said = await start(services, "återkalla min ansökan")
    assert "Vilken vill du ta tillbaka?" in texts(said)
    payloads = [b["payload"] for b in said.messages[0]["buttons"]]
    assert sorted(payloads) == sorted(
        f'/withdraw_agreement{{"agreement_id": "{a.id}"}}' for a in (first, second)
    )
    events, _ = await start(
        services,
        payloads[0],
        intent="withdraw_agreement",
        confidence=1.0,
        entities=[{"entity": "agreement_id", "value": payloads[0].split('"')[3]}],
    )
    assert chosen_of(events) == payloads[0].split('"')[3]
    assert events[-1]["name"] == "withdraw_form"


async def test_a_database_failure_changes_nothing_and_asks_again(
    services: Services, agreements: AgreementService, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = waiting_request(agreements)

    monkeypatch.setattr(AgreementService, "_record", staticmethod(database_error("UPDATE")))
    done = CollectingDispatcher()
    events = await ActionWithdrawAgreement(services).run(
        done, tracker("ja", slots={"withdrawal_id": str(request.id)}, active_loop=None), {}
    )
    monkeypatch.undo()
    assert "Ansökan ligger kvar" in texts(done)
    assert events[-1] == {"event": "followup", "name": "withdraw_form", "timestamp": None}
    assert agreements.get(demo_directory().get("anna.andersson"), request.id).status == "submitted"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "jag vill dra tillbaka min ansökan",
        "hej, jag vill dra tillbaka min ansokan om distansarbete, har fatt nytt jobb",
        "återkalla min distansansökan",
        "kan du ta bort ansökan jag skickade",
        "kan jag dra tillbaka min ansökan?",
        "please withdraw my request",
        "cancel my application",
    ],
)
def test_taking_back_a_request_is_a_command(text: str) -> None:
    command = command_in(text)
    assert command is not None and command.process == "withdraw", text


@pytest.mark.parametrize(
    "text",
    [
        "hur drar man tillbaka en ansökan?",
        "avboka mötet",
        "cancel my meeting",
        "dra inte tillbaka min ansökan",
    ],
)
def test_questions_and_other_things_are_not_taking_back(text: str) -> None:
    command = command_in(text)
    assert command is None or command.process != "withdraw", text


async def test_a_request_named_that_is_not_the_users_own_is_never_swapped_for_another(
    services: Services, agreements: AgreementService
) -> None:
    """A forged button naming Erik's request, while Anna has one waiting: Anna is told and
    shown her own to choose, not asked to confirm hers in its place."""
    own = waiting_request(agreements)
    eriks = waiting_request(agreements, employee="erik.ek")
    payload = f'/withdraw_agreement{{"agreement_id": "{eriks.id}"}}'
    entity = [{"entity": "agreement_id", "value": str(eriks.id)}]
    events, said = await start(
        services, payload, intent="withdraw_agreement", confidence=1.0, entities=entity
    )
    assert "kan du inte ta tillbaka" in texts(said)
    assert not any(e.get("event") == "followup" for e in events)
    assert [b["payload"] for m in said.messages for b in m.get("buttons") or []] == [
        f'/withdraw_agreement{{"agreement_id": "{own.id}"}}'
    ]


@pytest.mark.parametrize(
    ("text", "which"),
    [
        ("och den första ansökan, den för jan-juni, vill jag dra tillbaka", 0),
        ("dra tillbaka den för juli till december", 1),
        ("withdraw the new one", 1),
        # Neither said: asked which, with both as buttons.
        ("jag vill dra tillbaka min ansökan", None),
    ],
)
async def test_one_of_two_waiting_is_taken_by_its_months_or_its_place(
    services: Services, agreements: AgreementService, text: str, which: int | None
) -> None:
    """Flow x-20: "den första ansökan, den för jan-juni" was asked "Vilken vill du ta tillbaka?"."""
    first = waiting_request(agreements)
    second = waiting_request(agreements, start=date(2027, 7, 1), end=date(2027, 12, 31))
    events, dispatcher = await start(services, text)
    if which is None:
        assert "Vilken vill du ta tillbaka?" in texts(dispatcher)
    else:
        assert chosen_of(events) == str((first, second)[which].id)
