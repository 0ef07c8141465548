"""``POST /api/follow-ups``: a held follow-up recorded by the manager or HR for a region that holds
the dialogue outside the chat; who may, what is kept, and bad input refused in Swedish and
English, with the service's clock frozen on one day."""

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.risk_assessments.service import RiskAssessmentService
from tests.api.conftest import make_settings
from tests.api.test_action_plans import assert_refused, plan
from tests.api.test_agreements import as_user
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_agreement_document import make_agreement

TODAY = date(2027, 3, 1)
references = count(1)


@pytest.fixture(scope="module")
def client(module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("follow-ups")
    clock_file = tmp / "now.txt"
    clock_file.write_text(f"{TODAY.isoformat()}T09:00:00+01:00", encoding="utf-8")
    settings = make_settings(tmp, module_rasa.url, clock_file=clock_file)
    with TestClient(create_app(settings, CharTrigramEncoder()), raise_server_exceptions=False) as c:
        yield c


def assessment_of(client: TestClient, action_id: int) -> int:
    service: RiskAssessmentService = client.app.state.risk_assessments  # type: ignore[attr-defined]
    [assessment] = [
        a
        for a in service.visible_to(service.directory.get("hanna.holm"))  # type: ignore[arg-type]
        if action_id in [i.id for i in a.action_items]
    ]
    return assessment.id


def documented(client: TestClient) -> int:
    """A documented risk assessment of Anna Andersson's (manager Maria Berg)."""
    [action] = plan(client, [("Höj bildskärmen", "Anna Andersson", TODAY + timedelta(days=30))])
    return assessment_of(client, action)


def agreement(client: TestClient) -> int:
    """An active agreement of Anna Andersson's."""
    n = next(references)
    service = client.app.state.agreements  # type: ignore[attr-defined]
    with service.db.session() as session:
        row = make_agreement(reference=f"DA-2027-{n:05d}", submission_key=f"api-follow-up-{n}")
        session.add(row)
        session.flush()
        return int(row.id)


def record(client: TestClient, user: str, **body: Any) -> Any:
    return client.post("/api/follow-ups", json=body, headers=as_user(user))


ANSWERS = [
    {"area": "Arbetsmiljö", "question": "Hur fungerar arbetsplatsen?", "answer": "Bra"},
    {"area": "Informationssäkerhet", "question": "Följs reglerna?", "answer": "Ja"},
]


def test_the_manager_records_answers_risks_and_actions_and_the_employee_is_told(
    client: TestClient,
) -> None:
    assessment_id = documented(client)
    agreement_id = agreement(client)
    client.get("/api/notifications", headers=as_user("anna.andersson"))  # empty the queue
    due = (TODAY + timedelta(days=14)).isoformat()

    response = record(
        client,
        "maria.berg",
        risk_assessment_id=assessment_id,
        agreement_id=agreement_id,
        held_on=TODAY.isoformat(),
        outcome="change",
        answers=ANSWERS,
        risks="Nackont",
        actions=[{"action": "Beställa laptopställ", "owner": "Maria Berg", "due": due}],
        notes="Andelen ses över.",
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["risk_assessment_id"], body["agreement_id"]) == (assessment_id, agreement_id)
    assert (body["held_on"], body["outcome"], body["recorded_by"]) == (
        "2027-03-01",
        "change",
        "maria.berg",
    )
    assert body["notes"] == (
        "Arbetsmiljö:\n- Hur fungerar arbetsplatsen? Bra\n\n"
        "Informationssäkerhet:\n- Följs reglerna? Ja\n\n"
        "Nya risker: Nackont\n\nAnteckningar: Andelen ses över."
    )
    actions = client.get("/api/action-plans", headers=as_user("anna.andersson")).json()
    assert {"Beställa laptopställ", "Höj bildskärmen"} <= {a["text"] for a in actions}
    [told] = client.get("/api/notifications", headers=as_user("anna.andersson")).json()
    assert "Maria Berg har registrerat uppföljningen" in told["text"]
    assert "ska ändras" in told["text"]
    assessments = client.get("/api/risk-assessments", headers=as_user("maria.berg")).json()
    [followed] = [a for a in assessments if a["id"] == assessment_id]
    assert followed["follow_up_on"] == "2028-03-01"


def test_hr_records_an_agreements_follow_up(client: TestClient) -> None:
    response = record(
        client,
        "hanna.holm",
        agreement_id=agreement(client),
        held_on=(TODAY - timedelta(days=3)).isoformat(),
        outcome="continue",
    )
    assert response.status_code == 201, response.text
    assert response.json()["notes"] is None


@pytest.mark.parametrize(
    ("user", "status", "code"),
    [
        ("anna.andersson", 403, "not_the_manager"),
        ("sven.skog", 403, "not_the_manager"),
        ("johan.lind", 404, "risk_assessment_not_found"),
    ],
)
def test_only_the_manager_or_hr_may_record(
    client: TestClient, user: str, status: int, code: str
) -> None:
    response = record(
        client,
        user,
        risk_assessment_id=documented(client),
        held_on=TODAY.isoformat(),
        outcome="continue",
    )
    assert_refused(response, status, code)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"outcome": "continue"}, 422, "missing_field"),
        ({"held_on": "2027-03-01", "outcome": "maybe"}, 422, "invalid_outcome"),
        ({"held_on": "2027-03-02", "outcome": "continue"}, 422, "held_in_the_future"),
        ({"held_on": "2027-03-01", "outcome": "continue", "mood": "ok"}, 422, "unknown_field"),
        (
            {"held_on": "2027-03-01", "outcome": "end", "next_follow_up_on": "2027-09-01"},
            422,
            "no_follow_up_after_end",
        ),
        (
            {"held_on": "2027-03-01", "outcome": "continue", "next_follow_up_on": "2028-06-01"},
            422,
            "follow_up_too_late",
        ),
        (
            {
                "held_on": "2027-03-01",
                "outcome": "continue",
                "actions": [{"action": "Stol", "owner": "Maria Berg", "due": "2027-02-01"}],
            },
            422,
            "due_in_the_past",
        ),
        (
            {
                "held_on": "2027-03-01",
                "outcome": "continue",
                "answers": [{"area": "Arbetsmiljö", "question": "Hur?", "answer": "x" * 1001}],
            },
            422,
            "invalid_field",
        ),
        ({"held_on": "1800-01-01", "outcome": "continue"}, 422, "invalid_field"),
    ],
)
def test_bad_input_is_refused_in_swedish_and_english(
    client: TestClient, body: dict[str, Any], status: int, code: str
) -> None:
    response = record(client, "maria.berg", risk_assessment_id=documented(client), **body)
    assert_refused(response, status, code)


def test_a_follow_up_needs_a_subject_and_actions_need_an_action_plan(client: TestClient) -> None:
    assert_refused(
        record(client, "maria.berg", held_on="2027-03-01", outcome="continue"),
        422,
        "follow_up_subject_missing",
    )
    assert_refused(
        record(
            client,
            "maria.berg",
            agreement_id=agreement(client),
            held_on="2027-03-01",
            outcome="continue",
            actions=[{"action": "Stol", "owner": "Maria Berg", "due": "2027-04-01"}],
        ),
        409,
        "no_action_plan",
    )
    assert_refused(
        record(client, "maria.berg", agreement_id=2**31 - 1, held_on="2027-03-01", outcome="end"),
        404,
        "agreement_not_found",
    )


def test_without_the_database_follow_ups_say_so(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app.state, "agreements", None)  # type: ignore[attr-defined]
    assert_refused(
        record(client, "hanna.holm", agreement_id=1, held_on="2027-03-01", outcome="continue"),
        503,
        "follow_ups_unavailable",
    )
