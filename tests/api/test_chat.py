"""``POST /api/chat``: the contract, bad input, identity, and Rasa faults."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.identity_seal import IdentitySeal
from bot.main import create_app
from bot.risk_assessments.invitation import load_checklist
from bot.settings import PROJECT_ROOT
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa, sealed_user


def ask(client: TestClient, message: object, conversation_id: object = "c1", **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/chat", json={"conversation_id": conversation_id, "message": message}, headers=headers
    )


def test_message_goes_to_rasa_and_the_reply_comes_back(client: TestClient, rasa: FakeRasa) -> None:
    rasa.reply = [
        {"recipient_id": "x", "text": "Hej!", "buttons": [{"title": "Hjälp", "payload": "/help"}]},
        {
            "recipient_id": "x",
            "custom": {
                "text": "Svar\n\nmed stycken",
                "buttons": [],
                "faq_id": "kostnader",
                "source": "Källan",
                "kind": "answer",
            },
        },
    ]
    response = ask(client, "  hej  ")
    assert response.status_code == 200
    body = response.json()
    assert body["conversation_id"] == "c1"
    shown = [
        {key: m[key] for key in ("text", "buttons", "faq_id", "source", "kind")}
        for m in body["messages"]
    ]
    assert shown == [
        {
            "text": "Hej!",
            "buttons": [{"title": "Hjälp", "payload": "/help", "exclusive": False}],
            "faq_id": None,
            "source": None,
            "kind": None,
        },
        {
            "text": "Svar\n\nmed stycken",
            "buttons": [],
            "faq_id": "kostnader",
            "source": "Källan",
            "kind": "answer",
        },
    ]
    (sent,) = rasa.received
    assert sent["message"] == "hej"
    assert sealed_user(sent, "test-token") == "anna.andersson"
    # Rasa's tracker store keeps the metadata: it must not name the user.
    assert "anna" not in json.dumps(sent["metadata"])


def test_server_decides_the_rasa_sender_from_user_and_conversation(
    client: TestClient, rasa: FakeRasa
) -> None:
    ask(client, "hej", "samma")
    ask(client, "hej", "samma", **{"X-Demo-User": "erik.ek"})
    first, second = (m["sender"] for m in rasa.received)
    seal = IdentitySeal("test-token")
    assert first == seal.sender_id("anna.andersson", "samma")
    assert second == seal.sender_id("erik.ek", "samma")
    assert first != second
    assert "anna" not in first


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"conversation_id": "c1", "message": ""}, 422, "message_empty"),
        ({"conversation_id": "c1", "message": "   "}, 422, "message_empty"),
        ({"conversation_id": "c1", "message": "x" * 2001}, 422, "message_too_long"),
        ({"conversation_id": "c1"}, 422, "missing_field"),
        ({"conversation_id": "c1", "message": "hej", "user": "maria.berg"}, 422, "unknown_field"),
        ({"conversation_id": "c1", "message": 42}, 422, "invalid_field"),
        ({"conversation_id": "", "message": "hej"}, 422, "invalid_field"),
        ({"conversation_id": "../../etc", "message": "hej"}, 422, "invalid_field"),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    client: TestClient, rasa: FakeRasa, body: dict[str, object], status: int, code: str
) -> None:
    response = client.post("/api/chat", json=body)
    assert response.status_code == status
    payload = response.json()
    assert payload["code"] == code
    assert payload["detail"] and payload["detail_en"]
    assert rasa.received == []


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/api/chat", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Förfrågan är inte giltig JSON."


def test_message_of_exactly_the_limit_is_accepted(client: TestClient, rasa: FakeRasa) -> None:
    assert ask(client, "x" * 2000).status_code == 200


def test_unknown_demo_user_is_refused(client: TestClient) -> None:
    response = ask(client, "hej", **{"X-Demo-User": "okand"})
    assert response.status_code == 401
    assert response.json()["code"] == "unknown_demo_user"


def test_slow_rasa_gets_a_direct_faq_answer_instead_of_a_hang(
    client: TestClient, rasa: FakeRasa
) -> None:
    rasa.delay_seconds = 2.0
    response = ask(client, "Vilka kostnader står arbetsgivaren för?")
    assert response.status_code == 200
    first, note = response.json()["messages"]
    assert first["faq_id"] == "kostnader"
    assert "begränsat läge" in note["text"]


def test_failing_rasa_still_answers_and_button_payloads_get_a_retry_message(
    client: TestClient, rasa: FakeRasa
) -> None:
    rasa.status = 500
    assert (
        ask(client, "Vad gäller om medarbetaren blir sjuk?").json()["messages"][0]["faq_id"]
        == "sjukdom"
    )
    (only,) = ask(client, "/request_agreement").json()["messages"]
    assert "försök igen" in only["text"].lower()


def test_empty_rasa_reply_still_says_something(client: TestClient, rasa: FakeRasa) -> None:
    rasa.reply = []
    (only,) = ask(client, "hmm").json()["messages"]
    assert "formulera" in only["text"]


def test_production_mode_ignores_the_demo_header(tmp_path: Path, rasa: FakeRasa) -> None:
    settings = make_settings(
        tmp_path,
        rasa.url,
        mode="production",
        action_token="a-real-secret",
        oidc_issuer="https://sso.region.example",
        oidc_audience="distansguiden",
        oidc_jwks_url="https://sso.region.example/keys",
    )
    with TestClient(create_app(settings, CharTrigramEncoder())) as production:
        response = ask(production, "hej", **{"X-Demo-User": "hanna.holm"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert rasa.received == []


def test_production_mode_refuses_the_placeholder_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DG_ACTION_TOKEN"):
        make_settings(tmp_path, "http://127.0.0.1:1", mode="production", action_token="change-me")


def test_chat_page_is_served_with_a_strict_content_security_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Distansguiden" in page.text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/static/chat.js").status_code == 200


def test_an_identity_number_is_masked_before_rasa_and_the_user_is_told(
    client: TestClient, rasa: FakeRasa
) -> None:
    response = ask(client, "mitt personnummer är 19811218-9876, får jag jobba hemma?")
    assert response.status_code == 200
    (sent,) = rasa.received
    assert sent["message"] == "mitt personnummer är [personnummer], får jag jobba hemma?"
    first = response.json()["messages"][0]["text"]
    assert "tog bort ett personnummer" in first and "9876" not in response.text


def test_english_writers_are_told_in_english(client: TestClient, rasa: FakeRasa) -> None:
    response = ask(client, "my personal number is 811218-9876, can I work from home?")
    notice = response.json()["messages"][0]["text"]
    assert "removed a personal identity number" in notice and "tog bort" not in notice


def test_a_burst_beyond_what_rasa_can_serve_gets_503_with_a_time_to_retry(
    tmp_path: Path, rasa: FakeRasa
) -> None:
    """Refused at once, in Swedish and English, instead of every user waiting into a timeout;
    the turns that fit are served normally, and so is the next one after the burst."""
    settings = make_settings(
        tmp_path, rasa.url, rasa_max_in_flight=1, rasa_queue_budget_seconds=0.5
    )
    rasa.delay_seconds = 0.3
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        with ThreadPoolExecutor(max_workers=12) as pool:
            responses = list(pool.map(lambda n: ask(client, "hej", f"burst-{n}"), range(12)))
        served = [r for r in responses if r.status_code == 200]
        busy = [r for r in responses if r.status_code == 503]
        assert served and busy and len(served) + len(busy) == 12
        assert all(r.json()["messages"][0]["text"] == "Hej från Rasa" for r in served)
        for response in busy:
            assert 1 <= int(response.headers["Retry-After"]) <= 30
            body = response.json()
            assert body["code"] == "busy"
            assert "många frågor just nu" in body["detail"]
            assert "busy" in body["detail_en"]
        rasa.delay_seconds = 0.0
        assert ask(client, "hej", "after").json()["messages"][0]["text"] == "Hej från Rasa"


def test_a_notice_the_database_returns_late_comes_with_a_later_turn_not_lost(
    rasa: FakeRasa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The turn does not wait for a slow database; the reminder it claimed too late is not
    shown and is handed back. The turns right after do not try the database at all, and the
    first turn after that pause brings the reminder, once."""
    import asyncio
    import time

    from bot import chat
    from bot.chat import ChatService
    from bot.identity import demo_directory
    from bot.notifications import Inbox
    from bot.rasa_client import RasaClient
    from bot.storage.database import Database
    from bot.storage.models import Notification

    db = Database(f"sqlite:///{tmp_path}/app.db")
    db.migrate()
    with db.session() as session:
        session.add(
            Notification(recipient_id="maria.berg", text="Din överenskommelse löper ut snart.")
        )
    delay = [2.0]
    asked: list[float] = []
    monkeypatch.setattr(chat, "STORE_PAUSE_SECONDS", 2.0)

    def slow_database() -> Database:
        asked.append(delay[0])
        time.sleep(delay[0])
        return db

    user = demo_directory().get("maria.berg")
    assert user is not None

    async def turns() -> tuple[list[str], float, list[str], list[str], list[str]]:
        seal = IdentitySeal("test-token")
        client = RasaClient(rasa.url, 1.0, seal.channel_key)
        try:
            service = ChatService(client, seal, lambda: None, inbox=Inbox(slow_database))
            started = time.monotonic()
            slow = [m.text for m in await service.handle(user, "c-late", "hej")]
            waited = time.monotonic() - started
            delay[0] = 0.0
            paused = [m.text for m in await service.handle(user, "c-late", "hej")]
            await asyncio.sleep(2.5)  # the abandoned claim finishes, and the pause ends
            fast = [m.text for m in await service.handle(user, "c-late", "hej")]
            after = [m.text for m in await service.handle(user, "c-late", "hej")]
            return slow, waited, paused, fast, after
        finally:
            await client.close()

    slow, waited, paused, fast, after = asyncio.run(turns())
    db.dispose()
    assert slow == ["Hej från Rasa"]
    assert waited < 1.5
    # The turn during the pause was answered without asking the database.
    assert paused == ["Hej från Rasa"]
    assert asked == [2.0, 0.0, 0.0]
    assert fast == ["Din överenskommelse löper ut snart.", "Hej från Rasa"]
    assert after == ["Hej från Rasa"]


