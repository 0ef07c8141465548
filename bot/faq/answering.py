"""What the assistant says to an FAQ question: an answer, a "Menade du …?" with the two close
candidates, an honest "I don't know", or "that is not about remote work", each saying whom to
ask instead.

Used by the Rasa action and, when Rasa cannot be reached, directly by the chat service.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.faq.entry import FaqEntry
from bot.faq.index import FaqIndex, Hit
from bot.faq.language import WORD, asked_part, asked_sentences, is_english, question_part
from bot.faq.scope import (
    WORKPLACE_TOPICS,
    ScopeGate,
    at_the_workplace,
    names_remote_work,
    speaks_of_home,
)
from bot.faq.stance import (
    DEMAND_TOPICS,
    LearnedStance,
    manager_agrees,
    names_a_party,
    needs_stance,
    stance_topic,
)
from bot.faq.tuning import Thresholds
from bot.regions import Region

CHOOSE_FAQ_INTENT = "choose_faq"
OUT_OF_SCOPE_LIKELY = 0.5
# How far below the best an entry with siblings may rank and still be chosen by the cues.
STANCE_REACH = 0.05
# How far below the clarify bar a question whose cues say who wants the remote work is still
# answered with the *kräva* entry they point to (dev 2026-12p: managers' long messages).
STANCE_BELOW_BAR = 0.08
# A best entry this strong (the words, the sentence model and Rasa's topic all agree: "vem
# betalar elen" 0.96) is answered when the gate only just doubts the question (within
# GATE_DOUBT of its bar). On dev the strongest question the gate rightly refused scored 0.82.
SURE_ENOUGH_FOR_THE_GATE = 0.9
GATE_DOUBT = 0.1
# Remote work named only as the context of another question ("Jag jobbar hemifrån ibland och
# funderar på att skaffa hund. Får man ta med hunden till kontoret?"): what is asked, judged
# alone, is refused below this. On dev: 48 of the 101 such out-of-scope questions fall below it,
# and 1 of the 178 in scope, a short question pointing back at its context that ASKED_WORDS
# leaves out. 0.1 and 0.2 were tried: 0.1 refused one fewer, 0.2 the same.
ASKED_OUT_OF_SCOPE = 0.15
# A question that names remote work passes the gate's bar, but not every one is about remote
# work: "jobbar hemifrån o min son e sjuk, hur många vab-dagar har man per år?" names it only as
# context, and the gate (which learns such messages from data/scope.yml) doubts it. Refused below
# this.
NAMED_BUT_DOUBTED = 0.3
# Shorter asked parts point back at their context ("vad blir nästa steg?", "Går det för sig?").
ASKED_WORDS = 5


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    # "unknown": about remote work, but no entry answers it; "out_of_scope": not about remote
    # work; "withheld": the entry is past its review-by date and the region withholds it.
    kind: Literal["answer", "clarify", "unknown", "out_of_scope", "withheld"]
    text: str
    buttons: list[Button] = field(default_factory=list)
    entry: FaqEntry | None = None
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class Evidence:
    """Everything the decision looks at for one question; HR's "Prova en fråga" shows it."""

    # The best entries, best first (up to three).
    hits: list[Hit]
    # The scope gate's probability that the question is about remote work (1.0 without one).
    in_scope: float = 1.0
    # Rasa's confidence in its ``out_of_scope`` intent.
    out_of_scope: float = 0.0
    # HR marked the two best entries as siblings: a close call between them is asked back.
    siblings: bool = False
    # What was searched: the question without its greeting and introduction.
    searched: str = ""
    # When the best entry has siblings: the topic of the entry the question's cues point to
    # (who wants the remote work, where the IT support happens: ``bot.faq.stance``), or None.
    stance_topic: str | None = None
    # The question names remote work ("distans", "hemifrån", "work from home"): the gate's
    # probability does not refuse it (``bot.faq.scope.names_remote_work``).
    names_remote_work: bool = False
    # Set at the office or ward with no word of home: only entries about the workplace may
    # answer it (``bot.faq.scope.at_the_workplace``); unanswered, it is out of scope.
    at_the_workplace: bool = False
    # The best entry's siblings, ranked or not: the ranking cannot read the stance, so the
    # sibling the question means may rank below an unrelated entry.
    sibling_entries: tuple[FaqEntry, ...] = ()
    # The stance came from the labelled examples (``LearnedStance``), the cues saying nothing.
    stance_learned: bool = False
    # The question has a word of home or remote work (``bot.faq.scope.speaks_of_home``).
    speaks_of_home: bool = True
    # The gate's probability for what is asked after context that alone names remote work
    # (``asked_scope``); None when the message is its question.
    asked_in_scope: float | None = None

    def best_needs_home(self) -> bool:
        """The best entry answers only questions about working remotely (front matter
        ``remote_work_only``) and the question says nothing of home or remote work."""
        return bool(self.hits) and self.hits[0].entry.remote_work_only and not self.speaks_of_home

    def stance_choice(self) -> FaqEntry | None:
        """The entry the stance points to: the best entry, or its sibling in its place; None
        when the stance leaves the ranking as it is. A best *kräva* entry that the stance
        confirms is answered also against a close unrelated runner-up (2026-12m dev: "alla på
        enheten förväntas jobba hemma … Är jag skyldig …?" was asked back with availability)."""
        if self.stance_topic is None or not self.hits:
            return None
        candidates = [self.hits[0].entry, *self.sibling_entries]
        return next((e for e in candidates if e.topic == self.stance_topic), None)

    def asks_back_sooner(self) -> bool:
        """The two best are siblings whose answers a guess would mix up (the *kräva* pair): a
        close call between them is asked back within the wider sibling margin."""
        return self.siblings and needs_stance(self.hits[0].entry.topic)

    def guesses_between_siblings(self) -> bool:
        """The best entry has siblings that need a stance and the question has none:
        answering it would be a guess between them, so it is asked back with its sibling (on
        dev every right answer of a *kräva* entry had a stance, and the one without was
        wrong)."""
        return (
            bool(self.sibling_entries)
            and self.stance_topic is None
            and needs_stance(self.hits[0].entry.topic)
        )


