"""HR's API: the role matrix for every endpoint, the queue from chat to alternates, drafts
that cannot leave faq/, "try a question", and the audit trail."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.settings import PROJECT_ROOT
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_hr_files import TRAVERSAL_PAYLOADS, tree

EDITOR, ADMIN = "henrik.hall", "hanna.holm"
NOT_HR = ("anna.andersson", "maria.berg", "sven.skog")
MISSING_ITEM = 999_999


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hr")
    shutil.copytree(PROJECT_ROOT / "faq", root / "faq")
    return root


@pytest.fixture(scope="module")
def hr_client(module_rasa: FakeRasa, sandbox: Path) -> Iterator[TestClient]:
    settings = make_settings(sandbox, module_rasa.url, faq_dir=sandbox / "faq")
    with TestClient(create_app(settings, CharTrigramEncoder()), raise_server_exceptions=False) as c:
        yield c


def as_user(user: str) -> dict[str, str]:
    return {"X-Demo-User": user}


# (method, path, body, who may call it); the bodies name things that do not exist, so an
# allowed call answers 200 or a 404 from the endpoint itself, never a role error.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, tuple[str, ...]]] = [
    ("GET", "/api/hr/session", None, (EDITOR, ADMIN)),
    ("GET", "/api/hr/queue", None, (EDITOR, ADMIN)),
    ("GET", "/api/hr/figures", None, (EDITOR, ADMIN)),
    ("POST", "/api/hr/try", {"question": "Får jag jobba från sommarstugan?"}, (EDITOR, ADMIN)),
    (
        "POST",
        "/api/hr/queue/alternates",
        {"item_ids": [MISSING_ITEM], "faq_id": "fritidsbostad"},
        (EDITOR, ADMIN),
    ),
    (
        "POST",
        "/api/hr/queue/draft",
        {"item_ids": [MISSING_ITEM], "entry_id": "ny-post", "question": "Ny?", "topic": "place"},
        (EDITOR, ADMIN),
    ),
    ("POST", f"/api/hr/queue/items/{MISSING_ITEM}/resolve", {}, (ADMIN,)),
    ("POST", f"/api/hr/queue/items/{MISSING_ITEM}/discard", {}, (ADMIN,)),
    ("GET", "/api/hr/audit", None, (ADMIN,)),
    ("GET", "/api/hr/labels", None, (EDITOR, ADMIN)),
    ("GET", f"/api/hr/queue/items/{MISSING_ITEM}/suggestions", None, (EDITOR, ADMIN)),
    ("GET", "/api/hr/faq-status", None, (EDITOR, ADMIN)),
    ("POST", "/api/hr/queue/close", {"item_ids": [MISSING_ITEM], "action": "discard"}, (ADMIN,)),
    ("GET", "/api/hr/agreements", None, (EDITOR, ADMIN)),
    ("GET", "/api/hr/charts/agreements", None, (EDITOR, ADMIN)),
    ("GET", "/api/hr/charts/figures", None, (EDITOR, ADMIN)),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
@pytest.mark.parametrize("user", [*NOT_HR, EDITOR, ADMIN, "nobody"])
def test_role_matrix(
    hr_client: TestClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    allowed: tuple[str, ...],
    user: str,
) -> None:
    response = hr_client.request(method, path, json=body, headers=as_user(user))
    if user == "nobody":
        assert response.status_code == 401
        assert response.json()["code"] == "unknown_demo_user"
    elif user in allowed:
        assert response.status_code in (200, 404), response.text
        if response.status_code == 404:
            assert response.json()["code"] == "review_item_not_found"
    else:
        assert response.status_code == 403
        error = response.json()
        assert error["code"] == ("hr_only" if user in NOT_HR else "hr_admin_only")
        assert error["detail"] and error["detail_en"]


def chat(client: TestClient, rasa: FakeRasa, question: str, kind: str, user: str) -> None:
    rasa.reply = [{"recipient_id": "x", "custom": {"text": "Vet inte", "kind": kind}}]
    response = client.post(
        "/api/chat",
        json={"conversation_id": "c-hr", "message": question},
        headers=as_user(user),
    )
    assert response.status_code == 200


def test_unsure_chat_turns_are_grouped_and_a_group_becomes_alternates(
    hr_client: TestClient, rasa: FakeRasa, sandbox: Path
) -> None:
    chat(hr_client, rasa, "Får jag jobba från Spanien?", "unknown", "anna.andersson")
    chat(hr_client, rasa, "får jag jobba från spanien i sommar", "clarify", "erik.ek")
    chat(hr_client, rasa, "Får jag arbeta från Spanien?", "unknown", "maria.berg")

    queue = hr_client.get("/api/hr/queue", headers=as_user(EDITOR)).json()
    group = next(g for g in queue["groups"] if g["label"] == "Får jag jobba från Spanien?")
    assert group["count"] == 3
    assert group["reasons"] == {"low_confidence": 2, "clarified": 1}

    path = sandbox / "faq" / "utlandet.md"
    assert not path.exists()
    response = hr_client.post(
        "/api/hr/queue/alternates",
        json={"item_ids": [i["id"] for i in group["items"]], "faq_id": "fritidsbostad"},
        headers=as_user(EDITOR),
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["added"]) == 3
    text = (sandbox / "faq" / "fritidsbostad.md").read_text(encoding="utf-8")
    assert "  - får jag jobba från spanien i sommar\n" in text

    queue = hr_client.get("/api/hr/queue", headers=as_user(EDITOR)).json()
    assert all(g["label"] != "Får jag jobba från Spanien?" for g in queue["groups"])
    changes = hr_client.get("/api/hr/audit", headers=as_user(ADMIN)).json()
    assert [c["action"] for c in changes[:4]].count("review_item_resolved") == 3
    file_change = next(c for c in changes if c["target"] == "faq/fritidsbostad.md")
    assert (file_change["actor"], file_change["role"]) == (EDITOR, "hr_editor")
    assert file_change["before_hash"] != file_change["after_hash"]

    again = hr_client.post(
        "/api/hr/queue/alternates",
        json={"item_ids": [i["id"] for i in group["items"]], "faq_id": "fritidsbostad"},
        headers=as_user(EDITOR),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "review_item_closed"


def test_an_admin_discards_an_item_and_an_editor_may_not(
    hr_client: TestClient, rasa: FakeRasa
) -> None:
    chat(hr_client, rasa, "Hur bokar jag parkering vid lasarettet?", "unknown", "erik.ek")
    queue = hr_client.get("/api/hr/queue", headers=as_user(ADMIN)).json()
    item = next(
        i for g in queue["groups"] for i in g["items"] if i["question"].startswith("Hur bokar")
    )
    denied = hr_client.post(f"/api/hr/queue/items/{item['id']}/discard", headers=as_user(EDITOR))
    assert denied.status_code == 403
    done = hr_client.post(
        f"/api/hr/queue/items/{item['id']}/discard",
        json={"resolution": "inte distansarbete"},
        headers=as_user(ADMIN),
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["resolved_by"]) == ("discarded", ADMIN)


def test_a_group_becomes_a_draft_entry(
    hr_client: TestClient, rasa: FakeRasa, sandbox: Path
) -> None:
    chat(hr_client, rasa, "Får jag ha min hund hemma när jag jobbar?", "unknown", "erik.ek")
    queue = hr_client.get("/api/hr/queue", headers=as_user(EDITOR)).json()
    item = next(i for g in queue["groups"] for i in g["items"] if "hund" in i["question"])
    response = hr_client.post(
        "/api/hr/queue/draft",
        json={
            "item_ids": [item["id"]],
            "entry_id": "hund-hemma",
            "question": "Får jag ha hunden hos mig när jag arbetar hemma?",
            "topic": "place",
        },
        headers=as_user(EDITOR),
    )
    assert response.status_code == 201, response.text
    text = (sandbox / "faq" / "hund-hemma.md").read_text(encoding="utf-8")
    assert "status: draft\n" in text
    assert "  - Får jag ha min hund hemma när jag jobbar?\n" in text
    # A draft is not served: the index behind "try a question" does not hold it.
    tried = hr_client.post(
        "/api/hr/try",
        json={"question": "Får jag ha hunden hos mig när jag arbetar hemma?"},
        headers=as_user(EDITOR),
    ).json()
    assert "hund-hemma" not in [hit["faq_id"] for hit in tried["hits"]]


@pytest.mark.parametrize("entry_id", TRAVERSAL_PAYLOADS)
def test_a_draft_cannot_be_written_outside_faq(
    hr_client: TestClient, sandbox: Path, entry_id: str
) -> None:
    before = tree(sandbox.parent)
    response = hr_client.post(
        "/api/hr/queue/draft",
        json={"item_ids": [1], "entry_id": entry_id, "question": "Fråga?", "topic": "place"},
        headers=as_user(ADMIN),
    )
    assert response.status_code == 422
    assert response.json()["code"] in ("invalid_file_name", "invalid_field")
    assert tree(sandbox.parent) == before


def test_try_a_question_shows_the_reply_and_ranked_answers_with_scores(
    hr_client: TestClient,
) -> None:
    response = hr_client.post(
        "/api/hr/try",
        json={"question": "Får jag jobba från sommarstugan?"},
        headers=as_user(EDITOR),
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["faq_id"]) == ("answer", "fritidsbostad")
    # The reply as the user would read it, with its source.
    assert body["text"].endswith("Källa: Frågor och svar – distansarbete inom Region Västmanland")
    scores = [hit["score"] for hit in body["hits"]]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    assert body["hits"][0]["faq_id"] == "fritidsbostad"
    assert set(body["hits"][0]) == {"faq_id", "question", "score", "embedding", "lexical"}
    assert body["in_scope"] >= body["thresholds"]["in_scope"]


def tried(
    hr_client: TestClient,
    module_rasa: FakeRasa,
    question: str,
    ranking: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """HR's "Prova en fråga" with Rasa reading ``question`` as ``ranking`` (None: Rasa still
    loading, the chat's limited mode)."""
    try:
        module_rasa.ranking = ranking
        response = hr_client.post(
            "/api/hr/try", json={"question": question}, headers=as_user(EDITOR)
        )
    finally:
        module_rasa.ranking = None
    body: dict[str, Any] = response.json()
    return body


