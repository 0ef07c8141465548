"""What the chat path leaves for HR: each FAQ answer served, each thumbs up/down, and each
question the assistant could not answer confidently (masked) in the review queue.

Nothing here may break a chat turn: the chat service logs a recording failure and goes on.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from bot.faq.answering import FaqAnswerer
from bot.faq.content import FaqEntry
from bot.hr.figures import entry_version
from bot.storage.database import Database
from bot.storage.models import FaqUsageEvent, ReviewItem, utc_now

MAX_QUESTION_CHARS = 2000
QUEUE_REASONS = ("low_confidence", "clarified", "thumbs_down", "out_of_scope")
_REASON_FOR_KIND = {
    "clarify": "clarified",
    "unknown": "low_confidence",
    "out_of_scope": "out_of_scope",
}


def user_key(user_id: str) -> str:
    """A stable pseudonym for the asker, as for Rasa's sender id: erasure finds one user's rows
    by it, and the tables hold no user names."""
    return hashlib.sha256(f"distansguiden-user\x1f{user_id}".encode()).hexdigest()


def masked(question: str) -> str:
    # Imported here so the app still starts while bot/privacy.py is missing; a question is then
    # not queued at all (ImportError) rather than stored unmasked.
    from bot.privacy import mask_personal_data

    return mask_personal_data(question.strip()[:MAX_QUESTION_CHARS]).text


class ChatReply(Protocol):
    """What recording needs of a chat reply (``bot.chat.BotMessage``), so the chat path can
    depend on recording and not the other way round."""

    @property
    def kind(self) -> str | None: ...

    @property
    def faq_id(self) -> str | None: ...


class UnknownEntry(LookupError):
    """Feedback named an FAQ entry the index does not hold."""


@dataclass(frozen=True)
class FeedbackResult:
    recorded: bool
    queued: bool


class UsageRecorder:
    def __init__(self, db: Database, answerer: Callable[[], FaqAnswerer | None]) -> None:
        self._db = db
        self._answerer = answerer

    def record_turn(self, user_id: str, question: str, messages: Sequence[ChatReply]) -> None:
        """Counts each FAQ answer as served; queues the question when the assistant asked
        "Menade du …?" or did not know. Button payloads (``/intent{...}``) are not questions."""
        served = [m.faq_id for m in messages if m.kind == "answer" and m.faq_id]
        unsure = [m.kind for m in messages if m.kind in _REASON_FOR_KIND]
        queue = bool(unsure) and not question.startswith("/")
        if not served and not queue:
            return
        key = user_key(user_id)
        with self._db.session() as session:
            for faq_id in served:
                entry = self._entry(faq_id)
                if entry is not None:
                    session.add(
                        FaqUsageEvent(
                            faq_id=faq_id,
                            kind="served",
                            entry_version=entry_version(entry),
                            user_key=key,
                        )
                    )
            if queue:
                session.add(
                    ReviewItem(
                        question=masked(question),
                        reason=_REASON_FOR_KIND[str(unsure[0])],
                        user_key=key,
                    )
                )

    def record_feedback(
        self, user_id: str, conversation_id: str, faq_id: str, question: str, helpful: bool
    ) -> FeedbackResult:
        """One vote per user, conversation and entry; a second vote replaces the first. A
        thumbs-down puts the (masked) question in the review queue once."""
        entry = self._entry(faq_id)
        if entry is None:
            raise UnknownEntry(faq_id)
        key = user_key(user_id)
        vote_key = hashlib.sha256(
            f"vote\x1f{user_id}\x1f{conversation_id}\x1f{faq_id}".encode()
        ).hexdigest()
        kind = "helpful" if helpful else "not_helpful"
        with self._db.session() as session:
            vote = session.scalar(
                select(FaqUsageEvent).where(FaqUsageEvent.vote_key == vote_key).with_for_update()
            )
            already_down = vote is not None and vote.kind == "not_helpful"
            if vote is None:
                session.add(
                    FaqUsageEvent(
                        faq_id=faq_id,
                        kind=kind,
                        entry_version=entry_version(entry),
                        user_key=key,
                        vote_key=vote_key,
                    )
                )
            else:
                vote.kind = kind
                vote.entry_version = entry_version(entry)
                vote.at = utc_now()
            queued = not helpful and not already_down
            if queued:
                session.add(
                    ReviewItem(
                        question=masked(question), reason="thumbs_down", faq_id=faq_id, user_key=key
                    )
                )
        return FeedbackResult(recorded=True, queued=queued)

    def _entry(self, faq_id: str) -> FaqEntry | None:
        answerer = self._answerer()
        return answerer.index.get(faq_id) if answerer else None
