"""HR's reports over HTTP (/api/hr/reports), on the region seeded in tests/unit/test_compliance.py
with the service's clock frozen at 2026-06-15: who may read them, the figures in JSON, CSV and
PDF, the unit summary's anonymity, and clear refusals of bad input."""

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from bot.api.headers import CONTENT_SECURITY_POLICY
from bot.main import create_app
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_compliance import ECONOMY, ECONOMY_2026, IT, seed

EDITOR, ADMIN = "henrik.hall", "hanna.holm"
NOT_HR = ("anna.andersson", "maria.berg", "sven.skog")
ENDPOINTS = (
    "/api/hr/reports/options",
    "/api/hr/reports/compliance",
    "/api/hr/reports/compliance?format=csv",
    "/api/hr/reports/compliance?format=pdf",
    f"/api/hr/reports/unit-summary?unit={ECONOMY}",
    f"/api/hr/reports/unit-summary?unit={ECONOMY}&format=pdf",
)


@pytest.fixture(scope="module")
def client(module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("reports")
    clock = tmp / "clock"
    clock.write_text("2026-06-15T10:00:00+02:00", encoding="utf-8")
    settings = make_settings(tmp, module_rasa.url, clock_file=clock)
    app = create_app(settings, CharTrigramEncoder())
    with TestClient(app, raise_server_exceptions=False) as test_client:
        with app.state.agreements.db.session() as session:
            seed(session)
        yield test_client


def get(client: TestClient, path: str, user: str = ADMIN, **params: Any) -> Any:
    """``params`` replace any query in ``path``."""
    return client.get(path, params=params or None, headers={"X-Demo-User": user})


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("user", [*NOT_HR, EDITOR, ADMIN])
def test_only_hr_reads_the_reports(client: TestClient, path: str, user: str) -> None:
    response = get(client, path, user)
    if user in (EDITOR, ADMIN):
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "hr_only"


def test_an_unknown_user_is_not_signed_in(client: TestClient) -> None:
    response = get(client, "/api/hr/reports/compliance", "nobody")
    assert response.status_code == 401
    assert response.json()["code"] == "unknown_demo_user"


def test_options_offer_the_years_with_data_and_every_unit(client: TestClient) -> None:
    options = get(client, "/api/hr/reports/options").json()

    assert options == {
        "region_name": "Region Västmanland",
        "years": [2026, 2025, 2024, 2023],
        "current_year": 2026,
        "units": [ECONOMY, "HR-avdelningen", IT],
        "min_group_size": 5,
        "reminder_days_before_expiry": 30,
    }


def test_the_compliance_report_defaults_to_this_year(client: TestClient) -> None:
    report = get(client, "/api/hr/reports/compliance").json()

    assert (report["year"], report["report_date"], report["unit"]) == (2026, "2026-06-15", None)
    assert [u["unit"] for u in report["units"]] == [ECONOMY, IT]
    economy = {k: v for k, v in report["units"][0].items() if k != "unit"}
    assert economy == ECONOMY_2026
    assert report["total"]["unit"] == "Alla enheter"
    assert report["total"]["agreements"]["in_force_during_year"] == 10
    assert report["total"]["risk_assessment_follow_up"]["share_within_12_months"] == 0.25


def test_one_unit_and_a_past_year(client: TestClient) -> None:
    report = get(client, "/api/hr/reports/compliance", year=2025, unit=ECONOMY).json()

    assert (report["unit"], report["report_date"]) == (ECONOMY, "2025-12-31")
    assert report["units"] == [report["total"]]
    assert report["total"]["agreements"]["in_force_during_year"] == 5
    assert report["total"]["decisions"]["share_assessment_before_decision"] == 1.0


def test_csv_for_excel(client: TestClient) -> None:
    response = get(client, "/api/hr/reports/compliance", format="csv")

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="sam-uppfoljning-distansarbete-2026.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Enhet", "År", "Rapportdag", "Gällande under året"]
    assert [row[0] for row in rows[1:]] == [ECONOMY, IT, "Alla enheter"]
    assert rows[1][:6] == [ECONOMY, "2026", "2026-06-15", "8", "8", "1"]
    share = rows[0].index("Andel med riskbedömning före beslut (%)")
    assert [row[share] for row in rows[1:]] == ["33,3", "100,0", "50,0"]


def test_pdf_for_printing(client: TestClient) -> None:
    response = get(client, "/api/hr/reports/compliance", unit=ECONOMY, format="pdf")

    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="sam-uppfoljning-distansarbete-2026-ekonomienheten.pdf"'
    )
    text = pdf_text(response.content)
    assert "uppföljning 2026" in text
    assert "Enhet: Ekonomienheten" in text
    assert "Ekonomienheten 8 8 1 3 1 av 3 (33 %) 1 av 3 (33 %) 2 1 2" in text
    assert "IT-enheten" not in text


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_the_unit_summary_hides_counts_below_the_regions_group_size(client: TestClient) -> None:
    """Seven employees of Ekonomienheten have an assessment for 2026; no area's risks come from
    five of them, so each area's count is hidden (the region's group size is 5)."""
    summary = get(client, "/api/hr/reports/unit-summary", unit=ECONOMY).json()

    assert summary["min_group_size"] == 5
    assert not summary["withheld"]
    assert summary["employees"] == {"value": 7, "suppressed": False}
    assert summary["risks"] == {"value": 10, "suppressed": False}
    assert {a["area"]: a["risks"]["value"] for a in summary["risks_by_area"]} == {
        "Ergonomi och distansarbetsplatsens utformning": None,
        "Psykosocial arbetsmiljö": None,
        "Informationssäkerhet": None,
        "Olyckor och tillbud": None,
        "Övrigt": 0,
    }
    assert summary["outcomes"] == summary["planned_actions"] == []


