"""Tunes the fusion weights and the answer/clarify thresholds on the dev split only.

Gets Rasa's intent ranking for each dev question from the trained model, computes the index's
embedding and lexical scores in-process, and searches a grid for the settings that make the
fewest confident mistakes. Prints how the values in use and the chosen ones do on dev, and
writes the chosen ``Weights`` and ``Thresholds`` for the embedding model (``DG_EMBEDDING_MODEL``)
into ``bot/faq/tuned.yml``, where the app reads them (``bot/faq/tuning.py``). The test split is
never read.

    .venv/bin/python -m benchmarks.tune [--folds 5] [--values-file PATH] [--leave-out-batch B]
        [--keep-weights]
"""

import argparse
import functools
import itertools
import json
import math
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.evaluate import Question, load_questions
from bot.faq.answering import (
    ASKED_OUT_OF_SCOPE,
    GATE_DOUBT,
    NAMED_BUT_DOUBTED,
    OUT_OF_SCOPE_LIKELY,
    STANCE_BELOW_BAR,
    SURE_ENOUGH_FOR_THE_GATE,
    Evidence,
    asked_scope,
    decide,
    read_siblings,
    stance_is_enough,
)
from bot.faq.entry import FaqEntry
from bot.faq.index import Hit, fuse
from bot.faq.language import asked_sentences, question_part
from bot.faq.loader import load_answerer
from bot.faq.nlu import OUT_OF_SCOPE_INTENT, intent_confidence, topic_confidence
from bot.faq.scope import WORKPLACE_TOPICS, at_the_workplace, names_remote_work, speaks_of_home
from bot.faq.stance import (
    DEMAND_TOPICS,
    LearnedStance,
    manager_agrees,
    names_a_party,
    stance_topic,
)
from bot.faq.tuning import (
    Thresholds,
    TunedValues,
    Weights,
    store_tuned_values,
    tuned_values,
)
from bot.settings import PROJECT_ROOT, Settings

# What a reply is worth: a confident wrong answer costs more than an honest "Menade du …?".
VALUE = {
    ("in", "right"): 1.0,
    ("in", "clarify_right"): 0.5,
    ("in", "clarify_wrong"): -0.5,
    ("in", "none"): 0.0,
    ("in", "wrong"): -1.5,
    ("out", "none"): 1.0,
    ("out", "clarify"): -0.25,
    ("out", "answer"): -1.5,
}


@dataclass
class Prepared:
    question: Question
    entries: list[FaqEntry]
    embedding: np.ndarray
    lexical: np.ndarray
    topics: np.ndarray
    out_of_scope: float
    in_scope: float
    # The manager's yes taken as given: the kräva entries are not ranked (``FaqAnswerer.weigh``).
    agreed: bool = False
    # Who wants the remote work when the cues do not say (the answerer's ``LearnedStance``).
    learned: LearnedStance | None = None
    # The gate on what is asked after context that alone names remote work (``asked_scope``).
    asked_in_scope: float | None = None

    def party_at_home(self) -> bool:
        """As ``FaqAnswerer.weigh``: the learned stance is asked outside the sibling pair."""
        return speaks_of_home(self.question.text) and names_a_party(self.question.text)

    @property
    def entry_ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def evidence(self, weights: Weights) -> Evidence:
        """What ``FaqAnswerer.weigh`` gives under ``weights``: the two best, the stance."""
        fused = fuse(self.embedding, self.lexical, self.topics, weights)
        if self.agreed:
            fused = np.where([e.topic in DEMAND_TOPICS for e in self.entries], -np.inf, fused)
        workplace = at_the_workplace(self.question.text)
        if workplace:
            keep = WORKPLACE_TOPICS - (
                DEMAND_TOPICS
                if cached_stance(self.question.text, DEMAND_TOPICS) is None
                else frozenset()
            )
            fused = np.where([e.topic in keep for e in self.entries], fused, -np.inf)
        order = np.argsort(-fused)[:3]
        hits = [Hit(self.entries[i], float(fused[i]), 0.0, 0.0) for i in order]
        siblings = hits[1].entry.id in hits[0].entry.siblings
        by_id = {e.id: e for e in self.entries}
        sibling_entries = read_siblings(hits, by_id.get)
        topics = [hits[0].entry.topic, *(e.topic for e in sibling_entries)]
        # What tells the siblings apart (``bot.faq.stance``), read once per question and pair.
        stance = (
            cached_stance(
                self.question.text,
                frozenset(topics),
                self.learned if siblings or self.party_at_home() else None,
            )
            if sibling_entries
            else None
        )
        return Evidence(
            hits,
            self.in_scope,
            self.out_of_scope,
            siblings,
            question_part(self.question.text),
            stance,
            names_remote_work(self.question.text),
            workplace,
            sibling_entries,
            speaks_of_home=speaks_of_home(self.question.text),
            asked_in_scope=self.asked_in_scope,
        )


