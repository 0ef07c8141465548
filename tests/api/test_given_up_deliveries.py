"""Deliveries given up after their last attempt reach operations and HR (#19): ``GET /health``
counts those of the last 24 hours by channel, with no names and without touching ``status``;
HR's page lists each one nobody has dealt with (to whom, what, when, why in Swedish), and an HR
admin marks it handled, which is audited. On SQLite and on PostgreSQL."""

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from bot.agreements.service import AgreementRequest
from bot.calendars import CalendarUnavailable, MeetingEvent, Participant
from bot.channels.teams_proactive import Waiting, mark_failed
from bot.identity import demo_directory
from bot.mail import MailError
from bot.main import create_app
from bot.notifications import TEAMS_MAX_ATTEMPTS
from bot.outbox import MAX_ATTEMPTS, drain, drain_calendar_writes, queue_calendar_write, queue_email
from bot.storage.database import Database
from bot.storage.models import AuditRecord, Notification, OutboxMessage
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa

# Each application its own period, so none overlaps another test's waiting one.
PERIODS = itertools.count()
HR_ADMIN, HR_EDITOR, EMPLOYEE = "hanna.holm", "henrik.hall", "anna.andersson"
BAD_GATEWAY = (
    "502, message='Bad Gateway', "
    "url='https://smba.trafficmanager.net/emea/v3/conversations/a%3A1x/activities'"
)
REFUSED = (
    "SMTP mail.region.example:25: {'maria.berg@example.org': "
    "(550, b'5.1.1 Recipient address rejected: User unknown')}"
)


def as_user(user: str) -> dict[str, str]:
    return {"X-Demo-User": user}


@pytest.fixture
def client(any_database: TestClient, rasa: FakeRasa) -> TestClient:
    """The module's app with no notices, outbox messages or audit records left by another test."""
    with database(any_database).session() as session:
        for table in (Notification, OutboxMessage, AuditRecord):
            session.execute(delete(table))
    return any_database


def database(client: TestClient) -> Database:
    return client.app.state.agreements.db  # type: ignore[attr-defined,no-any-return]


class RefusingMailer:
    def send(self, to: str, subject: str, body: str, calendar: Any = None) -> None:
        raise MailError(REFUSED)


class UnavailableCalendar:
    online_meetings = False

    def save(self, event: MeetingEvent) -> str | None:
        raise CalendarUnavailable(
            "Graph POST users/maria.berg%40example.org/events: 503 ServiceUnavailable"
        )


def submitted_notice(client: TestClient) -> int:
    """Anna applies: the app writes Maria (her manager) a notice to decide. Its id."""
    start = date.today() + timedelta(days=30 + 250 * next(PERIODS))
    client.app.state.agreements.submit(  # type: ignore[attr-defined]
        AgreementRequest(
            employee=demo_directory().get(EMPLOYEE),
            share_percent=40,
            place_kind="home",
            place_description="Hemma",
            start_date=start,
            end_date=start + timedelta(days=200),
            tasks="Analysarbete",
            equipment=["Bildskärm"],
            it_security_confirmed=True,
            submission_key=f"given-up-{datetime.now(UTC).timestamp()}",
        )
    )
    with database(client).session() as session:
        notice = session.scalars(
            select(Notification).where(Notification.recipient_id == "maria.berg")
        ).one()
        assert notice.kind == "agreement_submitted"
        return notice.id


def give_up_in_teams(client: TestClient, notice_id: int, error: str = BAD_GATEWAY) -> None:
    """The Teams notifier's last attempt fails (its claim counted the attempt)."""
    with database(client).session() as session:
        notice = session.get(Notification, notice_id)
        assert notice is not None
        notice.teams_attempts = TEAMS_MAX_ATTEMPTS
        recipient, text = notice.recipient_id, notice.text
    waiting = Waiting(notice_id, recipient, text, {}, attempts=TEAMS_MAX_ATTEMPTS)
    assert mark_failed(database(client), waiting, error, datetime.now(UTC))


