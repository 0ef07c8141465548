"""What the assistant says to an FAQ question: an answer, a "Menade du …?" with the two close
candidates, or an honest "I don't know" that says whom to ask instead.

Used by the Rasa action and, when Rasa cannot be reached, directly by the chat service.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.faq.entry import FaqEntry
from bot.faq.index import FaqIndex, Hit
from bot.faq.language import is_english
from bot.faq.tuning import Thresholds
from bot.regions import Region

CHOOSE_FAQ_INTENT = "choose_faq"
OUT_OF_SCOPE_LIKELY = 0.5


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    # "withheld": the entry is past its review-by date and the region withholds such answers.
    kind: Literal["answer", "clarify", "unknown", "withheld"]
    text: str
    buttons: list[Button] = field(default_factory=list)
    entry: FaqEntry | None = None
    hits: list[Hit] = field(default_factory=list)


class FaqAnswerer:
    def __init__(
        self,
        index: FaqIndex,
        region: Region,
        thresholds: Thresholds | None = None,
        withhold_expired: bool = False,
        today: Callable[[], date] = date.today,
    ) -> None:
        """``withhold_expired``: entries past their review-by date are not answered; the user
        is told whom to ask instead."""
        self.index = index
        self.region = region
        self.thresholds = thresholds or Thresholds()
        self.withhold_expired = withhold_expired
        self._today = today

    def reply_to(
        self,
        question: str,
        topic_confidence: Mapping[str, float] | None = None,
        out_of_scope: float = 0.0,
    ) -> Reply:
        """Reply to a free-text question.

        ``topic_confidence`` is the NLU's confidence per FAQ topic; ``out_of_scope`` its confidence
        that the question is not about remote work at all, which raises the bar for answering.
        """
        hits = self.index.search(question, topic_confidence, limit=3)
        english = is_english(question)
        # One of an entry's own phrasings is answered whatever the NLU thought the topic was.
        known = next((h for h in hits if h.embedding >= self.thresholds.known_phrasing), None)
        if known is not None:
            return self._answer(known.entry, english, hits)
        hits = hits[:2]
        decision = decide(hits, self.thresholds, out_of_scope)
        if decision == "answer":
            return self._answer(hits[0].entry, english, hits)
        if decision == "clarify":
            offered = [hit for hit in hits if not self.is_withheld(hit.entry)]
            if not offered:
                return Reply("withheld", self.withheld_text(english), hits=hits)
            intro = "Did you mean one of these?" if english else "Menade du någon av dessa?"
            buttons = [Button(hit.entry.question, choose_payload(hit.entry.id)) for hit in offered]
            return Reply("clarify", intro, buttons=buttons, hits=hits)
        return Reply(
            "unknown", self.unknown_text(english, out_of_scope > OUT_OF_SCOPE_LIKELY), hits=hits
        )

    def reply_with_entry(self, entry_id: str, english: bool = False) -> Reply:
        entry = self.index.get(entry_id)
        if entry is None:
            return Reply("unknown", self.unknown_text(english))
        return self._answer(entry, english, [])

    def is_withheld(self, entry: FaqEntry) -> bool:
        return self.withhold_expired and entry.is_expired(self._today())

    def _answer(self, entry: FaqEntry, english: bool, hits: list[Hit]) -> Reply:
        if self.is_withheld(entry):
            return Reply("withheld", self.withheld_text(english), hits=hits)
        return Reply("answer", self.answer_text(entry, english), entry=entry, hits=hits)

    def answer_text(self, entry: FaqEntry, english: bool) -> str:
        parts = [entry.answer]
        if english and entry.answer_en:
            parts.append(f"In English: {entry.answer_en}")
        parts.append(f"Källa: {entry.source}")
        return "\n\n".join(parts)

    def withheld_text(self, english: bool) -> str:
        if english:
            return (
                "The answer to that question is being reviewed and is not shown until it has "
                f"been checked. {self.region.ask_instead_en}"
            )
        return (
            "Svaret på den frågan ses över och visas inte förrän det är granskat. "
            f"{self.region.ask_instead}"
        )

    def unknown_text(self, english: bool, off_topic: bool = False) -> str:
        if english:
            scope = "I only answer questions about remote work. " if off_topic else ""
            return f"Sorry, I don't have an answer to that. {scope}{self.region.ask_instead_en}"
        scope = "Jag svarar bara på frågor om distansarbete. " if off_topic else ""
        return f"Det har jag tyvärr inget svar på. {scope}{self.region.ask_instead}"


def decide(
    hits: list[Hit], thresholds: Thresholds, out_of_scope: float = 0.0
) -> Literal["answer", "clarify", "unknown"]:
    """Answer when the best hit is strong, or fair and far ahead of the rest; ask when two are
    close; else admit it.

    The NLU's out-of-scope confidence raises the bars and the lead by up to
    ``thresholds.out_of_scope_raise``.
    """
    raise_by = thresholds.out_of_scope_raise * out_of_scope
    if not hits or hits[0].score < thresholds.clarify + raise_by:
        return "unknown"
    close_runner_up = len(hits) > 1 and hits[0].score - hits[1].score < thresholds.margin
    if close_runner_up and hits[1].score >= thresholds.clarify + raise_by:
        return "clarify"
    if hits[0].score >= thresholds.answer + raise_by:
        return "answer"
    lead = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
    return "answer" if lead >= thresholds.clear_lead + raise_by else "unknown"


def choose_payload(entry_id: str) -> str:
    """A button payload that Rasa parses as the ``choose_faq`` intent with the entry's id."""
    return f'/{CHOOSE_FAQ_INTENT}{{"faq_id":"{entry_id}"}}'
