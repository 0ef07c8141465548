"""The daily job, with a frozen "today", a real SQLite database and a real local SMTP server."""

import logging
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import outbox
from bot.agreements import lifecycle
from bot.agreements.lifecycle import DailyResult, run_daily
from bot.identity import Directory, User, demo_directory
from bot.jobs import daily
from bot.mail import Mailer, mailer_from_settings
from bot.outbox import Drained, drain
from bot.regions import Region, load_region
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.database import Database
from bot.storage.models import Agreement, AgreementEvent, Notification
from tests.conftest import Recorder, free_port, postgres_schema
from tests.unit.test_agreement_document import make_agreement

TODAY = date(2026, 3, 2)
SENDER = "distansguiden@region.example"


@pytest.fixture
def region() -> Region:
    region = load_region(PROJECT_ROOT / "regions", "vastmanland")
    policy = region.agreement.model_copy(update={"reminder_days_before_expiry": 30})
    return region.model_copy(update={"agreement": policy})


numbers = count(1)


def add(db: Database, **overrides: Any) -> int:
    n = next(numbers)
    values: dict[str, Any] = {"reference": f"DA-2026-{n:05d}", "submission_key": f"key-{n}"}
    values.update(overrides)
    with db.session() as session:
        agreement = make_agreement(**values)
        session.add(agreement)
        session.flush()
        return agreement.id


def load(db: Database, agreement_id: int) -> Agreement:
    with db.session() as session:
        agreement = session.get(Agreement, agreement_id)
        assert agreement is not None
        return agreement


def notifications(db: Database) -> list[Notification]:
    with db.session() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def actions(db: Database, agreement_id: int) -> list[tuple[str, str]]:
    with db.session() as session:
        events = session.scalars(
            select(AgreementEvent)
            .where(AgreementEvent.agreement_id == agreement_id)
            .order_by(AgreementEvent.id)
        )
        return [(event.actor_id, event.action) for event in events]


