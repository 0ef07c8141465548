"""HR's page beyond the queue over HTTP (#18): the queue's compact groups and the group action,
the Swedish labels, rejected files and passed review dates, the agreements with their filters,
and the charts; each with its outcomes (ok, refused for someone who is not HR, bad input)."""

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.settings import PROJECT_ROOT
from bot.storage.models import ReviewItem
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_agreement_document import make_agreement

EDITOR, ADMIN, EMPLOYEE = "henrik.hall", "hanna.holm", "anna.andersson"
TODAY = date.today()


def as_user(user: str) -> dict[str, str]:
    return {"X-Demo-User": user}


@pytest.fixture(scope="module")
def client(module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("hr-overview")
    shutil.copytree(PROJECT_ROOT / "faq", root / "faq")
    olycka = root / "faq" / "olycka.md"
    olycka.write_text(
        re.sub(
            r"review_by: .*",
            "review_by: 2025-01-10",
            re.sub(r"reviewed: .*", "reviewed: 2024-01-10", olycka.read_text(encoding="utf-8")),
        ),
        encoding="utf-8",
    )
    # A new file the checker rejects: nothing of it serves.
    (root / "faq" / "parkering.md").write_text("---\nid: parkering\n---\nNej.\n", encoding="utf-8")
    app = create_app(
        make_settings(root, module_rasa.url, faq_dir=root / "faq"), CharTrigramEncoder()
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        with app.state.agreements.db.session() as session:
            session.add_all(
                [
                    make_agreement(
                        reference="DA-2026-00101",
                        submission_key="o1",
                        status="expiring",
                        start_date=TODAY - timedelta(days=300),
                        end_date=TODAY + timedelta(days=10),
                    ),
                    make_agreement(
                        reference="DA-2026-00102",
                        submission_key="o2",
                        employee_id="erik.ek",
                        manager_id="johan.lind",
                        unit="IT-enheten",
                        status="submitted",
                        start_date=TODAY + timedelta(days=20),
                        end_date=TODAY + timedelta(days=200),
                    ),
                ]
            )
            session.add_all(
                ReviewItem(question=q, reason="low_confidence", user_key="k")
                for q in ["Teams", "teams?", "TEAMS", "Får jag ha hund på jobbet?"]
            )
        yield test_client


def test_the_queue_gives_each_wording_once_and_suggests_entries_without_choosing(
    client: TestClient,
) -> None:
    queue = client.get("/api/hr/queue", headers=as_user(EDITOR)).json()
    teams = next(g for g in queue["groups"] if g["label"] == "Teams")
    assert teams["count"] == 3
    assert [(w["text"], w["count"]) for w in teams["wordings"]] == [("Teams", 3)]
    assert teams["key"] == min(i["id"] for i in teams["items"])
    label_item = next(i for i in teams["items"] if i["id"] == teams["label_item_id"])
    assert label_item["question"] == "Teams"

    suggested = client.get(
        f"/api/hr/queue/items/{teams['label_item_id']}/suggestions", headers=as_user(EDITOR)
    )
    assert suggested.status_code == 200
    assert len(suggested.json()) == 3
    assert all(s["faq_id"] and s["question"] for s in suggested.json())
    missing = client.get("/api/hr/queue/items/999999/suggestions", headers=as_user(EDITOR))
    assert (missing.status_code, missing.json()["code"]) == (404, "review_item_not_found")
    refused = client.get(
        f"/api/hr/queue/items/{teams['label_item_id']}/suggestions", headers=as_user(EMPLOYEE)
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "hr_only")
    # Suggestions are only read: a POST there is no way to close the question.
    posted = client.post(
        f"/api/hr/queue/items/{teams['label_item_id']}/suggestions", headers=as_user(ADMIN)
    )
    assert posted.status_code == 405


def test_an_admin_discards_a_whole_group_an_editor_may_not_and_bad_input_is_refused(
    client: TestClient,
) -> None:
    queue = client.get("/api/hr/queue", headers=as_user(ADMIN)).json()
    dog = next(g for g in queue["groups"] if "hund" in g["label"])
    ids = [i["id"] for i in dog["items"]]
    body = {"item_ids": ids, "action": "discard", "resolution": "Inte distansarbete"}

    refused = client.post("/api/hr/queue/close", json=body, headers=as_user(EDITOR))
    assert (refused.status_code, refused.json()["code"]) == (403, "hr_admin_only")
    bad = client.post(
        "/api/hr/queue/close", json=body | {"action": "delete"}, headers=as_user(ADMIN)
    )
    assert bad.status_code == 422 and bad.json()["detail"]
    empty = client.post("/api/hr/queue/close", json=body | {"item_ids": []}, headers=as_user(ADMIN))
    assert empty.status_code == 422

    done = client.post("/api/hr/queue/close", json=body, headers=as_user(ADMIN))
    assert done.status_code == 200
    assert done.json() == {"status": "discarded", "item_ids": ids}
    again = client.post("/api/hr/queue/close", json=body, headers=as_user(ADMIN))
    assert (again.status_code, again.json()["code"]) == (409, "review_item_closed")
    audit = client.get("/api/hr/audit", headers=as_user(ADMIN)).json()
    assert [(r["action"], r["detail"]) for r in audit[: len(ids)]] == [
        ("review_item_discarded", "Inte distansarbete")
    ] * len(ids)


def test_labels_are_served_in_swedish(client: TestClient) -> None:
    labels = client.get("/api/hr/labels", headers=as_user(EDITOR)).json()
    assert labels["agreement_statuses"]["submitted"] == "Inskickad, väntar på beslut"
    assert labels["roles"]["hr_editor"] == "HR-redaktör"
    assert labels["queue_reasons"]["low_confidence"] == "Inget säkert svar"
    session = client.get("/api/hr/session", headers=as_user(EDITOR)).json()
    assert session["role_label"] == "HR-redaktör"


def test_rejected_files_and_passed_review_dates_are_listed(client: TestClient) -> None:
    status = client.get("/api/hr/faq-status", headers=as_user(EDITOR)).json()
    rejected = [r for r in status["rejected"] if r["file"] == "faq/parkering.md"]
    assert rejected and all(not r["previous_version_served"] for r in rejected)
    assert any(r["rule"] == "missing-field" and "saknas" in r["message"] for r in rejected)
    assert [e["faq_id"] for e in status["review_overdue"]] == ["olycka"]
    assert status["review_overdue"][0]["review_by"] == "2025-01-10"
    assert status["overdue_withheld"] is False
    figures = client.get("/api/hr/figures", headers=as_user(EDITOR)).json()
    olycka = next(f for f in figures if f["faq_id"] == "olycka")
    assert (olycka["review_by"], olycka["review_overdue"]) == ("2025-01-10", True)


def test_hr_lists_agreements_with_names_pdfs_and_expiry(client: TestClient) -> None:
    response = client.get("/api/hr/agreements", headers=as_user(EDITOR))
    assert response.status_code == 200
    listed = response.json()
    assert listed["total"] == 2 and listed["expiring_within_days"] == 30
    assert listed["units"] == ["Ekonomienheten", "IT-enheten"]
    first, second = listed["agreements"]
    assert (first["reference"], first["employee_name"], first["status_label"]) == (
        "DA-2026-00102",
        "Erik Ek",
        "Inskickad, väntar på beslut",
    )
    assert (second["expiring_soon"], second["risk_assessment_label"]) == (True, "Ingen kopplad")
    pdf = client.get(second["document"], headers=as_user(EDITOR))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    only = client.get(
        "/api/hr/agreements?expiring=true&unit=Ekonomienheten&risk_assessment=missing&employee=anna",
        headers=as_user(ADMIN),
    ).json()
    assert [a["reference"] for a in only["agreements"]] == ["DA-2026-00101"]


@pytest.mark.parametrize(
    "query",
    [
        "status=godkand",
        "risk_assessment=maybe",
        "limit=0",
        "limit=501",
        "offset=-1",
        "employee=a",
        "unit=",
        "unit=%20",
        "expiring=kanske",
    ],
)
def test_bad_filters_are_refused_with_a_message(client: TestClient, query: str) -> None:
    response = client.get(f"/api/hr/agreements?{query}", headers=as_user(EDITOR))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] and body["detail"] and body["detail_en"]


@pytest.mark.parametrize(
    "path", ["/api/hr/agreements", "/api/hr/charts/agreements", "/api/hr/charts/figures"]
)
def test_an_employee_is_refused(client: TestClient, path: str) -> None:
    response = client.get(path, headers=as_user(EMPLOYEE))
    assert (response.status_code, response.json()["code"]) == (403, "hr_only")


def test_charts_are_svg_with_a_title_a_description_and_their_rows(client: TestClient) -> None:
    charts = client.get("/api/hr/charts/agreements", headers=as_user(EDITOR)).json()
    assert len(charts) == 4
    by_status = charts[3]
    assert by_status["title"] == "Alla överenskommelser efter status"
    rows = {r["label"]: r["values"] for r in by_status["rows"]}
    assert rows["Inskickad, väntar på beslut"] == [1]
    assert rows["Gällande, löper snart ut"] == [1]
    root = ET.fromstring(by_status["svg"])
    assert root.find("{http://www.w3.org/2000/svg}title").text == by_status["title"]
    assert root.find("{http://www.w3.org/2000/svg}desc").text == by_status["description"]
    answers = client.get("/api/hr/charts/figures", headers=as_user(EDITOR)).json()
    assert answers["series"] == ["Tumme upp", "Tumme ned", "Utan omdöme"]
    assert ET.fromstring(answers["svg"]).get("role") == "img"
