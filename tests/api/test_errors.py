"""Every failure reaches the user as the documented error body ``{code, detail, detail_en}``:
text that is not text, ids and dates out of range, unreadable bodies, unknown addresses, a
conflict in the database and a database that does not answer; on SQLite and on PostgreSQL."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from bot.main import create_app
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa

EMPLOYEE, MANAGER, HR_ADMIN = "anna.andersson", "maria.berg", "hanna.holm"


def as_user(user: str) -> dict[str, str]:
    return {"X-Demo-User": user}


def assert_error_body(response: object, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body: dict[str, str] = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"code", "detail", "detail_en"}
    assert body["code"] == code
    assert body["detail"] and body["detail_en"]
    return body


@pytest.mark.parametrize(
    ("path", "user", "body", "field"),
    [
        ("/api/chat", EMPLOYEE, {"conversation_id": "c1", "message": "hej \ud800"}, "message"),
        (
            "/api/feedback",
            EMPLOYEE,
            {
                "conversation_id": "c1",
                "faq_id": "kostnader",
                "question": "\udfff?",
                "helpful": True,
            },
            "question",
        ),
        ("/api/hr/try", HR_ADMIN, {"question": "Får jag \ud83d jobba?"}, "question"),
        (
            "/api/hr/queue/alternates",
            HR_ADMIN,
            {"item_ids": [1], "faq_id": "kostnader", "questions": ["ok", "\ud800"]},
            "questions.1",
        ),
    ],
)
def test_a_lone_surrogate_is_refused_as_invalid_text(
    client: TestClient,
    rasa: FakeRasa,
    path: str,
    user: str,
    body: dict[str, object],
    field: str,
) -> None:
    # json.dumps writes the lone surrogate as the escape "\ud800", as a browser would.
    response = client.post(
        path,
        content=json.dumps(body),
        headers={"Content-Type": "application/json", **as_user(user)},
    )
    error = assert_error_body(response, 422, "invalid_text")
    assert f"'{field}'" in error["detail"] and f"'{field}'" in error["detail_en"]
    assert rasa.received == []


def test_a_pair_of_surrogates_is_ordinary_text(client: TestClient, rasa: FakeRasa) -> None:
    response = client.post(
        "/api/chat",
        content=json.dumps({"conversation_id": "c1", "message": "Får jag jobba hemma? 🙂"}),
        headers={"Content-Type": "application/json", **as_user(EMPLOYEE)},
    )
    assert response.status_code == 200
    assert rasa.received[0]["message"] == "Får jag jobba hemma? 🙂"


# 2**31 is past PostgreSQL's INTEGER, 2**63 past SQLite's.
@pytest.mark.parametrize("record_id", [2**31, 2**63])
@pytest.mark.parametrize(
    ("method", "path", "user", "body"),
    [
        ("GET", "/api/agreements/{id}", MANAGER, None),
        ("POST", "/api/agreements/{id}/decision", MANAGER, {"decision": "approve"}),
        ("POST", "/api/agreements/{id}/workplace-address", MANAGER, {"address": "Storgatan 5"}),
        ("GET", "/api/agreements/{id}/document.pdf", MANAGER, None),
        ("POST", "/api/risk-assessments/{id}/cancel", MANAGER, None),
        ("GET", "/api/risk-assessments/{id}.ics", MANAGER, None),
        ("POST", "/api/hr/queue/items/{id}/discard", HR_ADMIN, None),
    ],
)
def test_an_id_the_database_cannot_hold_is_a_clear_422(
    any_database: TestClient,
    method: str,
    path: str,
    user: str,
    body: dict[str, object] | None,
    record_id: int,
) -> None:
    response = any_database.request(
        method, path.format(id=record_id), json=body, headers=as_user(user)
    )
    error = assert_error_body(response, 422, "invalid_field")
    assert "högst 2147483647" in error["detail"]
    assert "at most 2147483647" in error["detail_en"]


def test_an_id_in_a_body_is_bounded_too(any_database: TestClient) -> None:
    response = any_database.post(
        "/api/hr/queue/alternates",
        json={"item_ids": [2**31], "faq_id": "kostnader"},
        headers=as_user(HR_ADMIN),
    )
    assert_error_body(response, 422, "invalid_field")


def test_the_largest_id_is_simply_not_found(any_database: TestClient) -> None:
    response = any_database.get(f"/api/agreements/{2**31 - 1}", headers=as_user(MANAGER))
    assert_error_body(response, 404, "agreement_not_found")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/risk-assessments/busy-times",
            {"start": "0001-01-01T00:00:00+01:00", "end": "0001-01-01T05:00:00+01:00"},
        ),
        (
            "/api/risk-assessments/busy-times",
            {"start": "9999-12-31T23:00:00-05:00", "end": "9999-12-31T23:30:00-05:00"},
        ),
        ("/api/risk-assessments", {"employee": EMPLOYEE, "start": "9999-12-31T20:00:00+00:00"}),
        (
            "/api/risk-assessments/1/outcome",
            {"risks": "Inga.", "follow_up_on": "9999-12-31"},
        ),
        ("/api/agreements/1/risk-assessment", {"outcome": "Inga.", "documented_on": "0001-01-01"}),
    ],
)
def test_a_date_outside_1900_to_2999_is_refused(
    client: TestClient, path: str, body: dict[str, object]
) -> None:
    response = client.post(path, json=body, headers=as_user(MANAGER))
    error = assert_error_body(response, 422, "invalid_field")
    assert "1900" in error["detail"] and "2999" in error["detail_en"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"conversation_id": "c1", "message": "\xff\xfe hej"}',
        b'{"conversation_id": "c1", "message": "caf\xe9"}',
        ('{"conversation_id": "c1", "message": ' + "[" * 1000 + "]" * 1000 + "}").encode(),
        ('{"conversation_id": "c1", "message": ' + '{"a":' * 1000 + "1" + "}" * 1001).encode(),
    ],
    ids=["invalid-utf8", "latin-1", "1000-deep-list", "1000-deep-object"],
)
def test_an_unreadable_body_gets_the_error_body(
    client: TestClient, rasa: FakeRasa, body: bytes
) -> None:
    response = client.post(
        "/api/chat",
        content=body,
        headers={"Content-Type": "application/json", **as_user(EMPLOYEE)},
    )
    assert_error_body(response, 400, "invalid_json")
    assert rasa.received == []


def test_an_unknown_address_gets_the_error_body(client: TestClient) -> None:
    assert_error_body(client.get("/api/finns-inte", headers=as_user(EMPLOYEE)), 404, "not_found")


def test_a_method_the_address_does_not_take_names_every_one_it_does(client: TestClient) -> None:
    response = client.delete("/api/risk-assessments", headers=as_user(EMPLOYEE))
    assert_error_body(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET, POST"


def busy_time(client: TestClient, user: str = MANAGER) -> object:
    start = datetime.now(UTC) + timedelta(days=30)
    return client.post(
        "/api/risk-assessments/busy-times",
        json={"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
        headers=as_user(user),
    )


def test_a_conflict_in_the_database_is_a_409_not_an_outage(any_database: TestClient) -> None:
    engine = any_database.app.state.agreements.db.engine  # type: ignore[attr-defined]
    before = any_database.get("/api/risk-assessments/busy-times", headers=as_user(MANAGER)).json()
    # Stands in for another request that stored the same thing a moment earlier: the database
    # refuses the insert with a constraint violation.
    refuse_inserts = (
        [
            "CREATE TRIGGER taken BEFORE INSERT ON busy_times "
            "BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: busy_times.id'); END"
        ]
        if engine.dialect.name == "sqlite"
        else [
            "CREATE FUNCTION taken() RETURNS trigger AS $$ BEGIN "
            "RAISE unique_violation USING MESSAGE = 'duplicate key'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER taken BEFORE INSERT ON busy_times "
            "FOR EACH ROW EXECUTE FUNCTION taken()",
        ]
    )
    with engine.begin() as connection:
        for statement in refuse_inserts:
            connection.execute(text(statement))
    try:
        error = assert_error_body(busy_time(any_database), 409, "conflict")
    finally:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "DROP TRIGGER taken"
                    if engine.dialect.name == "sqlite"
                    else "DROP TRIGGER taken ON busy_times"
                )
            )
    assert "Inget har ändrats" in error["detail"]
    after = any_database.get("/api/risk-assessments/busy-times", headers=as_user(MANAGER)).json()
    assert after == before


def test_a_database_that_does_not_answer_is_a_503(tmp_path: Path, rasa: FakeRasa) -> None:
    # SQLite gives up on a locked database after its timeout, as a server gives up on a
    # connection; a short one keeps the test quick.
    path = tmp_path / "app.db"
    settings = make_settings(tmp_path, rasa.url, database_url=f"sqlite:///{path}?timeout=0.2")
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        holder = sqlite3.connect(path)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            error = assert_error_body(busy_time(client), 503, "database_unavailable")
        finally:
            holder.rollback()
            holder.close()
        assert "Inget har ändrats" in error["detail"]
        assert busy_time(client).status_code == 201  # type: ignore[attr-defined]