Decision = Literal["answer", "clarify", "unknown", "out_of_scope"]


class FaqAnswerer:
    def __init__(
        self,
        index: FaqIndex,
        region: Region,
        thresholds: Thresholds | None = None,
        withhold_expired: bool = False,
        today: Callable[[], date] = date.today,
        gate: ScopeGate | None = None,
        stance: LearnedStance | None = None,
    ) -> None:
        """``withhold_expired``: entries past their review-by date are not answered; the user
        is told whom to ask instead. ``gate``: the in-scope classifier (``bot.faq.scope``).
        ``stance``: who wants the remote work when the cues do not say (``bot.faq.stance``)."""
        self.index = index
        self.region = region
        self.thresholds = thresholds or Thresholds()
        self.withhold_expired = withhold_expired
        self.gate = gate
        self.stance = stance
        self._today = today

    def weigh(
        self,
        question: str,
        topic_confidence: Mapping[str, float] | None = None,
        out_of_scope: float = 0.0,
    ) -> Evidence:
        """The evidence for ``question``; ``topic_confidence`` is Rasa's confidence per FAQ
        topic, ``out_of_scope`` its confidence that the question is not about remote work."""
        searched = question_part(question)
        agreed = manager_agrees(question)
        hits = self.index.search(
            searched, topic_confidence, 5 if agreed else 3, asked_sentences(searched)
        )
        if agreed:
            hits = [hit for hit in hits if hit.entry.topic not in DEMAND_TOPICS][:3]
        workplace = at_the_workplace(question)
        if workplace:
            # Of the workplace entries, the kräva pair only when someone wants something.
            keep = WORKPLACE_TOPICS - (
                DEMAND_TOPICS if stance_topic(question) is None else frozenset()
            )
            hits = [hit for hit in hits if hit.entry.topic in keep]
        in_scope = self.gate.in_scope(question) if self.gate is not None else 1.0
        asked_in_scope = asked_scope(self.gate, searched)
        siblings = len(hits) > 1 and hits[1].entry.id in hits[0].entry.siblings
        sibling_entries = read_siblings(hits, self.index.get)
        topics = [hits[0].entry.topic, *(e.topic for e in sibling_entries)] if hits else []
        # The examples choose between the two best when they are the siblings, or when the
        # question speaks of home and of someone who decides: a question about summer leave
        # that ranks one *kräva* entry first is still asked back.
        home = speaks_of_home(question)
        learned_stance = self.stance if siblings or (home and names_a_party(question)) else None
        stance = stance_topic(question, topics, learned_stance) if sibling_entries else None
        learned = stance is not None and stance_topic(question, topics) is None
        return Evidence(
            hits,
            in_scope,
            out_of_scope,
            siblings,
            searched,
            stance,
            names_remote_work(question),
            workplace,
            sibling_entries,
            learned,
            home,
            asked_in_scope,
        )

    def reply_to(
        self,
        question: str,
        topic_confidence: Mapping[str, float] | None = None,
        out_of_scope: float = 0.0,
    ) -> Reply:
        """Reply to a free-text question: the one decision the chat, the limited mode, HR's
        "Prova en fråga" and the benchmarks all use."""
        return self.reply_for(question, self.weigh(question, topic_confidence, out_of_scope))

    def reply_for(self, question: str, evidence: Evidence) -> Reply:
        english = is_english(question)
        hits = evidence.hits
        # One of an entry's own phrasings is answered whatever the NLU thought the topic was.
        known = next((h for h in hits if h.embedding >= self.thresholds.known_phrasing), None)
        if known is not None:
            return self._answer(known.entry, english, hits)
        decision = decide(evidence, self.thresholds)
        chosen = evidence.stance_choice()
        near_enough = decision == "unknown" and stance_is_enough(evidence, self.thresholds)
        if chosen is not None and (decision in ("answer", "clarify") or near_enough):
            return self._answer(chosen, english, hits)
        if decision == "answer" and evidence.guesses_between_siblings():
            return self._ask_back([hits[0].entry, *evidence.sibling_entries[:1]], english, hits)
        if decision == "answer":
            return self._answer(hits[0].entry, english, hits)
        if decision == "clarify":
            return self._ask_back([hit.entry for hit in hits[:2]], english, hits)
        if decision == "out_of_scope":
            return Reply("out_of_scope", self.out_of_scope_text(question, english), hits=hits)
        return Reply("unknown", self.unknown_text(english, question), hits=hits)

    def _ask_back(self, entries: list[FaqEntry], english: bool, hits: list[Hit]) -> Reply:
        offered = [entry for entry in entries if not self.is_withheld(entry)]
        if not offered:
            return Reply("withheld", self.withheld_text(english), hits=hits)
        intro = "Did you mean one of these?" if english else "Menade du någon av dessa?"
        buttons = [Button(entry.question, choose_payload(entry.id)) for entry in offered]
        return Reply("clarify", intro, buttons=buttons, hits=hits)

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

    def unknown_text(self, english: bool, question: str = "") -> str:
        """About remote work, but no entry answers it: whom to ask, no scope sentence."""
        ask = self._whom_to_ask(question, english)
        if english:
            return f"Sorry, I have no answer to that in the remote-work FAQ. {ask}"
        return f"Det har jag tyvärr inget svar på i frågorna om distansarbete. {ask}"

    def out_of_scope_text(self, question: str, english: bool) -> str:
        """Not about remote work: what the assistant covers, and whom to ask instead."""
        ask = self._whom_to_ask(question, english)
        if english:
            return f"That is outside what I can help with. {self.region.scope_en} {ask}"
        return f"Det ligger utanför det jag kan hjälpa till med. {self.region.scope} {ask}"

    def _whom_to_ask(self, question: str, english: bool) -> str:
        contact = self.region.contact_for(question)
        if contact is None:
            return self.region.ask_instead_en if english else self.region.ask_instead
        return contact.advice(english)