def test_try_a_question_weighs_rasas_topic_as_the_chat_does(
    hr_client: TestClient, module_rasa: FakeRasa
) -> None:
    question = "Vem betalar min internetuppkoppling?"
    alone = tried(hr_client, module_rasa, question, None)
    costs_first = [
        {"name": "faq_costs", "confidence": 0.97},
        {"name": "out_of_scope", "confidence": 0.02},
    ]
    weighed = tried(hr_client, module_rasa, question, costs_first)
    assert alone["rasa_reachable"] is False and alone["rasa_intent"] is None
    assert weighed["rasa_reachable"] is True
    assert (weighed["rasa_intent"], weighed["rasa_confidence"]) == ("faq_costs", 0.97)
    assert weighed["rasa_out_of_scope"] == 0.02
    assert weighed["hits"][0]["faq_id"] == "kostnader"
    costs = {h["faq_id"]: h["score"] for h in alone["hits"]}.get("kostnader", 0.0)
    assert weighed["hits"][0]["score"] > costs


def test_try_a_question_says_when_the_examples_decided_between_the_krava_entries(
    hr_client: TestClient, module_rasa: FakeRasa
) -> None:
    """The cues are tied ("sa nej" for the employee, "tvingas" for the manager): HR sees that
    the labelled examples chose the entry, as they do in the chat."""
    question = "chefen sa nej till hemmajobb men jag vill ju, kan jag tvingas till det"
    both = [
        {"name": "faq_demand_remote", "confidence": 0.6},
        {"name": "faq_ordered_remote", "confidence": 0.35},
    ]
    body = tried(hr_client, module_rasa, question, both)
    assert body["siblings"] is True
    assert (body["kind"], body["faq_id"]) == ("answer", "krav-medarbetare")
    assert (body["stance_topic"], body["stance_learned"]) == ("demand_remote", True)


