"""Other users' FAQ turns while the mail server or the database hangs for 30 s (#19): the last
phases of ``make bench``; alone, ``python -m benchmarks.latency --only hang``.

One Rasa + app stack on the local PostgreSQL (a private schema in database ``test``, dropped
afterwards), its e-mail pointed at a server in this process that never answers:

- **SMTP hangs.** The server accepts the connection and says nothing, not even its greeting, so
  ``smtplib`` waits out ``DG_SMTP_TIMEOUT_SECONDS`` (60 here, longer than the phase). One user
  books a risk-assessment dialogue in chat, which queues its invitations in the outbox; the
  app's drain (every second here) connects and waits, while other users ask FAQ questions at a
  steady rate. At the end the server hangs up.
- **The database hangs.** A session of this process holds ACCESS EXCLUSIVE locks on the tables
  a chat turn writes (the FAQ usage counts, HR's review queue, the notices) and on the outbox,
  so every statement that touches them waits, until the chat path gives up (2 s for recording a
  turn, half of Rasa's timeout for an action: ``answer_within`` in bot/storage/database.py) or
  the end of the phase. Another user confirms a booking meanwhile: its transaction stores the
  dialogue, waits for its notices and e-mail, and is rolled back; the booker is told so within
  Rasa's turn. Other users ask FAQ questions as above.
  After the lock is gone the booker says yes once more, and the database is checked: every
  stored dialogue has its notices and invitations, no invitation points to a dialogue that is
  not stored, and each booker has a dialogue stored exactly when the last reply said "bokat".

The FAQ questions are the other phases', less those that may start a guided flow; each turn
opens a new conversation, asked by one of the demo users who are not booking.
"""

import asyncio
import contextlib
import itertools
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date

import aiohttp
import sqlalchemy
from sqlalchemy import func, select, text

from benchmarks.evaluate import Question
from benchmarks.latency import (
    LIMITED_MARK,
    PROCESS_WORDS,
    Phase,
    ask,
    load_client,
    new_conversation,
)
from bot.launcher import Stack
from bot.outbox import EMAIL
from bot.risk_assessments.scheduling import WorkingHours, working_day
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import NoticeKind, Notification, OutboxMessage, RiskAssessment

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The most the app allows per SMTP step: longer than the phase, so the drain waits throughout.
SMTP_TIMEOUT_SECONDS = 60
# What a chat turn writes (bot/hr/recording.py, bot/notifications.py), and the e-mail a booking
# queues. The dialogues' own table stays open, so a booking gets halfway before it waits.
LOCKED_TABLES = ("faq_usage_events", "review_items", "notifications", "outbox")
# Employees whose dialogues fall on different days (they share a safety representative).
SMTP_BOOKER = "anna.andersson"
DATABASE_BOOKER = "erik.ek"
ASKERS = ("maria.berg", "johan.lind", "hanna.holm", "henrik.hall", "sven.skog", "sara.strand")
BOOKED = "Mötet är bokat"
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


