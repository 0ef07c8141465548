"""``/api/agreements`` and ``/api/statistics/agreements``: who sees and decides what."""

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.agreements.service import AgreementRequest
from bot.identity import demo_directory
from bot.main import create_app
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa, free_port

# Each request of a test gets a period of its own: overlapping pending requests are refused.
PERIODS = itertools.count()


def submit(client: TestClient, key: str, employee: str = "anna.andersson") -> int:
    service = client.app.state.agreements  # type: ignore[attr-defined]
    start = date.today() + timedelta(days=10 + 250 * next(PERIODS))
    agreement = service.submit(
        AgreementRequest(
            employee=demo_directory().get(employee),
            share_percent=40,
            place_kind="holiday_home",
            place_description="Stugan i Sälen",
            start_date=start,
            end_date=start + timedelta(days=200),
            tasks="Analysarbete",
            equipment=["Bildskärm"],
            it_security_confirmed=True,
            submission_key=key,
        )
    )
    return int(agreement.id)


def as_user(user: str) -> dict[str, str]:
    return {"X-Demo-User": user}


def test_list_shows_each_role_what_it_may_see(client: TestClient) -> None:
    anna = submit(client, "list-anna")
    erik = submit(client, "list-erik", employee="erik.ek")
    ids = {
        u: {a["id"] for a in client.get("/api/agreements", headers=as_user(u)).json()}
        for u in ("anna.andersson", "maria.berg", "johan.lind", "hanna.holm", "sven.skog")
    }
    assert anna in ids["anna.andersson"] and erik not in ids["anna.andersson"]
    assert anna in ids["maria.berg"] and erik not in ids["maria.berg"]
    assert erik in ids["johan.lind"] and anna not in ids["johan.lind"]
    assert {anna, erik} <= ids["hanna.holm"]
    assert ids["sven.skog"] == set()
    row = next(
        a
        for a in client.get("/api/agreements", headers=as_user("maria.berg")).json()
        if a["id"] == anna
    )
    assert {
        "id",
        "employee",
        "manager",
        "unit",
        "share_percent",
        "place",
        "start_date",
        "end_date",
        "status",
        "risk_assessment_id",
    } <= row.keys()


def test_another_manager_gets_not_found(client: TestClient) -> None:
    agreement = submit(client, "hidden")
    response = client.get(f"/api/agreements/{agreement}", headers=as_user("johan.lind"))
    assert response.status_code == 404
    assert response.json()["code"] == "agreement_not_found"
    decision = client.post(
        f"/api/agreements/{agreement}/decision",
        json={"decision": "approve"},
        headers=as_user("johan.lind"),
    )
    assert decision.status_code == 404


def test_approval_is_refused_until_the_risk_assessment_is_documented(client: TestClient) -> None:
    agreement = submit(client, "approve")
    url = f"/api/agreements/{agreement}"
    blocked = client.post(
        f"{url}/decision", json={"decision": "approve"}, headers=as_user("maria.berg")
    )
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "risk_assessment_missing"
    documented = client.post(
        f"{url}/risk-assessment",
        headers=as_user("maria.berg"),
        json={"outcome": "Inga risker utöver ergonomi.", "documented_on": "2026-11-20"},
    )
    assert documented.status_code == 200
    assert documented.json()["risk_assessment_id"] is not None
    approved = client.post(
        f"{url}/decision", json={"decision": "approve"}, headers=as_user("maria.berg")
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"


def test_rejection_without_reason_is_a_422(client: TestClient) -> None:
    agreement = submit(client, "reject")
    response = client.post(
        f"/api/agreements/{agreement}/decision",
        json={"decision": "reject"},
        headers=as_user("maria.berg"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"


@pytest.mark.parametrize("body", [{"decision": "maybe"}, {"decision": "approve", "extra": 1}, {}])
def test_bad_decision_body_is_a_422(client: TestClient, body: dict[str, object]) -> None:
    agreement = submit(client, "bad-body")
    response = client.post(
        f"/api/agreements/{agreement}/decision", json=body, headers=as_user("maria.berg")
    )
    assert response.status_code == 422


def test_document_is_a_pdf_for_those_who_may_see_it(client: TestClient) -> None:
    agreement = submit(client, "pdf")
    response = client.get(
        f"/api/agreements/{agreement}/document.pdf", headers=as_user("maria.berg")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    forbidden = client.get(
        f"/api/agreements/{agreement}/document.pdf", headers=as_user("johan.lind")
    )
    assert forbidden.status_code == 404


def test_statistics_are_for_hr(client: TestClient) -> None:
    submit(client, "stats")
    assert (
        client.get("/api/statistics/agreements", headers=as_user("maria.berg")).status_code == 403
    )
    stats = client.get("/api/statistics/agreements", headers=as_user("hanna.holm"))
    assert stats.status_code == 200
    csv = client.get("/api/statistics/agreements?format=csv", headers=as_user("hanna.holm"))
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert ";" in csv.text


def test_database_down_gives_503_but_faq_chat_still_works(tmp_path: Path, rasa: FakeRasa) -> None:
    settings = make_settings(
        tmp_path, rasa.url, database_url=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"
    )
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        response = client.get("/api/agreements")
        assert response.status_code == 503
        assert response.json()["code"] == "agreements_unavailable"
        chat = client.post("/api/chat", json={"conversation_id": "c", "message": "hej"})
        assert chat.status_code == 200


def test_notifications_reach_the_manager_once(client: TestClient, rasa: FakeRasa) -> None:
    client.get("/api/notifications", headers=as_user("maria.berg"))  # empty the queue
    agreement = submit(client, "notify")
    reference = client.get(f"/api/agreements/{agreement}", headers=as_user("maria.berg")).json()[
        "reference"
    ]
    chat = client.post(
        "/api/chat", json={"conversation_id": "n1", "message": "hej"}, headers=as_user("maria.berg")
    )
    texts = [m["text"] for m in chat.json()["messages"]]
    assert texts[0] == "Hej från Rasa"
    assert any(reference in t and "har ansökt om distansarbete" in t for t in texts[1:])
    assert client.get("/api/notifications", headers=as_user("maria.berg")).json() == []
    for_employee = client.get("/api/notifications", headers=as_user("anna.andersson")).json()
    assert not any(reference in n["text"] for n in for_employee), "the request is the manager's"
