""" "var var vi?" outside any form: Rasa's form is gone, so the form layer never sees it.

A form left when the conversation's session ran out (an hour without a message) keeps its
answers in the carried-over slots; it is taken up again at its question. Otherwise nothing is
in progress: the user is told so, what is waiting for them (their own request, requests to
decide, a dialogue to document), and what the assistant can help with.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation.fields import (
    PENDING_SLOT,
    REASK_SLOT,
    REQUESTED_SLOT,
    STOPPED,
    user_messages,
)
from actions.conversation.form import GuidedForm
from actions.conversation.handoff import Handoff
from actions.conversation.reading import (
    Message,
    StopWish,
    is_chitchat,
    is_question,
    stop_wish,
)
from actions.conversation.repair import Turn
from actions.faq import faq_reply, last_free_text
from actions.services import Services
from bot.faq.language import is_english_reply
from bot.identity import User
from bot.spelling import without_diacritics
from bot.storage.models import AgreementStatus

log = logging.getLogger(__name__)

# Taking back a stop just made: "nej förlåt, fortsätt", "ångrar mig", "continue". Read without
# å/ä/ö.
GO_ON = re.compile(
    r"\b(fortsatt\w*|continue|go on|keep going|angrar mig|avbryt inte|inte avbryta|"
    r"don'?t cancel|do not cancel)\b"
)
NOTHING = "Vi håller inte på med något just nu, så det finns inget att fortsätta."
NOTHING_EN = "We are not in the middle of anything right now, so there is nothing to continue."
HELP = (
    "Jag svarar på frågor om distansarbete och hjälper dig att ansöka om en "
    "distansöverenskommelse och att boka riskbedömningen. Vad vill du göra?"
)
HELP_EN = (
    "I answer questions about remote work and help you apply for a remote-work agreement and "
    "book the risk assessment. What would you like to do?"
)
ACKNOWLEDGED = "Okej! Säg till om det är något mer jag kan hjälpa till med."
ACKNOWLEDGED_EN = "Okay! Let me know if there is anything else I can help with."
HELP_BUTTONS = [
    {"title": "Ansöka om distansarbete", "payload": "/request_agreement"},
    {"title": "Boka riskbedömning", "payload": "/book_risk_assessment"},
    {"title": "Får jag jobba hemifrån?", "payload": "Får jag jobba hemifrån?"},
]
HELP_BUTTONS_EN = [
    {"title": "Apply for remote work", "payload": "/request_agreement"},
    {"title": "Book the risk assessment", "payload": "/book_risk_assessment"},
    {"title": "Can I work from home?", "payload": "Can I work from home?"},
]


# One thing waiting: what is said about it, in Swedish and English, and the button that opens it.
Waiting = tuple[str, str, dict[str, str]]


class ActionWhereWereWe(Action):
    def __init__(self, services: Services, forms: Sequence[GuidedForm]) -> None:
        self.services = services
        self.forms = forms

    def name(self) -> str:
        return "action_where_were_we"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if (taken_back := self.stop_taken_back(dispatcher, tracker)) is not None:
            return taken_back
        form = self.interrupted_form(tracker)
        if form is not None:
            dispatcher.utter_message(text=f"Vi höll på med {form.noun}. Vi fortsätter där.")
            return [SlotSet(REASK_SLOT, None), *reopened(form)]
        english = is_english_reply(last_free_text(tracker))
        user = self.services.user(tracker)
        waiting = self.waiting(user) if user is not None else []
        if waiting:
            said = " ".join(en if english else sv for sv, en, _ in waiting)
            intro = "Here is what is waiting:" if english else "Det här väntar:"
            dispatcher.utter_message(
                text=f"{NOTHING_EN if english else NOTHING} {intro} {said}",
                buttons=[button for _, _, button in waiting],
            )
            return []
        dispatcher.utter_message(
            text=f"{NOTHING_EN} {HELP_EN}" if english else f"{NOTHING} {HELP}",
            buttons=HELP_BUTTONS_EN if english else HELP_BUTTONS,
        )
        return []

    def answer_after_expiry(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType] | None:
        """The answer to the question shown last before the session ran out, typed straight
        away ("hemma" to "Var ska du arbeta?"): Rasa took it for an FAQ topic, out of scope or
        unsure. It is read as the form reads it, and the form goes on; None when the message
        is no answer to that question (a question, chitchat, nothing the question reads), or a
        free text naming nothing the question knows that the FAQ answers."""
        form = self.interrupted_form(tracker)
        if form is None or (tracker.active_loop or {}).get("name"):
            return None
        message = Message.from_tracker(tracker)
        # By its words: "hemma" may have been taken for a greeting (``ActionGreet``).
        words_only = replace(message, intent="", confidence=0.0)
        if message.is_payload or is_question(message) or is_chitchat(words_only):
            return None
        ctx = form.context(tracker)
        field = form.field(ctx, ctx.requested)
        if field is None:
            return None
        reading = field.read(ctx, message)
        if not (reading.found or reading.problem):
            return None
        # "hemma" names a place whatever the FAQ makes of it; a free text that names nothing
        # the field knows is an answer only when the FAQ has none.
        named = field.find is not None and field.find(ctx, message.text).found
        answered = field.free_text and not named
        if answered and faq_reply(self.services.answerer(), message).kind == "answer":
            return None
        dispatcher.utter_message(text=f"Vi fortsätter med {form.noun}.")
        Turn(form, ctx, message, dispatcher).handle()
        return [*ctx.events(), *reopened(form)]

    def stop_taken_back(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType] | None:
        """ "nej förlåt, fortsätt" right after "avbryt": the form stopped is taken up again with
        its answers, at its next question. None for any other message, or later."""
        stopped = tracker.get_slot(PENDING_SLOT) or {}
        if stopped.get("kind") != STOPPED or user_messages(tracker) != stopped.get("after", 0) + 1:
            return None
        message = Message.from_tracker(tracker)
        if (
            not GO_ON.search(without_diacritics(message.lowered))
            or stop_wish(message) is StopWish.CLEAR
        ):
            return None
        form = next((f for f in self.forms if f.form_name == stopped.get("form")), None)
        if form is None:
            return None
        english = is_english_reply(message.text)
        dispatcher.utter_message(
            text="Okay, let us go on where we left off, with the answers you gave."
            if english
            else f"Då fortsätter vi med {form.noun}, med svaren du redan har gett."
        )
        answers = dict(stopped.get("slots") or {})
        return [
            SlotSet(PENDING_SLOT, None),
            SlotSet(REASK_SLOT, None),
            *(SlotSet(slot, value) for slot, value in answers.items()),
            *reopened(form),
        ]

    def interrupted_form(self, tracker: Tracker) -> GuidedForm | None:
        """The form whose question was asked last, when the session ended before its answer
        (its slots are carried over into the new session)."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        if not requested:
            return None
        asking = [f for f in self.forms if requested in (*f.field_slots, f.confirm_slot)]
        # Booking and moving both ask for "ra_start"; the booking has its employee already.
        answered = [
            f for f in asking if any(tracker.get_slot(s) is not None for s in f.field_slots)
        ]
        candidates = answered or asking
        return candidates[0] if candidates else None

    def waiting(self, user: User) -> list[Waiting]:
        """The user's own request waiting for a decision, requests waiting for the user's
        decision, and dialogues waiting for the user to document them."""
        found: list[Waiting] = []
        agreements = self.services.agreements
        risk_assessments = self.services.risk_assessments
        try:
            if agreements is not None:
                own = [
                    a.reference
                    for a in agreements.visible_to(user, AgreementStatus.SUBMITTED)
                    if a.employee_id == user.id
                ]
                if own:
                    found.append(
                        (
                            f"{listed(own, 'Din ansökan', 'Dina ansökningar')} väntar på beslut "
                            "från din chef.",
                            f"Waiting for your manager's decision: {', '.join(own[:3])}.",
                            {"title": "Visa mina ansökningar", "payload": "/show_my_requests"},
                        )
                    )
                if to_decide := agreements.pending_for(user):
                    found.append(
                        (
                            f"{count(len(to_decide), 'ansökan', 'ansökningar')} väntar på ditt "
                            "beslut.",
                            f"Requests waiting for your decision: {len(to_decide)}.",
                            {"title": "Visa ansökningarna", "payload": "/show_my_requests"},
                        )
                    )
            if risk_assessments is not None and (
                to_document := risk_assessments.awaiting_outcome(user)
            ):
                found.append(
                    (
                        f"{count(len(to_document), 'riskbedömning', 'riskbedömningar')} väntar "
                        "på att dokumenteras.",
                        f"Risk assessments waiting to be documented: {len(to_document)}.",
                        {"title": "Dokumentera", "payload": "/document_risk_assessment"},
                    )
                )
        except SQLAlchemyError as error:
            # Nothing to point to then; what the assistant can do is still said.
            log.warning("Could not read what waits for the user: %s", error)
            return []
        return found


