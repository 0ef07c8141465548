"""Shared fixtures: isolated settings, a small deterministic encoder, a fake Rasa server, and
the real stack."""

import contextlib
import hashlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from bot.identity_seal import IdentitySeal
from bot.launcher import free_port
from bot.settings import PROJECT_ROOT, Settings, get_settings

DIMENSIONS = 512


@pytest.fixture(scope="session", autouse=True)
def isolated_settings() -> Iterator[None]:
    """Tests see only the settings they set: no DG_* or DATABASE_URL variable from the
    developer's shell (an exported DG_SMTP_HOST would send real mail) and no ``.env``.
    Session-wide, so module- and session-scoped fixtures are isolated too; the stack's child
    processes inherit the cleaned environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("DG_") or name == "DATABASE_URL":
                patch.delenv(name)
        patch.setitem(Settings.model_config, "env_file", None)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """A test that sets variables and reads ``get_settings()`` leaves nothing cached behind."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class CharTrigramEncoder:
    """Hashed character trigrams, normalised: texts sharing words get similar vectors.

    Stands in for the sentence-transformers model where a test is about ranking logic,
    not about the model, so unit tests run in milliseconds.
    """

    name = "test-char-trigrams"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for i in range(len(padded) - 2):
                digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % DIMENSIONS] += 1.0
            norm = np.linalg.norm(vectors[row])
            if norm:
                vectors[row] /= norm
        return vectors


POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_admin(first_statement: str) -> Any:
    """An engine on the local PostgreSQL that has run ``first_statement`` (in autocommit, so it
    may be CREATE DATABASE). Skips, saying why, only when the server cannot be reached."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(
        POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(first_statement))
    except sqlalchemy.exc.OperationalError as error:
        admin.dispose()
        reason = str(error.orig or error).strip().splitlines()[0]
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432: {reason}")
    return admin


@contextlib.contextmanager
def postgres_schema(migrate: bool = True) -> Iterator[Any]:
    """A Database in a private schema of the local PostgreSQL (migrated unless told not to),
    dropped afterwards.

    Skips, saying why, only when the server cannot be reached.
    """
    import sqlalchemy

    from bot.storage.database import Database

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = postgres_admin(f'CREATE SCHEMA "{schema}"')
    # The schema first on the search path: migrations and queries stay out of "public".
    db = Database(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        if migrate:
            db.migrate()
        yield db
    finally:
        db.dispose()
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def encoder() -> CharTrigramEncoder:
    return CharTrigramEncoder()


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet HTTP handler that answers with JSON, for the stand-in servers of the tests."""

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):
            self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def sealed_user(sent: dict[str, Any], secret: str) -> str | None:
    """Who the app said wrote a message it sent Rasa: its seal, opened as the actions open it
    (``secret``: the app's DG_ACTION_TOKEN)."""
    return IdentitySeal(secret).open(sent["metadata"].get("identity"), sent["sender"])


class FakeRasa:
    """A stand-in Rasa REST channel whose behaviour each test sets."""

    def __init__(self) -> None:
        self.reply: list[dict[str, Any]] = [{"recipient_id": "x", "text": "Hej från Rasa"}]
        self.delay_seconds = 0.0
        self.status = 200
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        # What the signed channel's /parse answers ("intent_ranking"); None: 503, as while
        # Rasa loads its model.
        self.ranking: list[dict[str, Any]] | None = None
        self.parsed: list[dict[str, Any]] = []
        fake = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                self._send(200, {"status": "ok"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.endswith("/parse"):
                    fake.parsed.append(json.loads(body))
                    ranking = fake.ranking
                    if ranking is None:
                        self._send(503, {"error": "unavailable"})
                    else:
                        self._send(200, {"intent_ranking": ranking})
                    return
                fake.received.append(json.loads(body))
                fake.headers.append(dict(self.headers))
                time.sleep(fake.delay_seconds)
                self._send(fake.status, fake.reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    yield rasa
    rasa.close()


TEST_SESSION_MAX_EVENTS = 12


def start_stack(region: str, run_dir: Path, app_env: Mapping[str, str] | None = None) -> Any:
    """Both real processes, Rasa and the app, for one region; each with its own database unless
    ``app_env`` (settings for the app, over the isolated stack's) names another."""
    from bot.launcher import Stack

    model = PROJECT_ROOT / "models" / "distansguiden.tar.gz"
    if not model.exists():
        pytest.fail("No trained Rasa model: run the tests through `make test`, which trains it.")
    running = Stack.isolated(region, run_dir)
    # A new Rasa session at nearly every rest point (bot/rasa_sessions.py; the default waits for
    # 100 events): every conversation test then also shows that one never breaks a conversation.
    running.app_env["DG_RASA_SESSION_MAX_EVENTS"] = str(TEST_SESSION_MAX_EVENTS)
    running.app_env.update(app_env or {})
    try:
        running.start(ready_timeout=300)
    except RuntimeError as error:
        logs = "\n".join(tail(run_dir / f"{name}.log") for name in ("rasa", "app"))
        pytest.fail(f"The stack did not start: {error}\n{logs}")
    return running


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The Västmanland stack, started once for the whole session."""
    running = start_stack("vastmanland", tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path.name} missing)"
    return f"--- {path.name} ---\n" + "\n".join(
        path.read_text(errors="replace").splitlines()[-lines:]
    )


def chat_client(stack: Any) -> Callable[..., Any]:
    """``chat("fråga", conversation_id=..., user=...)`` against a running stack."""
    import httpx

    client = httpx.Client(base_url=stack.url, timeout=30)

    def send(
        message: str, conversation_id: str = "test", user: str | None = None
    ) -> httpx.Response:
        headers = {"X-Demo-User": user} if user else {}
        return client.post(
            "/api/chat",
            json={"conversation_id": conversation_id, "message": message},
            headers=headers,
        )

    return send


@pytest.fixture(scope="session")
def chat(stack: Any) -> Callable[..., Any]:
    return chat_client(stack)


def rasa_action_call(
    next_action: str,
    message: dict[str, Any],
    slots: dict[str, Any] | None = None,
    sender_id: str = "s",
) -> dict[str, Any]:
    """The body Rasa 3.6 posts to the action endpoint, with a tracker of no events."""
    return {
        "next_action": next_action,
        "sender_id": sender_id,
        "version": "3.6.21",
        "domain": {"actions": [next_action]},
        "tracker": {
            "sender_id": sender_id,
            "slots": slots or {},
            "latest_message": message,
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


# A real local SMTP server (aiosmtpd) and one that never answers, for the mail tests.


class Recorder:
    """aiosmtpd handler that keeps every accepted envelope."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        parser = BytesParser(policy=default_policy)
        contents = [envelope.content for envelope in self.envelopes]
        assert all(isinstance(content, bytes) for content in contents)
        return [parser.parsebytes(content) for content in contents if isinstance(content, bytes)]


class Hanging:
    """A server that takes connections and never says a word: the SMTP greeting never comes."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.connected = threading.Event()
        threading.Thread(target=self._hold, daemon=True).start()

    def _hold(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)
            self.connected.set()

    def close(self) -> None:
        # Shut down first: close() alone does not wake the thread blocked in accept().
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def hanging_smtp() -> Iterator[Hanging]:
    server = Hanging()
    yield server
    server.close()


def serve(handler: Recorder, port: int) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder, port = Recorder(), free_port()
    controller = serve(recorder, port)
    yield recorder, port
    controller.stop()
