"""HR's FAQ editor API, one test per outcome: the role guard on every operation, the entries
due for review, a save that goes live in the chat's index, restore, not found, bad input (a
path-traversal id, an oversized body), a save over someone else's, and the checker's errors."""

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.settings import PROJECT_ROOT
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_hr_files import TRAVERSAL_PAYLOADS

EDITOR, ADMIN = "henrik.hall", "hanna.holm"
NOT_HR = ("anna.andersson", "maria.berg", "sven.skog")
NEW: dict[str, Any] = {
    "id": "parkering-hemma",
    "question": "Betalar arbetsgivaren parkeringsavgiften vid distansarbete?",
    "alternates": ["ersätts parkeringsavgift hemma?"],
    "topic": "costs",
    "region": "vastmanland",
    "source": "Frågor och svar – distansarbete inom Region Västmanland",
    "owner": "HR-avdelningen",
    "reviewed": "2026-11-22",
    "review_by": "2027-11-22",
    "answer": "Nej, parkeringsavgiften betalas av medarbetaren.",
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hr-entries")
    shutil.copytree(PROJECT_ROOT / "faq", root / "faq")
    return root


@pytest.fixture(scope="module")
def client(module_rasa: FakeRasa, sandbox: Path) -> Iterator[TestClient]:
    # The hot reload on, as in service: a save must reach the chat's index by itself.
    settings = make_settings(sandbox, module_rasa.url, faq_dir=sandbox / "faq", faq_hot_reload=True)
    with TestClient(create_app(settings, CharTrigramEncoder()), raise_server_exceptions=False) as c:
        yield c


def as_user(user: str) -> dict[str, str]:
    return {"X-Demo-User": user}


def opened(client: TestClient, entry_id: str) -> dict[str, Any]:
    response = client.get(f"/api/hr/entries/{entry_id}", headers=as_user(EDITOR))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/hr/entries", None),
    ("GET", "/api/hr/entry-choices", None),
    ("GET", "/api/hr/entries/kostnader", None),
    ("POST", "/api/hr/entry-checks", {"entry": NEW}),
    ("POST", "/api/hr/entry-previews", {"answer": "**Hej**"}),
    ("POST", "/api/hr/entries", {"entry": NEW}),
    ("PUT", "/api/hr/entries/kostnader", {"entry": NEW, "base_hash": "0" * 64}),
    ("GET", "/api/hr/entries/kostnader/versions", None),
    ("GET", "/api/hr/entries/kostnader/versions/1", None),
    ("POST", "/api/hr/entries/kostnader/versions/1/restore", {"base_hash": "0" * 64}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("user", [*NOT_HR, "nobody"])
def test_only_hr_may_use_the_editor(
    client: TestClient, sandbox: Path, method: str, path: str, body: Any, user: str
) -> None:
    before = sorted(p.name for p in (sandbox / "faq").iterdir())
    response = client.request(method, path, json=body, headers=as_user(user))
    if user == "nobody":
        assert (response.status_code, response.json()["code"]) == (401, "unknown_demo_user")
    else:
        assert (response.status_code, response.json()["code"]) == (403, "hr_only")
        assert "bara för HR" in response.json()["detail"]
    assert sorted(p.name for p in (sandbox / "faq").iterdir()) == before


def test_the_page_is_served_without_data(client: TestClient) -> None:
    response = client.get("/hr/poster")
    assert response.status_code == 200
    assert '<script src="/static/hr-entries.js" defer></script>' in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_entries_list_with_swedish_labels_and_the_due_filter(client: TestClient) -> None:
    every = client.get("/api/hr/entries", headers=as_user(EDITOR)).json()
    row = next(r for r in every["entries"] if r["id"] == "olycka")
    assert (row["topic_label"], row["status_label"]) == ("Olyckor och tillbud", "publicerad")
    days = row["days_left"]
    due = client.get(f"/api/hr/entries?due_within_days={days}", headers=as_user(EDITOR)).json()
    assert "olycka" in {r["id"] for r in due["entries"]}
    none = client.get(f"/api/hr/entries?due_within_days={days - 1}", headers=as_user(EDITOR))
    assert "olycka" not in {r["id"] for r in none.json()["entries"]}
    bad = client.get("/api/hr/entries?due_within_days=-1", headers=as_user(EDITOR))
    assert bad.status_code == 422


def test_a_new_entry_is_saved_and_the_chat_answers_with_it(
    client: TestClient, sandbox: Path
) -> None:
    check = client.post("/api/hr/entry-checks", json={"entry": NEW}, headers=as_user(EDITOR))
    assert check.json() == {"errors": 0, "warnings": 0, "messages": []}
    response = client.post("/api/hr/entries", json={"entry": NEW}, headers=as_user(ADMIN))
    assert response.status_code == 201, response.text
    saved = response.json()
    assert (saved["file"], saved["changed"]) == ("parkering-hemma.md", True)
    assert (sandbox / "faq" / "parkering-hemma.md").exists()
    # The hot reload takes the file within seconds of the save; the bar is a safe floor for a
    # loaded CI machine (Rasa trains beside these tests), as in test_faq_reload.py.
    deadline = time.monotonic() + 20
    while opened(client, "parkering-hemma")["chat"]["state"] != "serving":
        assert time.monotonic() < deadline, "the chat did not take the new entry"
        time.sleep(0.1)
    tried = client.post(
        "/api/hr/try", json={"question": NEW["question"]}, headers=as_user(EDITOR)
    ).json()
    assert (tried["kind"], tried["faq_id"]) == ("answer", "parkering-hemma")
    audit = client.get("/api/hr/audit", headers=as_user(ADMIN)).json()
    assert (audit[0]["actor"], audit[0]["action"]) == (ADMIN, "faq_entry_created")
    assert audit[0]["after_hash"] == saved["content_hash"]


def test_an_edit_and_its_restore_are_versions_with_diffs(client: TestClient) -> None:
    entry = opened(client, "kostnader")
    edited = entry["entry"] | {"answer": entry["entry"]["answer"] + "\n\nTillägg om parkering."}
    saved = client.put(
        "/api/hr/entries/kostnader",
        json={"entry": edited, "base_hash": entry["content_hash"]},
        headers=as_user(EDITOR),
    ).json()
    history = client.get("/api/hr/entries/kostnader/versions", headers=as_user(EDITOR)).json()
    first, latest = history["versions"][-1], history["versions"][0]
    assert latest["current"] and latest["origin_label"] == "Sparad i redigeraren"
    assert first["origin_label"] == "Filen som den var när den först öppnades här"
    diff = client.get(
        f"/api/hr/entries/kostnader/versions/{latest['id']}", headers=as_user(EDITOR)
    ).json()
    assert {"kind": "added", "text": "Tillägg om parkering."} in diff["lines"]

    restored = client.post(
        f"/api/hr/entries/kostnader/versions/{first['id']}/restore",
        json={"base_hash": saved["content_hash"]},
        headers=as_user(EDITOR),
    )
    assert restored.status_code == 200, restored.text
    assert opened(client, "kostnader")["text"] == first_text(client, "kostnader", first["id"])
    after = client.get("/api/hr/entries/kostnader/versions", headers=as_user(EDITOR)).json()
    # The restored text is current once, as the newest version; the first stays restorable.
    assert [v["current"] for v in after["versions"]] == [True, False, False]
    assert after["versions"][0]["restored_from"] == first["id"]


def save(client: TestClient, entry_id: str, entry: dict[str, Any], base_hash: str) -> Any:
    return client.put(
        f"/api/hr/entries/{entry_id}",
        json={"entry": entry, "base_hash": base_hash},
        headers=as_user(EDITOR),
    )


@pytest.mark.parametrize(
    ("entry_id", "alternate", "name", "on_disk", "changed"),
    [
        (
            "fritidsbostad", "jobba från torpet?", "cues", "cues:\n  - fritidsbostad\n",
            ["fritidsbostad", "sommarställe"],
        ),
        ("omfattning", "hur ofta hemma?", "remote_work_only", "remote_work_only: true\n", False),
    ],
)  # fmt: skip
def test_an_edit_keeps_the_entrys_optional_fields_and_hr_can_change_them(
    client: TestClient,
    sandbox: Path,
    entry_id: str,
    alternate: str,
    name: str,
    on_disk: str,
    changed: Any,
) -> None:
    entry = opened(client, entry_id)
    edited = entry["entry"] | {"alternates": [*entry["entry"]["alternates"], alternate]}
    saved = save(client, entry_id, edited, entry["content_hash"])
    assert saved.status_code == 200, saved.text
    assert on_disk in (sandbox / "faq" / f"{entry_id}.md").read_text(encoding="utf-8")
    more = opened(client, entry_id)
    again = save(client, entry_id, more["entry"] | {name: changed}, more["content_hash"])
    assert again.status_code == 200, again.text
    assert opened(client, entry_id)["entry"][name] == changed
    if changed is False:
        assert name not in (sandbox / "faq" / f"{entry_id}.md").read_text(encoding="utf-8")


def first_text(client: TestClient, entry_id: str, version_id: int) -> str:
    response = client.get(
        f"/api/hr/entries/{entry_id}/versions/{version_id}", headers=as_user(EDITOR)
    )
    text: str = response.json()["text"]
    return text


def test_the_preview_is_the_chats_sanitised_html(client: TestClient) -> None:
    response = client.post(
        "/api/hr/entry-previews",
        json={"answer": "**Ja**\n\n<script>alert(1)</script> [x](javascript:alert(1))"},
        headers=as_user(EDITOR),
    )
    html = response.json()["html"]
    assert "<strong>Ja</strong>" in html
    assert "<script>" not in html and 'href="javascript' not in html


def test_an_unknown_entry_or_version_is_not_found(client: TestClient) -> None:
    missing = client.get("/api/hr/entries/finns-inte", headers=as_user(EDITOR))
    assert (missing.status_code, missing.json()["code"]) == (404, "faq_entry_not_found")
    version = client.get("/api/hr/entries/olycka/versions/999999", headers=as_user(EDITOR))
    assert (version.status_code, version.json()["code"]) == (404, "faq_version_not_found")
    restore = client.post(
        "/api/hr/entries/olycka/versions/999999/restore", json={}, headers=as_user(EDITOR)
    )
    assert restore.status_code == 404


@pytest.mark.parametrize("payload", TRAVERSAL_PAYLOADS)
def test_a_path_traversal_id_is_refused_and_writes_nothing(
    client: TestClient, sandbox: Path, payload: str
) -> None:
    before = sorted(str(p) for p in sandbox.rglob("*") if "embeddings" not in str(p))
    # ".md" leaves no id at all: that path is the list, not an entry.
    if path_id := quote(payload.removesuffix(".md"), safe=""):
        read = client.get(f"/api/hr/entries/{path_id}", headers=as_user(EDITOR))
        assert read.status_code in (404, 422), read.text
    body = {"entry": NEW | {"id": payload.removesuffix(".md")}}
    created = client.post("/api/hr/entries", json=body, headers=as_user(EDITOR))
    assert created.status_code in (409, 422), created.text
    assert created.json()["detail"]
    after = sorted(str(p) for p in sandbox.rglob("*") if "embeddings" not in str(p))
    assert after == before


def test_an_oversized_body_is_refused(client: TestClient) -> None:
    body = {"entry": NEW | {"answer": "x" * 70_000}}
    response = client.post("/api/hr/entry-checks", json=body, headers=as_user(EDITOR))
    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")
    long_field = {"entry": NEW | {"question": "x" * 301}}
    refused = client.post("/api/hr/entry-checks", json=long_field, headers=as_user(EDITOR))
    assert refused.status_code == 422


def test_a_save_over_someone_elses_save_is_a_conflict(client: TestClient) -> None:
    mine, theirs = opened(client, "sjukdom"), opened(client, "sjukdom")
    first = client.put(
        "/api/hr/entries/sjukdom",
        json={
            "entry": theirs["entry"] | {"owner": "Lönegruppen"},
            "base_hash": theirs["content_hash"],
        },
        headers=as_user(ADMIN),
    )
    assert first.status_code == 200
    second = client.put(
        "/api/hr/entries/sjukdom",
        json={"entry": mine["entry"] | {"owner": "IT"}, "base_hash": mine["content_hash"]},
        headers=as_user(EDITOR),
    )
    assert (second.status_code, second.json()["code"]) == (409, "faq_entry_changed")
    assert "ändrats av någon annan" in second.json()["detail"]
    taken = client.post("/api/hr/entries", json={"entry": mine["entry"]}, headers=as_user(EDITOR))
    assert (taken.status_code, taken.json()["code"]) == (409, "faq_id_taken")


def test_the_checkers_errors_are_shown_and_refuse_the_save(client: TestClient) -> None:
    entry = NEW | {
        "id": "sommarstuga-kopia",
        "question": "Får jag arbeta från stugan i fjällen?",
        "alternates": ["Får jag jobba från sommarstugan?"],
        "review_by": "2026-01-01",
    }
    check = client.post("/api/hr/entry-checks", json={"entry": entry}, headers=as_user(EDITOR))
    (message,) = check.json()["messages"]
    assert (message["field"], message["rule"]) == ("review_by", "review-order")
    assert "måste ligga efter" in message["text"]
    entry["review_by"] = "2027-11-22"
    check = client.post("/api/hr/entry-checks", json={"entry": entry}, headers=as_user(EDITOR))
    (message,) = check.json()["messages"]
    assert (message["field"], message["item"], message["rule"]) == (
        "alternates",
        0,
        "shared-alternate",
    )
    saved = client.post("/api/hr/entries", json={"entry": entry}, headers=as_user(EDITOR))
    assert (saved.status_code, saved.json()["code"]) == (422, "faq_entry_invalid")
    assert "sparades inte" in saved.json()["detail"]
    assert "fritidsbostad" in saved.json()["detail"]
