"""Follow-up reminders of the daily job, with a frozen "today", a real SQLite database (and the
local PostgreSQL for two runs at once), and a real local SMTP server; held follow-ups; and the
migration that moved the action plans out of the risk assessment's JSON list."""

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from bot.channels.teams_proactive import claim_for_teams, store_reference
from bot.clock import STOCKHOLM, Clock
from bot.errors import Refused
from bot.identity import User, demo_directory
from bot.jobs import daily
from bot.mail import Mailer
from bot.outbox import Drained, drain
from bot.regions import Region, load_region
from bot.risk_assessments import reminders
from bot.risk_assessments.action_plans import ActionPlanService
from bot.risk_assessments.follow_ups import FollowUpService, last_follow_up_on
from bot.risk_assessments.reminders import ReminderResult, send_follow_up_reminders
from bot.risk_assessments.service import Action, RiskAssessmentService
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import (
    ActionEvent,
    ActionItem,
    Agreement,
    AgreementEvent,
    FollowUp,
    Notification,
    OutboxMessage,
    RiskAssessment,
    SentReminder,
)
from tests.conftest import Recorder, postgres_schema
from tests.unit.test_agreement_reminders import add as add_agreement
from tests.unit.test_agreement_reminders import configure_the_command
from tests.unit.test_migrations import downgrade, upgrade

TODAY = date(2027, 3, 1)
SENDER = "distansguiden@region.example"
DIRECTORY = demo_directory()


@pytest.fixture
def region() -> Region:
    return load_region(PROJECT_ROOT / "regions", "vastmanland")


def person(user_id: str) -> User:
    user = DIRECTORY.get(user_id)
    assert user is not None
    return user


def clock_on(day: date) -> Clock:
    return Clock.frozen(datetime(day.year, day.month, day.day, 9, 0))


def assessment(
    db: Database,
    follow_up_on: date | None = None,
    actions: list[tuple[str, str, date]] | None = None,
    status: str = "documented",
) -> int:
    """A risk assessment of Anna Andersson's (manager Maria Berg), documented by Maria 300 days
    before TODAY (unless ``status`` says otherwise) with ``actions`` (text, owner as written,
    due date)."""
    with db.session() as session:
        row = RiskAssessment(
            employee_id="anna.andersson",
            manager_id="maria.berg",
            safety_representative_id="sven.skog",
            status="held",
        )
        session.add(row)
        session.flush()
        assessment_id = row.id
    if status == "documented":
        document(db, assessment_id, actions or [], follow_up_on or TODAY + timedelta(days=60))
    return assessment_id


def document(
    db: Database, assessment_id: int, actions: list[tuple[str, str, date]], follow_up_on: date
) -> None:
    documented = datetime.combine(TODAY - timedelta(days=300), time(15), STOCKHOLM)
    RiskAssessmentService(db, DIRECTORY, now=lambda: documented).document(
        person("maria.berg"),
        assessment_id,
        "Bildskärmen är för låg.",
        [Action(text, owner, due) for text, owner, due in actions],
        follow_up_on,
    )


def run(db: Database, region: Region, day: date = TODAY, **kw: Any) -> ReminderResult:
    return send_follow_up_reminders(db, region, DIRECTORY, day, **kw)