def decide(evidence: Evidence, thresholds: Thresholds) -> Decision:
    """Out of scope when the gate says so; else answer when the best hit is strong, or fair and
    far ahead of the rest; ask back when two are close (siblings sooner); else admit it.

    Rasa's out-of-scope confidence raises the bars and the lead by up to
    ``thresholds.out_of_scope_raise``.
    """
    if evidence.in_scope < thresholds.in_scope and not evidence.names_remote_work:
        overruled = (
            evidence.in_scope >= thresholds.in_scope - GATE_DOUBT
            and bool(evidence.hits)
            and evidence.hits[0].score >= SURE_ENOUGH_FOR_THE_GATE
        )
        if not overruled:
            return "out_of_scope"
    if evidence.names_remote_work and evidence.in_scope < NAMED_BUT_DOUBTED:
        return "out_of_scope"
    if evidence.asked_in_scope is not None and evidence.asked_in_scope < ASKED_OUT_OF_SCOPE:
        return "out_of_scope"
    if evidence.best_needs_home():
        # "Hur mycket OB får jag på nyårsafton?" ranks the extent entry first.
        return "out_of_scope"
    hits = evidence.hits[:2]
    raise_by = thresholds.out_of_scope_raise * evidence.out_of_scope
    # Unanswered, and Rasa is sure it is not about remote work: say so.
    # So is a question about the workplace itself that no workplace entry answers.
    off_topic = evidence.out_of_scope > OUT_OF_SCOPE_LIKELY or evidence.at_the_workplace
    unknown: Decision = "out_of_scope" if off_topic else "unknown"
    if not hits or hits[0].score < thresholds.clarify + raise_by:
        return unknown
    lead = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
    margin = thresholds.sibling_margin if evidence.asks_back_sooner() else thresholds.margin
    if len(hits) > 1 and lead < margin and hits[1].score >= thresholds.clarify + raise_by:
        return "clarify"
    if hits[0].score >= thresholds.answer + raise_by:
        return "answer"
    if lead >= thresholds.clear_lead + raise_by:
        return "answer"
    return unknown