def test_try_a_question_outside_remote_work_shows_whom_to_ask(hr_client: TestClient) -> None:
    body = hr_client.post(
        "/api/hr/try",
        json={"question": "Vilken hemförsäkring är billigast för en villa?"},
        headers=as_user(EDITOR),
    ).json()
    assert body["kind"] == "out_of_scope"
    assert body["faq_id"] is None
    assert body["in_scope"] < body["thresholds"]["in_scope"]
    assert "Jag svarar på frågor om distansarbete" in body["text"]
    assert "ditt försäkringsbolag" in body["text"]


def test_try_a_question_shows_why_the_scope_rules_applied(hr_client: TestClient) -> None:
    """HR sees that a question set at the office got no home-work entry, and that one naming
    remote work passed the gate."""
    office = hr_client.post(
        "/api/hr/try",
        json={"question": "Vem betalar internet på kontoret?"},
        headers=as_user(EDITOR),
    ).json()
    assert office["at_the_workplace"] is True and office["names_remote_work"] is False
    assert office["kind"] == "out_of_scope" and office["faq_id"] is None
    named = hr_client.post(
        "/api/hr/try",
        json={"question": "Vem betalar internet när jag jobbar hemifrån?"},
        headers=as_user(EDITOR),
    ).json()
    assert named["names_remote_work"] is True and named["at_the_workplace"] is False
    assert (named["kind"], named["faq_id"]) == ("answer", "kostnader")