class ActionYesOrNoOutsideForm(Action):
    """ "ja" or "nej" with no form open. Usually nothing waits for it ("ja" after a meeting was
    moved), and it is acknowledged. After the session ran out it answers the form's last
    question, an hour old: the form is taken up and asks it again rather than taking a yes to
    a summary the user may no longer have in front of them."""

    def __init__(self, where_were_we: ActionWhereWereWe) -> None:
        self.where_were_we = where_were_we

    def name(self) -> str:
        return "action_yes_or_no_outside_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if (taken_back := self.where_were_we.stop_taken_back(dispatcher, tracker)) is not None:
            return taken_back
        form = self.where_were_we.interrupted_form(tracker)
        english = is_english_reply(last_free_text(tracker))
        if form is None:
            dispatcher.utter_message(text=ACKNOWLEDGED_EN if english else ACKNOWLEDGED)
            return []
        dispatcher.utter_message(
            text="It has been a while. Let us pick up where we left off; here is the question "
            "again."
            if english
            else f"Det har gått en stund sedan sist. Vi höll på med {form.noun}; "
            "här är frågan igen."
        )
        return [SlotSet(REASK_SLOT, None), *reopened(form)]


# Rasa's small-talk intents, each answered by ``action_<intent>`` with ``utter_<intent>``.
SMALL_TALK = ("greet", "goodbye", "thanks", "help")


