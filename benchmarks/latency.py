"""``make bench``: speed and capacity of FAQ turns through ``/api/chat`` on the real stack.

One run, one table (README, "Speed and capacity"):
- sequential: one user, one turn after another, each in a new conversation;
- open loop: new turns at a fixed rate whatever the answers' speed, as many people do;
- closed loop: many sessions at once, each sending its next turn when the last is answered;
- one long conversation: turn 1 against turn 150;
- CPU per turn of each process (from /proc over the sequential phase) and their peak RSS;
- other users' FAQ turns while the mail server or the database hangs (``benchmarks/hang.py``,
  on a stack of its own; ``--only hang`` runs just that, ``--only load`` all but that).

A turn is "limited" when the app answered from the index alone because Rasa did not answer in
time; "shed" counts the 503 refusals with Retry-After (the closed loop's sessions send the turn
again after the wait, so its "answered/s" is the capacity with nobody turned away for good).
The load generator runs on the same machine and takes some of its CPU, so the figures are a
floor for a real server. It uses aiohttp, which costs a third of httpx's CPU per turn here.
"""

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np

from benchmarks.evaluate import Question, load_questions, stack_for
from bot.chat import DEGRADED_NOTE

LIMITED_MARK = DEGRADED_NOTE[:40]
CLIENT_TIMEOUT_SECONDS = 60.0
CORES = len(os.sched_getaffinity(0))


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    limited: int = 0
    shed: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def turns(self) -> int:
        return len(self.latencies_ms) + self.failed

    def row(self) -> str:
        answered = self.latencies_ms or [float("nan")]
        p50, p95 = np.percentile(answered, [50, 95])
        rate = len(self.latencies_ms) / self.seconds if self.seconds else float("nan")
        return (
            f"| {self.name} | {self.turns} | {p50:.0f} | {p95:.0f} | {rate:.1f} | "
            f"{self.limited} | {self.shed} | {self.failed} |"
        )


def load_client(url: str) -> aiohttp.ClientSession:
    """One HTTP client for all simulated users; no pool limit the server does not have."""
    return aiohttp.ClientSession(
        base_url=url,
        timeout=aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_SECONDS),
        connector=aiohttp.TCPConnector(limit=1000),
    )


async def ask(
    client: aiohttp.ClientSession,
    text: str,
    conversation: str,
    phase: Phase,
    user: str | None = None,
) -> float | None:
    """Sends one turn (as the demo ``user``, else the default one); returns the seconds to wait
    when the app shed it (503, Retry-After)."""
    started = time.perf_counter()
    try:
        async with client.post(
            "/api/chat",
            json={"conversation_id": conversation, "message": text},
            headers={"X-Demo-User": user} if user else None,
        ) as response:
            if response.status == 503 and "Retry-After" in response.headers:
                phase.shed += 1
                return float(response.headers["Retry-After"])
            if response.status != 200:
                phase.failed += 1
                return None
            reply = await response.json()
    except (aiohttp.ClientError, TimeoutError):
        phase.failed += 1
        return None
    phase.latencies_ms.append((time.perf_counter() - started) * 1000)
    if any(LIMITED_MARK in m["text"] for m in reply["messages"]):
        phase.limited += 1
    return None


def new_conversation() -> str:
    return f"bench-{uuid.uuid4().hex[:12]}"


async def sequential(client: aiohttp.ClientSession, questions: list[Question], turns: int) -> Phase:
    phase = Phase(f"sequential, {turns} turns")
    started = time.perf_counter()
    for question in itertools.islice(itertools.cycle(questions), turns):
        await ask(client, question.text, new_conversation(), phase)
    phase.seconds = time.perf_counter() - started
    return phase


async def open_loop(
    client: aiohttp.ClientSession, questions: list[Question], rate: float, seconds: float
) -> Phase:
    phase = Phase(f"open loop, {rate:g} new turns/s for {seconds:g} s")
    sample = itertools.cycle(questions)
    started = time.perf_counter()
    async with asyncio.TaskGroup() as turns:
        for n in range(int(rate * seconds)):
            # Each turn at its own time, however late the earlier ones are answered.
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            turns.create_task(ask(client, next(sample).text, new_conversation(), phase))
    phase.seconds = time.perf_counter() - started
    return phase


async def closed_loop(
    client: aiohttp.ClientSession, questions: list[Question], sessions: int, turns: int
) -> Phase:
    phase = Phase(f"closed loop, {sessions} sessions x {turns} turns")

    async def session(offset: int) -> None:
        """Like the widget's user: a shed turn is sent again after its Retry-After."""
        conversation = new_conversation()
        for n in range(turns):
            text = questions[(offset + n) % len(questions)].text
            while (wait := await ask(client, text, conversation, phase)) is not None:
                await asyncio.sleep(wait)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as running:
        for offset in range(sessions):
            running.create_task(session(offset))
    phase.seconds = time.perf_counter() - started
    return phase


# Questions that may start a guided flow (a form that then stays open) are left out of the long
# conversation: it measures a long FAQ conversation, not 140 questions asked inside one form.
PROCESS_WORDS = ("riskbed", "ansök", "boka", "överenskommelse")