class StallingSmtp:
    """A mail server that takes every connection and never answers, not even with a greeting."""

    def __init__(self) -> None:
        self.connections = 0
        self.first_connected: float | None = None
        self._server: asyncio.Server | None = None
        self._open: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._stall, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _stall(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.first_connected = self.first_connected or time.perf_counter()
        self._open.append(writer)
        await reader.read()  # until the client gives up: it waits for the greeting

    async def hang_up(self) -> float:
        """Stops listening and drops every connection; returns how long the first was held."""
        held = time.perf_counter() - self.first_connected if self.first_connected else 0.0
        if self._server is not None:
            self._server.close()
        for writer in self._open:
            writer.close()
        self._open.clear()
        return held


@contextlib.contextmanager
def private_schema() -> Iterator[tuple[str, str]]:
    """A new schema in the local PostgreSQL and the app's DATABASE_URL for it; dropped after."""
    schema = f"bench_hang_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(
        POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema, f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextlib.asynccontextmanager
async def tables_locked(schema: str) -> AsyncIterator[None]:
    """Another session holds ACCESS EXCLUSIVE locks on LOCKED_TABLES (reads wait too)."""
    engine = sqlalchemy.create_engine(POSTGRES_URL)
    connection = await asyncio.to_thread(engine.connect)
    tables = ", ".join(f'"{schema}".{table}' for table in LOCKED_TABLES)
    try:
        await asyncio.to_thread(connection.execute, text("SET lock_timeout = '10s'"))
        await asyncio.to_thread(
            connection.execute, text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        )
        yield
    finally:
        await asyncio.to_thread(connection.rollback)
        await asyncio.to_thread(connection.close)
        engine.dispose()


@dataclass
class Booker:
    """An employee booking a dialogue in chat, as a person types it."""

    user: str
    day: date
    hour: int
    conversation: str = field(default_factory=new_conversation)
    last_reply: str = ""

    async def say(self, client: aiohttp.ClientSession, message: str) -> float:
        """Sends one turn; returns its milliseconds and keeps the reply's text."""
        started = time.perf_counter()
        try:
            async with client.post(
                "/api/chat",
                json={"conversation_id": self.conversation, "message": message},
                headers={"X-Demo-User": self.user},
            ) as response:
                if response.status != 200:
                    self.last_reply = f"HTTP {response.status}"
                else:
                    reply = await response.json()
                    self.last_reply = " ".join(m["text"] for m in reply["messages"])
        except (aiohttp.ClientError, TimeoutError) as error:
            self.last_reply = f"no answer ({type(error).__name__})"
        return (time.perf_counter() - started) * 1000

    async def fill_form(self, client: aiohttp.ClientSession) -> None:
        """Up to the summary: what is left is the yes."""
        when = f"{WEEKDAYS[self.day.weekday()]} {self.day.day} {MONTHS[self.day.month - 1]}"
        for message in ("boka riskbedömning", f"{when} kl {self.hour}", "Teams"):
            await self.say(client, message)

    @property
    def told_booked(self) -> bool:
        return BOOKED in self.last_reply

    def outcome(self) -> str:
        if self.told_booked:
            return "told it is booked"
        if LIMITED_MARK in self.last_reply:
            return "answered in limited mode, from the FAQ index alone"
        return f"told {self.last_reply[:100]!r}"


async def steady_faq(
    client: aiohttp.ClientSession, questions: list[Question], rate: float, seconds: float, name: str
) -> Phase:
    """New FAQ turns at ``rate`` a second, each at its time however late the earlier are."""
    phase = Phase(name)
    texts = itertools.cycle(q.text for q in questions)
    askers = itertools.cycle(ASKERS)
    started = time.perf_counter()
    async with asyncio.TaskGroup() as turns:
        for n in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            turns.create_task(ask(client, next(texts), new_conversation(), phase, next(askers)))
    phase.seconds = time.perf_counter() - started
    return phase


def stored_whole(db: Database, bookers: list[Booker]) -> str:
    """What is stored, and anything stored only in part: a dialogue without its notices or
    invitations, an invitation without its dialogue, or a booker whose last reply disagrees
    with what is stored."""
    with db.session() as session:
        dialogues = list(session.scalars(select(RiskAssessment)))
        invitations = Counter(
            session.scalars(select(OutboxMessage.reference).where(OutboxMessage.kind == EMAIL))
        )
        notices = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == NoticeKind.RISK_ASSESSMENT_BOOKED)
        )
    sent = sum(n for ref, n in invitations.items() if ref.startswith("risk_assessment:"))
    problems = []
    expected_notices = 0
    for dialogue in dialogues:
        if not invitations.pop(f"risk_assessment:{dialogue.id}", 0):
            problems.append(f"dialogue {dialogue.id} is stored without its invitations")
        # Booked by the employee: the manager and the safety representative are told.
        expected_notices += len({dialogue.manager_id, dialogue.safety_representative_id} - {None})
    problems += [
        f"{count} invitations for {reference}, which is not stored"
        for reference, count in invitations.items()
        if reference.startswith("risk_assessment:")
    ]
    if notices != expected_notices:
        problems.append(f"{notices} booking notices stored for {expected_notices} expected")
    stored = Counter(dialogue.employee_id for dialogue in dialogues)
    problems += [
        f"{b.user}: {stored[b.user]} dialogues stored, and the last reply was {b.outcome()}"
        for b in bookers
        if stored[b.user] != int(b.told_booked)
    ]
    found = f"{len(dialogues)} dialogues stored with {sent} invitations and {notices} notices"
    return f"{found}, nothing half-written" if not problems else f"{found}; " + "; ".join(problems)


