"""What the forms share: answering a question asked mid-form, correcting one answer, resets."""

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.faq.answering import FaqAnswerer


def answered_question(
    answerer: FaqAnswerer, dispatcher: CollectingDispatcher, tracker: Tracker, going_on: str
) -> bool:
    """True when the latest message was an FAQ question and got a confident answer, followed by
    the response ``going_on`` ("Vi fortsätter med ..."). Only clear questions count, so that an
    answer to the form's own question is never taken for one."""
    message = tracker.latest_message
    intent = message.get("intent") or {}
    text = str(message.get("text") or "")
    is_question = text.rstrip().endswith("?") or float(intent.get("confidence") or 0) >= 0.9
    if not (str(intent.get("name", "")).startswith("faq_") and is_question):
        return False
    reply = answerer.reply_to(text)
    if reply.kind != "answer":
        return False
    dispatcher.utter_message(text=reply.text)
    dispatcher.utter_message(response=going_on)
    return True


def change_one_answer(
    dispatcher: CollectingDispatcher,
    field: Any,
    titles: dict[str, str],
    payload: Callable[[str], str],
    form: str,
) -> list[EventType]:
    """Clears the answer ``field`` and reopens ``form``, which then asks only for it. An unknown
    field gets the choice as buttons."""
    if field not in titles:
        dispatcher.utter_message(
            text="Vad vill du ändra?",
            buttons=[{"title": title, "payload": payload(slot)} for slot, title in titles.items()],
        )
        return []
    return [SlotSet(field, None), FollowupAction(form)]


def reset(slots: tuple[str, ...]) -> list[EventType]:
    return [SlotSet(slot, None) for slot in slots]
