"""Tunes the fusion weights and the answer/clarify thresholds on the dev split only.

Gets Rasa's intent ranking for each dev question from the trained model, computes the index's
embedding and lexical scores in-process, and searches a grid for the settings that make the
fewest confident mistakes. Prints the chosen values for ``Weights`` and ``Thresholds``; the test
split is never read.

    .venv/bin/python -m benchmarks.tune
"""

import itertools
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actions.faq import OUT_OF_SCOPE_INTENT, intent_confidence, topic_confidence
from benchmarks.evaluate import Question, load_questions
from bot.faq.answering import Thresholds, decide
from bot.faq.index import Hit, Weights, fuse
from bot.faq.loader import load_answerer
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
    entry_ids: list[str]
    embedding: np.ndarray
    lexical: np.ndarray
    topics: np.ndarray
    out_of_scope: float


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


def prepare(dev: list[Question]) -> list[Prepared]:
    rankings = intent_rankings([q.text for q in dev])
    prepared = []
    for region in sorted({q.region for q in dev}):
        index = load_answerer(Settings(region=region)).answerer.index
        for q in (q for q in dev if q.region == region):
            ranking = rankings[q.text]
            confidence = topic_confidence(ranking)
            prepared.append(
                Prepared(
                    q,
                    [e.id for e in index.entries],
                    index.embedding_scores(q.text),
                    index.lexical_scores(q.text),
                    np.array(
                        [confidence.get(e.topic, 0.0) for e in index.entries], dtype=np.float32
                    ),
                    intent_confidence(ranking, OUT_OF_SCOPE_INTENT),
                )
            )
    return prepared


def outcome(p: Prepared, weights: Weights, thresholds: Thresholds) -> tuple[str, str]:
    fused = fuse(p.embedding, p.lexical, p.topics, weights)
    order = np.argsort(-fused)[:2]
    hits = [Hit(None, float(fused[i]), 0.0, 0.0) for i in order]  # type: ignore[arg-type]
    decision = decide(hits, thresholds, p.out_of_scope)
    ids = [p.entry_ids[i] for i in order]
    if p.question.expected is None:
        return "out", {"answer": "answer", "clarify": "clarify", "unknown": "none"}[decision]
    if decision == "answer":
        return "in", "right" if ids[0] == p.question.expected else "wrong"
    if decision == "clarify":
        return "in", "clarify_right" if p.question.expected in ids else "clarify_wrong"
    return "in", "none"


def main() -> int:
    dev = [q for q in load_questions() if q.split == "dev"]
    print(f"Preparing {len(dev)} dev questions …", flush=True)
    prepared = prepare(dev)
    best: tuple[float, Weights, Thresholds] | None = None
    grid = itertools.product(
        [0.3, 0.4, 0.5, 0.6, 0.7, 0.8],  # embedding weight (lexical = 1 - it)
        [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],  # topic weight
        np.arange(0.30, 0.90, 0.02),  # answer threshold
        [0.04, 0.08, 0.12],  # how far below the answer threshold a clarification may go
        [0.02, 0.04, 0.06, 0.08],  # margin
        [0.0, 0.1, 0.2, 0.3],  # out-of-scope raise
    )
    for w_embedding, w_topic, answer, clarify_gap, margin, raise_by in grid:
        weights = Weights(embedding=w_embedding, lexical=round(1 - w_embedding, 2), topic=w_topic)
        thresholds = Thresholds(
            answer=round(float(answer), 2),
            clarify=round(float(answer) - clarify_gap, 2),
            margin=margin,
            out_of_scope_raise=raise_by,
        )
        value = sum(VALUE[outcome(p, weights, thresholds)] for p in prepared)
        if best is None or value > best[0]:
            best = (value, weights, thresholds)
    assert best is not None
    value, weights, thresholds = best
    counts: dict[tuple[str, str], int] = {}
    for p in prepared:
        key = outcome(p, weights, thresholds)
        counts[key] = counts.get(key, 0) + 1
    in_scope = sum(v for (kind, _), v in counts.items() if kind == "in")
    out = sum(v for (kind, _), v in counts.items() if kind == "out")
    print(f"Best on dev (value {value:.1f}): {weights} {thresholds}")
    clarified = counts.get(("in", "clarify_right"), 0) + counts.get(("in", "clarify_wrong"), 0)
    print(
        f"  right first {counts.get(('in', 'right'), 0) / in_scope:.1%}, "
        f"clarified {clarified / in_scope:.1%}, "
        f"wrong {counts.get(('in', 'wrong'), 0) / in_scope:.1%}, "
        f"out of scope rejected {counts.get(('out', 'none'), 0) / max(out, 1):.1%}"
    )
    for p in prepared:
        kind, result = outcome(p, weights, thresholds)
        if result not in ("right", "none") or (kind == "in" and result == "none"):
            print(f"  {result:14} expected {p.question.expected or '-':20} {p.question.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