@functools.cache
def cached_stance(
    question: str, topics: frozenset[str], learned: LearnedStance | None = None
) -> str | None:
    return stance_topic(question, topics, learned)


def intent_rankings(texts: list[str]) -> dict[str, list[dict[str, object]]]:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "rankings.json"
        subprocess.run(
            [
                str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"),
                "-m",
                "benchmarks.nlu_ranking",
                str(PROJECT_ROOT / "models" / "distansguiden.tar.gz"),
                str(output),
            ],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            check=True,
        )
        rankings: dict[str, list[dict[str, object]]] = json.loads(
            output.read_text(encoding="utf-8")
        )
    return rankings


def prepare(dev: list[Question], settings: Settings) -> list[Prepared]:
    """Each question's scores under the index and gate the app builds (what
    ``FaqAnswerer.weigh`` computes); the weights are not used."""
    rankings = intent_rankings([q.text for q in dev])
    prepared = []
    for region in sorted({q.region for q in dev}):
        answerer = load_answerer(settings.model_copy(update={"region": region})).answerer
        index = answerer.index
        for q in (q for q in dev if q.region == region):
            ranking = rankings[q.text]
            confidence = topic_confidence(ranking)
            searched = question_part(q.text)
            embedding, lexical = index.query_scores(searched, asked_sentences(searched))
            prepared.append(
                Prepared(
                    q,
                    index.entries,
                    embedding,
                    lexical,
                    np.array(
                        [confidence.get(e.topic, 0.0) for e in index.entries], dtype=np.float32
                    ),
                    intent_confidence(ranking, OUT_OF_SCOPE_INTENT),
                    answerer.gate.in_scope(q.text) if answerer.gate is not None else 1.0,
                    manager_agrees(q.text),
                    answerer.stance,
                    asked_scope(answerer.gate, searched),
                )
            )
    return prepared


def outcome(p: Prepared, weights: Weights, thresholds: Thresholds) -> tuple[str, str]:
    evidence = p.evidence(weights)
    decision = decide(evidence, thresholds)
    ids = [hit.entry.id for hit in evidence.hits[:2]]
    # As FaqAnswerer.reply_for: the stance's entry is answered instead of either.
    chosen = evidence.stance_choice()
    if chosen is not None and decision in ("answer", "clarify"):
        decision, ids = "answer", [chosen.id]
    # A cue's stance just below the bar (``FaqAnswerer._stance_is_enough``).
    if chosen is not None and decision == "unknown" and stance_is_enough(evidence, thresholds):
        decision, ids = "answer", [chosen.id]
    # Without a stance, a best entry with siblings is asked back with its sibling.
    if decision == "answer" and evidence.guesses_between_siblings():
        decision, ids = "clarify", [ids[0], *(e.id for e in evidence.sibling_entries[:1])]
    if p.question.expected is None:
        return "out", {"answer": "answer", "clarify": "clarify"}.get(decision, "none")
    if decision == "answer":
        return "in", "right" if ids[0] == p.question.expected else "wrong"
    if decision == "clarify":
        return "in", "clarify_right" if p.question.expected in ids else "clarify_wrong"
    return "in", "none"