def test_a_unit_smaller_than_the_group_size_gets_no_figures(client: TestClient) -> None:
    summary = get(client, "/api/hr/reports/unit-summary", unit=IT, free_text="true").json()

    assert summary["withheld"]
    assert summary["employees"] == {"value": None, "suppressed": True}
    assert not summary["free_text_included"] and summary["outcomes"] == []
    text = pdf_text(get(client, "/api/hr/reports/unit-summary", unit=IT, format="pdf").content)
    assert "Färre än 5 medarbetare i enheten" in text
    assert "VPN" not in text


def test_free_text_on_request_has_no_names(client: TestClient) -> None:
    response = get(client, "/api/hr/reports/unit-summary", unit=ECONOMY, free_text="true")
    summary = response.json()

    assert summary["free_text_included"]
    assert (
        "Bildskärmen är för liten; [namn] har ont i nacken. Datorn saknar skärmskydd"
        in (summary["outcomes"])
    )
    assert {"text": "Installera skärmskydd åt [namn]", "status": "overdue"} in (
        summary["planned_actions"]
    )
    for personal in ("Anna", "Andersson", "Maria Berg", "maria.berg", '"e1"'):
        assert personal not in response.text


def test_hr_may_raise_the_group_size_for_one_summary(client: TestClient) -> None:
    raised = get(client, "/api/hr/reports/unit-summary", unit=ECONOMY, min_group_size=8).json()
    assert raised["withheld"] and raised["min_group_size"] == 8

    response = get(client, "/api/hr/reports/unit-summary", unit=ECONOMY, min_group_size=2)
    assert response.status_code == 422
    assert response.json() == {
        "code": "group_size_below_region_minimum",
        "detail": "Minsta gruppstorlek kan inte vara lägre än regionens 5.",
        "detail_en": "The minimum group size cannot be lower than the region's 5.",
    }


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("compliance", {"year": 2027}, 422, "year_not_started"),
        ("compliance", {"year": 1999}, 422, "invalid_field"),
        ("compliance", {"year": "förra året"}, 422, "invalid_field"),
        ("compliance", {"unit": "Okända enheten"}, 404, "unit_not_found"),
        ("compliance", {"unit": "x" * 121}, 422, "invalid_field"),
        ("compliance", {"format": "xlsx"}, 422, "invalid_field"),
        ("unit-summary", {}, 422, "missing_field"),
        ("unit-summary", {"unit": "Okända enheten"}, 404, "unit_not_found"),
        ("unit-summary", {"unit": ECONOMY, "year": 2030}, 422, "year_not_started"),
        ("unit-summary", {"unit": ECONOMY, "format": "csv"}, 422, "invalid_field"),
        ("unit-summary", {"unit": ECONOMY, "min_group_size": 0}, 422, "invalid_field"),
    ],
)
def test_bad_input_is_refused_clearly(
    client: TestClient, path: str, params: dict[str, Any], status: int, code: str
) -> None:
    response = get(client, f"/api/hr/reports/{path}", **params)

    assert response.status_code == status, response.text
    error = response.json()
    assert error["code"] == code
    assert error["detail"] and error["detail_en"] and error["detail"] != error["detail_en"]


def test_the_year_not_begun_is_named(client: TestClient) -> None:
    error = get(client, "/api/hr/reports/compliance", year=2027).json()
    assert error["detail"] == "År 2027 har inte börjat än. Välj ett år till och med 2026."


def test_without_the_database_the_reports_are_unavailable(client: TestClient) -> None:
    app: Any = client.app
    service, app.state.agreements = app.state.agreements, None
    try:
        response = get(client, "/api/hr/reports/compliance")
    finally:
        app.state.agreements = service
    assert response.status_code == 503
    assert response.json()["code"] == "reports_unavailable"


def test_the_hr_page_loads_the_reports_under_its_own_policy(client: TestClient) -> None:
    page = client.get("/hr")
    assert '<script src="/static/hr-reports.js" defer></script>' in page.text
    assert '<link rel="stylesheet" href="/static/hr-reports.css">' in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    script = client.get("/static/hr-reports.js")
    assert script.status_code == 200
    # Everything from the server goes in as text; charts are built as SVG elements.
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", 'setAttribute("style'):
        assert unsafe not in script.text
    assert "createElementNS" in script.text
    assert client.get("/static/hr-reports.css").status_code == 200
