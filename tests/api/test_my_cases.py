""" "Mina ärenden" over HTTP (#18): ``GET /api/me/cases`` lists the signed-in employee's own
requests and dialogues; ``POST /api/agreements/{id}/withdraw`` takes a pending request back,
only the applicant's and only before the decision, recorded in its history. And the privacy
and terms pages, from the region's file."""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.agreements.service import AgreementRequest
from bot.identity import demo_directory
from bot.storage.models import AgreementEvent, Notification, RiskAssessment

PERIODS = itertools.count()
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def submit(client: TestClient, employee: str = "anna.andersson", place: str = "Hemma") -> int:
    """A pending request of ``employee``'s, in a period of its own."""
    period = next(PERIODS)
    start = date.today() + timedelta(days=400 + 250 * period)
    agreement = client.app.state.agreements.submit(  # type: ignore[attr-defined]
        AgreementRequest(
            employee=demo_directory().get(employee),  # type: ignore[arg-type]
            share_percent=40,
            place_kind="home",
            place_description=place,
            start_date=start,
            end_date=start + timedelta(days=200),
            tasks="Analysarbete",
            it_security_confirmed=True,
            submission_key=f"my-cases-{period}",
        )
    )
    return int(agreement.id)


def as_user(user: str) -> dict[str, str]:
    return {"X-Demo-User": user}


def book(client: TestClient, user: str = "anna.andersson") -> int:
    """The user's dialogue on the first free working morning some weeks ahead."""
    day = datetime.now(STOCKHOLM).date() + timedelta(days=30)
    for offset in range(60):
        start = datetime.combine(day + timedelta(days=offset), datetime.min.time(), STOCKHOLM)
        response = client.post(
            "/api/risk-assessments",
            json={"employee": user, "start": start.replace(hour=10).isoformat()},
            headers=as_user(user),
        )
        if response.status_code == 200:
            return int(response.json()["id"])
    raise AssertionError("no free morning for the dialogue")


def test_my_cases_are_my_own_requests_and_dialogues_with_what_i_may_do(
    client: TestClient,
) -> None:
    mine = submit(client)
    staff = submit(client, employee="erik.ek")
    booking = book(client)
    cases = client.get("/api/me/cases", headers=as_user("anna.andersson"))
    assert cases.status_code == 200
    body = cases.json()
    request = next(a for a in body["agreements"] if a["id"] == mine)
    assert staff not in {a["id"] for a in body["agreements"]}
    assert request["status"] == "submitted"
    assert request["status_text"] == "Väntar på beslut"
    assert request["place"] == "Hemma"
    assert request["can_withdraw"] is True
    assert request["document"] == f"/api/agreements/{mine}/document.pdf"
    pdf = client.get(request["document"], headers=as_user("anna.andersson"))
    assert pdf.headers["content-type"] == "application/pdf"
    dialogue = next(r for r in body["risk_assessments"] if r["id"] == booking)
    assert (dialogue["status_text"], dialogue["can_cancel"]) == ("Bokad", True)
    assert dialogue["invitation"] == f"/api/risk-assessments/{booking}.ics"
    # A manager's own list holds no request of the staff's.
    maria = client.get("/api/me/cases", headers=as_user("maria.berg")).json()
    assert mine not in {a["id"] for a in maria["agreements"]}


def test_the_applicant_withdraws_a_pending_request_and_the_manager_is_told(
    client: TestClient,
) -> None:
    agreement = submit(client, place="Hemma")
    response = client.post(
        f"/api/agreements/{agreement}/withdraw", headers=as_user("anna.andersson")
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    database = client.app.state.agreements.db  # type: ignore[attr-defined]
    with database.session() as session:
        history = session.scalars(
            select(AgreementEvent.action).where(AgreementEvent.agreement_id == agreement)
        ).all()
        told = session.scalars(
            select(Notification.text).where(
                Notification.agreement_id == agreement, Notification.recipient_id == "maria.berg"
            )
        ).all()
    assert history[-1] == "withdrawn"
    assert any("återtagen" in text for text in told)
    again = client.post(f"/api/agreements/{agreement}/withdraw", headers=as_user("anna.andersson"))
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    listed = client.get("/api/me/cases", headers=as_user("anna.andersson")).json()
    shown = next(a for a in listed["agreements"] if a["id"] == agreement)
    assert (shown["status_text"], shown["can_withdraw"]) == ("Återtagen", False)


def test_nobody_but_the_applicant_withdraws(client: TestClient) -> None:
    agreement = submit(client)
    manager = client.post(f"/api/agreements/{agreement}/withdraw", headers=as_user("maria.berg"))
    assert (manager.status_code, manager.json()["code"]) == (403, "not_your_request")
    stranger = client.post(f"/api/agreements/{agreement}/withdraw", headers=as_user("johan.lind"))
    assert stranger.status_code == 404
    stored = client.get(f"/api/agreements/{agreement}", headers=as_user("anna.andersson"))
    assert stored.json()["status"] == "submitted"


def test_the_privacy_and_terms_pages_show_the_regions_texts_without_sign_in(
    client: TestClient,
) -> None:
    privacy = client.get("/integritet", headers={"X-Demo-User": "nobody"})
    assert privacy.status_code == 200
    assert "Region Västmanland är personuppgiftsansvarig" in privacy.text
    assert "Personnummer, e-postadresser och telefonnummer tas bort" in privacy.text
    assert privacy.headers["content-security-policy"].startswith("default-src 'self'")
    terms = client.get("/villkor")
    assert terms.status_code == 200
    assert "<h1>Villkor för Distansguiden</h1>" in terms.text
    assert "inte beviljad förrän din chef (eller HR) har beslutat om den" in terms.text


def test_a_dialogue_shows_its_teams_link_while_it_is_booked(client: TestClient) -> None:
    booking = book(client)
    join_url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"
    # What the outbox keeps once Microsoft Graph has made the event (bot/outbox.py).
    database = client.app.state.agreements.db  # type: ignore[attr-defined]
    with database.session() as session:
        session.get(RiskAssessment, booking).online_meeting_url = join_url  # type: ignore[union-attr]

    def shown() -> dict[str, object]:
        cases = client.get("/api/me/cases", headers=as_user("anna.andersson")).json()
        return next(r for r in cases["risk_assessments"] if r["id"] == booking)

    assert shown()["online_meeting"] == join_url
    cancelled = client.post(
        f"/api/risk-assessments/{booking}/cancel", headers=as_user("anna.andersson")
    )
    assert cancelled.status_code == 200
    assert shown()["online_meeting"] is None, "no link to a cancelled meeting"
