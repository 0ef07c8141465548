"""Engine, sessions and schema migrations for the app's database."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from time import monotonic

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")

# A database that hangs must cost a request seconds, not the whole service: connecting, each
# statement and waiting for a pooled connection all give up after these.
CONNECT_TIMEOUT_SECONDS = 3
STATEMENT_TIMEOUT_SECONDS = 10
POOL_TIMEOUT_SECONDS = 5
# Under a deadline (``answer_within``) a transaction that starts late still gets this long, so a
# slow calendar call before it does not fail a database that answers.
LEAST_WAIT_SECONDS = 0.5

# The chat turn's database work (the actions, recording the turn) must end inside Rasa's timeout,
# so it gives up at a deadline; HR's pages, the API and the jobs keep STATEMENT_TIMEOUT_SECONDS.
_deadline: ContextVar[float | None] = ContextVar("database_deadline", default=None)


@contextmanager
def answer_within(seconds: float) -> Iterator[None]:
    """Every transaction begun inside (in this thread, or a task or thread started from it)
    gives up on a statement or a lock wait at ``seconds`` from now, or LEAST_WAIT_SECONDS after
    it begins if that is later; an outer, earlier deadline stands."""
    outer = _deadline.get()
    token = _deadline.set(min(monotonic() + seconds, outer if outer is not None else float("inf")))
    try:
        yield
    finally:
        _deadline.reset(token)


def time_allowed() -> float | None:
    """Seconds a statement of a transaction, or a call to an outside server, begun now may wait
    under ``answer_within``; None: no deadline, each uses its own timeout."""
    deadline = _deadline.get()
    return None if deadline is None else max(deadline - monotonic(), LEAST_WAIT_SECONDS)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # A pooled server connection may have been closed by the server or the network; a
        # SQLite file's cannot, so it is not pinged before every transaction.
        self.engine: Engine = create_engine(
            url,
            pool_pre_ping=not url.startswith("sqlite"),
            connect_args=_connect_args(url),
            **_pool_args(url),
        )
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "after_begin", _limit_waits)

    def is_reachable(self) -> bool:
        """One round trip; for the health check."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def run_alone(self, job: str) -> Iterator[bool]:
        """True inside when no other process runs ``job`` now: the background jobs of several
        replicas sharing PostgreSQL take turns (an advisory lock held by this connection, freed
        even if the process dies). SQLite serves one machine, where each job runs once anyway."""
        if self.engine.dialect.name != "postgresql":
            yield True
            return
        key = job_lock_key(job)
        with self.engine.connect() as connection:
            acquired = bool(
                connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            )
            connection.commit()
            try:
                yield acquired
            finally:
                if acquired:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back whole on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def job_lock_key(job: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(f"distansguiden:{job}".encode()).digest()[:8], signed=True)


def _connect_args(url: str) -> dict[str, object]:
    if url.startswith("sqlite"):
        # How long a writer waits for another's lock before giving up.
        return {"timeout": STATEMENT_TIMEOUT_SECONDS}
    if url.startswith(("postgresql", "postgres")):
        # Keeps options the URL already gives (e.g. a search_path).
        given = make_url(url).query.get("options") or ""
        given = given if isinstance(given, str) else " ".join(given)
        options = f"{given} -c statement_timeout={STATEMENT_TIMEOUT_SECONDS * 1000}".strip()
        return {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": options,
            # A server that stops answering mid-statement (network gone) is noticed by the
            # kernel's keepalive instead of never.
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": STATEMENT_TIMEOUT_SECONDS * 1000,
        }
    return {}


def _pool_args(url: str) -> dict[str, object]:
    return {} if url.startswith("sqlite") else {"pool_timeout": POOL_TIMEOUT_SECONDS}


def _limit_waits(
    _session: Session, _transaction: SessionTransaction, connection: Connection
) -> None:
    """The deadline of ``answer_within`` for this transaction: on PostgreSQL its statement and
    lock timeouts (SET LOCAL, gone at its end); on SQLite the connection's busy timeout, put
    back once a transaction without a deadline uses the connection."""
    wait = time_allowed()
    if connection.dialect.name == "postgresql":
        if wait is not None:
            milliseconds = str(int(wait * 1000))
            connection.execute(
                text(
                    "SELECT set_config('statement_timeout', :ms, true), "
                    "set_config('lock_timeout', :ms, true)"
                ),
                {"ms": milliseconds},
            )
    elif connection.dialect.name == "sqlite":
        busy = int((wait if wait is not None else STATEMENT_TIMEOUT_SECONDS) * 1000)
        if connection.info.get("busy_timeout_ms", STATEMENT_TIMEOUT_SECONDS * 1000) != busy:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {busy}")
            connection.info["busy_timeout_ms"] = busy


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging: readers don't wait for a writer, and a commit costs one sync of the
    # log instead of a journal file created, synced and deleted (0.2 ms of wall time against
    # 0.8 ms here). Every commit is still synced, so nothing confirmed is lost.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