def give_up_email(client: TestClient) -> int:
    """A reminder to Maria, refused by the SMTP server at its last attempt."""
    db = database(client)
    with db.session() as session:
        queue_email(
            session,
            "maria.berg@example.org",
            "Påminnelse: distansöverenskommelse löper ut",
            "Hej Maria Berg!\n\nDistansöverenskommelsen DA-2026-00012 för Anna Andersson löper ut.",
            reference="agreement:DA-2026-00012",
        )
    with db.session() as session:
        session.execute(update(OutboxMessage).values(attempts=MAX_ATTEMPTS - 1))
    assert drain(db, RefusingMailer()).given_up == 1  # type: ignore[arg-type]
    with db.session() as session:
        return int(session.scalars(select(OutboxMessage.id)).one())


def give_up_calendar_write(client: TestClient) -> int:
    db = database(client)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    event = MeetingEvent(
        uid="0b7c@distansguiden",
        sequence=0,
        start=start,
        end=start + timedelta(minutes=45),
        summary="Riskbedömning distansarbete – Anna Andersson",
        description="",
        location="Teams",
        organizer=Participant("maria.berg", "Maria Berg", "maria.berg@example.org"),
        attendees=(Participant("anna.andersson", "Anna Andersson", "anna.andersson@example.org"),),
        reference="risk_assessment:4",
    )
    with db.session() as session:
        message_id = queue_calendar_write(session, event).id
    with db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(attempts=MAX_ATTEMPTS - 1)
        )
    written = drain_calendar_writes(db, UnavailableCalendar())  # type: ignore[arg-type]
    assert written.given_up == 1
    return message_id


def health(client: TestClient) -> dict[str, Any]:
    response = client.get("/health")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_health_counts_the_last_days_give_ups_by_channel_without_names_and_stays_ok(
    client: TestClient,
) -> None:
    before = health(client)
    assert before["deliveries"] == "ok"
    assert before["given_up"] == {
        "hours": 24,
        "teams_notices": 0,
        "emails": 0,
        "calendar_writes": 0,
        "awaiting_hr": 0,
    }

    give_up_in_teams(client, submitted_notice(client))
    give_up_email(client)
    give_up_calendar_write(client)

    response = client.get("/health")
    assert response.status_code == 200, "a given-up delivery does not make the service unready"
    body = response.json()
    assert body["status"] == "ok"
    assert body["deliveries"] == "given_up"
    assert body["given_up"] == {
        "hours": 24,
        "teams_notices": 1,
        "emails": 1,
        "calendar_writes": 1,
        "awaiting_hr": 3,
    }
    text = json.dumps(body)
    for personal in ("maria", "anna", "example.org", "DA-2026"):
        assert personal not in text.lower()


def test_an_old_give_up_no_longer_alerts_but_waits_for_hr_until_handled(
    client: TestClient,
) -> None:
    notice = submitted_notice(client)
    give_up_in_teams(client, notice)
    with database(client).session() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == notice)
            .values(teams_given_up_at=datetime.now(UTC) - timedelta(hours=25))
        )
    body = health(client)
    assert body["deliveries"] == "ok"
    assert body["given_up"]["teams_notices"] == 0 and body["given_up"]["awaiting_hr"] == 1

    handled = client.post(
        f"/api/hr/deliveries/teams/{notice}/handled", json={}, headers=as_user(HR_ADMIN)
    )
    assert handled.status_code == 200, handled.text
    assert health(client)["given_up"]["awaiting_hr"] == 0