@dataclass
class Ranked:
    """For one weighting: each question's two best fused scores and what they would mean."""

    best: np.ndarray
    runner_up: np.ndarray
    out_of_scope: np.ndarray
    in_scope: np.ndarray
    best_right: np.ndarray
    right_offered: np.ndarray
    # The scope gate's probability, and whether the two best are siblings asked back sooner.
    gate: np.ndarray
    siblings: np.ndarray
    # The stance picks an entry (answered instead of a "Menade du …?" too), and it is right.
    stance_picks: np.ndarray
    stance_right: np.ndarray
    # The best has siblings and no stance: asked back with its sibling, which offers the right.
    guessing: np.ndarray
    guess_offers_right: np.ndarray
    # The stance comes from the cues (it may answer just below the bar), and the question is
    # not one ``decide`` calls off topic when unanswered.
    stance_cued: np.ndarray
    off_topic: np.ndarray


def rank(prepared: list[Prepared], weights: Weights) -> Ranked:
    best, runner_up, best_right, right_offered, siblings, gate = [], [], [], [], [], []
    stance_picks, stance_right, guessing, guess_offers_right = [], [], [], []
    stance_cued, off_topic = [], []
    for p in prepared:
        evidence = p.evidence(weights)
        first, second = evidence.hits[:2]
        best.append(first.score)
        runner_up.append(second.score)
        best_right.append(first.entry.id == p.question.expected)
        right_offered.append(p.question.expected in (first.entry.id, second.entry.id))
        siblings.append(evidence.asks_back_sooner())
        # As ``decide``: a remote-work-only best entry and no word of home, or what is asked
        # after context that alone names remote work, is refused like the gate refuses; a
        # question that names remote work passes the gate at any bar.
        passes = 1.0 if evidence.names_remote_work else p.in_scope
        asked = evidence.asked_in_scope
        refused = (
            evidence.best_needs_home()
            or (asked is not None and asked < ASKED_OUT_OF_SCOPE)
            or (evidence.names_remote_work and p.in_scope < NAMED_BUT_DOUBTED)
        )
        gate.append(0.0 if refused else passes)
        chosen = evidence.stance_choice()
        stance_picks.append(chosen is not None)
        stance_right.append(chosen is not None and chosen.id == p.question.expected)
        guessing.append(evidence.guesses_between_siblings())
        offered = [first.entry.id, *(e.id for e in evidence.sibling_entries[:1])]
        guess_offers_right.append(p.question.expected in offered)
        stance_cued.append(chosen is not None and not evidence.stance_learned)
        off_topic.append(evidence.out_of_scope > OUT_OF_SCOPE_LIKELY or evidence.at_the_workplace)
    return Ranked(
        np.array(best),
        np.array(runner_up),
        np.array([p.out_of_scope for p in prepared]),
        np.array([p.question.expected is not None for p in prepared]),
        np.array(best_right),
        np.array(right_offered),
        np.array(gate),
        np.array(siblings),
        np.array(stance_picks),
        np.array(stance_right),
        np.array(guessing),
        np.array(guess_offers_right),
        np.array(stance_cued),
        np.array(off_topic),
    )


