"""Local mode signs nobody in (X-Demo-User picks anyone, HR admin included), so it runs only on
made-up people and only for this computer; production checks token lifetimes. Personal data in
what people type is masked before any store sees it."""

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.settings import PROJECT_ROOT, local_mode_refusal
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa

REAL_DIRECTORY = """
users:
  - {id: lena.lund, name: Lena Lund, role: hr_admin, unit: HR}
"""


def test_local_mode_refuses_a_real_directory_and_says_why(
    tmp_path: Path, module_rasa: FakeRasa
) -> None:
    directory = tmp_path / "export.yml"
    directory.write_text(REAL_DIRECTORY, encoding="utf-8")
    settings = make_settings(tmp_path, module_rasa.url, directory_file=directory)
    with pytest.raises(RuntimeError, match="demokatalog"):
        create_app(settings, CharTrigramEncoder())


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "intranet.region.se"])
def test_local_mode_refuses_any_address_but_this_computers(tmp_path: Path, host: str) -> None:
    refusal = local_mode_refusal(make_settings(tmp_path, "http://127.0.0.1:1"), host)
    assert refusal is not None and "127.0.0.1" in refusal


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_local_mode_runs_on_this_computer(tmp_path: Path, host: str) -> None:
    assert local_mode_refusal(make_settings(tmp_path, "http://127.0.0.1:1"), host) is None


def test_production_may_listen_anywhere(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:1").model_copy(
        update={"mode": "production"}
    )
    assert local_mode_refusal(settings, "0.0.0.0") is None


def test_the_launcher_will_not_start_local_mode_on_the_network() -> None:
    started = subprocess.run(
        [sys.executable, "-m", "bot.launcher", "--host", "0.0.0.0", "--port", "1"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DG_MODE": "local"},
    )
    assert started.returncode == 2
    assert "Lokalt läge lyssnar bara på den egna datorn" in started.stderr
    assert "Traceback" not in started.stderr


def test_local_mode_answers_no_other_computer(client: TestClient) -> None:
    # Not entered: the module's client already runs the app's lifespan.
    remote = TestClient(client.app, client=("192.0.2.10", 50000))
    for path in ("/api/demo-users", "/api/hr/session", "/"):
        response = remote.get(path, headers={"X-Demo-User": "hanna.holm"})
        assert response.status_code == 403, path
        assert response.json()["code"] == "local_mode"
        assert "egna datorn" in response.json()["detail"]
    local = TestClient(client.app, client=("127.0.0.1", 50000))
    assert local.get("/api/demo-users").status_code == 200


def test_personal_data_in_feedback_never_reaches_the_review_queue(client: TestClient) -> None:
    response = client.post(
        "/api/feedback",
        json={
            "conversation_id": "c-1",
            "faq_id": "fritidsbostad",
            "question": "ring mig på 070-123 45 67 eller anna@example.org, pnr 811218\u20139876",
            "helpful": False,
        },
    )
    assert response.status_code in (200, 201, 204), response.text
    queue = client.get("/api/hr/queue", headers={"X-Demo-User": "hanna.holm"}).text
    assert "070-123" not in queue and "example.org" not in queue and "9876" not in queue


def test_contact_details_in_a_chat_message_never_reach_rasa(
    client: TestClient, rasa: FakeRasa
) -> None:
    response = client.post(
        "/api/chat",
        json={"conversation_id": "c-2", "message": "maila anna@example.org eller ring 070-1234567"},
    )
    assert response.status_code == 200
    (sent,) = rasa.received
    assert sent["message"] == "maila [e-post] eller ring [telefonnummer]"
    notice = response.json()["messages"][0]["text"]
    assert "en e-postadress och ett telefonnummer" in notice
