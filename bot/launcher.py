"""Starts the two processes of the assistant, Rasa and the app, restarts either when it dies,
and stops both together.

``python -m bot.launcher`` is what ``make run`` calls; the integration tests use ``Stack`` too.
Rasa runs from its own Python 3.10 environment, bound to 127.0.0.1 with only the REST channel
and without ``--enable-api``: the app is its only client.
"""

import argparse
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
import yaml

from bot.identity_seal import CHANNEL_KEY_VARIABLE, IdentitySeal
from bot.settings import PROJECT_ROOT, get_settings, local_mode_refusal, shared_secret

STOP_GRACE_SECONDS = 15
# A process that dies is started again after 1, 2, 4 … at most 30 s; once it has run a minute
# it counts as healthy again and the next restart is quick.
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
HEALTHY_AFTER_SECONDS = 60.0
# A process that has answered once and then stops answering (hung, or stopped by a signal) is
# killed after this many missed checks in a row, and then started again like one that died.
LIVENESS_CHECK_SECONDS = 10.0
LIVENESS_TIMEOUT_SECONDS = 5.0
MISSED_CHECKS_BEFORE_KILL = 3


@dataclass
class Stack:
    app_port: int = 8000
    rasa_port: int = 5005
    run_dir: Path = PROJECT_ROOT / ".run"
    model: Path = PROJECT_ROOT / "models" / "distansguiden.tar.gz"
    rasa_executable: Path = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
    app_host: str = "127.0.0.1"
    # Extra DG_* settings for the app (tests point it at their own cache, region, ...).
    app_env: dict[str, str] = field(default_factory=dict)
    # False: both processes write to this terminal; True: one log file each in run_dir.
    log_to_files: bool = False
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)
    _commands: dict[str, tuple[list[str], dict[str, str]]] = field(default_factory=dict)
    _started_at: dict[str, float] = field(default_factory=dict)
    _restart_delay: dict[str, float] = field(default_factory=dict)
    _restart_due: dict[str, float] = field(default_factory=dict)
    _answered: dict[str, bool] = field(default_factory=dict)
    _missed_checks: dict[str, int] = field(default_factory=dict)
    _checked_at: dict[str, float] = field(default_factory=dict)

    @classmethod
    def isolated(cls, region: str, run_dir: Path) -> "Stack":
        """A stack for ``region`` on free ports, with its own run directory and database."""
        return cls(
            app_port=free_port(),
            rasa_port=free_port(),
            run_dir=run_dir,
            log_to_files=True,
            app_env={
                "DG_REGION": region,
                "DATABASE_URL": f"sqlite:///{run_dir}/app.db",
                # Tests and benchmarks send hundreds of questions as one user in a minute.
                "DG_CHAT_RATE_LIMIT": "1000000",
            },
        )

    @property
    def url(self) -> str:
        return f"http://{self.app_host}:{self.app_port}"

    def start(self, ready_timeout: float = 240.0) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        token = shared_secret(get_settings(), self.run_dir)
        endpoints = self.run_dir / "endpoints.yml"
        rasa_endpoints = self._rasa_endpoints(token)
        endpoints.write_text(yaml.safe_dump(rasa_endpoints, sort_keys=False), encoding="utf-8")
        prepare_sqlite_tracker_store(rasa_endpoints["tracker_store"])
        rasa_env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            # One TensorFlow thread per op: DIET classifies one short message at a time, and
            # TensorFlow's own thread pools only burn CPU that the app and Rasa need (9 % of
            # Rasa's CPU per turn; README, Speed and capacity). A deployment may set more.
            TF_INTER_OP: os.environ.get(TF_INTER_OP, "1"),
            TF_INTRA_OP: os.environ.get(TF_INTRA_OP, "1"),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            # Rasa's only channel, bot/rasa_channel.py, is imported from the project and
            # accepts only messages the app signed with this key.
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p
            ),
            CHANNEL_KEY_VARIABLE: IdentitySeal(token).channel_key,
        }
        self._spawn(
            "rasa",
            [
                str(self.rasa_executable),
                "run",
                "--model",
                str(self.model),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(PROJECT_ROOT / "credentials.yml"),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
            ],
            rasa_env,
        )
        app_env = {
            **os.environ,
            "DG_RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "DG_ACTION_TOKEN": token,
            **self.app_env,
        }
        self._spawn(
            "app",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bot.main:create_app",
                "--factory",
                "--host",
                self.app_host,
                "--port",
                str(self.app_port),
                "--no-access-log",
            ],
            app_env,
        )
        self._wait_until_ready(ready_timeout)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self._logs.values():
            log.close()
        self._logs.clear()

    def keep_running(self) -> list[str]:
        """Starts again, with growing pauses, each process that has died; returns the names
        restarted now. The other process keeps serving meanwhile: the app answers FAQ
        questions while Rasa is down, and Rasa's conversations are in its tracker store."""
        restarted = []
        now = time.monotonic()
        for name, process in list(self.processes.items()):
            if process.poll() is None:
                if now - self._started_at[name] > HEALTHY_AFTER_SECONDS:
                    self._restart_delay.pop(name, None)
                if now - self._checked_at.get(name, 0.0) >= LIVENESS_CHECK_SECONDS:
                    self._checked_at[name] = now
                    self._check_liveness(name, process)
                continue
            if name not in self._restart_due:
                delay = self._restart_delay.get(name, RESTART_FIRST_SECONDS / 2) * 2
                self._restart_delay[name] = min(delay, RESTART_MAX_SECONDS)
                self._restart_due[name] = now + self._restart_delay[name]
                print(
                    f"{name} stannade (kod {process.returncode}); startar om om "
                    f"{self._restart_delay[name]:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
            elif now >= self._restart_due[name]:
                del self._restart_due[name]
                command, env = self._commands[name]
                self._spawn(name, command, env, note=f"restart after exit {process.returncode}")
                restarted.append(name)
        return restarted

    def _check_liveness(self, name: str, process: subprocess.Popen[bytes]) -> None:
        """Kills a process that answered before and has now missed its checks in a row; the
        next round starts it again. One still loading its model is left alone."""
        url = f"http://127.0.0.1:{self.rasa_port}/" if name == "rasa" else f"{self.url}/health/live"
        try:
            answers = httpx.get(url, timeout=LIVENESS_TIMEOUT_SECONDS).status_code < 500
        except httpx.HTTPError:
            answers = False
        if answers:
            self._answered[name] = True
            self._missed_checks[name] = 0
            return
        if not self._answered.get(name):
            return
        self._missed_checks[name] = self._missed_checks.get(name, 0) + 1
        if self._missed_checks[name] >= MISSED_CHECKS_BEFORE_KILL:
            print(f"{name} svarar inte; startas om", file=sys.stderr, flush=True)
            process.kill()
            process.wait()

    def exited(self) -> str | None:
        """The name of a process that has stopped on its own, if any."""
        return next((name for name, p in self.processes.items() if p.poll() is not None), None)

    def _spawn(
        self, name: str, command: list[str], env: dict[str, str], note: str = "start"
    ) -> None:
        self._commands[name] = (command, env)
        output: IO[bytes] | None = None
        if self.log_to_files:
            # Appended, so a restart keeps what led up to it.
            if name not in self._logs:
                self._logs[name] = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115
            output = self._logs[name]
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            output.write(f"\n=== {stamp} {name}: {note} ===\n".encode())
            output.flush()
        self._started_at[name] = time.monotonic()
        self._answered[name] = False
        self._missed_checks[name] = 0
        # Own session: Ctrl-C reaches only the launcher, which stops both in order.
        self.processes[name] = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (name := self.exited()) is not None:
                self.stop()
                raise RuntimeError(
                    f"{name} stopped during start-up (see its log in {self.run_dir})"
                )
            try:
                if httpx.get(f"{self.url}/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1.0)
        self.stop()
        raise RuntimeError(f"the assistant was not ready within {timeout:.0f} s")

    def _rasa_endpoints(self, token: str) -> dict[str, object]:
        settings = get_settings()
        endpoints: dict[str, object] = {
            "action_endpoint": {
                "url": f"http://127.0.0.1:{self.app_port}/internal/rasa/webhook",
                "token": token,
            },
            "tracker_store": tracker_store(settings.rasa_tracker_store_url, self.run_dir),
        }
        if settings.redis_url:
            endpoints["lock_store"] = redis_lock_store(settings.redis_url)
        return endpoints


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Rasa reads these to size TensorFlow's thread pools.
TF_INTER_OP = "TF_INTER_OP_PARALLELISM_THREADS"
TF_INTRA_OP = "TF_INTRA_OP_PARALLELISM_THREADS"
# Rasa's SQL tracker store, with lighter queries (bot/rasa_tracker_store.py).
TRACKER_STORE_TYPE = "bot.rasa_tracker_store.SQLTrackerStoreKnowingWhatIsStored"


def tracker_store(url: str | None, run_dir: Path) -> dict[str, object]:
    """Rasa's SQL tracker store: SQLite in ``run_dir`` by default, or the database ``url`` names."""
    if not url:
        return {
            "type": TRACKER_STORE_TYPE,
            "dialect": "sqlite",
            "db": str(run_dir / "rasa_tracker.db"),
        }
    parts = urlsplit(url)
    dialect = parts.scheme.split("+")[0]
    store: dict[str, object] = {
        "type": TRACKER_STORE_TYPE,
        "dialect": "postgresql" if dialect == "postgres" else dialect,
        "url": parts.hostname or "127.0.0.1",
        "db": parts.path.lstrip("/"),
    }
    if parts.port:
        store["port"] = parts.port
    if parts.username:
        store["username"] = parts.username
    if parts.password:
        store["password"] = parts.password
    return store


def prepare_sqlite_tracker_store(store: object) -> None:
    """Puts Rasa's SQLite tracker store in write-ahead-log mode, which the file keeps: Rasa
    commits twice per turn, and a commit then costs one sync of the log instead of a journal
    file created, synced and deleted. Rasa offers no setting for it."""
    if not isinstance(store, dict) or store.get("dialect") != "sqlite":
        return
    with closing(sqlite3.connect(str(store["db"]))) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def redis_lock_store(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    store: dict[str, object] = {
        "type": "redis",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
    }
    if parts.password:
        store["password"] = parts.password
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description="Start Distansguiden (Rasa + app).")
    parser.add_argument("--port", type=int, default=8000, help="the app's port (default 8000)")
    parser.add_argument("--rasa-port", type=int, default=5005, help="Rasa's port on 127.0.0.1")
    parser.add_argument(
        "--host", default="127.0.0.1", help="the app's address (production mode only: any)"
    )
    args = parser.parse_args()
    if (refusal := local_mode_refusal(get_settings(), args.host)) is not None:
        print(f"Distansguiden startar inte: {refusal}", file=sys.stderr)
        sys.exit(2)
    stack = Stack(app_port=args.port, rasa_port=args.rasa_port, app_host=args.host)

    def stop(signum: int, _frame: object) -> None:
        print("\nStänger av Distansguiden …", flush=True)
        stack.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print("Startar Rasa och appen …", flush=True)
    try:
        stack.start()
    except RuntimeError as error:
        print(f"Distansguiden kunde inte starta: {error}", file=sys.stderr)
        sys.exit(1)
    print(f"\nDistansguiden körs: {stack.url}/   (Ctrl-C stänger av)\n", flush=True)
    while True:
        for name in stack.keep_running():
            print(f"{name} startades om.", file=sys.stderr, flush=True)
        time.sleep(1.0)


if __name__ == "__main__":
    main()