def test_try_a_question_masks_personal_data_before_rasa(
    hr_client: TestClient, module_rasa: FakeRasa
) -> None:
    body = hr_client.post(
        "/api/hr/try",
        json={"question": "Hej, jag heter 19121212-1212, får jag jobba från stugan?"},
        headers=as_user(EDITOR),
    ).json()
    assert "19121212" not in body["searched"]
    assert module_rasa.parsed, "the question was not sent to Rasa"
    assert "19121212" not in json.dumps(module_rasa.parsed[-1])


def test_figures_count_answers_served_in_chat(hr_client: TestClient, rasa: FakeRasa) -> None:
    def served() -> int:
        rows = hr_client.get("/api/hr/figures", headers=as_user(EDITOR)).json()
        return int(next(r for r in rows if r["faq_id"] == "kostnader")["current_version"]["served"])

    before = served()
    rasa.reply = [
        {"recipient_id": "x", "custom": {"text": "Svar", "kind": "answer", "faq_id": "kostnader"}}
    ]
    hr_client.post(
        "/api/chat", json={"conversation_id": "c-f", "message": "vem betalar?"}
    ).raise_for_status()
    assert served() == before + 1


def test_the_hr_page_is_served_without_inline_code(hr_client: TestClient) -> None:
    page = hr_client.get("/hr")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert '<script src="/static/hr.js" defer></script>' in html
    assert "<style" not in html and " style=" not in html and "onclick" not in html
    assert '<script src="/static/hr-common.js" defer></script>' in html
    for name in ("hr-common.js", "hr.js"):
        script = hr_client.get(f"/static/{name}").text
        assert "innerHTML" not in script and "insertAdjacentHTML" not in script
        assert "http://" not in script and "https://" not in script


def test_a_recording_failure_never_costs_the_user_their_answer(
    module_rasa: FakeRasa, rasa: FakeRasa
) -> None:
    import asyncio

    from bot.chat import ChatService
    from bot.identity import demo_directory
    from bot.identity_seal import IdentitySeal
    from bot.rasa_client import RasaClient

    def broken(*_: object) -> None:
        raise RuntimeError("database gone")

    rasa.reply = [{"recipient_id": "x", "custom": {"text": "Vet inte", "kind": "unknown"}}]
    user = demo_directory().get("anna.andersson")
    assert user is not None

    async def turn() -> list[str]:
        seal = IdentitySeal("test-token")
        client = RasaClient(rasa.url, 1.0, seal.channel_key)
        try:
            service = ChatService(client, seal, lambda: None, record_turn=broken)
            return [m.text for m in await service.handle(user, "c-x", "en fråga")]
        finally:
            await client.close()

    assert asyncio.run(turn()) == ["Vet inte"]
