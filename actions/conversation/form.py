"""The conversation layer every guided form shares (Rasa CALM's conversation patterns, built on
Rasa 3.6 forms).

A form here only declares its fields: how to ask for each, how to read an answer, and how
people name it in a correction. For every message inside a form, ``GuidedForm`` decides which
of these it is before any text becomes a slot value:

- cancel: a clear wish to stop ends the form; a wavering one is asked about first;
- correction: "nej, 60 procent", "ändra startdatum till 1 mars", at any step or the summary;
- change: "ändra" alone asks what to change;
- answer: the requested field's value, or why it is not allowed;
- digression: a question is answered from the FAQ, then the field is asked again, briefly;
- chitchat and hedges ("tack", "vet inte") are never stored; the field is asked again.

The summary is the form's last slot, so whatever the user types there, they come back to it
with its buttons. Every slot mapping is ``from_text``: the form never rejects a message, so the
user can always confirm, change or cancel.
"""

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.fields import (
    CANCELLED,
    OUTCOME_SLOT,
    QUIET,
    REASK_SLOT,
    Field,
    FormContext,
    Prompt,
    Reading,
    fresh_message,
)
from actions.conversation.reading import Message
from actions.conversation.repair import Turn
from actions.services import Services


class GuidedForm(Action, ABC):
    """The validation action of one form: ``validate_<form>``."""

    form_name = ""
    # The domain's required slots, in order, without the summary's.
    field_slots: tuple[str, ...] = ()
    # The summary's slot; the form's last required slot. None: no confirmation step.
    confirm_slot: str | None = None
    # "ansökan": "Vill du avbryta ansökan?"
    noun = ""
    # Said when the user stops: "Jag har avbrutit ansökan. Inget har sparats."
    stopped = ""
    # The intent of the summary's "Ändra" buttons: /change_agreement{"field": ...}
    change_intent = ""
    # False where "avbryt" is ambiguous (a question whether to cancel a meeting).
    stop_words_end_it = True
    # Button payloads that say yes to the summary besides /affirm.
    confirm_intents: tuple[str, ...] = ()
    # The intents that start this form: inside it, a message Rasa read as one that carries a
    # number is an answer, not a wish to start something else.
    start_intents: tuple[str, ...] = ()
    # The command process that opens this form ("document"): said again while the form asks
    # whether to stop, it starts the form over.
    process: str | None = None
    # What starting over empties; the rest was set by the step that opened the form.
    start_over_slots: tuple[str, ...] | None = None

    def __init__(self, services: Services) -> None:
        self.services = services

    def name(self) -> str:
        return f"validate_{self.form_name}"

    @abstractmethod
    def fields(self, ctx: FormContext) -> list[Field]:
        """The questions, in the order the form asks them (the domain's required slots)."""

    def summary(self, ctx: FormContext) -> Prompt:
        """What the confirmation shows; forms with a ``confirm_slot`` override it."""
        raise NotImplementedError(self.form_name)

    def no_at_summary(self, turn: "Turn") -> None:
        """A no to the summary: what would the user change? Forms may stop instead."""
        turn.ask_what_to_change(f"Vad vill du ändra, eller vill du avbryta {self.noun}?")

    def read_at_summary(self, turn: "Turn") -> bool:
        """An answer to the summary that this form reads itself before the yes or no; True when
        it was handled."""
        return False

    def period_said(self, ctx: FormContext, text: str) -> list[tuple[Field, Reading]]:
        """Both ends of a period said again in one message ("ta 1 juli - 31 aug istället"): the
        two changes, start first; [] when the form has no period or the text holds none."""
        return []

    def after_change(self, ctx: FormContext, slot: str) -> str | None:
        """Checks that a new value of ``slot`` still fits the others; may clear them and returns
        a note for the user."""
        return None

    def also_answered(self, ctx: FormContext, slot: str, text: str) -> list[str]:
        """Fills the empty slots that an answer to ``slot`` also answers ("40 procent hemifrån"
        to the share question names the place too); returns them as the user reads them."""
        return []

    def settle(self, ctx: FormContext) -> None:
        """Fills what follows from the answers so far (e.g. that there is no overlap to ask
        about), before the form picks its next question."""

    def own_question(self, ctx: FormContext) -> Prompt | None:
        """A question of the form's own, waiting in the pending slot, asked in place of the next
        field's ("Hur länge vill du förlänga den?"); None when there is none."""
        return None

    def read_own_answer(self, turn: "Turn") -> bool:
        """Reads the answer to ``own_question``; True when it was handled."""
        return False

    def field(self, ctx: FormContext, slot: str | None) -> Field | None:
        return next((f for f in self.fields(ctx) if f.slot == slot), None)

    def context(self, tracker: Tracker) -> FormContext:
        return FormContext(self.services, tracker)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        ctx = self.context(tracker)
        if fresh_message(tracker, self.form_name) and ctx.requested:
            Turn(self, ctx, Message.from_tracker(tracker), dispatcher).handle()
        if ctx.get(OUTCOME_SLOT) != CANCELLED:
            self.settle(ctx)
        return ctx.events()

    def ask_actions(self) -> list[Action]:
        """``action_ask_<form>_<slot>`` for every field and the summary."""
        slots = (*self.field_slots, *([self.confirm_slot] if self.confirm_slot else []))
        return [AskField(self, slot) for slot in slots]


class AskField(Action):
    """``action_ask_<form>_<slot>``: a field's question, or the form's summary."""

    def __init__(self, form: GuidedForm, slot: str) -> None:
        self.form = form
        self.slot = slot

    def name(self) -> str:
        return f"action_ask_{self.form.form_name}_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        ctx = self.form.context(tracker)
        if tracker.get_slot(REASK_SLOT) == QUIET:
            return [SlotSet(REASK_SLOT, None)]
        own = self.form.own_question(ctx)
        if self.slot == self.form.confirm_slot:
            prompt = self.form.summary(ctx)
        elif own is not None:
            again = tracker.get_slot(REASK_SLOT) == self.slot
            prompt = Prompt(f"Vi fortsätter med {self.form.noun}. {own.text}") if again else own
        else:
            field = self.form.field(ctx, self.slot)
            assert field is not None, self.slot
            prompt = field.prompt(ctx)
            reprompt = field.reprompt(ctx) if callable(field.reprompt) else field.reprompt
            if tracker.get_slot(REASK_SLOT) == self.slot and reprompt:
                again = reprompt[0].upper() + reprompt[1:]
                prompt = Prompt(f"Vi fortsätter med {self.form.noun}. {again}", prompt.buttons)
        dispatcher.utter_message(text=prompt.text, buttons=prompt.buttons)
        return [SlotSet(REASK_SLOT, None)]
