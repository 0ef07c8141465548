"""``/api/action-plans``: list (overdue ones too), mark done, move; who may see and change
what, and bad input, with the service's clock frozen on one day."""

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.risk_assessments.service import Action, RiskAssessmentService
from bot.storage.models import RiskAssessment
from tests.api.conftest import make_settings
from tests.api.test_agreements import as_user
from tests.conftest import CharTrigramEncoder, FakeRasa

TODAY = date(2027, 3, 1)
EVERYONE = (
    "anna.andersson",
    "erik.ek",
    "maria.berg",
    "johan.lind",
    "hanna.holm",
    "henrik.hall",
    "sven.skog",
    "sara.strand",
)


@pytest.fixture(scope="module")
def client(module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("action-plans")
    clock_file = tmp / "now.txt"
    clock_file.write_text(f"{TODAY.isoformat()}T09:00:00+01:00", encoding="utf-8")
    settings = make_settings(tmp, module_rasa.url, clock_file=clock_file)
    with TestClient(create_app(settings, CharTrigramEncoder()), raise_server_exceptions=False) as c:
        yield c


def plan(
    client: TestClient,
    actions: list[tuple[str, str, date]],
    employee: str = "anna.andersson",
) -> list[int]:
    """Documents a risk assessment of ``employee``'s with ``actions`` (text, owner as written,
    due date), as their manager would; returns the actions' ids in order."""
    service: RiskAssessmentService = client.app.state.risk_assessments  # type: ignore[attr-defined]
    employee_user = service.directory.get(employee)
    assert employee_user is not None and employee_user.manager is not None
    manager = service.directory.get(employee_user.manager)
    assert manager is not None
    representative = service.proposed_safety_representative(employee_user)
    with service.db.session() as session:
        assessment = RiskAssessment(
            employee_id=employee,
            manager_id=manager.id,
            safety_representative_id=representative.id if representative else None,
            status="held",
        )
        session.add(assessment)
        session.flush()
        assessment_id = assessment.id
    documented = service.document(
        manager,
        assessment_id,
        "Bildskärmen är för låg.",
        [Action(text, owner, due) for text, owner, due in actions],
        service.now().date() + timedelta(days=200),
    )
    return [item.id for item in documented.action_items]


def listed(client: TestClient, user: str, query: str = "") -> dict[int, dict[str, Any]]:
    response = client.get(f"/api/action-plans{query}", headers=as_user(user))
    assert response.status_code == 200, response.text
    return {a["id"]: a for a in response.json()}


def done(client: TestClient, action_id: int, user: str) -> Any:
    return client.post(f"/api/action-plans/{action_id}/done", headers=as_user(user))


def move(client: TestClient, action_id: int, user: str, **body: Any) -> Any:
    return client.post(f"/api/action-plans/{action_id}/move", json=body, headers=as_user(user))


def assert_refused(response: Any, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body: dict[str, str] = response.json()
    assert body["code"] == code
    assert body["detail"] and body["detail_en"] and body["detail"] != body["detail_en"]
    return body


def test_each_role_sees_the_actions_it_may_see(client: TestClient) -> None:
    late, later = plan(
        client,
        [
            ("Beställa bildskärm", "Anna Andersson", TODAY - timedelta(days=5)),
            ("Se över belysningen", "IT-avdelningen", TODAY + timedelta(days=10)),
        ],
    )
    [eriks] = plan(client, [("Ny stol", "Maria Berg", TODAY)], employee="erik.ek")
    mine = {late, later, eriks}

    seen = {user: set(listed(client, user)) & mine for user in EVERYONE}

    assert seen == {
        "anna.andersson": {late, later},
        "erik.ek": {eriks},
        # Anna's manager, and the owner of an action in Erik's plan.
        "maria.berg": {late, later, eriks},
        "johan.lind": {eriks},
        "hanna.holm": mine,
        "henrik.hall": mine,
        "sven.skog": {late, later},
        "sara.strand": {eriks},
    }
    everything = listed(client, "hanna.holm")
    assert {k: everything[late][k] for k in ("employee", "manager", "owner", "owner_id")} == {
        "employee": "anna.andersson",
        "manager": "maria.berg",
        "owner": "Anna Andersson",
        "owner_id": "anna.andersson",
    }
    assert everything[later]["owner_id"] is None
    assert (everything[late]["status"], everything[late]["overdue"]) == ("open", True)
    assert everything[late]["due_on"] == (TODAY - timedelta(days=5)).isoformat()
    assert (everything[eriks]["overdue"], everything[later]["overdue"]) == (False, False)
    assert (
        client.get(f"/api/action-plans/{eriks}", headers=as_user("anna.andersson")).status_code
        == 404
    )
    assert (
        client.get(f"/api/action-plans/{eriks}", headers=as_user("erik.ek")).json()["id"] == eriks
    )


def test_overdue_lists_only_open_actions_past_their_date(client: TestClient) -> None:
    late, due_today, ended = plan(
        client,
        [
            ("Beställa headset", "Anna Andersson", TODAY - timedelta(days=1)),
            ("Ny stol", "chefen", TODAY),
            ("Dockningsstation", "Maria Berg", TODAY - timedelta(days=3)),
        ],
    )
    assert done(client, ended, "maria.berg").status_code == 200

    for user in ("hanna.holm", "maria.berg"):
        overdue = listed(client, user, "?overdue=true")
        assert late in overdue and due_today not in overdue and ended not in overdue
        assert all(a["overdue"] and a["status"] == "open" for a in overdue.values())
    assert ended in listed(client, "maria.berg", "?status=done")
    assert late not in listed(client, "maria.berg", "?status=done")
    assert due_today in listed(client, "maria.berg", "?overdue=false")


def test_the_manager_marks_an_action_done_once(client: TestClient) -> None:
    [action] = plan(client, [("Beställa bildskärm", "IT-avdelningen", TODAY)])

    response = done(client, action, "maria.berg")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["done_by"], body["overdue"]) == ("done", "maria.berg", False)
    assert body["done_at"].startswith("2027-03-01")
    again = assert_refused(done(client, action, "hanna.holm"), 409, "action_already_done")
    assert "redan klar (2027-03-01)" in again["detail"]
    assert_refused(
        move(client, action, "maria.berg", due_on="2027-04-01", reason="Leveransen dröjer"),
        409,
        "action_already_done",
    )


def test_the_owner_and_hr_may_change_an_action_others_may_not(client: TestClient) -> None:
    owned, not_hers = plan(
        client,
        [
            ("Beställa headset", "anna.andersson@example.org", TODAY),
            ("Se över belysningen", "IT-avdelningen", TODAY),
        ],
    )
    assert_refused(done(client, not_hers, "anna.andersson"), 403, "not_allowed_to_change_action")
    assert_refused(done(client, not_hers, "sven.skog"), 403, "not_allowed_to_change_action")
    assert_refused(done(client, not_hers, "johan.lind"), 404, "action_not_found")
    assert_refused(
        move(client, not_hers, "erik.ek", due_on="2027-04-01", reason="x"), 404, "action_not_found"
    )

    assert done(client, owned, "anna.andersson").json()["done_by"] == "anna.andersson"
    assert done(client, not_hers, "henrik.hall").json()["done_by"] == "henrik.hall"


def test_moving_keeps_the_history_and_arms_the_reminder_again(client: TestClient) -> None:
    [action] = plan(client, [("Beställa bildskärm", "Anna Andersson", TODAY - timedelta(days=2))])
    first = move(client, action, "maria.berg", due_on="2027-03-15", reason="Leveransen dröjer")
    second = move(
        client, action, "hanna.holm", due_on="2027-04-01", reason="Ring 070-123 45 67 först"
    )

    assert first.status_code == second.status_code == 200, second.text
    body = second.json()
    assert (body["due_on"], body["moved_count"], body["overdue"]) == ("2027-04-01", 2, False)
    assert body["reminded_on"] is None
    assert [(m["from_due_on"], m["to_due_on"], m["by"]) for m in body["moves"]] == [
        ("2027-02-27", "2027-03-15", "maria.berg"),
        ("2027-03-15", "2027-04-01", "hanna.holm"),
    ]
    assert body["moves"][0]["reason"] == "Leveransen dröjer"
    # Free text is masked like every other field of the API.
    assert "070-123 45 67" not in body["moves"][1]["reason"]
    assert action not in listed(client, "maria.berg", "?overdue=true")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"due_on": "2027-02-28", "reason": "Sent"}, 422, "due_in_the_past"),
        ({"due_on": "2027-03-20", "reason": "Samma"}, 422, "same_due_date"),
        ({"due_on": "2027-04-01", "reason": "   "}, 422, "reason_required"),
        ({"due_on": "2027-04-01", "reason": "x" * 501}, 422, "reason_too_long"),
        ({"due_on": "2027-04-01"}, 422, "missing_field"),
        ({"reason": "Sent"}, 422, "missing_field"),
        ({"due_on": "1 april", "reason": "Sent"}, 422, "invalid_field"),
        ({"due_on": "2027-02-30", "reason": "Sent"}, 422, "invalid_field"),
        ({"due_on": "0001-01-01", "reason": "Sent"}, 422, "invalid_field"),
        ({"due_on": "2027-04-01", "reason": 5}, 422, "invalid_field"),
        ({"due_on": "2027-04-01", "reason": "Sent", "owner": "x"}, 422, "unknown_field"),
    ],
)
def test_a_bad_move_is_refused_in_swedish_and_english(
    client: TestClient, body: dict[str, Any], status: int, code: str
) -> None:
    [action] = plan(client, [("Beställa bildskärm", "Anna Andersson", date(2027, 3, 20))])
    assert_refused(move(client, action, "maria.berg", **body), status, code)
    unchanged = client.get(f"/api/action-plans/{action}", headers=as_user("maria.berg")).json()
    assert (unchanged["due_on"], unchanged["moved_count"]) == ("2027-03-20", 0)