async def long_conversation(
    client: aiohttp.ClientSession, questions: list[Question], turns: int
) -> tuple[float, float]:
    """Median latency of the first ten turns and of the last ten in one conversation."""
    phase = Phase("long")
    conversation = new_conversation()
    plain = [q for q in questions if not any(w in q.text.lower() for w in PROCESS_WORDS)]
    for question in itertools.islice(itertools.cycle(plain), turns):
        await ask(client, question.text, conversation, phase)
    return statistics.median(phase.latencies_ms[:10]), statistics.median(phase.latencies_ms[-10:])


async def recovery_seconds(client: aiohttp.ClientSession, question: Question) -> float:
    """Time after a burst until a turn is served normally again (not limited, not shed)."""
    started = time.perf_counter()
    while time.perf_counter() - started < 120:
        probe = Phase("probe")
        await ask(client, question.text, new_conversation(), probe)
        if probe.latencies_ms and not probe.limited:
            return time.perf_counter() - started
        await asyncio.sleep(0.5)
    return float("inf")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> dict[str, float]:
    """This process's CPU seconds, as the load generator's."""
    return {"load generator": time.process_time()}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def load_phases(
    args: argparse.Namespace, questions: list[Question]
) -> tuple[list[Phase], list[str]]:
    """Everything but the hangs, on one stack: the phases for the table and the notes below it."""
    stack = stack_for("vastmanland")
    pids = {name: process.pid for name, process in stack.processes.items()}
    phases: list[Phase] = []
    recoveries: list[str] = []
    try:
        async with load_client(stack.url) as client:
            await sequential(client, questions, 10)  # warm-up, not counted
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            phases.append(await sequential(client, questions, args.turns))
            cpu_per_turn = {
                name: (cpu_seconds(pid) - cpu_before[name]) / args.turns * 1000
                for name, pid in pids.items()
            }
            for rate in args.rates:
                phases.append(await open_loop(client, questions, rate, args.seconds))
                recoveries.append(
                    f"{rate:g}/s: {await recovery_seconds(client, questions[0]):.1f} s"
                )
                await asyncio.sleep(2)
            # Every process's CPU over the closed loop, the load generator's too: it shares the
            # two cores, so what it takes is capacity the server does not get here.
            closed_before = {**{n: cpu_seconds(p) for n, p in pids.items()}, **own_cpu()}
            closed = await closed_loop(client, questions, args.sessions, 3)
            closed_cpu = {
                name: (seconds - closed_before[name]) / closed.turns * 1000
                for name, seconds in {
                    **{n: cpu_seconds(p) for n, p in pids.items()},
                    **own_cpu(),
                }.items()
            }
            phases.append(closed)
            recoveries.append(f"closed loop: {await recovery_seconds(client, questions[0]):.1f} s")
            first, last = await long_conversation(client, questions, args.long)
    finally:
        rss = {name: peak_rss_mb(pid) for name, pid in pids.items()}
        stack.stop()
    return phases, [
        f"One conversation: median of turns 1-10 {first:.0f} ms, of turns "
        f"{args.long - 9}-{args.long} {last:.0f} ms ({last / first:.2f}x).",
        "CPU per sequential turn: "
        + ", ".join(f"{name} {ms:.0f} ms" for name, ms in cpu_per_turn.items())
        + f" (together {sum(cpu_per_turn.values()):.0f} ms).",
        "CPU per closed-loop turn (sheds included): "
        + ", ".join(f"{name} {ms:.0f} ms" for name, ms in closed_cpu.items())
        + f" (together {sum(closed_cpu.values()):.0f} ms of the {CORES} cores' "
        f"{CORES * 1000 * closed.seconds / closed.turns:.0f} ms per turn).",
        "Peak RSS: "
        + ", ".join(f"{name} {mb:.0f} MB" for name, mb in rss.items())
        + f" (together {sum(rss.values()):.0f} MB).",
        "Normal service again after: " + "; ".join(recoveries) + ".",
    ]


async def run(args: argparse.Namespace) -> int:
    questions = [q for q in load_questions() if q.expected and q.region == "vastmanland"]
    phases: list[Phase] = []
    notes: list[str] = []
    if args.only in (None, "load"):
        phases, notes = await load_phases(args, questions)
    if args.only in (None, "hang"):
        # Imported here: benchmarks.hang builds on this module.
        from benchmarks.hang import run_hang

        hang_phases, hang_notes = await run_hang(questions, args.hang_rate, args.hang_seconds)
        phases += hang_phases
        notes += hang_notes
    print("| load | turns | p50 ms | p95 ms | answered/s | limited | shed (503) | failed |")
    print("|---|---|---|---|---|---|---|---|")
    for phase in phases:
        print(phase.row())
    print()
    for note in notes:
        print(note)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200, help="sequential turns")
    parser.add_argument("--rates", type=float, nargs="*", default=[10, 20, 30, 40])
    parser.add_argument("--seconds", type=float, default=20, help="length of each open loop")
    parser.add_argument("--sessions", type=int, default=200, help="closed-loop sessions")
    parser.add_argument("--long", type=int, default=150, help="turns of the long conversation")
    parser.add_argument(
        "--only",
        choices=["load", "hang"],
        help="load: all but the hangs; hang: only other users' FAQ turns while SMTP or the "
        "database hangs (a stack of its own on the local PostgreSQL)",
    )
    parser.add_argument("--hang-rate", type=float, default=10, help="FAQ turns/s during a hang")
    parser.add_argument("--hang-seconds", type=float, default=30, help="length of each hang")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
