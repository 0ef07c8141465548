"""``/api/agreements`` and ``/api/statistics/agreements``: who sees and decides what."""

import io
import itertools
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader

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
    # The notice before the reply, so a form's question stays the last message.
    assert texts[-1] == "Hej från Rasa"
    assert any(reference in t and "har ansökt om distansarbete" in t for t in texts[:-1])
    assert client.get("/api/notifications", headers=as_user("maria.berg")).json() == []
    for_employee = client.get("/api/notifications", headers=as_user("anna.andersson")).json()
    assert not any(reference in n["text"] for n in for_employee), "the request is the manager's"


def test_a_request_decided_before_its_notice_is_shown_is_not_announced(
    client: TestClient,
) -> None:
    """Maria decided Anna's request in the turn that was to show "Anna har ansökt … Skriv
    'visa mina ansökningar' för att besluta" (flows 2026-12-06t): old news is not shown."""
    client.get("/api/notifications", headers=as_user("maria.berg"))  # empty the queue
    decided, waiting = submit(client, "decided-first"), submit(client, "still-waiting")
    client.post(
        f"/api/agreements/{decided}/decision",
        json={"decision": "reject", "reason": "Inte nu."},
        headers=as_user("maria.berg"),
    )
    references = [
        client.get(f"/api/agreements/{a}", headers=as_user("maria.berg")).json()["reference"]
        for a in (decided, waiting)
    ]
    told = [
        n["text"] for n in client.get("/api/notifications", headers=as_user("maria.berg")).json()
    ]
    assert not any(references[0] in t for t in told)
    assert any(references[1] in t and "har ansökt" in t for t in told)
    assert client.get("/api/notifications", headers=as_user("maria.berg")).json() == []


def swedish_today() -> str:
    """The date the document prints for something done just now: the region's."""
    return datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat()


def pdf_text(response: Response) -> str:
    """The downloaded document's text, line breaks from wrapping turned into spaces."""
    assert response.status_code == 200, response.text
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_document_is_a_draft_until_approved(client: TestClient) -> None:
    agreement = submit(client, "pdf-draft")
    url = f"/api/agreements/{agreement}"
    draft = client.get(f"{url}/document.pdf", headers=as_user("anna.andersson"))

    assert 'filename="DA-' in draft.headers["content-disposition"]
    assert "-utkast.pdf" in draft.headers["content-disposition"]
    text = pdf_text(draft)
    assert "UTKAST – ej beslutad" in text
    assert "Beslut Ej beslutad" in text
    assert "Anställningsnummer 104512" in text
    assert "Adress saknas – fylls i före underskrift" in text
    assert f"Ansökan inkommen {swedish_today()}" in text

    client.post(
        f"{url}/workplace-address",
        json={"address": "Fjällvägen 12, 780 67 Sälen"},
        headers=as_user("anna.andersson"),
    )
    client.post(
        f"{url}/risk-assessment",
        headers=as_user("maria.berg"),
        json={"outcome": "Inga risker utöver ergonomi.", "documented_on": "2026-11-20"},
    )
    client.post(f"{url}/decision", json={"decision": "approve"}, headers=as_user("maria.berg"))
    approved = client.get(f"{url}/document.pdf", headers=as_user("hanna.holm"))

    assert "utkast" not in approved.headers["content-disposition"]
    text = pdf_text(approved)
    assert "UTKAST" not in text
    assert "Arbetsplatsens adress Fjällvägen 12, 780 67 Sälen" in text
    assert "Beslut Godkänd" in text
    assert "Beslutad av Maria Berg" in text
    assert f"Beslutsdatum {swedish_today()}" in text
    assert "dokumenterad 2026-11-20" in text
    assert "Resultat Inga risker utöver ergonomi." in text


def test_a_rejected_request_prints_who_rejected_it_and_why(client: TestClient) -> None:
    agreement = submit(client, "pdf-rejected")
    client.post(
        f"/api/agreements/{agreement}/decision",
        json={"decision": "reject", "reason": "Bokslutet kräver närvaro."},
        headers=as_user("hanna.holm"),
    )
    text = pdf_text(
        client.get(f"/api/agreements/{agreement}/document.pdf", headers=as_user("anna.andersson"))
    )

    assert "Beslut Avslagen" in text
    assert "Beslutad av Hanna Holm" in text
    assert "Skäl Bokslutet kräver närvaro." in text
    assert "AVSLAGEN – gäller inte" in text