async def smtp_hangs(
    client: aiohttp.ClientSession,
    smtp: StallingSmtp,
    questions: list[Question],
    rate: float,
    seconds: float,
) -> tuple[Phase, str, Booker]:
    booker = Booker(SMTP_BOOKER, working_day(date.today(), 5, WorkingHours()), 10)
    await booker.fill_form(client)
    name = f"SMTP hangs {seconds:g} s: other users' FAQ turns, {rate:g}/s"
    load = asyncio.create_task(steady_faq(client, questions, rate, seconds, name))
    await asyncio.sleep(1)
    confirmed_ms = await booker.say(client, "ja boka")
    phase = await load
    held = await smtp.hang_up()
    return (
        phase,
        f"SMTP: the booking's yes took {confirmed_ms:.0f} ms, and the booker was "
        f"{booker.outcome()}; the outbox's drain held {smtp.connections} connection(s) to the "
        f"silent server, the first for {held:.0f} s.",
        booker,
    )


async def database_hangs(
    client: aiohttp.ClientSession,
    schema: str,
    questions: list[Question],
    rate: float,
    seconds: float,
) -> tuple[Phase, str, Booker]:
    booker = Booker(DATABASE_BOOKER, working_day(date.today(), 6, WorkingHours()), 14)
    await booker.fill_form(client)
    name = f"database hangs {seconds:g} s: other users' FAQ turns, {rate:g}/s"
    async with tables_locked(schema):
        load = asyncio.create_task(steady_faq(client, questions, rate, seconds, name))
        await asyncio.sleep(1)
        during_ms = await booker.say(client, "ja boka")
        during = booker.outcome()
        phase = await load
    # The form kept its answers: once the lock is gone the booker says yes again.
    again_ms = await booker.say(client, "ja boka")
    return (
        phase,
        f"Database: the booking's yes during the lock took {during_ms:.0f} ms ({during}); "
        f"after it, the yes again took {again_ms:.0f} ms ({booker.outcome()}).",
        booker,
    )


async def run_hang(
    questions: list[Question], rate: float, seconds: float
) -> tuple[list[Phase], list[str]]:
    """Both phases on a stack of their own; the phases for the table and a note on each."""
    plain = [q for q in questions if not any(w in q.text.lower() for w in PROCESS_WORDS)]
    smtp = StallingSmtp()
    port = await smtp.start()
    with private_schema() as (schema, url):
        stack = Stack.isolated("vastmanland", PROJECT_ROOT / ".run" / "bench-hang")
        stack.app_env.update(
            {
                "DATABASE_URL": url,
                "DG_SMTP_HOST": "127.0.0.1",
                "DG_SMTP_PORT": str(port),
                "DG_SMTP_SENDER": "distansguiden@example.org",
                "DG_SMTP_TIMEOUT_SECONDS": str(SMTP_TIMEOUT_SECONDS),
                "DG_OUTBOX_POLL_SECONDS": "1",
            }
        )
        db = Database(url)
        try:
            await asyncio.to_thread(stack.start, 300)
            async with load_client(stack.url) as client:
                warm_up = Phase("warm-up")
                for question in plain[:10]:
                    await ask(client, question.text, new_conversation(), warm_up)
                smtp_phase, smtp_note, first = await smtp_hangs(client, smtp, plain, rate, seconds)
                db_phase, db_note, second = await database_hangs(
                    client, schema, plain, rate, seconds
                )
            stored = await asyncio.to_thread(stored_whole, db, [first, second])
        finally:
            db.dispose()
            stack.stop()
            await smtp.hang_up()
    return [smtp_phase, db_phase], [smtp_note, f"{db_note} Afterwards: {stored}."]
