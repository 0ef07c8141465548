"""The e-mail outbox against a real local SMTP server, on SQLite and PostgreSQL: each message
sent once, however many drains run; failures retried with backoff; nothing sent for a change
that was rolled back."""

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy import select, update

from bot import outbox
from bot.mail import Mailer
from bot.outbox import Drained, drain, forget_finished, queue_email, retry_delay
from bot.storage.database import Database
from bot.storage.models import OutboxMessage
from tests.conftest import Hanging, Recorder, free_port, postgres_schema, serve
from tests.unit.test_agreement_reminders import SENDER


class Refusing(Recorder):
    """A server that answers every message "451 try again later" until told to accept."""

    def __init__(self) -> None:
        super().__init__()
        self.accepting = False

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        if not self.accepting:
            return "451 Requested action aborted: try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/outbox.db")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One database that two "replicas" open each with their own engine."""
    if request.param == "postgresql":
        with postgres_schema() as database:
            yield database.url
    else:
        url = f"sqlite:///{tmp_path}/shared.db"
        Database(url).migrate()
        yield url


class Clock:
    """Now, as the test moves it; it starts from the real time that queued messages carry."""

    def __init__(self) -> None:
        self.start = self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


def queue(db: Database, count: int = 1, to: str = "maria.berg@example.org") -> None:
    with db.session() as session:
        for n in range(count):
            queue_email(
                session,
                to,
                f"Ärende {n}",
                f"Meddelande {n}",
                reference=f"test:{n}",
                attachment=(f"inbjudan-{n}.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            )


def rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_queued_message_is_sent_once_with_its_attachment(
    db: Database, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    queue(db)
    mailer = Mailer("127.0.0.1", port, SENDER)

    assert drain(db, mailer) == Drained(sent=1)
    assert drain(db, mailer) == Drained()

    [mail] = recorder.messages()
    assert [e.rcpt_tos for e in recorder.envelopes] == [["maria.berg@example.org"]]
    assert mail["Subject"] == "Ärende 0"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "inbjudan-0.ics"
    assert attachment.get_content_type() == "text/calendar"
    [row] = rows(db)
    assert row.sent_at is not None and row.next_attempt_at is None
    assert (row.attempts, row.claimed_until, row.last_error) == (1, None, None)
    # Sent: the content is no longer kept.
    assert (row.body, row.attachment) == ("", None)


def test_a_rolled_back_change_queues_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        queue_email(session, "maria.berg@example.org", "Ärende", "Text", reference="test:1")
        raise RuntimeError("the change it reports failed")

    assert rows(db) == []


def test_two_drains_at_once_send_every_message_exactly_once(
    database_url: str, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    replicas = [Database(database_url), Database(database_url)]
    queue(replicas[0], count=30)
    mailer = Mailer("127.0.0.1", port, SENDER)
    start = threading.Barrier(2)
    results: list[Drained] = []

    def run(replica: Database) -> None:
        start.wait()
        results.append(drain(replica, mailer))

    threads = [threading.Thread(target=run, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    subjects = sorted(str(m["Subject"]) for m in recorder.messages())
    assert subjects == sorted(f"Ärende {n}" for n in range(30))
    assert sum(r.sent for r in results) == 30
    assert all(r.sent > 0 for r in results), "both replicas sent some: they really raced"
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows(replicas[0]))
    for replica in replicas:
        replica.dispose()


def test_retries_wait_longer_each_time_up_to_an_hour() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert retry_delay(8) == retry_delay(20) == timedelta(hours=1)


def test_smtp_down_then_refusing_is_retried_with_backoff_until_delivered(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    port, clock = free_port(), Clock()
    start = clock.start
    mailer = Mailer("127.0.0.1", port, SENDER, timeout_seconds=2)
    queue(db)

    with caplog.at_level(logging.WARNING, logger=outbox.__name__):
        assert drain(db, mailer, clock) == Drained(retrying=1)  # nothing listens
    [row] = rows(db)
    assert (row.attempts, row.sent_at) == (1, None)
    assert row.next_attempt_at == start + timedelta(seconds=30)
    assert row.last_error and "127.0.0.1" in row.last_error
    assert "test:0" in caplog.text and "maria.berg@example.org" not in caplog.text

    clock.now += timedelta(seconds=29)
    assert drain(db, mailer, clock) == Drained(), "not due yet"

    refusing = Refusing()
    controller = serve(refusing, port)
    try:
        clock.now = start + timedelta(seconds=30)
        assert drain(db, mailer, clock) == Drained(retrying=1)  # 451: try again later
        [row] = rows(db)
        assert row.attempts == 2 and "451" in (row.last_error or "")
        assert row.next_attempt_at == clock.now + timedelta(minutes=1)

        refusing.accepting = True
        clock.now += timedelta(minutes=1)
        assert drain(db, mailer, clock) == Drained(sent=1)
    finally:
        controller.stop()
    assert len(refusing.envelopes) == 1
    [row] = rows(db)
    assert (row.attempts, row.sent_at, row.next_attempt_at) == (3, clock.now, None)


def test_a_message_is_given_up_after_the_last_attempt(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    mailer = Mailer("127.0.0.1", free_port(), SENDER, timeout_seconds=2)
    queue(db)
    with db.session() as session:
        session.execute(update(OutboxMessage).values(attempts=outbox.MAX_ATTEMPTS - 1))

    with caplog.at_level(logging.ERROR, logger=outbox.__name__):
        assert drain(db, mailer) == Drained(given_up=1)

    [row] = rows(db)
    assert (row.attempts, row.sent_at, row.next_attempt_at) == (outbox.MAX_ATTEMPTS, None, None)
    assert "given up" in caplog.text and "test:0" in caplog.text
    assert drain(db, mailer) == Drained()


def test_a_message_claimed_by_a_replica_that_died_is_sent_after_its_lease(
    db: Database, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    clock = Clock()
    queue(db)
    with db.session() as session:
        session.execute(
            update(OutboxMessage).values(claimed_until=clock.start + outbox.LEASE, attempts=1)
        )
    mailer = Mailer("127.0.0.1", port, SENDER)

    assert drain(db, mailer, clock) == Drained(), "another replica holds it"
    clock.now = clock.start + outbox.LEASE + timedelta(seconds=1)
    assert drain(db, mailer, clock) == Drained(sent=1)
    assert len(recorder.envelopes) == 1


def test_a_hanging_server_holds_up_only_the_drain(db: Database, hanging_smtp: Hanging) -> None:
    """The drain waits for the greeting that never comes; a change queued meanwhile is stored at
    once and stays queued, claimed by nobody else."""
    mailer = Mailer("127.0.0.1", hanging_smtp.port, SENDER, timeout_seconds=30)
    queue(db)
    draining = threading.Thread(target=drain, args=(db, mailer))
    draining.start()
    assert hanging_smtp.connected.wait(timeout=10)

    queue(db, to="anna.andersson@example.org")

    claimed, waiting = rows(db)
    assert claimed.claimed_until is not None and claimed.sent_at is None
    assert waiting.claimed_until is None and waiting.sent_at is None
    hanging_smtp.close()
    draining.join(timeout=30)
    assert not draining.is_alive()


def test_finished_messages_are_forgotten(db: Database, smtp: tuple[Recorder, int]) -> None:
    _, port = smtp
    queue(db, count=2)
    assert drain(db, Mailer("127.0.0.1", port, SENDER), limit=1) == Drained(sent=1)

    assert forget_finished(db, datetime.now(UTC) + timedelta(days=1)) == 1

    [waiting] = rows(db)
    assert waiting.sent_at is None


def test_a_given_up_message_is_kept_until_hr_has_handled_it(db: Database) -> None:
    queue(db, count=2)
    now = datetime.now(UTC)
    with db.session() as session:
        for message in session.scalars(select(OutboxMessage)):
            message.next_attempt_at, message.given_up_at = None, now
    later = now + timedelta(days=1)

    assert forget_finished(db, later) == 0
    with db.session() as session:
        first = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert first is not None
        first.handled_at = now
    assert forget_finished(db, later) == 1
    assert len(rows(db)) == 1