def test_unreadable_requests_are_refused_not_failed(client: TestClient) -> None:
    [action] = plan(client, [("Beställa bildskärm", "Anna Andersson", TODAY)])
    headers = as_user("maria.berg") | {"Content-Type": "application/json"}
    url = f"/api/action-plans/{action}/move"
    assert_refused(client.post(url, content=b"{not json", headers=headers), 400, "invalid_json")
    assert_refused(client.post(url, content=b"[]", headers=headers), 422, "invalid_field")
    for query in ("?overdue=maybe", "?status=closed"):
        assert_refused(
            client.get(f"/api/action-plans{query}", headers=as_user("hanna.holm")),
            422,
            "invalid_field",
        )
    for bad_id in ("0", str(2**31), "x"):
        assert_refused(done(client, bad_id, "hanna.holm"), 422, "invalid_field")  # type: ignore[arg-type]
    assert_refused(done(client, 2**31 - 1, "hanna.holm"), 404, "action_not_found")
    assert client.get("/api/action-plans", headers=as_user("nobody")).status_code == 401


def test_the_risk_assessment_shows_its_plan_with_the_actions_ids(client: TestClient) -> None:
    first, second = plan(
        client,
        [
            ("Beställa bildskärm", "Anna Andersson", TODAY),
            ("Se över belysningen", "IT-avdelningen", TODAY + timedelta(days=9)),
        ],
    )
    done(client, first, "maria.berg")
    assessments = client.get("/api/risk-assessments", headers=as_user("maria.berg")).json()
    [shown] = [a for a in assessments if first in [p["id"] for p in a["actions"]]]
    assert shown["actions"] == [
        {
            "id": first,
            "action": "Beställa bildskärm",
            "owner": "Anna Andersson",
            "due": "2027-03-01",
            "status": "done",
        },
        {
            "id": second,
            "action": "Se över belysningen",
            "owner": "IT-avdelningen",
            "due": "2027-03-10",
            "status": "open",
        },
    ]


def test_without_the_database_the_action_plans_say_so(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app.state, "action_plans", None)  # type: ignore[attr-defined]
    assert_refused(
        client.get("/api/action-plans", headers=as_user("hanna.holm")),
        503,
        "action_plans_unavailable",
    )


def test_changes_count_against_the_write_limit(tmp_path: Path, module_rasa: FakeRasa) -> None:
    settings = make_settings(tmp_path, module_rasa.url, write_rate_limit=1)
    with TestClient(create_app(settings, CharTrigramEncoder())) as limited:
        [action] = plan(limited, [("Ny stol", "Anna Andersson", date.today())])
        assert done(limited, action, "maria.berg").status_code == 200
        assert_refused(
            move(limited, action, "maria.berg", due_on="2999-01-01", reason="x"),
            429,
            "rate_limited",
        )
        assert limited.get("/api/action-plans", headers=as_user("maria.berg")).status_code == 200
