"""The actions that start and complete a guided process. Each needs the signed-in user and a
database-backed service; when either is missing it says so, in one place, instead of each
action checking."""

import logging
import re
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation.commands import STARTS, UNSURE
from actions.conversation.fields import FormContext, reset, stopped_form, was_cancelled
from actions.conversation.form import GuidedForm
from actions.conversation.handoff import Handoff
from actions.conversation.reading import Message
from actions.faq import faq_reply, last_free_text, utter
from actions.services import Services
from bot.faq.answering import Button
from bot.faq.language import is_english_reply
from bot.identity import User

log = logging.getLogger(__name__)

# Said when the database did not answer in time (bot/api/rasa_actions.py gives the actions' work
# a deadline inside Rasa's turn), with what was not done; in English to a user who wrote English.
UNREACHABLE = (
    "Jag kommer inte åt ärendena just nu. {nothing} Svara ja om en stund för att försöka igen."
)
UNREACHABLE_EN = "I cannot reach the records right now. {nothing} Say yes in a moment to try again."
NOTHING_SAVED = ("Inget har sparats.", "Nothing has been saved.")
NOTHING_BOOKED = ("Inget har bokats.", "Nothing has been booked.")

NOT_SIGNED_IN = (
    "Jag kan inte se vem du är, så jag kan inte göra det här åt dig. Ladda om sidan och logga in "
    "igen."
)


# Rasa's intent confidence above which a wish to start a process is taken as said.
SURE_TO_START = 0.8
# Words that ask for the process itself ("boka", "ansöka", "apply"): such a message opens it
# whatever Rasa's confidence.
REQUESTING = re.compile(
    r"\b(boka|bokar|book|ansök\w*|sök\w*|apply|application|förläng\w*|extend|ändra|change|"
    r"starta|start|begär\w*|teckna|vill ha|would like|want)\b",
    re.IGNORECASE,
)
ASKING = re.compile(
    r"\?\s*$|^\s*(vad|hur|vilk\w*|när|var|vem|varför|måste|what|how|which|when|where|who|why|"
    r"should|must|is|are|does|do)\b",
    re.IGNORECASE,
)
OFFER_EN = {
    "Ansök om distansarbete": "Apply for remote work",
    "Boka riskbedömning": "Book a risk assessment",
}


def asks_rather_than_requests(text: str) -> bool:
    """A question with no word asking for the process itself."""
    return bool(ASKING.search(text)) and not REQUESTING.search(text)


class ProcessStep(Action, ABC):
    step_name = ""
    # The service the step needs ("agreements" or "risk_assessments"): None while the database
    # cannot be reached.
    needs = "agreements"
    # Said when the step cannot run.
    unavailable = ""
    # The process's slots, cleared whenever the step ends it.
    slots: tuple[str, ...] = ()
    # The form a starting step opens, built with the same services.
    form_class: type[GuidedForm] | None = None
    # A step that opens a process on a wish to start it: the button (title, payload) offered
    # with an FAQ answer when the wish was really a question (``_answered_instead``).
    offer: tuple[str, str] | None = None
    # Hands a command for another process over when Rasa started this step unsure; set by
    # ``build_actions``.
    handoff: Handoff | None = None

    def __init__(self, services: Services) -> None:
        self.services = services
        self.form = self.form_class(services) if self.form_class else None

    def name(self) -> str:
        return self.step_name

    def context(self, tracker: Tracker) -> FormContext:
        """The slots of the form this step opens."""
        assert self.form is not None, self.step_name
        return self.form.context(tracker)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if (other := self.handed_to(tracker)) is not None:
            return await other.begin(dispatcher, tracker, domain)
        return await self.begin(dispatcher, tracker, domain, guarded=True)

    def handed_to(self, tracker: Tracker) -> "ProcessStep | None":
        """Another process's start step, when Rasa started this one unsure and the message
        opens with that process's command ("kan du boka riskbedömningen …" read as a move)."""
        intent = tracker.latest_message.get("intent") or {}
        if self.handoff is None or STARTS.get(str(intent.get("name"))) != self.step_name:
            return None
        if float(intent.get("confidence") or 0.0) >= UNSURE:
            return None
        return self.handoff.step_for(tracker, instead_of=self.step_name)

    async def begin(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        guarded: bool = False,
    ) -> list[EventType]:
        """The step itself; ``guarded``: a question Rasa took for a wish to start is answered
        instead (not for a message a command handed over)."""
        if getattr(self.services, self.needs) is None:
            dispatcher.utter_message(text=self.unavailable)
            return reset(self.slots) if self.slots else []
        user = self.services.user(tracker)
        if user is None:
            # The message did not come from a signed-in user through the app.
            dispatcher.utter_message(text=NOT_SIGNED_IN)
            return reset(self.slots) if self.slots else []
        guard = guarded and self.offer is not None
        if guard and self.offer and self._answered_instead(dispatcher, tracker, self.offer):
            return []
        return await self.step(dispatcher, tracker, user)

    def _answered_instead(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, offer: tuple[str, str]
    ) -> bool:
        """A question about the process that Rasa took for a wish to start it ("What should a
        risk assessment include?", "hur mycket distans är okej") is answered from the FAQ, with
        a button to start; a form opened by mistake would hold every later message."""
        message = tracker.latest_message
        confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
        text = str(message.get("text") or "")
        if not asks_rather_than_requests(text):
            return False
        answerer = self.services.answerer()
        reply = faq_reply(answerer, Message.from_tracker(tracker))
        if reply.kind != "answer":
            return False
        # Rasa sure of a wish to start yields only to a strong answer: "Can I work remotely
        # from my summer cottage?" is answered, with the button to apply (2026-12 eval, dev).
        strong = bool(reply.hits) and reply.hits[0].score >= answerer.thresholds.answer
        if confidence >= SURE_TO_START and not strong:
            return False
        title, payload = offer
        english = is_english_reply(text)
        reply = replace(
            reply,
            buttons=[Button(OFFER_EN.get(title, title) if english else title, payload)],
        )
        utter(dispatcher, reply)
        return True

    @abstractmethod
    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        """What the step does for ``user``; returns the events."""


class Completion(ProcessStep, ABC):
    """Runs when a form has ended: stores what the user confirmed, or nothing if they stopped."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if was_cancelled(tracker):
            # The answers are kept for one message, in case the next says "nej, fortsätt".
            return [*reset(self.slots), stopped_form(tracker, self.slots)]
        return await super().run(dispatcher, tracker, domain)


def back_to_summary(form: type[GuidedForm], *asked_again: str) -> list[EventType]:
    """Into ``form`` again at its summary, with ``asked_again`` cleared and asked first."""
    cleared = [SlotSet(slot, None) for slot in asked_again]
    return [*cleared, SlotSet(form.confirm_slot, None), FollowupAction(form.form_name)]


def not_stored(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    form: type[GuidedForm],
    error: SQLAlchemyError,
    what: str,
    nothing: tuple[str, str] = NOTHING_SAVED,
) -> list[EventType]:
    """The database failed while storing what the user confirmed: nothing was stored, so the
    summary is shown again and "ja" tries once more. ``nothing`` says so in Swedish and English."""
    log.error("Could not store %s: %s", what, error)
    if is_english_reply(last_free_text(tracker)):
        dispatcher.utter_message(text=UNREACHABLE_EN.format(nothing=nothing[1]))
    else:
        dispatcher.utter_message(text=UNREACHABLE.format(nothing=nothing[0]))
    return back_to_summary(form)
