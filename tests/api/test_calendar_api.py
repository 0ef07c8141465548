"""The app with a calendar system configured: a CalDAV server that refuses connections does not
stop a booking, which reports that its time was not checked against the calendars and keeps its
calendar write in the outbox; invitations link the checklist on the public address, and the
checklist's page opens without signing in, also in production."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from bot.launcher import free_port
from bot.main import create_app
from bot.outbox import CALENDAR
from bot.storage.database import Database
from bot.storage.models import OutboxMessage
from tests.api.conftest import make_settings
from tests.api.test_agreements import as_user
from tests.api.test_auth import SSO_KEY, production_settings, public_pem
from tests.api.test_risk_assessments import book, working_day
from tests.conftest import CharTrigramEncoder, FakeRasa

PUBLIC = "https://distansguiden.example.se"


@pytest.fixture
def caldav_down(rasa: FakeRasa, tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path,
        rasa.url,
        calendar="caldav",
        caldav={"url": f"http://127.0.0.1:{free_port()}/dav", "timeout_seconds": 1},
        public_url=PUBLIC + "/",
        outbox_poll_seconds=0,
    )
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        yield client


def test_a_booking_with_the_calendar_down_is_stored_and_says_it_was_not_checked(
    caldav_down: TestClient, tmp_path: Path
) -> None:
    response = book(caldav_down, working_day(5))
    assert response.status_code == 200, response.text
    booked = response.json()
    assert booked["calendar_checked"] is False

    invitation = caldav_down.get(
        f"/api/risk-assessments/{booked['id']}.ics", headers=as_user("anna.andersson")
    )
    (event,) = Calendar.from_ical(invitation.content).walk("VEVENT")
    assert event["SUMMARY"] == "Riskbedömning distansarbete – Anna Andersson"
    assert f"{PUBLIC}/riskbedomning/checklista" in str(event["DESCRIPTION"])

    assert caldav_down.get("/health").json()["calendar"] == "paused"

    db = Database(f"sqlite:///{tmp_path}/app.db")
    with db.session() as session:
        (waiting,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == CALENDAR))
        assert waiting.sent_at is None and waiting.reference == f"risk_assessment:{booked['id']}"
    db.dispose()


def test_without_a_calendar_system_nothing_is_checked_or_queued(client: TestClient) -> None:
    booked = book(client, working_day(6)).json()
    assert booked["calendar_checked"] is None
    assert client.get("/health").json()["calendar"] == "local"


def test_the_checklist_opens_without_signing_in_also_in_production(
    rasa: FakeRasa, tmp_path: Path
) -> None:
    key = tmp_path / "sso.pem"
    key.write_bytes(public_pem(SSO_KEY))
    settings = production_settings(tmp_path, rasa.url, oidc_public_key_file=key)
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        page = client.get("/riskbedomning/checklista")
        assert client.get("/api/risk-assessments").status_code == 401
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    assert "<h3>Ergonomi och distansarbetsplatsens utformning</h3>" in page.text
    assert '<html lang="sv">' in page.text


def test_the_signed_invitation_link_opens_without_signing_in_until_it_expires(
    client: TestClient,
) -> None:
    booked = book(client, working_day(7)).json()
    service = client.app.state.risk_assessments  # type: ignore[attr-defined]
    end = datetime.fromisoformat(booked["end"])
    link = service.links.invitation(booked["id"], end)
    assert link.startswith(f"http://127.0.0.1:8000/riskbedomning/{booked['id']}.ics?until=")
    path = link.removeprefix("http://127.0.0.1:8000")

    opened = client.get(path)  # no X-Demo-User, no token
    assert opened.status_code == 200, opened.text
    assert opened.headers["content-type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(opened.content).walk("VEVENT")
    assert event["SUMMARY"] == "Riskbedömning distansarbete – Anna Andersson"

    until = int(path.split("until=")[1].split("&")[0])
    signature = path.split("sig=")[1]
    for altered in (
        path.replace(f"sig={signature}", f"sig={signature[::-1]}"),
        path.replace(f"until={until}", f"until={until + 86400}"),
        path.replace(f"/{booked['id']}.ics", f"/{booked['id'] + 1}.ics"),
    ):
        refused = client.get(altered)
        assert refused.status_code == 404 and refused.json()["code"] == "invitation_link_invalid"
    expired = service.links.invitation(booked["id"], datetime(2020, 1, 1, tzinfo=UTC))
    assert client.get(expired.removeprefix("http://127.0.0.1:8000")).status_code == 404


def test_free_times_are_offered_to_whoever_may_book_and_a_wider_search_goes_on(
    client: TestClient,
) -> None:
    asked = client.get(
        "/api/risk-assessments/free-times",
        params={"employee": "anna.andersson"},
        headers=as_user("maria.berg"),
    )
    assert asked.status_code == 200, asked.text
    offer = asked.json()
    starts = [datetime.fromisoformat(s) for s in offer["starts"]]
    assert len(starts) == 3 and len({s.date() for s in starts}) == 3
    assert offer["calendars_checked"] is None
    assert all(s >= datetime.fromisoformat(offer["searched_from"]) for s in starts)

    later = client.get(
        "/api/risk-assessments/free-times",
        params={"employee": "anna.andersson", "after": offer["next_search_from"]},
        headers=as_user("anna.andersson"),
    ).json()
    assert (
        datetime.fromisoformat(later["starts"][0]).date().isoformat() >= (offer["next_search_from"])
    )

    refused = client.get(
        "/api/risk-assessments/free-times",
        params={"employee": "anna.andersson"},
        headers=as_user("johan.lind"),
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed_to_book"
    too_long = client.get(
        "/api/risk-assessments/free-times",
        params={"employee": "anna.andersson", "duration_minutes": 600},
        headers=as_user("anna.andersson"),
    )
    assert too_long.status_code == 422