def test_the_workplace_address_is_stored_on_one_line(client: TestClient) -> None:
    agreement = submit(client, "address")
    response = client.post(
        f"/api/agreements/{agreement}/workplace-address",
        json={"address": "  Fjällvägen 12,\n  780 67   Sälen \t"},
        headers=as_user("anna.andersson"),
    )

    assert response.status_code == 200, response.text
    assert response.json()["place"]["address"] == "Fjällvägen 12, 780 67 Sälen"
    seen_by_manager = client.get(f"/api/agreements/{agreement}", headers=as_user("maria.berg"))
    assert seen_by_manager.json()["place"]["address"] == "Fjällvägen 12, 780 67 Sälen"


@pytest.mark.parametrize(
    ("body", "code", "detail", "detail_en"),
    [
        ({"address": "   "}, "invalid_field", "får inte vara tomt", "must not be empty"),
        ({"address": "x" * 201}, "invalid_field", "högst 200 tecken", "at most 200 characters"),
        (
            {"address": "Fjällvägen 12, 780 67 Sälen, ring 070-123 45 67"},
            "invalid_workplace_address",
            "telefonnummer",
            "phone number",
        ),
        ({"address": "Fjällvägen 12", "floor": 2}, "unknown_field", "floor", "floor"),
        ({}, "missing_field", "address", "address"),
    ],
)
def test_a_bad_address_is_refused_saying_why(
    client: TestClient, body: dict[str, object], code: str, detail: str, detail_en: str
) -> None:
    agreement = submit(client, f"bad-address-{code}-{len(str(body))}")
    response = client.post(
        f"/api/agreements/{agreement}/workplace-address",
        json=body,
        headers=as_user("anna.andersson"),
    )

    assert response.status_code == 422
    error = response.json()
    assert error["code"] == code
    assert detail in error["detail"] and detail_en in error["detail_en"]
    stored = client.get(f"/api/agreements/{agreement}", headers=as_user("anna.andersson"))
    assert stored.json()["place"]["address"] is None


def test_only_those_who_see_the_agreement_give_its_address(client: TestClient) -> None:
    agreement = submit(client, "address-other-manager")
    response = client.post(
        f"/api/agreements/{agreement}/workplace-address",
        json={"address": "Fjällvägen 12, 780 67 Sälen"},
        headers=as_user("johan.lind"),
    )
    assert response.status_code == 404


def test_an_address_changed_after_the_decision_is_told_to_the_manager(client: TestClient) -> None:
    agreement = submit(client, "address-after-decision")
    url = f"/api/agreements/{agreement}"
    client.post(
        f"{url}/risk-assessment",
        headers=as_user("maria.berg"),
        json={"outcome": "Inga risker.", "documented_on": "2026-11-20"},
    )
    client.post(f"{url}/decision", json={"decision": "approve"}, headers=as_user("maria.berg"))
    client.get("/api/notifications", headers=as_user("maria.berg"))  # empty the queue
    reference = client.get(url, headers=as_user("maria.berg")).json()["reference"]

    changed = client.post(
        f"{url}/workplace-address",
        json={"address": "Storgatan 5, 722 15 Västerås"},
        headers=as_user("anna.andersson"),
    )

    assert changed.status_code == 200
    told = [
        n["text"] for n in client.get("/api/notifications", headers=as_user("maria.berg")).json()
    ]
    assert any(reference in t and "Adressen till distansarbetsplatsen" in t for t in told)


def test_an_ended_agreement_keeps_its_address(client: TestClient) -> None:
    agreement = submit(client, "address-rejected")
    url = f"/api/agreements/{agreement}"
    client.post(
        f"{url}/decision",
        json={"decision": "reject", "reason": "Inte nu."},
        headers=as_user("maria.berg"),
    )
    response = client.post(
        f"{url}/workplace-address",
        json={"address": "Storgatan 5, 722 15 Västerås"},
        headers=as_user("anna.andersson"),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "agreement_closed"
    assert "avslagen" in response.json()["detail"]