class ActionSmallTalk(Action):
    """A greeting, a thank-you, a goodbye or a plea for help: its response, unless the message
    also commands a process ("vet inte vad jag ska kolla mer, annas ser bra ut så godkänn den",
    read as a plea for help), which then starts. After the session ran out with a question
    unanswered, a short answer ("hemma") that Rasa took for small talk is that answer, and the
    form goes on."""

    def __init__(
        self, intent: str, where_were_we: ActionWhereWereWe, handoff: Handoff | None
    ) -> None:
        self.intent = intent
        self.where_were_we = where_were_we
        self.handoff = handoff

    def name(self) -> str:
        return f"action_{self.intent}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        step = self.handoff.step_for(tracker) if self.handoff is not None else None
        if step is not None:
            return await step.begin(dispatcher, tracker, domain)
        resumed = self.where_were_we.answer_after_expiry(dispatcher, tracker)
        if resumed is not None:
            return resumed
        # Spoken from the domain's text, not by name: the action endpoint then puts it into
        # the conversation's language ("thanks" after "ok" in an English form).
        variants = (domain.get("responses") or {}).get(f"utter_{self.intent}") or []
        if variants and variants[0].get("text"):
            said = variants[0]
            dispatcher.utter_message(text=said["text"], buttons=said.get("buttons") or [])
        else:
            dispatcher.utter_message(response=f"utter_{self.intent}")
        return []


def reopened(form: GuidedForm) -> list[EventType]:
    """The form taken up again. The question asked before is no longer the requested slot: on
    activation Rasa extracts the requested slot from the latest message, which would store
    "var var vi?" (or an answer the form refused) as the answer; the form asks its first empty
    question itself, the same one."""
    return [SlotSet(REQUESTED_SLOT, None), FollowupAction(form.form_name)]


def count(number: int, one: str, many: str) -> str:
    return f"En {one}" if number == 1 else f"{number} {many}"


def listed(references: list[str], one: str, many: str) -> str:
    return f"{one if len(references) == 1 else many} {', '.join(references[:3])}"
