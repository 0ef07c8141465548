"""``python -m benchmarks.encoder``: the query encoder alone, per backend (DG_EMBEDDING_BACKEND).

For each backend and thread count, in a process of its own so memory is not shared: the time to
encode one question (the dev split's questions one at a time, as a chat turn does; median and
p95 of the wall time and of the process's CPU time, all threads counted), the process's peak RSS
with the encoder loaded and used, and how close its vectors are to torch's (lowest and median
cosine). Answer quality is `make eval`'s to judge (``python -m benchmarks.evaluate --split dev``
with the backend set).
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.evaluate import load_questions
from bot.settings import Settings

BACKENDS = ["torch", "onnx", "onnx-int8"]
WARM_UP = 20


def measure(backend: str, threads: int, vectors_file: Path) -> dict[str, float]:
    """Encode every dev question one at a time with ``backend``; the figures of this process."""
    # The app's other heavy imports, so RSS compares like with like.
    import spacy  # noqa: F401

    from bot.faq.embeddings import load_encoder

    texts = [q.text for q in load_questions() if q.split == "dev"]
    settings = Settings(embedding_backend=backend, encoder_threads=threads)  # type: ignore[arg-type]
    started = time.perf_counter()
    encoder = load_encoder(settings)
    load_seconds = time.perf_counter() - started
    for text in texts[:WARM_UP]:
        encoder.encode([text])
    wall, cpu, vectors = [], [], []
    for text in texts:
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        vectors.append(encoder.encode([text])[0])
        cpu.append((time.process_time() - cpu_start) * 1000)
        wall.append((time.perf_counter() - wall_start) * 1000)
    np.save(vectors_file, np.stack(vectors), allow_pickle=False)
    return {
        "queries": len(texts),
        "load_s": load_seconds,
        "wall_p50_ms": float(np.percentile(wall, 50)),
        "wall_p95_ms": float(np.percentile(wall, 95)),
        "cpu_p50_ms": float(np.percentile(cpu, 50)),
        "cpu_p95_ms": float(np.percentile(cpu, 95)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=BACKENDS)
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument(
        "--one", nargs=3, metavar=("BACKEND", "THREADS", "VECTORS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        backend, threads, vectors_file = args.one
        print(json.dumps(measure(backend, int(threads), Path(vectors_file))))
        return 0

    print(
        "| backend | threads | encode wall p50 / p95 ms | CPU p50 / p95 ms | peak RSS MB "
        "| cosine to torch, lowest / median |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        reference: np.ndarray | None = None
        for backend in ["torch", *[b for b in args.backends if b != "torch"]]:
            for threads in args.threads:
                vectors_file = Path(scratch) / f"{backend}-{threads}.npy"
                run = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks.encoder",
                        "--one",
                        backend,
                        str(threads),
                        str(vectors_file),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                figures = json.loads(run.stdout.strip().splitlines()[-1])
                vectors = np.load(vectors_file, allow_pickle=False)
                if reference is None:
                    reference = vectors
                cosines = (vectors * reference).sum(axis=1)
                if backend not in args.backends:
                    continue
                print(
                    f"| {backend} | {threads} | {figures['wall_p50_ms']:.1f} / "
                    f"{figures['wall_p95_ms']:.1f} | {figures['cpu_p50_ms']:.1f} / "
                    f"{figures['cpu_p95_ms']:.1f} | {figures['peak_rss_mb']:.0f} | "
                    f"{cosines.min():.4f} / {np.median(cosines):.4f} |",
                    flush=True,
                )
    print(f"\n{figures['queries']} dev questions, one at a time, after {WARM_UP} not counted.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