def test_without_a_database_the_count_is_unknown_and_health_answers(
    tmp_path: Path, rasa: FakeRasa
) -> None:
    settings = make_settings(
        tmp_path, rasa.url, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        body = health(client)
    assert body["database"] != "ready"
    assert body["deliveries"] == "unknown" and body["given_up"] is None


def test_hr_sees_to_whom_what_when_and_why_in_swedish_newest_first(client: TestClient) -> None:
    notice = submitted_notice(client)
    give_up_in_teams(client, notice)
    email = give_up_email(client)
    calendar = give_up_calendar_write(client)
    # Given up, then shown in the web chat: it reached Maria, nothing for HR.
    shown = submitted_notice_for_erik(client)
    give_up_in_teams(client, shown)
    with database(client).session() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == shown)
            .values(delivered_at=datetime.now(UTC))
        )
    # Still being tried: not given up.
    with database(client).session() as session:
        session.add(Notification(recipient_id="maria.berg", text="Mötet är flyttat."))

    response = client.get("/api/hr/deliveries", headers=as_user(HR_EDITOR))
    assert response.status_code == 200, response.text
    listed = response.json()
    assert listed["total"] == 3
    by_channel = {d["channel"]: d for d in listed["deliveries"]}
    assert [d["channel"] for d in listed["deliveries"]] == ["calendar", "email", "teams"]

    teams = by_channel["teams"]
    assert teams["id"] == notice and teams["source"] == "teams"
    assert teams["channel_label"] == "Teams-meddelande"
    assert (teams["recipient"], teams["recipient_name"]) == ("maria.berg", "Maria Berg")
    assert teams["about"] == "Ny ansökan om distansarbete att besluta"
    assert "Anna Andersson har ansökt om distansarbete" in teams["text"]
    assert teams["attempts"] == TEAMS_MAX_ATTEMPTS
    assert (
        teams["reason"] == "Teams tjänst för appar (Bot Connector) svarade med ett serverfel (502)."
    )
    assert teams["error"].startswith("502, message='Bad Gateway'")
    assert teams["handle"] == f"/api/hr/deliveries/teams/{notice}/handled"
    given_up_at = datetime.fromisoformat(teams["given_up_at"])
    assert abs(given_up_at - datetime.now(UTC)) < timedelta(minutes=1)

    mail = by_channel["email"]
    assert (mail["id"], mail["source"]) == (email, "outbox")
    assert (mail["recipient"], mail["recipient_name"]) == ("maria.berg", "Maria Berg")
    assert mail["channel_label"] == "E-post"
    assert mail["about"] == "Påminnelse: distansöverenskommelse löper ut"
    assert mail["reason"].startswith("E-postservern vägrade ta emot brevet (550)")
    assert "maria.berg@example.org" not in mail["error"], "stored masked"

    meeting = by_channel["calendar"]
    assert meeting["id"] == calendar and meeting["channel_label"] == "Kalenderhändelse"
    assert meeting["recipient_name"] == "Maria Berg"
    assert meeting["about"].startswith("Riskbedömning distansarbete – Anna Andersson")
    assert "tisdag 1 december 2026 kl. 10.00" in meeting["text"]
    assert meeting["reason"] == "Kalenderservern svarade med ett serverfel (503)."


def submitted_notice_for_erik(client: TestClient) -> int:
    with database(client).session() as session:
        notice = Notification(recipient_id="erik.ek", text="Din ansökan är beviljad.")
        session.add(notice)
        session.flush()
        return notice.id


def test_only_hr_sees_the_list_and_only_an_hr_admin_marks_handled(client: TestClient) -> None:
    notice = submitted_notice(client)
    give_up_in_teams(client, notice)
    for user in (EMPLOYEE, "maria.berg", "sven.skog"):
        refused = client.get("/api/hr/deliveries", headers=as_user(user))
        assert refused.status_code == 403 and refused.json()["code"] == "hr_only"
    path = f"/api/hr/deliveries/teams/{notice}/handled"
    editor = client.post(path, json={}, headers=as_user(HR_EDITOR))
    assert editor.status_code == 403 and editor.json()["code"] == "hr_admin_only"
    assert client.get("/api/hr/deliveries", headers=as_user(HR_ADMIN)).json()["total"] == 1


