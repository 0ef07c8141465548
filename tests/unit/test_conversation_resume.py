""" "var var vi?" outside any form: what is in progress, what waits, or the form taken up again."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import FORMS
from actions.conversation.resume import ActionWhereWereWe, ActionYesOrNoOutsideForm
from actions.faq import ActionAnswerFaq
from actions.services import Services
from bot.clock import Clock
from bot.faq.answering import Reply
from tests.unit.agreements import waiting_request
from tests.unit.trackers import process_services, texts, tracker

CLOCK = Clock.frozen(datetime(2026, 11, 22, 10))
OUT_OF_SCOPE = "Jag svarar på frågor om distansarbete. Fråga HR."


class OutOfScopeFaq:
    """The FAQ as it answered "var var vi?": not about remote work."""

    def reply_to(self, text: str, **_: Any) -> Reply:
        return Reply(kind="out_of_scope", text=OUT_OF_SCOPE)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    with process_services(tmp_path / "w.db", OutOfScopeFaq(), CLOCK) as made:
        yield made


async def where_were_we(
    services: Services, text: str = "var var vi?", **kwargs: Any
) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    action = ActionWhereWereWe(services, [form(services) for form in FORMS])
    events = await action.run(dispatcher, tracker(text, active_loop=None, **kwargs), {})
    return events, dispatcher


async def test_with_nothing_in_progress_it_says_so_and_what_it_can_do(services: Services) -> None:
    """ "var var vi?" outside any form got the out-of-scope answer (helper-29's brief)."""
    events, dispatcher = await where_were_we(services)
    said = texts(dispatcher)
    assert said.startswith("Vi håller inte på med något just nu")
    assert "ansöka om en distansöverenskommelse" in said and "Vad vill du göra?" in said
    assert OUT_OF_SCOPE not in said
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert "/request_agreement" in payloads
    assert events == []


async def test_in_english_it_answers_in_english(services: Services) -> None:
    _, dispatcher = await where_were_we(services, "where were we?")
    assert texts(dispatcher).startswith("We are not in the middle of anything right now")


async def test_a_request_waiting_for_a_decision_is_pointed_to(services: Services) -> None:
    assert services.agreements is not None
    reference = waiting_request(services.agreements).reference
    _, employee = await where_were_we(services)
    assert f"Din ansökan {reference} väntar på beslut från din chef." in texts(employee)
    assert employee.messages[0]["buttons"] == [
        {"title": "Visa mina ansökningar", "payload": "/show_my_requests"}
    ]
    _, manager = await where_were_we(services, "hej igen, var var vi?", user="maria.berg")
    assert "En ansökan väntar på ditt beslut." in texts(manager)


async def test_a_form_left_when_the_session_ran_out_is_taken_up_again(
    services: Services,
) -> None:
    """After an hour away the form is gone but its answers are carried over: it goes on."""
    slots = {
        "requested_slot": "agreement_start",
        "agreement_share": 40.0,
        "agreement_place": "Hemma",
    }
    events, dispatcher = await where_were_we(services, slots=slots)
    assert texts(dispatcher) == "Vi höll på med ansökan. Vi fortsätter där."
    assert [e["name"] for e in events if e["event"] == "followup"] == ["agreement_form"]


async def test_the_faq_hands_where_were_we_over_whatever_topic_rasa_guessed(
    services: Services,
) -> None:
    """Rasa read "var var vi?" as a question about the place (faq_place, 0.45)."""
    resume = ActionWhereWereWe(services, [form(services) for form in FORMS])
    faq = ActionAnswerFaq(services.answerer, resume)
    dispatcher = CollectingDispatcher()
    await faq.run(dispatcher, tracker("var var vi?", intent="faq_place", active_loop=None), {})
    assert texts(dispatcher).startswith("Vi håller inte på med något just nu")
    insured = CollectingDispatcher()
    await faq.run(
        insured,
        tracker("var är vi försäkrade när vi jobbar hemma?", intent="faq_accident"),
        {},
    )
    assert texts(insured) == OUT_OF_SCOPE, "a question with the same words is still asked"


class AnsweringFaq:
    def reply_to(self, text: str, **_: Any) -> Reply:
        return Reply(kind="answer", text="Ett svar ur FAQ:n.")


async def after_expiry(services: Services, text: str, slots: dict[str, Any], intent: str):  # type: ignore[no-untyped-def]
    resume = ActionWhereWereWe(services, [form(services) for form in FORMS])
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerFaq(services.answerer, resume).run(
        dispatcher, tracker(text, intent=intent, active_loop=None, slots=slots), {}
    )
    return (
        {e["name"]: e["value"] for e in events if e["event"] == "slot"},
        events,
        texts(dispatcher),
    )


AT_THE_PLACE = {"requested_slot": "agreement_place", "agreement_share": 40.0}


async def test_the_last_question_answered_after_the_session_ran_out_is_its_answer(
    services: Services,
) -> None:
    """ "hemma" typed on coming back, to "Var ska du arbeta?" shown before the hour ran out:
    Rasa read it as a question about the place (faq_place) and the FAQ answered it."""
    slots, events, said = await after_expiry(services, "hemma", AT_THE_PLACE, "faq_place")
    assert slots["agreement_place"].lower() == "hemma", "as the form stores it"
    assert [e["name"] for e in events if e["event"] == "followup"] == ["agreement_form"]
    assert said.startswith("Vi fortsätter med ansökan.") and OUT_OF_SCOPE not in said
    for other in ("var får jag jobba, hemma?", "tack"):
        slots, events, said = await after_expiry(services, other, AT_THE_PLACE, "faq_place")
        assert "agreement_place" not in slots and OUT_OF_SCOPE in said, other
    at_the_share = {"requested_slot": "agreement_share"}
    slots, _, said = await after_expiry(services, "jag vill ha glass", at_the_share, "out_of_scope")
    assert "agreement_share" not in slots and OUT_OF_SCOPE in said
    slots, _, _ = await after_expiry(services, "40 procent", at_the_share, "faq_extent")
    assert slots["agreement_share"] == 40.0


async def test_a_free_text_answer_after_expiry_yields_to_an_faq_answer(services: Services) -> None:
    at_tasks = {**AT_THE_PLACE, "agreement_place": "Hemma", "agreement_start": "2027-01-01",
                "agreement_end": "2027-06-30", "requested_slot": "agreement_tasks"}  # fmt: skip
    slots, _, _ = await after_expiry(
        services, "Utredningar och rapporter", at_tasks, "out_of_scope"
    )
    assert slots["agreement_tasks"] == "Utredningar och rapporter"
    services.answerer = lambda: AnsweringFaq()  # type: ignore[assignment, return-value]
    # Rasa read "hemma" as IT support at home, and the FAQ answered it: a place all the same.
    slots, _, _ = await after_expiry(services, "hemma", AT_THE_PLACE, "faq_it_support_home")
    assert slots["agreement_place"].lower() == "hemma"
    slots, _, said = await after_expiry(
        services, "Internet hemma betalas av", at_tasks, "faq_costs"
    )
    assert "agreement_tasks" not in slots and "Ett svar ur FAQ:n." in said


async def yes_or_no(services: Services, text: str, slots: dict[str, Any], intent: str):  # type: ignore[no-untyped-def]
    resume = ActionWhereWereWe(services, [form(services) for form in FORMS])
    action = ActionYesOrNoOutsideForm(resume)
    dispatcher = CollectingDispatcher()
    events = await action.run(
        dispatcher, tracker(text, intent=intent, active_loop=None, slots=slots), {}
    )
    return events, texts(dispatcher)


async def test_a_yes_after_the_session_ran_out_at_the_summary_shows_it_again(
    services: Services,
) -> None:
    """ "ja" an hour after "Stämmer detta?": the request is not sent on a yes to a summary the
    user may no longer see; the form is taken up and the summary shown again."""
    at_the_summary = {
        **AT_THE_PLACE,
        "agreement_place": "Hemma",
        "agreement_start": "2027-01-01",
        "agreement_end": "2027-06-30",
        "agreement_tasks": "Utredningar",
        "requested_slot": "agreement_confirmed",
    }
    events, said = await yes_or_no(services, "ja", at_the_summary, "affirm")
    assert "Vi höll på med ansökan" in said
    assert [e["name"] for e in events if e["event"] == "followup"] == ["agreement_form"]
    stored = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert stored.get("agreement_confirmed") is None, "nothing confirmed by the old yes"
    _, said = await yes_or_no(services, "nej", AT_THE_PLACE, "deny")
    assert "Vi höll på med ansökan" in said


async def test_a_yes_with_nothing_in_progress_is_acknowledged(services: Services) -> None:
    events, said = await yes_or_no(services, "ja", {}, "affirm")
    assert events == [] and said.startswith("Okej!")
    _, said = await yes_or_no(services, "yes", {}, "affirm")
    assert said.startswith("Okay!")


STOPPED_REQUEST = {
    "flow_pending": {
        "kind": "stopped",
        "form": "agreement_form",
        "slots": {"agreement_share": 20.0, "agreement_place": "Hemma"},
        "after": 0,
    }
}


@pytest.mark.parametrize(
    ("text", "intent"),
    [("nej förresten, fortsätt", "out_of_scope"), ("nej förlåt, fortsätt", "deny")],
)
async def test_go_on_right_after_a_stop_takes_the_form_up_with_its_answers(
    services: Services, text: str, intent: str
) -> None:
    """2026-12-06d: "avbryt", then "nej förresten, fortsätt" got the out-of-scope answer, and
    the request half filled was gone."""
    resume = ActionWhereWereWe(services, [form(services) for form in FORMS])
    action = (
        ActionAnswerFaq(services.answerer, resume)
        if intent == "out_of_scope"
        else ActionYesOrNoOutsideForm(resume)
    )
    dispatcher = CollectingDispatcher()
    latest = tracker(text, slots=STOPPED_REQUEST, intent=intent, active_loop=None)
    events = await action.run(dispatcher, latest, {})
    assert texts(dispatcher).startswith("Då fortsätter vi med ansökan")
    set_to = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert set_to["agreement_share"] == 20.0 and set_to["agreement_place"] == "Hemma"
    assert set_to["flow_pending"] is None
    assert [e["name"] for e in events if e["event"] == "followup"] == ["agreement_form"]


async def test_a_stop_is_taken_back_only_by_the_next_message(services: Services) -> None:
    resume = ActionWhereWereWe(services, [form(services) for form in FORMS])
    later = {"flow_pending": {**STOPPED_REQUEST["flow_pending"], "after": -3}}
    for slots, text in ((later, "fortsätt"), (STOPPED_REQUEST, "hej")):
        dispatcher = CollectingDispatcher()
        events = await ActionYesOrNoOutsideForm(resume).run(
            dispatcher, tracker(text, slots=slots, intent="deny", active_loop=None), {}
        )
        assert not [e for e in events if e["event"] == "followup"], text
        assert not texts(dispatcher).startswith("Då fortsätter vi")
