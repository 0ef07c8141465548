"""``make bench``: latency of FAQ turns through ``/api/chat`` on the real stack.

Sends 200 questions one after another (the evaluation set's in-scope questions, repeated as
needed, each in a new conversation) after a warm-up, and prints p50, p95 and the mean.
"""

import argparse
import itertools
import sys

import httpx
import numpy as np

from benchmarks.evaluate import ask_stack, load_questions, stack_for


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    questions = [q for q in load_questions() if q.expected and q.region == "vastmanland"]
    stack = stack_for("vastmanland")
    try:
        with httpx.Client(base_url=stack.url, timeout=30) as client:
            for question in questions[:10]:
                ask_stack(client, question)  # warm-up, not counted
            sample = list(itertools.islice(itertools.cycle(questions), args.turns))
            latencies = [ask_stack(client, q).latency_ms for q in sample]
    finally:
        stack.stop()
    p50, p95 = np.percentile(latencies, [50, 95])
    print(
        f"{len(latencies)} sequential FAQ turns through /api/chat: "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, mean {np.mean(latencies):.0f} ms, "
        f"max {max(latencies):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
