"""Answers FAQ questions from the hybrid index, nudged by the topic Rasa recognised."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.reading import Message, asks_where_we_were
from bot.faq.answering import CHOOSE_FAQ_INTENT, FaqAnswerer, Reply
from bot.faq.language import is_english
from bot.faq.nlu import OUT_OF_SCOPE_INTENT, intent_confidence, topic_confidence

if TYPE_CHECKING:
    from actions.conversation.handoff import Handoff
    from actions.conversation.resume import ActionWhereWereWe


class ActionAnswerFaq(Action):
    def __init__(
        self,
        answerer: Callable[[], FaqAnswerer],
        where_were_we: "ActionWhereWereWe | None" = None,
        handoff: "Handoff | None" = None,
    ) -> None:
        """``answerer`` gives the one in service now: HR's edits replace it without a restart.
        ``where_were_we`` answers "var var vi?", whatever topic Rasa guessed for it, and
        takes up a form whose session ran out when the message answers its last question;
        ``handoff`` starts the process a message opens with a command for ("avslå, …")."""
        self._answerer = answerer
        self._where_were_we = where_were_we
        self._handoff = handoff

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        answerer = self._answerer()
        message = tracker.latest_message
        if (message.get("intent") or {}).get("name") == CHOOSE_FAQ_INTENT:
            faq_id = next(tracker.get_latest_entity_values("faq_id"), None) or ""
            english = is_english(last_free_text(tracker))
            reply = answerer.reply_with_entry(faq_id, english)
        else:
            message = Message.from_tracker(tracker)
            if self._where_were_we is not None and asks_where_we_were(message):
                # Answered here, not by a follow-up action: a model trained before the
                # where_were_we intent does not know that action.
                return await self._where_were_we.run(dispatcher, tracker, domain)
            if self._where_were_we is not None and (
                taken_back := self._where_were_we.stop_taken_back(dispatcher, tracker)
            ):
                return taken_back
            step = self._handoff.step_for(tracker) if self._handoff is not None else None
            if step is not None:
                # A command Rasa read as a question, out of scope or unsure: the process starts.
                return await step.begin(dispatcher, tracker, domain)
            if self._where_were_we is not None:
                resumed = self._where_were_we.answer_after_expiry(dispatcher, tracker)
                if resumed is not None:
                    return resumed
            reply = faq_reply(answerer, message)
        utter(dispatcher, reply)
        return []


def faq_reply(answerer: FaqAnswerer, message: Message) -> Reply:
    """The FAQ's reply to ``message``, nudged by the topic Rasa recognised."""
    ranking = [{"name": name, "confidence": c} for name, c in message.intent_ranking]
    return answerer.reply_to(
        message.text,
        topic_confidence=topic_confidence(ranking),
        out_of_scope=intent_confidence(ranking, OUT_OF_SCOPE_INTENT),
    )


def utter(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send the reply as one custom message.

    Rasa's REST channel would split a plain text at every blank line; the custom payload keeps
    an answer whole and carries the entry id the channels attach feedback to.
    """
    dispatcher.utter_message(
        json_message={
            "text": reply.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
            "faq_id": reply.entry.id if reply.entry else None,
            "source": reply.entry.source if reply.entry else None,
            "kind": reply.kind,
        }
    )


def last_free_text(tracker: Tracker) -> str:
    """The user's last typed message (not a button payload), for choosing the answer language."""
    for event in reversed(tracker.events):
        text = event.get("text") or ""
        if event.get("event") == "user" and not text.startswith("/"):
            return str(text)
    return ""
