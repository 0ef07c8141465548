"""Schemathesis against the real app in-process: every operation of the OpenAPI document, as an
employee and as an HR admin, then the stateful links between them (which call uses the id another
returned). No server error other than a documented 503, and no response outside the document.

Bounded for CI: a fixed seed, a fixed number of cases per operation and of stateful steps."""

import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.python import asgi

from bot.main import create_app
from bot.settings import PROJECT_ROOT
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, free_port

EMPLOYEE, HR_ADMIN = "anna.andersson", "hanna.holm"
SEED = 20260601
MAX_EXAMPLES = 25
MAX_STATEFUL_STEPS = 40
STATEFUL = "Stateful tests"


@dataclass
class Run:
    operations: set[str] = field(default_factory=set)
    cases: Counter[str] = field(default_factory=Counter)
    links: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self, user: str) -> str:
        lines = [
            f"{user}: {len(self.operations)} operations, {sum(self.cases.values())} cases "
            f"({', '.join(f'{phase} {n}' for phase, n in self.cases.items())}), "
            f"{self.links} links, {sum(self.failures.values())} failures, {self.seconds:.0f} s"
        ]
        lines += [f"- {key} ({self.failures[key]}×): {text}" for key, text in self.examples.items()]
        lines += [f"- error: {error}" for error in self.errors]
        return "\n".join(lines)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    """The app with a real SQLite database, no Rasa (the chat degrades to FAQ answers), its
    own copy of faq/ (HR's operations write there), and limits high enough not to cut the run
    short."""
    shutil.copytree(PROJECT_ROOT / "faq", tmp_path / "faq")
    settings = make_settings(
        tmp_path,
        f"http://127.0.0.1:{free_port()}",
        faq_dir=tmp_path / "faq",
        chat_rate_limit=1_000_000,
        write_rate_limit=1_000_000,
        outcome_check_seconds=0,
    )
    app = create_app(settings, CharTrigramEncoder())
    yield app
    # Schemathesis started the app's lifespan on its first request; end it with the test.
    asgi.shutdown_lifespans()


def fuzz(app: FastAPI, user: str) -> Run:
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": {"X-Demo-User": user},
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"stateful": {"max-steps": MAX_STATEFUL_STEPS}},
            "checks": {
                "enabled": True,
                # Every operation documents its 503 (database, FAQ index, Rasa for /health).
                "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]},
                # The domain's rules refuse some values the schema allows (a busy time that
                # ends when it starts, a registration dated in the future, a message of only
                # spaces) with a documented 422.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429", "503"]
                },
            },
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    run = Run()
    started = time.monotonic()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted) and event.payload is not None:
            run.links = event.payload.transitions_selected
        elif isinstance(event, events.ScenarioFinished):
            record(run, event)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            run.errors.append(str(getattr(event, "info", event)))
    run.seconds = time.monotonic() - started
    return run


def record(run: Run, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    if recorder.label != STATEFUL:
        run.operations.add(recorder.label)
    run.cases[event.phase.value] += len(recorder.cases)
    for checks in recorder.checks.values():
        for check in checks:
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            key = f"{recorder.label}: {check.name}"
            run.failures[key] += 1
            failure = check.failure_info.failure
            run.examples.setdefault(
                key, f"{failure.title}: {failure.message}\n  {check.failure_info.code_sample}"
            )


@pytest.mark.slow
@pytest.mark.parametrize("user", [EMPLOYEE, HR_ADMIN])
def test_every_response_is_documented_and_none_is_a_server_error(app: FastAPI, user: str) -> None:
    documented = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    run = fuzz(app, user)
    print(f"\n{run.summary(user)}")
    assert not run.errors, run.summary(user)
    assert run.operations == documented, run.summary(user)
    assert run.cases["stateful"] > 0 and run.links > 0, run.summary(user)
    assert not run.failures, run.summary(user)