def stance_is_enough(evidence: Evidence, thresholds: Thresholds) -> bool:
    """A long message whose cues say who wants the remote work ("Min plan är att låta halva
    gruppen jobba hemifrån … Kan jag bestämma det?") scores below the bar: its context dilutes
    the match, but the stance names the *kräva* entry it asks about. Not a learned stance."""
    return (
        not evidence.stance_learned
        and bool(evidence.hits)
        and evidence.hits[0].score >= thresholds.clarify - STANCE_BELOW_BAR
        # Someone decides or demands: "jag vill ansöka om distansarbete" has a wish, no question
        # of who may demand what (a group chat answers it from the index alone).
        and (names_a_party(evidence.searched) or A_MANAGER.search(evidence.searched) is not None)
    )


# "enhetschef", "sektionschef": a manager by title.
A_MANAGER = re.compile(r"\w+chef(en)?\b", re.IGNORECASE)


def asked_scope(gate: ScopeGate | None, searched: str) -> float | None:
    """The gate's probability for the question asked after its context, when the context alone
    names remote work; None when there is no such question."""
    asked = asked_part(searched)
    if gate is None or asked is None or names_remote_work(asked):
        return None
    if len(WORD.findall(asked.lower())) < ASKED_WORDS:
        return None
    return gate.in_scope(asked)


def read_siblings(hits: list[Hit], entry: Callable[[str], FaqEntry | None]) -> tuple[FaqEntry, ...]:
    """The entries the cues choose among besides the best: its siblings, or, when it has none,
    an entry with siblings ranked within ``STANCE_REACH`` of it and that entry's siblings (a
    manager's long question about ordering remote work ranks the extent entry first)."""
    if not hits:
        return ()
    best = hits[0]
    near = best if best.entry.siblings else None
    if near is None:
        near = next(
            (h for h in hits[1:] if h.entry.siblings and best.score - h.score <= STANCE_REACH),
            None,
        )
        if near is None:
            return ()
    ids = near.entry.siblings if near is best else (near.entry.id, *near.entry.siblings)
    return tuple(found for found in map(entry, ids) if found is not None)


def choose_payload(entry_id: str) -> str:
    """A button payload that Rasa parses as the ``choose_faq`` intent with the entry's id."""
    return f'/{CHOOSE_FAQ_INTENT}{{"faq_id":"{entry_id}"}}'
