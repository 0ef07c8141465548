"""The agreement form's validators and actions, run as rasa-sdk runs them (no server)."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import OperationalError

from actions.agreement import (
    ActionAskEquipment,
    ActionChangeAgreement,
    ActionDecideAgreement,
    ActionShowPendingAgreements,
    ActionStartAgreement,
    ActionSubmitAgreement,
    ValidateAgreementForm,
    decision_payload,
    place_kind,
)
from bot.agreements.service import AgreementService
from bot.faq.loader import load_answerer
from bot.identity import demo_directory
from bot.regions import load_region
from bot.settings import Settings
from bot.storage.database import Database
from tests.conftest import CharTrigramEncoder
from tests.unit.trackers import texts, tracker

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    settings = Settings(cache_dir=tmp_path_factory.mktemp("cache"))
    loaded = load_answerer(settings, CharTrigramEncoder()).answerer
    return lambda: loaded


def make_service(tmp_path: Path, region: str) -> AgreementService:
    db = Database(f"sqlite:///{tmp_path}/a.db")
    db.migrate()
    return AgreementService(db, demo_directory(), load_region(Settings().regions_dir, region))


@pytest.fixture
def vasternorrland(tmp_path: Path) -> Iterator[AgreementService]:
    service = make_service(tmp_path, "vasternorrland")
    yield service
    service.db.dispose()


def validate(form: ValidateAgreementForm, slot: str, value: str, **kwargs: Any) -> tuple[Any, str]:
    dispatcher = CollectingDispatcher()
    t = tracker(value, **kwargs)
    result = getattr(form, f"validate_{slot}")(value, dispatcher, t, {})
    return result[slot], texts(dispatcher)


def test_share_over_the_regions_maximum_is_explained_and_asked_again(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    form = ValidateAgreementForm(vasternorrland, answerer, lambda: TODAY)
    value, said = validate(form, "agreement_share", "60 procent")
    assert value is None
    assert "högst 49 %" in said and "Granskning av distansarbete" in said
    assert validate(form, "agreement_share", "två dagar i veckan")[0] == 40.0
    for nonsense in ("blå", "-5", "150 %"):
        assert validate(form, "agreement_share", nonsense)[0] is None


def test_dates_are_understood_and_checked(vasternorrland: AgreementService, answerer: Any) -> None:
    form = ValidateAgreementForm(vasternorrland, answerer, lambda: TODAY)
    assert validate(form, "agreement_start", "1 januari")[0] == "2027-01-01"
    value, said = validate(form, "agreement_start", "2026-10-01")
    assert value is None and "har redan varit" in said
    start = {"agreement_start": "2027-01-01"}
    assert validate(form, "agreement_end", "31 december 2027", slots=start)[0] == "2027-12-31"
    value, said = validate(form, "agreement_end", "2030-01-01", slots=start)
    assert value is None and "högst 24 månader" in said
    value, said = validate(form, "agreement_end", "2026-12-01", slots=start)
    assert value is None and "efter startdatumet" in said


def test_faq_question_in_the_middle_is_answered_and_the_slot_asked_again(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    form = ValidateAgreementForm(vasternorrland, answerer, lambda: TODAY)
    value, said = validate(
        form,
        "agreement_start",
        "Vilka kostnader står arbetsgivaren för?",
        intent="faq_costs",
        confidence=0.95,
    )
    assert value is None
    assert "Arbetsgivaren står inte för kostnader" in said
    assert "utter_agreement_continue" in said


def test_equipment_is_matched_to_the_form_list(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    form = ValidateAgreementForm(vasternorrland, answerer, lambda: TODAY)
    assert validate(form, "agreement_equipment", "skärm och headset")[0] == ["Bildskärm", "Headset"]
    assert validate(form, "agreement_equipment", "ingen")[0] == []


def test_it_security_must_be_confirmed(vasternorrland: AgreementService, answerer: Any) -> None:
    form = ValidateAgreementForm(vasternorrland, answerer, lambda: TODAY)
    assert validate(form, "agreement_it_security", "ja")[0] is True
    value, said = validate(form, "agreement_it_security", "nej")
    assert value is None and "informationssäkerhet" in said


def test_place_kinds() -> None:
    assert place_kind("Hemma på Storgatan 1") == "home"
    assert place_kind("i stugan i Dalarna") == "holiday_home"
    assert place_kind("Kontorshotell i Umeå") == "other"


FILLED = {
    "agreement_share": 40.0,
    "agreement_place": "Hemma",
    "agreement_start": "2027-01-01",
    "agreement_end": "2027-12-31",
    "agreement_tasks": "Utredningar",
    "agreement_equipment": ["Bildskärm"],
    "agreement_it_security": True,
}


async def test_start_needs_a_known_user_with_a_manager(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    start = ActionStartAgreement(vasternorrland, answerer, lambda: TODAY)
    dispatcher = CollectingDispatcher()
    events = await start.run(dispatcher, tracker("jag vill ansöka"), {})
    assert events[-1] == {"event": "followup", "name": "agreement_form", "timestamp": None}
    assert "högst 49 %" in texts(dispatcher) and "Maria Berg" in texts(dispatcher)
    refused = CollectingDispatcher()
    assert await start.run(refused, tracker("jag vill ansöka", user="hanna.holm"), {}) == []
    assert "ingen chef" in texts(refused)


async def test_confirmed_twice_stores_one_request(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    submit = ActionSubmitAgreement(vasternorrland, answerer, lambda: TODAY)
    for _ in range(2):
        dispatcher = CollectingDispatcher()
        await submit.run(dispatcher, tracker("/affirm", slots=FILLED), {})
        assert "referensnummer DA-2027-" in texts(dispatcher)
    assert len(vasternorrland.visible_to(demo_directory().get("hanna.holm"))) == 1  # type: ignore[arg-type]


async def test_manager_sees_pending_with_buttons_and_another_manager_cannot_decide(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    await ActionSubmitAgreement(vasternorrland, answerer, lambda: TODAY).run(
        CollectingDispatcher(), tracker("/affirm", slots=FILLED), {}
    )
    (agreement,) = vasternorrland.visible_to(demo_directory().get("maria.berg"))  # type: ignore[arg-type]
    listing = CollectingDispatcher()
    await ActionShowPendingAgreements(vasternorrland, answerer).run(
        listing, tracker("visa mina ansökningar", user="maria.berg"), {}
    )
    payloads = [b["payload"] for m in listing.messages for b in m["buttons"]]
    assert payloads == [
        decision_payload(agreement.id, "approve"),
        decision_payload(agreement.id, "reject"),
    ]
    other = CollectingDispatcher()
    decision = {"agreement_id": str(agreement.id), "decision": "approve"}
    await ActionDecideAgreement(vasternorrland, answerer).run(
        other, tracker("/decide_agreement", slots=decision, user="johan.lind"), {}
    )
    assert "finns inte" in texts(other)
    blocked = CollectingDispatcher()
    await ActionDecideAgreement(vasternorrland, answerer).run(
        blocked, tracker("/decide_agreement", slots=decision, user="maria.berg"), {}
    )
    assert "riskbedömningen" in texts(blocked)


async def test_rejection_asks_for_a_reason_first(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    await ActionSubmitAgreement(vasternorrland, answerer, lambda: TODAY).run(
        CollectingDispatcher(), tracker("/affirm", slots=FILLED), {}
    )
    (agreement,) = vasternorrland.visible_to(demo_directory().get("maria.berg"))  # type: ignore[arg-type]
    decide = ActionDecideAgreement(vasternorrland, answerer)
    slots = {"agreement_id": str(agreement.id), "decision": "reject"}
    events = await decide.run(
        CollectingDispatcher(), tracker("/decide_agreement", slots=slots, user="maria.berg"), {}
    )
    assert events == [{"event": "followup", "name": "rejection_form", "timestamp": None}]
    dispatcher = CollectingDispatcher()
    await decide.run(
        dispatcher,
        tracker("Bemanning", slots=slots | {"rejection_reason": "Bemanning"}, user="maria.berg"),
        {},
    )
    assert "avslagen" in texts(dispatcher)
    assert (
        vasternorrland.get(demo_directory().get("anna.andersson"), agreement.id).status
        == "rejected"
    )  # type: ignore[arg-type]


def test_slots_reset_by_the_start_action_stay_unset(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    form = ValidateAgreementForm(vasternorrland, answerer, lambda: TODAY)
    dispatcher = CollectingDispatcher()
    no_start_yet = tracker("jag vill ansöka")
    assert form.validate_agreement_end(None, dispatcher, no_start_yet, {}) == {
        "agreement_end": None
    }
    assert form.validate_agreement_share(None, dispatcher, no_start_yet, {}) == {
        "agreement_share": None
    }
    assert dispatcher.messages == []


async def test_change_from_the_summary_clears_that_answer_and_reopens_the_form() -> None:
    change = ActionChangeAgreement()
    events = await change.run(CollectingDispatcher(), tracker("ändra startdatum", slots=FILLED), {})
    assert events == [
        {"event": "slot", "name": "agreement_start", "value": None, "timestamp": None},
        {"event": "followup", "name": "agreement_form", "timestamp": None},
    ]
    unclear = CollectingDispatcher()
    assert await change.run(unclear, tracker("jag skrev fel", slots=FILLED), {}) == []
    assert len(unclear.messages[0]["buttons"]) == 6


def test_a_corrected_start_after_the_end_clears_the_end(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    form = ValidateAgreementForm(vasternorrland, answerer, lambda: TODAY)
    dispatcher = CollectingDispatcher()
    later = tracker("2028-01-01", slots=FILLED | {"agreement_start": None})
    result = form.validate_agreement_start("2028-01-01", dispatcher, later, {})
    assert result == {"agreement_start": "2028-01-01", "agreement_end": None}
    # While the start is cleared for correction, the earlier end is kept as it was.
    kept = form.validate_agreement_end("2027-12-31", dispatcher, later, {})
    assert kept == {"agreement_end": "2027-12-31"}


async def test_database_error_at_submit_asks_to_try_again_and_stores_nothing(
    vasternorrland: AgreementService, answerer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(AgreementService, "_record", staticmethod(fail))
    dispatcher = CollectingDispatcher()
    submit = ActionSubmitAgreement(vasternorrland, answerer, lambda: TODAY)
    events = await submit.run(dispatcher, tracker("/affirm", slots=FILLED), {})
    assert "Inget har sparats" in texts(dispatcher)
    assert events == [{"event": "followup", "name": "action_agreement_summary", "timestamp": None}]
    monkeypatch.undo()
    assert vasternorrland.visible_to(demo_directory().get("hanna.holm")) == []  # type: ignore[arg-type]


async def test_equipment_question_offers_the_region_forms_items(
    vasternorrland: AgreementService, answerer: Any
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskEquipment(vasternorrland, answerer).run(dispatcher, tracker(""), {})
    (message,) = dispatcher.messages
    options = vasternorrland.region.agreement.equipment_options
    assert options and all(option in message["text"] for option in options)
    titles = [b["title"] for b in message["buttons"]]
    assert titles[-1] == "Ingen" and titles[0] == options[0]
