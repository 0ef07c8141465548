"""Running one turn of a guided form as Rasa runs it: the form's validation action on the user's
latest message, then the question the form asks next (no server)."""

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.form import GuidedForm
from tests.unit.trackers import texts, tracker

NEXT_QUESTION = "(next question)"


@dataclass
class Turn:
    """What one message did: the slots it changed and everything said, the next question
    included."""

    slots: dict[str, Any]
    said: str
    buttons: list[dict[str, str]]

    def changed(self, slot: str) -> Any:
        return self.slots[slot]


async def form_turn(
    form: GuidedForm,
    text: str,
    slots: dict[str, Any],
    requested: str,
    user: str = "anna.andersson",
    intent: str = "inform",
    confidence: float = 0.5,
    entities: list[dict[str, Any]] | None = None,
    earlier: list[dict[str, Any]] | None = None,
) -> Turn:
    """``text`` answering the question for ``requested``, with the form's slots ``slots``, after
    the conversation's events ``earlier``."""
    state = {**slots, "requested_slot": requested}
    latest = tracker(
        text, slots=state, intent=intent, confidence=confidence, user=user,
        entities=entities, active_loop=form.form_name, earlier=earlier,
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await form.run(dispatcher, latest, {})
    changes = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    after = {**state, **changes}
    next_slot = next(
        (
            s
            for s in (*form.field_slots, *([form.confirm_slot] if form.confirm_slot else []))
            if after.get(s) is None
        ),
        None,
    )
    if next_slot is not None and after.get("requested_slot", requested) is not None:
        ask = ask_action(form, next_slot)
        asked = tracker("", slots=after, user=user, active_loop=form.form_name)
        await ask.run(dispatcher, asked, {})
    buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
    return Turn(changes, texts(dispatcher), buttons)


def ask_action(form: GuidedForm, slot: str) -> Action:
    return next(a for a in form.ask_actions() if a.name().endswith(f"_{slot}"))
