"""``make eval``: answer quality through the whole stack, beside simpler baselines.

Runs the held-out questions (``tests/data/eval_questions.yml``) through ``/api/chat`` of a real
Rasa + app stack (one per region in the set), then scores the same questions with
embedding-only and BM25-only ranking in-process, so the gain is visible in one run. Baseline
rejection thresholds are tuned on the dev split and reported on the requested split.

Prints accuracy, out-of-scope rejection, clarification rate, a per-entry confusion list and
latency percentiles, and writes a JSON report.
"""

import argparse
import json
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

from bot.faq.answering import CHOOSE_FAQ_INTENT
from bot.faq.index import FaqIndex
from bot.faq.loader import load_answerer
from bot.launcher import Stack
from bot.settings import PROJECT_ROOT, Settings

QUESTIONS = PROJECT_ROOT / "tests" / "data" / "eval_questions.yml"
DEFAULT_REPORT = PROJECT_ROOT / ".run" / "eval-report.json"


@dataclass
class Question:
    text: str
    expected: str | None
    region: str
    lang: str
    split: str
    # When the question was written: a later batch has been scored fewer times (README).
    batch: str = "2026-11"


@dataclass
class Outcome:
    question: Question
    kind: str  # answer | clarify | none
    answered: str | None
    offered: list[str]
    latency_ms: float = 0.0
    # Baselines only: the best-ranked entry whatever its score.
    top1: str | None = None


def load_questions() -> list[Question]:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [Question(**q) for q in data["questions"]]


def ask_stack(client: httpx.Client, question: Question) -> Outcome:
    started = time.perf_counter()
    response = client.post(
        "/api/chat",
        json={"conversation_id": f"eval-{uuid.uuid4().hex[:12]}", "message": question.text},
    )
    latency = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    messages = response.json()["messages"]
    answered = next((m["faq_id"] for m in messages if m.get("faq_id")), None)
    offered = [
        b["payload"].split('"faq_id":"')[1].split('"')[0]
        for m in messages
        for b in m.get("buttons", [])
        if b["payload"].startswith(f"/{CHOOSE_FAQ_INTENT}")
    ]
    kind = "answer" if answered else "clarify" if offered else "none"
    return Outcome(question, kind, answered, offered, latency)


def stack_for(region: str) -> Stack:
    """A started Rasa + app stack for ``region`` with its own run directory and database."""
    stack = Stack.isolated(region, PROJECT_ROOT / ".run" / f"eval-{region}")
    stack.start(ready_timeout=300)
    return stack


def run_stack(questions: list[Question], region: str) -> list[Outcome]:
    stack = stack_for(region)
    try:
        with httpx.Client(base_url=stack.url, timeout=30) as client:
            ask_stack(client, questions[0])  # warm-up, not counted
            return [ask_stack(client, q) for q in questions]
    finally:
        stack.stop()


@dataclass
class Scores:
    in_scope: int
    correct: int
    clarified: int
    out_of_scope: int
    rejected: int
    oos_clarified: int
    top1_correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.in_scope if self.in_scope else 0.0

    @property
    def rejection(self) -> float:
        return self.rejected / self.out_of_scope if self.out_of_scope else 0.0


def score(outcomes: Sequence[Outcome]) -> Scores:
    in_scope = [o for o in outcomes if o.question.expected]
    oos = [o for o in outcomes if not o.question.expected]
    return Scores(
        in_scope=len(in_scope),
        correct=sum(o.answered == o.question.expected for o in in_scope),
        clarified=sum(o.kind == "clarify" for o in in_scope),
        out_of_scope=len(oos),
        rejected=sum(o.kind == "none" for o in oos),
        oos_clarified=sum(o.kind == "clarify" for o in oos),
        top1_correct=sum(o.top1 == o.question.expected for o in in_scope),
    )


Ranker = Callable[[str], np.ndarray]


def baseline_outcomes(
    index: FaqIndex, ranker: Ranker, questions: list[Question], threshold: float
) -> list[Outcome]:
    return outcomes_from(index, {q.text: ranker(q.text) for q in questions}, questions, threshold)


def outcomes_from(
    index: FaqIndex, scores: dict[str, np.ndarray], questions: list[Question], threshold: float
) -> list[Outcome]:
    """The baseline's outcomes from each question's scores, ranked once (``scores``)."""
    outcomes = []
    for q in questions:
        ranked = scores[q.text]
        best = int(ranked.argmax())
        top1 = index.entries[best].id
        answered = top1 if ranked[best] > threshold else None
        outcomes.append(Outcome(q, "answer" if answered else "none", answered, [], top1=top1))
    return outcomes


def tune_threshold(index: FaqIndex, ranker: Ranker, dev: list[Question]) -> float:
    """The rejection threshold that maximises (accuracy + rejection) / 2 on the dev split."""
    scores = {q.text: ranker(q.text) for q in dev}
    candidates = sorted({0.0, *(float(s.max()) for s in scores.values())})
    best, best_value = 0.0, -1.0
    for t in candidates:
        s = score(outcomes_from(index, scores, dev, t))
        value = (s.accuracy + s.rejection) / 2
        if value > best_value:
            best, best_value = t, value
    return best


