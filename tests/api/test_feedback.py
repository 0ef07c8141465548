"""``POST /api/feedback``: thumbs up/down recorded per entry; thumbs-down questions queued."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.settings import PROJECT_ROOT
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa


@pytest.fixture(scope="module")
def feedback_client(
    module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("feedback")
    shutil.copytree(PROJECT_ROOT / "faq", root / "faq")
    settings = make_settings(root, module_rasa.url, faq_dir=root / "faq")
    with TestClient(create_app(settings, CharTrigramEncoder()), raise_server_exceptions=False) as c:
        yield c


def vote(client: TestClient, **overrides: object) -> object:
    body: dict[str, object] = {
        "conversation_id": "c-1",
        "faq_id": "kostnader",
        "question": "Vem betalar min internetuppkoppling?",
        "helpful": False,
    }
    return client.post("/api/feedback", json=body | overrides, headers={"X-Demo-User": "erik.ek"})


def figures(client: TestClient, faq_id: str) -> dict[str, int]:
    rows = client.get("/api/hr/figures", headers={"X-Demo-User": "hanna.holm"}).json()
    return dict(next(r for r in rows if r["faq_id"] == faq_id)["current_version"])


def test_thumbs_down_is_counted_and_the_question_queued(feedback_client: TestClient) -> None:
    response = vote(feedback_client, question="Vem betalar min  bredbandsräkning?")
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert response.json() == {"recorded": True, "queued": True}  # type: ignore[attr-defined]
    assert figures(feedback_client, "kostnader")["not_helpful"] == 1
    queue = feedback_client.get("/api/hr/queue", headers={"X-Demo-User": "hanna.holm"}).json()
    items = [i for g in queue["groups"] for i in g["items"]]
    assert [(i["reason"], i["faq_id"]) for i in items if "bredband" in i["question"]] == [
        ("thumbs_down", "kostnader")
    ]


def test_thumbs_up_is_counted_and_not_queued(feedback_client: TestClient) -> None:
    response = vote(feedback_client, conversation_id="c-2", faq_id="olycka", helpful=True)
    assert response.json() == {"recorded": True, "queued": False}  # type: ignore[attr-defined]
    assert figures(feedback_client, "olycka") == {"served": 0, "helpful": 1, "not_helpful": 0}


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"faq_id": "finns-inte"}, 404, "unknown_faq_id"),
        ({"faq_id": "../kostnader"}, 422, "invalid_field"),
        ({"helpful": "yes"}, 422, "invalid_field"),
        ({"question": "   "}, 422, "question_empty"),
        ({"question": "x" * 2001}, 422, "invalid_field"),
        ({"conversation_id": "a b"}, 422, "invalid_field"),
        ({"rating": 5}, 422, "unknown_field"),
    ],
)
def test_bad_feedback_is_refused(
    feedback_client: TestClient, overrides: dict[str, object], status: int, code: str
) -> None:
    response = vote(feedback_client, **overrides)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.json()["code"] == code  # type: ignore[attr-defined]


def test_feedback_needs_a_known_user(feedback_client: TestClient) -> None:
    response = feedback_client.post(
        "/api/feedback",
        json={"conversation_id": "c", "faq_id": "kostnader", "question": "q", "helpful": True},
        headers={"X-Demo-User": "nobody"},
    )
    assert response.status_code == 401


def test_feedback_without_a_database_says_so(module_rasa: FakeRasa, tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, module_rasa.url, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        response = vote(client)
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert response.json()["code"] == "feedback_unavailable"  # type: ignore[attr-defined]