def test_a_manager_is_reminded_once_by_chat_and_email(
    db: Database, region: Region, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    mailer = Mailer("127.0.0.1", port, SENDER)
    agreement_id = add(db, end_date=TODAY + timedelta(days=20))

    result = run_daily(db, region, demo_directory(), TODAY, by_email=True)
    mailed = drain(db, mailer)

    assert result == DailyResult(expiring=1, reminders=1, emails_queued=1)
    assert mailed == Drained(sent=1)
    agreement = load(db, agreement_id)
    assert agreement.status == "expiring"
    assert agreement.reminded_at is not None
    assert actions(db, agreement_id) == [("system", "expiring"), ("system", "reminder_sent")]
    [notification] = notifications(db)
    assert notification.recipient_id == "maria.berg"
    assert notification.agreement_id == agreement_id
    for expected in ["Anna Andersson", agreement.reference, "2026-03-22", "uppföljningssamtal"]:
        assert expected in notification.text
    assert [envelope.rcpt_tos for envelope in recorder.envelopes] == [["maria.berg@example.org"]]
    assert recorder.envelopes[0].mail_from == SENDER
    [mail] = recorder.messages()
    assert agreement.reference in mail["Subject"]
    body = mail.get_body()
    assert body is not None
    content = body.get_content()
    assert "Hej Maria Berg!" in content
    assert "Anna Andersson" in content
    assert "förnyas" in content

    again = run_daily(db, region, demo_directory(), TODAY, by_email=True)
    next_day = run_daily(db, region, demo_directory(), TODAY + timedelta(days=1), by_email=True)

    assert again == next_day == DailyResult()
    assert drain(db, mailer) == Drained()
    assert len(notifications(db)) == 1
    assert len(recorder.envelopes) == 1


@pytest.mark.parametrize(("days_left", "status"), [(30, "expiring"), (31, "active")])
def test_the_reminder_window_is_the_regions(
    db: Database, region: Region, days_left: int, status: str
) -> None:
    agreement_id = add(db, end_date=TODAY + timedelta(days=days_left))

    run_daily(db, region, demo_directory(), TODAY)

    assert load(db, agreement_id).status == status
    assert len(notifications(db)) == (1 if status == "expiring" else 0)


def test_an_agreement_outside_the_window_is_untouched(db: Database, region: Region) -> None:
    agreement_id = add(db, end_date=TODAY + timedelta(days=45))

    result = run_daily(db, region, demo_directory(), TODAY)

    assert result == DailyResult()
    agreement = load(db, agreement_id)
    assert (agreement.status, agreement.reminded_at) == ("active", None)
    assert actions(db, agreement_id) == []
    assert notifications(db) == []


def test_an_approved_agreement_starts_on_its_start_date(db: Database, region: Region) -> None:
    starts_today = add(db, status="approved", start_date=TODAY)
    starts_tomorrow = add(db, status="approved", start_date=TODAY + timedelta(days=1))

    result = run_daily(db, region, demo_directory(), TODAY)

    assert result == DailyResult(activated=1)
    assert load(db, starts_today).status == "active"
    assert actions(db, starts_today) == [("system", "activated")]
    assert load(db, starts_tomorrow).status == "approved"


def test_agreements_past_their_end_expire(db: Database, region: Region) -> None:
    ended_active = add(db, end_date=TODAY - timedelta(days=1))
    ended_expiring = add(db, end_date=TODAY - timedelta(days=3), status="expiring")
    ends_today = add(db, end_date=TODAY, status="expiring", reminded_at=None)
    undecided = add(db, end_date=TODAY - timedelta(days=1), status="submitted")

    result = run_daily(db, region, demo_directory(), TODAY)

    assert result == DailyResult(expired=2, reminders=1)
    assert load(db, ended_active).status == "expired"
    assert load(db, ended_expiring).status == "expired"
    assert actions(db, ended_active) == [("system", "expired")]
    assert load(db, ends_today).status == "expiring"
    assert load(db, undecided).status == "submitted"


def test_other_regions_agreements_are_left_to_their_own_job(db: Database, region: Region) -> None:
    elsewhere = add(db, region="vasternorrland", end_date=TODAY - timedelta(days=1))

    run_daily(db, region, demo_directory(), TODAY)

    assert load(db, elsewhere).status == "active"


def test_smtp_down_does_not_stop_the_job(
    db: Database, region: Region, caplog: pytest.LogCaptureFixture
) -> None:
    mailer = Mailer("127.0.0.1", free_port(), SENDER, timeout_seconds=2)  # nothing listens
    first = add(db, end_date=TODAY + timedelta(days=20))
    second = add(db, end_date=TODAY + timedelta(days=25))

    result = run_daily(db, region, demo_directory(), TODAY, by_email=True)
    with caplog.at_level(logging.WARNING, logger=outbox.__name__):
        mailed = drain(db, mailer)

    assert result == DailyResult(expiring=2, reminders=2, emails_queued=2)
    # The chat notices are stored; the e-mail waits in the outbox for the server to come back.
    assert mailed == Drained(retrying=2)
    assert [n.agreement_id for n in notifications(db)] == [first, second]
    assert load(db, first).status == load(db, second).status == "expiring"
    assert f"agreement:{load(db, first).reference}" in caplog.text


def test_a_failing_agreement_is_rolled_back_alone(
    db: Database, region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = add(db, end_date=TODAY + timedelta(days=10))
    fine = add(db, end_date=TODAY + timedelta(days=20))
    original = lifecycle.reminder_text

    def failing_for_broken(agreement: Agreement, employee_name: str) -> str:
        if agreement.id == broken:
            raise RuntimeError("simulated failure")
        return original(agreement, employee_name)

    monkeypatch.setattr(lifecycle, "reminder_text", failing_for_broken)

    result = run_daily(db, region, demo_directory(), TODAY)

    assert result == DailyResult(expiring=1, reminders=1, errors=1)
    assert (load(db, broken).status, actions(db, broken)) == ("active", [])
    assert load(db, fine).status == "expiring"
    assert [n.agreement_id for n in notifications(db)] == [fine]


def test_a_manager_without_email_is_reminded_in_chat(
    db: Database, region: Region, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    directory = Directory(
        [
            User(
                id="anna.andersson", name="Anna Andersson", role="employee", unit="Ekonomienheten"
            ),
            User(id="maria.berg", name="Maria Berg", role="manager", unit="Ekonomienheten"),
        ]
    )
    add(db, end_date=TODAY + timedelta(days=20))

    result = run_daily(db, region, directory, TODAY, by_email=True)

    assert result == DailyResult(expiring=1, reminders=1)
    assert drain(db, Mailer("127.0.0.1", port, SENDER)) == Drained()
    assert len(notifications(db)) == 1
    assert recorder.envelopes == []


def settings_from(variables: dict[str, str]) -> Settings:
    """Settings read from exactly these environment variables."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in variables.items():
            patch.setenv(name, value)
        return Settings()


def test_smtp_settings_come_from_the_environment() -> None:
    assert mailer_from_settings(Settings()) is None
    mailer = mailer_from_settings(
        settings_from(
            {
                "DG_SMTP_HOST": "smtp.region.example",
                "DG_SMTP_SENDER": SENDER,
                "DG_SMTP_USERNAME": "dg",
                "DG_SMTP_PASSWORD": "hemligt",
                "DG_SMTP_STARTTLS": "true",
                "DG_SMTP_TIMEOUT_SECONDS": "3",
            },
        )
    )
    assert mailer is not None
    assert (mailer.host, mailer.port, mailer.starttls, mailer.username) == (
        "smtp.region.example",
        25,
        True,
        "dg",
    )
    assert mailer.timeout_seconds == 3
    assert Settings().outbox_poll_seconds == 5
    assert settings_from({"DG_OUTBOX_POLL_SECONDS": "0"}).outbox_poll_seconds == 0
    with pytest.raises(ValueError, match="DG_SMTP_SENDER"):
        settings_from({"DG_SMTP_HOST": "smtp.region.example"})
    with pytest.raises(ValueError, match="DG_SMTP_PORT"):
        settings_from({"DG_SMTP_HOST": "h", "DG_SMTP_SENDER": SENDER, "DG_SMTP_PORT": "x"})


def configure_the_command(
    monkeypatch: pytest.MonkeyPatch, database_url: str, smtp_port: int, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, value in {
        "DG_DATABASE_URL": database_url,
        "DG_REGION": "vastmanland",
        "DG_SMTP_HOST": "127.0.0.1",
        "DG_SMTP_PORT": str(smtp_port),
        "DG_SMTP_SENDER": SENDER,
        # Not the developer's own Rasa conversations in .run/: the job purges old ones.
        "DG_RASA_TRACKER_STORE_URL": f"sqlite:///{tmp_path}/tracker.db",
    }.items():
        monkeypatch.setenv(name, value)


def test_the_command_runs_the_job_from_settings(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    smtp: tuple[Recorder, int],
) -> None:
    recorder, port = smtp
    url = f"sqlite:///{tmp_path}/cli.db"
    database = Database(url)
    database.migrate()
    add(database, end_date=TODAY + timedelta(days=20))
    add(database, status="approved", start_date=TODAY, end_date=TODAY + timedelta(days=200))
    database.dispose()
    configure_the_command(monkeypatch, url, port, tmp_path)
    status = daily.main(["--today", TODAY.isoformat()])

    assert status == 0
    out = capsys.readouterr().out
    assert "Daglig körning 2026-03-02: 1 aktiverade, 1 löper snart ut" in out
    assert "1 påminnelser till chef, 1 e-post att skicka" in out
    assert "E-post: 1 skickade, 0 väntar på ett nytt försök, 0 gav upp." in out
    assert len(recorder.envelopes) == 1


def test_the_command_does_nothing_while_another_replica_runs_the_day(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    smtp: tuple[Recorder, int],
) -> None:
    """Cron on every replica's host: the second run of the day sends no reminder twice."""
    recorder, port = smtp
    with postgres_schema() as database:
        add(database, end_date=TODAY + timedelta(days=20))
        configure_the_command(monkeypatch, database.url, port, tmp_path)
        other_replica = Database(database.url)
        with other_replica.run_alone("daily-job") as running_there:
            assert running_there
            assert daily.main(["--today", TODAY.isoformat()]) == 0
            assert daily.ALREADY_RUNNING_TEXT in capsys.readouterr().out
            assert recorder.envelopes == []
            with database.session() as session:
                assert session.scalars(select(Notification)).all() == []
        other_replica.dispose()

        assert daily.main(["--today", TODAY.isoformat()]) == 0
        assert "1 löper snart ut" in capsys.readouterr().out
        assert len(recorder.envelopes) == 1