def value_of(r: Ranked, t: Thresholds) -> float:
    """The summed VALUE of ``decide`` over all questions, computed for all of them at once."""
    raise_by = t.out_of_scope_raise * r.out_of_scope
    # As ``decide``: a gate that only just doubts does not refuse a best entry this strong.
    overruled = (r.gate >= t.in_scope - GATE_DOUBT) & (r.best >= SURE_ENOUGH_FOR_THE_GATE)
    passes = (r.gate >= t.in_scope) | overruled
    above_clarify = passes & (r.best >= t.clarify + raise_by)
    lead = r.best - r.runner_up
    margin = np.where(r.siblings, t.sibling_margin, t.margin)
    clarify = above_clarify & (lead < margin) & (r.runner_up >= t.clarify + raise_by)
    answer = (
        above_clarify
        & ~clarify
        & ((r.best >= t.answer + raise_by) | (lead >= t.clear_lead + raise_by))
    )
    # The stance's entry is answered where the decision would answer or ask back, and a cue's
    # stance where it would not know, just below the bar.
    unknown = passes & ~answer & ~clarify & ~r.off_topic
    rescued = unknown & r.stance_cued & (r.best >= t.clarify - STANCE_BELOW_BAR)
    answer, clarify = answer | (clarify & r.stance_picks) | rescued, clarify & ~r.stance_picks
    right = np.where(r.stance_picks, r.stance_right, r.best_right)
    guessed = answer & r.guessing
    answer, clarify = answer & ~guessed, clarify | guessed
    right_offered = np.where(guessed, r.guess_offers_right, r.right_offered)
    inside, outside = r.in_scope, ~r.in_scope
    return float(
        VALUE[("in", "right")] * np.sum(inside & answer & right)
        + VALUE[("in", "wrong")] * np.sum(inside & answer & ~right)
        + VALUE[("in", "clarify_right")] * np.sum(inside & clarify & right_offered)
        + VALUE[("in", "clarify_wrong")] * np.sum(inside & clarify & ~right_offered)
        + VALUE[("out", "none")] * np.sum(outside & ~answer & ~clarify)
        + VALUE[("out", "clarify")] * np.sum(outside & clarify)
        + VALUE[("out", "answer")] * np.sum(outside & answer)
    )


EMBEDDING_WEIGHTS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]  # lexical weight = 1 - it
TOPIC_WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


def best_thresholds(ranked: Ranked) -> tuple[float, Thresholds]:
    best: tuple[float, Thresholds] | None = None
    grid = itertools.product(
        np.arange(0.30, 0.90, 0.02),  # answer threshold
        [0.04, 0.08, 0.12],  # how far below the answer threshold a clarification may go
        [0.02, 0.04, 0.06, 0.08],  # margin
        [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 1.0],  # clear lead (1.0: never answer below the bar)
        [0.0, 0.1, 0.2, 0.3],  # out-of-scope raise
        [0.25, 0.35, 0.5],  # scope gate
        [0.1, 0.2, 0.3, 0.45],  # sibling margin
    )
    for answer, clarify_gap, margin, clear_lead, raise_by, in_scope, sibling_margin in grid:
        thresholds = Thresholds(
            answer=round(float(answer), 2),
            clarify=round(float(answer) - clarify_gap, 2),
            margin=margin,
            clear_lead=clear_lead,
            out_of_scope_raise=raise_by,
            in_scope=in_scope,
            sibling_margin=sibling_margin,
        )
        value = value_of(ranked, thresholds)
        if best is None or value > best[0]:
            best = (value, thresholds)
    assert best is not None
    return best


def search(
    prepared: list[Prepared], keep: Weights | None = None
) -> tuple[float, Weights, Thresholds]:
    """The best thresholds for the weighting whose neighbourhood in the grid does best.

    Many weightings come within a question or two of each other; averaging each with its grid
    neighbours picks one in a broad good region rather than a lucky isolated point. ``keep``:
    only the thresholds are searched, for these weights (a fiftieth of the time).
    """
    if keep is not None:
        value, thresholds = best_thresholds(rank(prepared, keep))
        assert math.isclose(value, sum(VALUE[outcome(p, keep, thresholds)] for p in prepared))
        return value, keep, thresholds
    found: dict[tuple[int, int], tuple[float, Weights, Thresholds]] = {}
    for (i, w_embedding), (j, w_topic) in itertools.product(
        enumerate(EMBEDDING_WEIGHTS), enumerate(TOPIC_WEIGHTS)
    ):
        weights = Weights(embedding=w_embedding, lexical=round(1 - w_embedding, 2), topic=w_topic)
        value, thresholds = best_thresholds(rank(prepared, weights))
        found[i, j] = (value, weights, thresholds)

    def smoothed(cell: tuple[int, int]) -> float:
        i, j = cell
        around = [
            found[i + di, j + dj][0]
            for di in (-1, 0, 1)
            for dj in (-1, 0, 1)
            if (i + di, j + dj) in found
        ]
        return sum(around) / len(around)

    value, weights, thresholds = found[max(found, key=smoothed)]
    # The vectorised scoring must agree with the assistant's own decide().
    assert math.isclose(value, sum(VALUE[outcome(p, weights, thresholds)] for p in prepared))
    return value, weights, thresholds