def test_the_welcome_names_the_signed_in_user_and_offers_the_regions_questions(
    client: TestClient,
) -> None:
    anna = client.get("/api/chat/welcome")
    assert anna.status_code == 200
    body = anna.json()
    assert (body["name"], body["first_name"]) == ("Anna Andersson", "Anna")
    assert (body["region"], body["time_zone"]) == ("Region Västmanland", "Europe/Stockholm")
    offered = {s["title"]: s for s in body["suggestions"]}
    assert 4 <= len(offered) <= 6
    summer = offered["Får jag jobba från sommarstugan?"]
    assert summer["payload"] == '/choose_faq{"faq_id":"fritidsbostad"}'
    assert summer["title_en"] == "May I work from my holiday home?"
    apply = offered["Jag vill ansöka om distansarbete"]
    assert apply["payload"] == "Jag vill ansöka om distansarbete"
    # The name is the sign-in's, whatever else the request says.
    erik = client.get("/api/chat/welcome?name=Maria", headers={"X-Demo-User": "erik.ek"})
    assert erik.json()["first_name"] == "Erik"
    assert client.get("/api/chat/welcome", headers={"X-Demo-User": "okand"}).status_code == 401


def source_app(tmp_path: Path, rasa_url: str) -> TestClient:
    """The app with a region whose FAQ source has an address, and one entry's section."""
    regions = tmp_path / "regions"
    regions.mkdir()
    text = (PROJECT_ROOT / "regions" / "vastmanland.yml").read_text(encoding="utf-8")
    text = text.replace(
        "sources: []",
        "sources:\n"
        "  - title: Frågor och svar – distansarbete inom Region Västmanland\n"
        "    url: https://intranat.region.example/fragor-och-svar\n"
        "    sections:\n"
        "      kostnader: {name: Kostnader, url: 'https://intranat.region.example/fragor#k'}\n",
    )
    (regions / "vastmanland.yml").write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path, rasa_url, regions_dir=regions)
    return TestClient(create_app(settings, CharTrigramEncoder()), raise_server_exceptions=False)


