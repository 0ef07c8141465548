"""``GET /health`` is 200 only when Rasa and the FAQ index are both ready."""

from pathlib import Path

from fastapi.testclient import TestClient

from bot.main import create_app
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa, free_port


def test_ready_when_rasa_answers_and_index_is_loaded(client: TestClient, rasa: FakeRasa) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["faq_entries"] == 14


def test_unavailable_while_rasa_is_down(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["rasa"] == "unavailable"
    assert response.json()["faq_index"] == "ready"


def test_broken_faq_file_is_counted_but_the_service_starts(tmp_path: Path, rasa: FakeRasa) -> None:
    faq = tmp_path / "faq"
    faq.mkdir()
    source = Path(__file__).parents[2] / "faq"
    for path in source.glob("*"):
        (faq / path.name).write_bytes(path.read_bytes())
    (faq / "trasig.md").write_text("---\nid: [\n---\nsvar\n", encoding="utf-8")
    settings = make_settings(tmp_path, rasa.url, faq_dir=faq)
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["faq_problems"] == 1
    assert body["faq_entries"] == 14