def source_question_ranker(index: FaqIndex) -> Ranker:
    """Embedding similarity to the source question only, as a stock FAQ matcher would do."""
    encoder = index._encoder
    matrix = encoder.encode([e.question for e in index.entries])
    return lambda text: matrix @ encoder.encode([text])[0]


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    parser.add_argument(
        "--leave-out-batch",
        action="append",
        default=[],
        metavar="BATCH",
        help="leave a batch out, e.g. one whose test half is kept unread for a coming report "
        "(repeatable)",
    )
    parser.add_argument(
        "--batch",
        action="append",
        default=[],
        metavar="BATCH",
        help="run only these batches (repeatable; default: every batch)",
    )
    args = parser.parse_args()

    questions = load_questions()
    chosen = [
        q
        for q in questions
        if (args.split == "all" or q.split == args.split)
        and q.batch not in args.leave_out_batch
        and (not args.batch or q.batch in args.batch)
    ]
    if not chosen:
        print("No question matches the split and batches asked for.", file=sys.stderr)
        return 2
    systems: dict[str, list[Outcome]] = defaultdict(list)
    latencies: list[float] = []
    thresholds: dict[str, dict[str, float]] = {}
    for region in sorted({q.region for q in chosen}):
        region_questions = [q for q in chosen if q.region == region]
        print(f"[{region}] {len(region_questions)} questions through /api/chat …", flush=True)
        stack_outcomes = run_stack(region_questions, region)
        systems["Distansguiden (Rasa + hybrid index)"] += stack_outcomes
        latencies += [o.latency_ms for o in stack_outcomes]

        # Built as the stack's app builds it, with the ranking values tuned for the model.
        answerer = load_answerer(Settings(region=region)).answerer
        index = answerer.index
        ranking = {"weights": asdict(index.weights), "thresholds": asdict(answerer.thresholds)}
        dev = [q for q in questions if q.region == region and q.split == "dev"]
        baselines: dict[str, Ranker] = {
            "embedding only, source questions": source_question_ranker(index),
            "embedding only, questions + alternates": index.embedding_scores,
            "BM25 only, question + alternates + answer": index.bm25_scores,
        }
        thresholds[region] = {}
        for name, ranker in baselines.items():
            threshold = tune_threshold(index, ranker, dev)
            thresholds[region][name] = threshold
            systems[name] += baseline_outcomes(index, ranker, region_questions, threshold)

    print(f"\nSplit: {args.split}. Baseline rejection thresholds tuned on dev.")
    print(f"Ranking values: {ranking}\n")
    header = (
        f"{'system':42} {'right first':>11} {'clarified':>10} {'OOS rejected':>13}"
        f" {'OOS clarified':>14} {'top-1, no rejection':>20}"
    )
    print(header)
    print("-" * len(header))
    report: dict[str, Any] = {
        "split": args.split,
        "systems": {},
        "thresholds": thresholds,
        "ranking_values": ranking,
    }
    for name, outcomes in systems.items():
        s = score(outcomes)
        top1 = f"{s.top1_correct / s.in_scope:.1%}" if s.top1_correct else "–"
        print(
            f"{name:42} {s.accuracy:>11.1%} {s.clarified / max(s.in_scope, 1):>10.1%}"
            f" {s.rejection:>13.1%} {s.oos_clarified / max(s.out_of_scope, 1):>14.1%} {top1:>20}"
        )
        report["systems"][name] = asdict(s) | {"accuracy": s.accuracy, "rejection": s.rejection}
    ours = systems["Distansguiden (Rasa + hybrid index)"]
    s = score(ours)
    print(f"\nIn scope: {s.in_scope} questions; out of scope: {s.out_of_scope}.")
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in ours:
        groups[f"batch {o.question.batch}"].append(o)
        groups[f"language {o.question.lang}"].append(o)
    for group, outcomes in sorted(groups.items()):
        g = score(outcomes)
        print(
            f"  {group:16} right first {g.correct}/{g.in_scope} ({g.accuracy:.1%}),"
            f" OOS rejected {g.rejected}/{g.out_of_scope}"
        )
        report.setdefault("groups", {})[group] = asdict(g) | {"accuracy": g.accuracy}

    print("\nMistakes (expected -> got):")
    confusion = Counter(
        (
            o.question.expected or "(out of scope)",
            o.answered or ("clarify" if o.kind == "clarify" else "no answer"),
        )
        for o in ours
        if o.answered != o.question.expected
        and not (o.question.expected is None and o.kind == "none")
    )
    for (expected, got), count in confusion.most_common():
        print(f"  {count:3}  {expected:22} -> {got}")
    mistakes = [
        {
            "text": o.question.text,
            "expected": o.question.expected,
            "kind": o.kind,
            "answered": o.answered,
            "offered": o.offered,
        }
        for o in ours
        if o.answered != o.question.expected
        and not (o.question.expected is None and o.kind == "none")
    ]

    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(
        f"\nLatency through /api/chat, {len(latencies)} sequential turns: "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, mean {statistics.fmean(latencies):.0f} ms"
    )
    report |= {"latency_ms": {"p50": p50, "p95": p95, "n": len(latencies)}, "mistakes": mistakes}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nReport: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