def test_an_answers_source_carries_its_address_and_section(tmp_path: Path, rasa: FakeRasa) -> None:
    source = "Frågor och svar – distansarbete inom Region Västmanland"
    rasa.reply = [
        {
            "recipient_id": "x",
            "custom": {
                "text": f"Nej.\n\nKälla: {source}",
                "faq_id": entry,
                "source": source,
                "kind": "answer",
            },
        }
        for entry in ("kostnader", "sjukdom")
    ]
    with source_app(tmp_path, rasa.url) as client:
        costs, sickness = ask(client, "Vem betalar?").json()["messages"]
        assert (costs["source_url"], costs["source_section"]) == (
            "https://intranat.region.example/fragor#k",
            "Kostnader",
        )
        assert (sickness["source_url"], sickness["source_section"]) == (
            "https://intranat.region.example/fragor-och-svar",
            None,
        )
        # Without Rasa the index's answer is linked the same way.
        rasa.status = 500
        (answer, _) = ask(client, "Vilka kostnader står arbetsgivaren för?").json()["messages"]
        assert answer["source_section"] == "Kostnader"


def test_a_suggested_question_is_answered_without_rasa_too(
    client: TestClient, rasa: FakeRasa
) -> None:
    rasa.status = 500
    answer, note = ask(client, '/choose_faq{"faq_id":"fritidsbostad"}').json()["messages"]
    assert answer["faq_id"] == "fritidsbostad" and answer["kind"] == "answer"
    assert "begränsat läge" in note["text"]


def test_a_long_message_comes_folded_with_its_summary(client: TestClient, rasa: FakeRasa) -> None:
    checklist = "Inför samtalet, gå gärna igenom checklistan:\n\n" + load_checklist(
        PROJECT_ROOT / "faq"
    )
    rasa.reply = [
        {"recipient_id": "x", "custom": {"text": "Mötet är bokat.", "buttons": []}},
        {"recipient_id": "x", "text": checklist},
    ]
    booked, folded = ask(client, "ja").json()["messages"]
    assert not booked["folded"] and booked["summary"] is None
    assert folded["folded"] and folded["summary"] == "Inför samtalet, gå gärna igenom checklistan:"
    assert "Inför samtalet, gå gärna" not in folded["html"]
    assert "<h3>Checklista för riskbedömning av distansarbete</h3>" in folded["html"]