def notices(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        return [
            (n.recipient_id, n.text)
            for n in session.scalars(select(Notification).order_by(Notification.id))
        ]


def rows(db: Database, model: Any) -> list[Any]:
    with db.session() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def item_of(db: Database, assessment_id: int) -> ActionItem:
    with db.session() as session:
        item = session.scalar(
            select(ActionItem).where(ActionItem.risk_assessment_id == assessment_id)
        )
        assert item is not None
        return item


# --- a risk assessment's follow-up date ----------------------------------------------------


def test_the_follow_up_date_reminds_the_manager_once_in_chat_teams_and_email(
    db: Database, region: Region, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    assessment_id = assessment(db, follow_up_on=TODAY)
    store_reference(db, "maria.berg", {"conversation": {"id": "a:maria"}})

    first = run(db, region, by_email=True)

    assert first == ReminderResult(follow_ups=1, notices=1, emails_queued=1)
    [(recipient, text)] = notices(db)
    assert recipient == "maria.berg"
    for expected in ["Anna Andersson", "2027-03-01", "minst en gång per år"]:
        assert expected in text
    # Teams gets what the chat gets: the notifier sends every undelivered notice.
    assert [w.text for w in claim_for_teams(db)] == [text]
    assert drain(db, Mailer("127.0.0.1", port, SENDER)) == Drained(sent=1)
    assert [e.rcpt_tos for e in recorder.envelopes] == [["maria.berg@example.org"]]
    [mail] = recorder.messages()
    assert "följa upp riskbedömningen" in mail["Subject"]
    body = mail.get_body()
    assert body is not None and "Hej Maria Berg!" in body.get_content()
    [sent] = rows(db, SentReminder)
    assert (sent.kind, sent.subject_id, sent.occasion, sent.recipients) == (
        "risk_assessment_follow_up",
        assessment_id,
        TODAY,
        "maria.berg",
    )

    assert run(db, region, by_email=True) == ReminderResult()
    assert run(db, region, TODAY + timedelta(days=1), by_email=True) == ReminderResult()
    assert drain(db, Mailer("127.0.0.1", port, SENDER)) == Drained()
    assert len(notices(db)) == 1
    assert len(recorder.envelopes) == 1


def test_a_follow_up_date_is_reminded_when_it_comes_not_before(
    db: Database, region: Region
) -> None:
    assessment(db, follow_up_on=TODAY + timedelta(days=1))
    assessment(db, follow_up_on=TODAY, status="held")

    assert run(db, region) == ReminderResult()
    assert run(db, region, TODAY + timedelta(days=1)).follow_ups == 1


def test_a_missed_day_still_reminds_late(db: Database, region: Region) -> None:
    assessment(db, follow_up_on=TODAY - timedelta(days=3))
    assert run(db, region).follow_ups == 1


def test_a_recorded_follow_up_sets_the_next_date_which_is_reminded_in_its_turn(
    db: Database, region: Region
) -> None:
    assessment_id = assessment(db, follow_up_on=TODAY)
    assert run(db, region).follow_ups == 1

    FollowUpService(db, region, clock_on(TODAY)).record(
        person("maria.berg"), TODAY, "continue", risk_assessment_id=assessment_id
    )

    with db.session() as session:
        followed = session.get(RiskAssessment, assessment_id)
        assert followed is not None and followed.follow_up_on == TODAY + relativedelta(years=1)
    assert run(db, region, TODAY + timedelta(days=364)) == ReminderResult()
    assert run(db, region, TODAY + relativedelta(years=1)).follow_ups == 1
    # The two reminders, and between them Anna's notice that the follow-up was recorded.
    assert [recipient for recipient, _ in notices(db)] == [
        "maria.berg",
        "anna.andersson",
        "maria.berg",
    ]


# --- actions that are due -----------------------------------------------------------------


def test_a_due_action_reminds_the_manager_and_the_owner_once(
    db: Database, region: Region, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    assessment_id = assessment(db, actions=[("Beställa headset", "Anna Andersson", TODAY)])

    assert run(db, region, by_email=True) == ReminderResult(actions=1, notices=2, emails_queued=2)
    (manager, manager_text), (owner, owner_text) = notices(db)
    assert (manager, owner) == ("maria.berg", "anna.andersson")
    assert "”Beställa headset”" in manager_text and "ska vara klar i dag" in manager_text
    assert "ansvarig: Anna Andersson" in manager_text and "flytta" in manager_text
    assert "Du är ansvarig" in owner_text
    item = item_of(db, assessment_id)
    assert item.reminded_on == TODAY
    assert [(e.actor_id, e.event) for e in item.events] == [
        ("maria.berg", "created"),
        ("system", "reminder_sent"),
    ]
    drain(db, Mailer("127.0.0.1", port, SENDER))
    assert sorted(e.rcpt_tos[0] for e in recorder.envelopes) == [
        "anna.andersson@example.org",
        "maria.berg@example.org",
    ]

    assert run(db, region, by_email=True) == ReminderResult()
    assert run(db, region, TODAY + timedelta(days=5), by_email=True) == ReminderResult()
    assert len(notices(db)) == 2


def test_an_owner_outside_the_directory_is_named_but_only_the_manager_is_reminded(
    db: Database, region: Region
) -> None:
    assessment(
        db,
        actions=[
            ("Ny stol", "IT-avdelningen", TODAY - timedelta(days=2)),
            ("Se över belysningen", "chefen", TODAY),
        ],
    )

    result = run(db, region)

    assert result == ReminderResult(actions=2, notices=2)
    texts = notices(db)
    assert [recipient for recipient, _ in texts] == ["maria.berg", "maria.berg"]
    assert "skulle ha varit klar 2027-02-27" in texts[0][1]
    assert "ansvarig: IT-avdelningen" in texts[0][1]


def test_a_moved_action_is_reminded_again_on_its_new_date_and_a_done_one_never(
    db: Database, region: Region
) -> None:
    moved_id = assessment(db, actions=[("Beställa headset", "Anna Andersson", TODAY)])
    done_id = assessment(db, actions=[("Ny stol", "Maria Berg", TODAY + timedelta(days=2))])
    assert run(db, region).actions == 1
    plans = ActionPlanService(db, DIRECTORY, clock_on(TODAY))
    plans.move(person("maria.berg"), item_of(db, moved_id).id, TODAY + timedelta(days=7), "Slut")
    plans.mark_done(person("maria.berg"), item_of(db, done_id).id)

    assert run(db, region, TODAY + timedelta(days=6)) == ReminderResult()
    assert run(db, region, TODAY + timedelta(days=7)).actions == 1
    assert run(db, region, TODAY + timedelta(days=8)) == ReminderResult()
    assert [s.occasion for s in rows(db, SentReminder)] == [TODAY, TODAY + timedelta(days=7)]


def test_an_action_moved_from_the_old_json_list_finds_its_owner_on_the_day(
    db: Database, region: Region
) -> None:
    assessment_id = assessment(db, actions=[("Beställa headset", "anna.andersson", TODAY)])
    with db.session() as session:
        session.execute(sqlalchemy.update(ActionItem).values(owner_id=None))

    run(db, region)

    assert item_of(db, assessment_id).owner_id == "anna.andersson"
    assert {recipient for recipient, _ in notices(db)} == {"maria.berg", "anna.andersson"}


# --- an agreement a year without a follow-up ----------------------------------------------


def decided(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def test_an_active_agreement_a_year_without_follow_up_reminds_its_manager_once(
    db: Database, region: Region, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    year_old = add_agreement(
        db,
        decided_at=decided(TODAY - relativedelta(years=1)),
        start_date=TODAY - relativedelta(months=11),
        end_date=TODAY + timedelta(days=200),
    )
    add_agreement(
        db,
        decided_at=decided(TODAY - relativedelta(months=11)),
        end_date=TODAY + timedelta(days=200),
    )
    add_agreement(
        db,
        status="approved",
        decided_at=decided(TODAY - relativedelta(years=2)),
        start_date=TODAY + timedelta(days=10),
        end_date=TODAY + timedelta(days=200),
    )
    add_agreement(
        db,
        region="vasternorrland",
        decided_at=decided(TODAY - relativedelta(years=2)),
        end_date=TODAY + timedelta(days=200),
    )

    assert run(db, region, by_email=True) == ReminderResult(
        agreements=1, notices=1, emails_queued=1
    )
    [(recipient, text)] = notices(db)
    with db.session() as session:
        agreement = session.get(Agreement, year_old)
        assert agreement is not None
        events = [e.action for e in agreement.events]
    assert recipient == "maria.berg"
    for expected in [agreement.reference, "Anna Andersson", "beslutades 2026-03-01", "per år"]:
        assert expected in text
    assert events == ["follow_up_reminder_sent"]
    drain(db, Mailer("127.0.0.1", port, SENDER))
    assert [e.rcpt_tos for e in recorder.envelopes] == [["maria.berg@example.org"]]

    assert run(db, region, by_email=True) == ReminderResult()
    assert run(db, region, TODAY + timedelta(days=30), by_email=True) == ReminderResult()


def test_a_follow_up_restarts_the_agreements_year(db: Database, region: Region) -> None:
    agreement_id = add_agreement(
        db,
        decided_at=decided(TODAY - relativedelta(years=1)),
        end_date=TODAY + timedelta(days=900),
    )
    held = TODAY - timedelta(days=20)
    FollowUpService(db, region, clock_on(TODAY)).record(
        person("hanna.holm"), held, "change", agreement_id=agreement_id, notes="Mer tid på plats"
    )

    assert run(db, region) == ReminderResult()
    assert run(db, region, held + relativedelta(years=1)).agreements == 1
    # HR recorded it: the employee and the manager were told; then the reminder.
    *told, (_, text) = notices(db)
    assert [recipient for recipient, _ in told] == ["anna.andersson", "maria.berg"]
    assert f"senaste uppföljningen hölls {held.isoformat()}" in text


def test_the_region_sets_the_interval(db: Database, region: Region) -> None:
    policy = region.agreement.model_copy(update={"follow_up_interval_months": 6})
    half_yearly = region.model_copy(update={"agreement": policy})
    add_agreement(
        db,
        decided_at=decided(TODAY - relativedelta(months=6)),
        end_date=TODAY + timedelta(days=200),
    )

    assert run(db, region) == ReminderResult()
    assert run(db, half_yearly).agreements == 1


def test_the_follow_up_of_the_agreements_risk_assessment_counts_for_it(
    db: Database, region: Region
) -> None:
    assessment_id = assessment(db)
    agreement_id = add_agreement(
        db,
        decided_at=decided(TODAY - relativedelta(years=1)),
        end_date=TODAY + timedelta(days=200),
        risk_assessment_id=assessment_id,
    )
    follow_up = FollowUpService(db, region, clock_on(TODAY)).record(
        person("maria.berg"),
        TODAY - timedelta(days=1),
        "continue",
        risk_assessment_id=assessment_id,
    )

    assert follow_up.agreement_id == agreement_id
    with db.session() as session:
        agreement = session.get(Agreement, agreement_id)
        assert agreement is not None
        assert last_follow_up_on(session, agreement) == TODAY - timedelta(days=1)
    assert run(db, region) == ReminderResult()


# --- sent once: twice a day, two runs at once, failures ------------------------------------


def everything_due(db: Database) -> None:
    for n in range(3):
        assessment(
            db,
            follow_up_on=TODAY,
            actions=[(f"Åtgärd {n}", "Anna Andersson", TODAY), (f"Annan {n}", "IT", TODAY)],
        )
        add_agreement(
            db,
            decided_at=decided(TODAY - relativedelta(years=1)),
            end_date=TODAY + timedelta(days=200),
        )


def race(db: Database, region: Region) -> list[ReminderResult]:
    """Two runs started at the same moment, each with its own connections, as two replicas
    would without the daily job's lock."""
    results: list[ReminderResult] = []
    start = threading.Barrier(2)

    def one_replica() -> None:
        own = Database(db.url)
        start.wait()
        results.append(send_follow_up_reminders(own, region, DIRECTORY, TODAY, by_email=True))
        own.dispose()

    threads = [threading.Thread(target=one_replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def assert_each_sent_once(db: Database, results: list[ReminderResult]) -> None:
    total = ReminderResult()
    for result in results:
        total.add(result)
    # 3 follow-ups, 6 actions (3 owners in the directory), 3 agreements.
    assert total == ReminderResult(
        follow_ups=3, actions=6, agreements=3, notices=15, emails_queued=15
    )
    with db.session() as session:
        assert session.scalar(select(func.count(Notification.id))) == 15
        assert session.scalar(select(func.count(OutboxMessage.id))) == 15
        assert session.scalar(select(func.count(SentReminder.id))) == 12
        per_recipient = dict(
            session.execute(
                select(Notification.recipient_id, func.count()).group_by(Notification.recipient_id)
            ).all()
        )
    # Maria: 3 follow-ups, 6 actions, 3 agreements; Anna: the 3 actions she owns.
    assert per_recipient == {"maria.berg": 12, "anna.andersson": 3}


def test_two_runs_at_once_send_each_reminder_once_on_sqlite(db: Database, region: Region) -> None:
    everything_due(db)
    results = race(db, region)
    assert len(results) == 2
    assert_each_sent_once(db, results)


def test_two_runs_at_once_send_each_reminder_once_on_postgresql(region: Region) -> None:
    with postgres_schema() as database:
        everything_due(database)
        results = race(database, region)
        assert len(results) == 2
        assert_each_sent_once(database, results)
        assert run(database, region, by_email=True) == ReminderResult()


def test_a_run_that_finds_a_reminder_claimed_meanwhile_sends_nothing_of_it(
    db: Database, region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other run committed between this one's check and its write: the unique key stops
    the second notice and e-mail."""
    assessment_id = assessment(db, follow_up_on=TODAY)
    with db.session() as session:
        session.add(
            SentReminder(
                kind="risk_assessment_follow_up",
                subject_id=assessment_id,
                occasion=TODAY,
                recipients="maria.berg",
            )
        )
    monkeypatch.setattr(reminders, "_was_sent", lambda *args: False)

    assert run(db, region, by_email=True) == ReminderResult()
    assert notices(db) == [] and rows(db, OutboxMessage) == []


def test_a_failing_reminder_is_rolled_back_alone_and_sent_the_next_run(
    db: Database, region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = assessment(db, actions=[("Beställa headset", "Anna Andersson", TODAY)])
    fine = assessment(db, actions=[("Ny stol", "Maria Berg", TODAY)])
    original: Callable[..., None] = reminders.Reminders._send

    def failing_for_broken(self: Any, session: Any, letters: Any, *rest: Any) -> None:
        if any("headset" in letter.text for letter in letters):
            raise RuntimeError("simulated failure")
        original(self, session, letters, *rest)

    monkeypatch.setattr(reminders.Reminders, "_send", failing_for_broken)
    assert run(db, region, by_email=True) == ReminderResult(
        actions=1, notices=1, emails_queued=1, errors=1
    )
    assert item_of(db, broken).reminded_on is None
    assert [s.subject_id for s in rows(db, SentReminder)] == [item_of(db, fine).id]

    monkeypatch.undo()
    assert run(db, region, by_email=True).actions == 1
    assert item_of(db, broken).reminded_on == TODAY


def test_the_daily_command_sends_the_follow_up_reminders(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    smtp: tuple[Recorder, int],
) -> None:
    recorder, port = smtp
    url = f"sqlite:///{tmp_path}/cli.db"
    database = Database(url)
    database.migrate()
    assessment(database, follow_up_on=TODAY, actions=[("Ny stol", "Anna Andersson", TODAY)])
    database.dispose()
    configure_the_command(monkeypatch, url, port, tmp_path)

    assert daily.main(["--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Uppföljning: 1 riskbedömningar att följa upp, 1 åtgärder" in out
    assert "3 meddelanden, 3 e-post att skicka, 0 fel." in out
    assert len(recorder.envelopes) == 3

    assert daily.main(["--today", TODAY.isoformat()]) == 0
    assert "Uppföljning: 0 riskbedömningar" in capsys.readouterr().out
    assert len(recorder.envelopes) == 3


# --- recording a held follow-up ------------------------------------------------------------


def test_a_follow_up_is_recorded_by_the_manager_or_hr_only(db: Database, region: Region) -> None:
    assessment_id = assessment(db)
    follow_ups = FollowUpService(db, region, clock_on(TODAY))

    def refusal(user: str, **kw: Any) -> tuple[int, str]:
        arguments: dict[str, Any] = {"risk_assessment_id": assessment_id} | kw
        with pytest.raises(Refused) as refused:
            follow_ups.record(person(user), TODAY, "continue", **arguments)
        return refused.value.status, refused.value.code

    assert refusal("anna.andersson") == (403, "not_the_manager")
    assert refusal("sven.skog") == (403, "not_the_manager")
    assert refusal("johan.lind") == (404, "risk_assessment_not_found")
    assert refusal("maria.berg", risk_assessment_id=None) == (422, "follow_up_subject_missing")
    recorded = follow_ups.record(
        person("hanna.holm"), TODAY, "end", risk_assessment_id=assessment_id, notes="  Slutar "
    )
    assert (recorded.outcome, recorded.notes, recorded.recorded_by) == (
        "end",
        "Slutar",
        "hanna.holm",
    )
    with db.session() as session:
        ended = session.get(RiskAssessment, assessment_id)
        assert ended is not None and ended.follow_up_on is None


@pytest.mark.parametrize(
    ("held_on", "outcome", "extra", "code"),
    [
        (TODAY + timedelta(days=1), "continue", {}, "held_in_the_future"),
        (TODAY, "maybe", {}, "invalid_outcome"),
        (
            TODAY,
            "continue",
            {"next_follow_up_on": TODAY + timedelta(days=400)},
            "follow_up_too_late",
        ),
        (TODAY, "continue", {"next_follow_up_on": TODAY - timedelta(days=1)}, "follow_up_too_late"),
        (TODAY, "end", {"next_follow_up_on": TODAY + timedelta(days=30)}, "no_follow_up_after_end"),
        (TODAY, "continue", {"notes": "x" * 5001}, "notes_too_long"),
    ],
)
def test_a_follow_up_with_bad_values_is_refused_in_both_languages(
    db: Database,
    region: Region,
    held_on: date,
    outcome: str,
    extra: dict[str, Any],
    code: str,
) -> None:
    assessment_id = assessment(db)
    with pytest.raises(Refused) as refused:
        FollowUpService(db, region, clock_on(TODAY)).record(
            person("maria.berg"), held_on, outcome, risk_assessment_id=assessment_id, **extra
        )
    assert (refused.value.status, refused.value.code) == (422, code)
    assert refused.value.text and refused.value.text_en
    assert rows(db, FollowUp) == []


def test_only_a_documented_assessment_is_followed_up_and_ids_must_match(
    db: Database, region: Region
) -> None:
    held = assessment(db, status="held")
    erik = add_agreement(db, employee_id="erik.ek", manager_id="maria.berg")
    follow_ups = FollowUpService(db, region, clock_on(TODAY))
    with pytest.raises(Refused) as refused:
        follow_ups.record(person("maria.berg"), TODAY, "continue", risk_assessment_id=held)
    assert (refused.value.status, refused.value.code) == (409, "not_documented")
    with pytest.raises(Refused) as refused:
        follow_ups.record(
            person("maria.berg"),
            TODAY,
            "continue",
            risk_assessment_id=assessment(db),
            agreement_id=erik,
        )
    assert refused.value.code == "follow_up_mismatch"


def test_an_agreements_follow_up_is_in_its_history(db: Database, region: Region) -> None:
    agreement_id = add_agreement(db)
    FollowUpService(db, region, clock_on(TODAY)).record(
        person("maria.berg"), TODAY, "continue", agreement_id=agreement_id
    )
    with db.session() as session:
        [event] = session.scalars(
            select(AgreementEvent).where(AgreementEvent.agreement_id == agreement_id)
        ).all()
    assert (event.actor_id, event.action, event.detail) == (
        "maria.berg",
        "followed_up",
        "uppföljning 2027-03-01: continue",
    )


# --- the migration that moved the JSON actions into their table ----------------------------

JSON_ACTIONS = [
    {"action": "Beställa bildskärm", "owner": "Maria Berg", "due": "2026-12-15"},
    {"action": "Se över belysningen", "owner": "IT-avdelningen", "due": "2027-01-31"},
]


def assert_the_migration_moves_json_actions(db: Database) -> None:
    upgrade(db, "0005")
    with db.engine.begin() as connection:
        for actions in (JSON_ACTIONS, []):
            connection.execute(
                sqlalchemy.text(
                    "INSERT INTO risk_assessments (employee_id, manager_id, status, outcome,"
                    " actions, documented_on, follow_up_on, calendar_sequence, created_at)"
                    " VALUES ('anna.andersson', 'maria.berg', 'documented', 'Låg skärm',"
                    " :actions, :documented, :follow_up, 0, CURRENT_TIMESTAMP)"
                ).bindparams(sqlalchemy.bindparam("actions", type_=sqlalchemy.JSON)),
                {
                    "actions": actions,
                    "documented": date(2026, 11, 20),
                    "follow_up": date(2027, 11, 20),
                },
            )

    # To the newest: the model read back below has the later migrations' columns too.
    upgrade(db, "head")

    with db.session() as session:
        planned, empty = session.scalars(select(RiskAssessment).order_by(RiskAssessment.id))
        assert planned.actions == JSON_ACTIONS
        assert empty.actions == []
        assert [
            (i.status, i.owner_id, i.moved_count, i.reminded_on) for i in planned.action_items
        ] == [
            ("open", None, 0, None),
            ("open", None, 0, None),
        ]
        assert [e.event for i in planned.action_items for e in i.events] == ["created"] * 2
    with db.engine.connect() as connection:
        columns = {
            c["name"] for c in sqlalchemy.inspect(connection).get_columns("risk_assessments")
        }
    assert "actions" not in columns

    downgrade(db, "0005")
    with db.engine.connect() as connection:
        restored = (
            connection.execute(
                sqlalchemy.select(sqlalchemy.column("actions", sqlalchemy.JSON))
                .select_from(sqlalchemy.table("risk_assessments"))
                .order_by(sqlalchemy.text("id"))
            )
            .scalars()
            .all()
        )
        tables = sqlalchemy.inspect(connection).get_table_names()
    assert restored == [JSON_ACTIONS, []]
    assert "action_items" not in tables and "sent_reminders" not in tables
    db.migrate()


def test_the_migration_moves_json_actions_into_their_table_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/m.db")
    assert_the_migration_moves_json_actions(db)
    db.dispose()


def test_the_migration_moves_json_actions_into_their_table_on_postgresql() -> None:
    with postgres_schema(migrate=False) as db:
        assert_the_migration_moves_json_actions(db)


def test_the_migration_keeps_agreements_linked_to_their_assessment(tmp_path: Path) -> None:
    """Dropping the JSON column must not copy and drop the table on SQLite, which with foreign
    keys on would clear every agreement's link to its assessment."""
    db = Database(f"sqlite:///{tmp_path}/m.db")
    upgrade(db, "0005")
    with db.engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                "INSERT INTO risk_assessments (employee_id, manager_id, status, actions,"
                " calendar_sequence, created_at) VALUES ('anna.andersson', 'maria.berg',"
                " 'documented', '[]', 0, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            sqlalchemy.text(
                "INSERT INTO agreements (reference, submission_key, region, employee_id,"
                " manager_id, unit, share_percent, place_kind, place_description, start_date,"
                " end_date, tasks, equipment, it_security_confirmed, status, risk_assessment_id,"
                " created_at) VALUES ('DA-2026-00001', 'k', 'vastmanland', 'anna.andersson',"
                " 'maria.berg', 'Ekonomienheten', 40, 'home', '', '2026-01-01', '2026-12-31',"
                " 'Analys', '[]', 1, 'active', 1, CURRENT_TIMESTAMP)"
            )
        )
    db.migrate()
    with db.session() as session:
        agreement = session.scalar(select(Agreement))
        assert agreement is not None and agreement.risk_assessment_id == 1
    db.dispose()


def test_documenting_again_replaces_open_actions_and_keeps_done_ones(db: Database) -> None:
    assessment_id = assessment(
        db, actions=[("Gammal", "Maria Berg", TODAY), ("Klar", "Maria Berg", TODAY)]
    )
    with db.session() as session:
        done = session.scalar(select(ActionItem).where(ActionItem.text == "Klar"))
        assert done is not None
        done_id = done.id
    ActionPlanService(db, DIRECTORY, clock_on(TODAY)).mark_done(person("maria.berg"), done_id)

    document(db, assessment_id, [("Ny", "Anna Andersson", TODAY + timedelta(days=9))], TODAY)

    with db.session() as session:
        row = session.get(RiskAssessment, assessment_id)
        assert row is not None
        assert [(i.text, i.status, i.owner_id) for i in row.action_items] == [
            ("Klar", "done", "maria.berg"),
            ("Ny", "open", "anna.andersson"),
        ]
        # Created twice, done once, created: the replaced open action's events went with it.
        assert session.scalar(select(func.count(ActionEvent.id))) == 3