def test_marking_handled_is_audited_once_and_the_list_forgets_it(client: TestClient) -> None:
    notice = submitted_notice(client)
    give_up_in_teams(client, notice)
    email = give_up_email(client)

    response = client.post(
        f"/api/hr/deliveries/teams/{notice}/handled",
        json={"note": "Ringt Maria, 19121212-1212 fick beskedet."},
        headers=as_user(HR_ADMIN),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["source"], body["id"], body["handled_by"]) == ("teams", notice, HR_ADMIN)
    mailed = client.post(f"/api/hr/deliveries/outbox/{email}/handled", headers=as_user(HR_ADMIN))
    assert mailed.status_code == 200, mailed.text

    assert client.get("/api/hr/deliveries", headers=as_user(HR_ADMIN)).json() == {
        "deliveries": [],
        "total": 0,
    }
    audit = client.get("/api/hr/audit", headers=as_user(HR_ADMIN)).json()
    handled = [r for r in audit if r["action"] == "delivery_handled"]
    assert [(r["target"], r["actor"], r["role"]) for r in handled] == [
        (f"outbox:{email}", HR_ADMIN, "hr_admin"),
        (f"notification:{notice}", HR_ADMIN, "hr_admin"),
    ]
    assert handled[1]["detail"].startswith("Ringt Maria,")
    assert "19121212-1212" not in handled[1]["detail"], "the note is masked"
    assert handled[0]["detail"] is None
    labels = client.get("/api/hr/labels", headers=as_user(HR_ADMIN)).json()
    assert labels["audit_actions"]["delivery_handled"].startswith("Meddelande som inte kom fram")

    again = client.post(
        f"/api/hr/deliveries/teams/{notice}/handled", json={}, headers=as_user(HR_ADMIN)
    )
    assert again.status_code == 409 and again.json()["code"] == "delivery_already_handled"
    assert "redan markerat" in again.json()["detail"]
    with database(client).session() as session:
        records = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "delivery_handled")
        ).all()
        assert len(records) == 2, "a refused second marking writes no record"
        row = session.get(Notification, notice)
        assert row is not None and row.handled_by == HR_ADMIN and row.delivered_at is None


def test_what_is_not_a_given_up_delivery_is_refused_with_a_swedish_message(
    client: TestClient,
) -> None:
    with database(client).session() as session:
        waiting = Notification(recipient_id="maria.berg", text="Mötet är flyttat.")
        session.add(waiting)
        session.flush()
        still_tried = waiting.id
    for path in (
        f"/api/hr/deliveries/teams/{still_tried}/handled",
        "/api/hr/deliveries/teams/999999/handled",
        "/api/hr/deliveries/outbox/999999/handled",
    ):
        response = client.post(path, json={}, headers=as_user(HR_ADMIN))
        assert response.status_code == 404, (path, response.text)
        assert response.json()["code"] == "delivery_not_found"
        assert "inget meddelande som gavs upp" in response.json()["detail"]
    unknown = client.post("/api/hr/deliveries/sms/1/handled", json={}, headers=as_user(HR_ADMIN))
    assert unknown.status_code == 404
    bad = [
        ("/api/hr/deliveries/teams/0/handled", {}),
        ("/api/hr/deliveries/teams/abc/handled", {}),
        (f"/api/hr/deliveries/teams/{still_tried}/handled", {"note": "x" * 501}),
        (f"/api/hr/deliveries/teams/{still_tried}/handled", {"note": 5}),
        (f"/api/hr/deliveries/teams/{still_tried}/handled", {"anteckning": "hej"}),
    ]
    for path, body in bad:
        response = client.post(path, json=body, headers=as_user(HR_ADMIN))
        assert response.status_code == 422, (path, body, response.text)
        assert response.json()["detail"] and response.json()["code"]
    limit = client.get("/api/hr/deliveries?limit=0", headers=as_user(HR_ADMIN))
    assert limit.status_code == 422