def summary(outcomes: list[tuple[str, str]]) -> str:
    counts = Counter(outcomes)
    in_scope = sum(v for (kind, _), v in counts.items() if kind == "in")
    out = sum(v for (kind, _), v in counts.items() if kind == "out")
    clarified = counts[("in", "clarify_right")] + counts[("in", "clarify_wrong")]
    return (
        f"right first {counts[('in', 'right')] / in_scope:.1%}, "
        f"clarified {clarified / in_scope:.1%}, "
        f"wrong {counts[('in', 'wrong')] / in_scope:.1%}, "
        f"out of scope rejected {counts[('out', 'none')] / max(out, 1):.1%}"
    )


def cross_validated(
    prepared: list[Prepared], folds: int, keep: Weights | None = None
) -> list[tuple[str, str]]:
    """Each dev question scored with values tuned on the other folds: what tuning is worth on
    questions it has not seen, without touching the test split."""
    outcomes = []
    for fold in range(folds):
        held_out = prepared[fold::folds]
        tuned_on = [p for i, p in enumerate(prepared) if i % folds != fold]
        _, weights, thresholds = search(tuned_on, keep)
        outcomes += [outcome(p, weights, thresholds) for p in held_out]
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--folds", type=int, default=0, help="also estimate the tuning by k-fold cross-validation"
    )
    parser.add_argument(
        "--values-file",
        type=Path,
        help="where the tuned values are written (default: bot/faq/tuned.yml, read by the app)",
    )
    parser.add_argument(
        "--leave-out-batch",
        action="append",
        default=[],
        metavar="BATCH",
        help="leave out a batch's dev questions too, e.g. one kept unread for a coming report "
        "(repeatable)",
    )
    parser.add_argument(
        "--keep-weights",
        action="store_true",
        help="search only the thresholds, for the weights in use (minutes instead of an hour)",
    )
    args = parser.parse_args(argv)
    # A model is tuned before it has values of its own.
    settings = Settings(allow_untuned_model=True)
    in_use = tuned_values(settings, args.values_file)
    dev = [q for q in load_questions() if q.split == "dev" and q.batch not in args.leave_out_batch]
    print(f"Preparing {len(dev)} dev questions …", flush=True)
    prepared = prepare(dev, settings)
    which = f"tuned on {in_use.tuned}" if in_use.tuned else "the defaults"
    print(f"In use ({which}): {in_use.weights} {in_use.thresholds}")
    print(f"  {summary([outcome(p, in_use.weights, in_use.thresholds) for p in prepared])}")
    keep = in_use.weights if args.keep_weights else None
    value, weights, thresholds = search(prepared, keep)
    # Not searched: kept as the model had it.
    thresholds = replace(thresholds, known_phrasing=in_use.thresholds.known_phrasing)
    chosen = summary([outcome(p, weights, thresholds) for p in prepared])
    print(f"Best on dev (value {value:.1f}): {weights} {thresholds}")
    print(f"  {chosen}")
    for p in prepared:
        kind, result = outcome(p, weights, thresholds)
        if result not in ("right", "none") or (kind == "in" and result == "none"):
            print(f"  {result:14} expected {p.question.expected or '-':20} {p.question.text}")
    if args.folds > 1:
        estimate = summary(cross_validated(prepared, args.folds, keep))
        print(f"{args.folds}-fold cross-validated on dev: {estimate}")
    tuned = TunedValues(tuned=date.today(), dev=chosen, weights=weights, thresholds=thresholds)
    key, written = store_tuned_values(settings.embedding_model, tuned, args.values_file)
    print(f"Wrote the values for {key} to {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
