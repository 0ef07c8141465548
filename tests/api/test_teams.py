"""``POST /api/messages`` (Microsoft Teams) without Microsoft: a local key pair behind a mocked
OpenID metadata + JWKS endpoint (respx), a local Bot Connector that records what the app sends,
a fake Entra token endpoint under MSAL, and no other network at all."""

import base64
import dataclasses
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
import pytest
import requests
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select

from bot.launcher import free_port
from bot.main import create_app
from bot.settings import Settings
from bot.storage.models import ConversationReference, Notification
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa, JsonHandler, postgres_schema, sealed_user

APP_ID = "5c7e3f0a-1b2c-4d3e-8f90-a1b2c3d4e5f6"
TENANT_ID = "9d2f4a61-7b3c-4e5d-a6f7-0123456789ab"
BOT_ID = f"28:{APP_ID}"
BOT_FRAMEWORK = "https://api.botframework.com"
TENANT_ISSUER = f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
# A metadata URL of our own proves that the setting, not a hard-coded URL, is used.
METADATA_URL = "https://openid.test/botframework/.well-known/openidconfiguration"
JWKS_URL = "https://openid.test/botframework/keys"
TENANT_METADATA_URL = f"{TENANT_ISSUER}/.well-known/openid-configuration"
TENANT_JWKS_URL = f"https://login.microsoftonline.com/{TENANT_ID}/discovery/v2.0/keys"
ANNA_OBJECT_ID = "0b5f7c1e-3d2a-4e8b-9a61-1f0c2d3e4a01"
ANNA_CHAT = "a:1anna-personal-chat"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self, endorsements: list[str] | None = None) -> dict[str, Any]:
        key: dict[str, Any] = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        key |= {"kid": self.kid, "use": "sig"}
        if endorsements is not None:
            key["endorsements"] = endorsements
        return key

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": kid or self.kid})

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class FakeConnector:
    """The Bot Connector service at the activity's serviceUrl: records every request."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.members: dict[str, dict[str, Any]] = {}
        self.status = 200
        # Sent with a 429, as the connector throttles: seconds, or an HTTP date.
        self.retry_after: str | None = None
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self._record(json.loads(self.rfile.read(length)))
                if fake.status == 429:
                    self._throttled()
                else:
                    self._send(fake.status, {"id": f"sent-{len(fake.received)}"})

            def _throttled(self) -> None:
                data = json.dumps(
                    {"error": {"code": "TooManyRequests", "message": "Too many requests"}}
                ).encode()
                self.send_response(429)
                self.send_header("Content-Type", "application/json")
                if fake.retry_after is not None:
                    self.send_header("Retry-After", fake.retry_after)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._record(None)
                member = fake.members.get(unquote(self.path.rsplit("/", 1)[-1]))
                self._send(200, member) if member else self._send(404, {"error": {}})

            def _record(self, body: Any) -> None:
                fake.received.append(
                    {
                        "method": self.command,
                        "path": unquote(self.path),
                        "authorization": self.headers.get("Authorization"),
                        "body": body,
                    }
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def messages(self) -> list[dict[str, Any]]:
        return [r for r in self.received if r["method"] == "POST"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeEntra:
    """Microsoft Entra as MSAL (through requests) sees it: tenant discovery and the token
    endpoint of the client-credentials flow."""

    issued_token = "connector-token-from-entra"

    def __init__(self) -> None:
        self.token_requests: list[dict[str, list[str]]] = []

    def send(self, request: requests.PreparedRequest, **_: object) -> requests.Response:
        url = str(request.url)
        base = f"https://login.microsoftonline.com/{TENANT_ID}"
        if request.method == "GET" and url == f"{base}/v2.0/.well-known/openid-configuration":
            body: dict[str, Any] = {
                "issuer": TENANT_ISSUER,
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
            }
        elif request.method == "POST" and url == f"{base}/oauth2/v2.0/token":
            raw = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
            self.token_requests.append(parse_qs(raw))
            body = {"access_token": self.issued_token, "token_type": "Bearer", "expires_in": 3600}
        else:
            raise requests.ConnectionError(f"unexpected request to Microsoft: {url}")
        response = requests.Response()
        response.status_code = 200
        response.url = url
        response.request = request
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(body).encode()
        return response


def loopback_only(real: Any) -> Any:
    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"a Teams test tried to reach the network: {host}")
        return real(host, *args, **kwargs)

    return getaddrinfo


@dataclass
class Teams:
    client: TestClient
    connector: FakeConnector
    entra: FakeEntra
    openid: respx.MockRouter
    bot_framework_key: SigningKey
    tenant_key: SigningKey

    @property
    def db(self) -> Any:
        app: Any = self.client.app
        return app.state.agreements.db

    def through(self, client: TestClient) -> "Teams":
        """The same Microsoft stand-ins in front of another app (its own settings)."""
        return dataclasses.replace(self, client=client)

    def deliver_notifications(self) -> int:
        """What the lifespan runs every ``teams_notify_seconds``, run once on the app's loop."""
        app: Any = self.client.app
        assert self.client.portal is not None
        delivered: int = self.client.portal.call(app.state.teams.deliver_notifications)
        return delivered

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": BOT_FRAMEWORK,
            "aud": APP_ID,
            "serviceurl": self.connector.url,
            "nbf": now - 60,
            "exp": now + 3600,
        }
        return {k: v for k, v in (claims | changes).items() if v is not None}

    def token(self, **changes: Any) -> str:
        return self.bot_framework_key.sign(self.claims(**changes))

    def post(self, activity: dict[str, Any], token: str | None = None, **headers: str) -> Any:
        if token is not None or not headers:
            headers.setdefault("Authorization", f"Bearer {token or self.token()}")
        return self.client.post("/api/messages", json=activity, headers=headers)

    def activity(self, kind: str = "message", **fields: Any) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": kind,
            "id": "1712345678901",
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {
                "id": "29:anna-teams-id",
                "name": "Anna Andersson",
                "aadObjectId": ANNA_OBJECT_ID,
            },
            "recipient": {"id": BOT_ID, "name": "Distansguiden"},
            "conversation": {
                "id": ANNA_CHAT,
                "conversationType": "personal",
                "tenantId": TENANT_ID,
            },
            "channelData": {"tenant": {"id": TENANT_ID}},
            "locale": "sv-SE",
        }
        return activity | fields

    def reference_of(self, user_id: str) -> dict[str, Any] | None:
        with self.db.session() as session:
            row = session.get(ConversationReference, (user_id, "msteams"))
            return dict(row.reference) if row else None


def teams_settings(tmp: Path, rasa_url: str, notify_seconds: float = 0) -> Settings:
    return make_settings(
        tmp,
        rasa_url,
        teams_app_id=APP_ID,
        teams_tenant_id=TENANT_ID,
        teams_app_secret="test-client-secret",
        teams_openid_metadata_url=METADATA_URL,
        teams_notify_seconds=notify_seconds,
        public_url="https://distansguiden.region.example",
    )


@pytest.fixture(scope="module")
def stack(module_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Teams]:
    connector, entra = FakeConnector(), FakeEntra()
    bot_framework_key, tenant_key = SigningKey("bf-key-1"), SigningKey("tenant-key-1")
    settings = teams_settings(tmp_path_factory.mktemp("teams"), module_rasa.url)
    with (
        pytest.MonkeyPatch.context() as patch,
        respx.mock(assert_all_called=False) as openid,
    ):
        patch.setattr(socket, "getaddrinfo", loopback_only(socket.getaddrinfo))
        patch.setattr(requests.adapters.HTTPAdapter, "send", entra.send)
        openid.route(host="127.0.0.1").pass_through()
        openid.get(METADATA_URL).respond(json={"issuer": BOT_FRAMEWORK, "jwks_uri": JWKS_URL})
        openid.get(JWKS_URL).respond(json={"keys": [bot_framework_key.jwk(["msteams"])]})
        openid.get(TENANT_METADATA_URL).respond(
            json={"issuer": TENANT_ISSUER, "jwks_uri": TENANT_JWKS_URL}
        )
        openid.get(TENANT_JWKS_URL).respond(json={"keys": [tenant_key.jwk()]})
        app = create_app(settings, CharTrigramEncoder())
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Teams(client, connector, entra, openid, bot_framework_key, tenant_key)
    connector.close()


@pytest.fixture
def teams(stack: Teams, rasa: FakeRasa) -> Teams:
    stack.connector.received.clear()
    stack.connector.members.clear()
    stack.connector.status = 200
    stack.connector.retry_after = None
    return stack


def test_a_signed_message_is_answered_through_the_connector(teams: Teams, rasa: FakeRasa) -> None:
    activity = teams.activity(
        text="<at>Distansguiden</at> Får jag jobba från sommarstugan?",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": BOT_ID, "name": "Distansguiden"},
                "text": "<at>Distansguiden</at>",
            }
        ],
    )
    response = teams.post(activity)
    assert response.status_code == 202
    (sent,) = rasa.received
    assert sent["message"] == "Får jag jobba från sommarstugan?"
    assert sealed_user(sent, "test-token") == "anna.andersson"
    (reply,) = teams.connector.messages()
    assert reply["path"] == f"/v3/conversations/{ANNA_CHAT}/activities/{activity['id']}"
    assert reply["body"]["text"] == "Hej från Rasa"
    assert reply["body"]["textFormat"] == "markdown"
    assert reply["authorization"] == f"Bearer {FakeEntra.issued_token}"
    # The connector token came from the app's own registration (client credentials).
    token_request = teams.entra.token_requests[0]
    assert token_request["client_id"] == [APP_ID]
    assert token_request["client_secret"] == ["test-client-secret"]
    assert token_request["scope"] == ["https://api.botframework.com/.default"]


def test_buttons_become_a_card_whose_payload_comes_back_unchanged(
    teams: Teams, rasa: FakeRasa
) -> None:
    faq_payload = '/choose_faq{"faq_id":"fritidsbostad"}'
    rasa.reply = [
        {
            "recipient_id": "x",
            "custom": {
                "text": "Menade du …?",
                "buttons": [
                    {"title": "Får jag jobba från sommarstugan?", "payload": faq_payload},
                    {"title": "Något annat", "payload": "/deny"},
                ],
                "source": "Frågor och svar – distansarbete",
            },
        }
    ]
    teams.post(teams.activity(text="stugan"))
    (reply,) = teams.connector.messages()
    assert reply["body"]["text"].startswith("Menade du …?")
    assert "Källa: Frågor och svar – distansarbete" in reply["body"]["text"]
    (card,) = reply["body"]["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    actions = [a for row in card["content"]["body"] for a in row["actions"]]
    assert [a["title"] for a in actions] == ["Får jag jobba från sommarstugan?", "Något annat"]
    assert {a["type"] for a in actions} == {"Action.Submit"}

    # Teams sends a pressed messageBack button as a message carrying the action's data.
    rasa.received.clear()
    pressed = actions[0]["data"]
    teams.post(teams.activity(text=pressed["msteams"]["text"], value=pressed))
    assert [m["message"] for m in rasa.received] == [faq_payload]


def test_installing_the_app_welcomes_the_user_and_stores_where_to_reach_them(
    teams: Teams, rasa: FakeRasa
) -> None:
    with teams.db.session() as session:
        row = session.get(ConversationReference, ("anna.andersson", "msteams"))
        if row:
            session.delete(row)
    installed = teams.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}])
    assert teams.post(installed).status_code == 202
    (welcome,) = teams.connector.messages()
    assert "Hej Anna!" in welcome["body"]["text"]
    assert "Distansguiden" in welcome["body"]["text"]
    assert rasa.received == []
    reference = teams.reference_of("anna.andersson")
    assert reference is not None
    assert reference["serviceUrl"] == teams.connector.url
    assert reference["conversation"]["id"] == ANNA_CHAT
    assert reference["bot"]["id"] == BOT_ID
    assert reference["user"] == {"id": "29:anna-teams-id"}  # no name stored


def test_removing_the_app_forgets_where_to_reach_the_user(teams: Teams) -> None:
    teams.post(teams.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]))
    assert teams.reference_of("anna.andersson") is not None
    teams.connector.received.clear()
    removed = teams.activity("installationUpdate", action="remove")
    assert teams.post(removed).status_code == 202
    assert teams.reference_of("anna.andersson") is None
    assert teams.connector.messages() == []


ERIK = {"id": "29:erik-teams-id", "aadObjectId": "0b5f7c1e-3d2a-4e8b-9a61-1f0c2d3e4a02"}
GROUP_CHAT = {"id": "19:group-chat@thread.v2", "conversationType": "groupChat"}


@pytest.mark.parametrize(
    "conversation",
    [GROUP_CHAT, {"id": "19:team-channel@thread.tacv2", "conversationType": "channel"}],
    ids=["group chat", "channel"],
)
def test_where_colleagues_read_along_only_faq_answers_are_given(
    teams: Teams, rasa: FakeRasa, conversation: dict[str, str]
) -> None:
    """A group chat (or a channel the app was once installed in) never starts a process and
    never shows anyone's reminders: the FAQ index answers, without Rasa."""
    with teams.db.session() as session:
        waiting = Notification(recipient_id="erik.ek", text="Din ansökan DA-2027-00012 avslogs.")
        session.add(waiting)
    asked = teams.activity(
        text="Får medarbetaren arbeta på distans från exempelvis fritidsbostaden?",
        conversation=conversation,
        **{"from": ERIK},
    )
    teams.post(asked)
    assert rasa.received == []
    (answer,) = teams.connector.messages()
    assert (
        "Källa: Frågor och svar – distansarbete inom Region Västmanland" in answer["body"]["text"]
    )
    assert "avslogs" not in answer["body"]["text"]
    with teams.db.session() as session:
        assert session.get(Notification, waiting.id).delivered_at is None
    assert teams.reference_of("erik.ek") is None

    teams.connector.received.clear()
    process = teams.activity(
        text="jag vill ansöka om distansarbete", conversation=conversation, **{"from": ERIK}
    )
    teams.post(process)
    assert rasa.received == []
    replies = [m["body"]["text"] for m in teams.connector.messages()]
    assert "din personliga chatt med Distansguiden" in replies[-1]


def test_a_did_you_mean_button_in_a_group_chat_answers_its_entry(
    teams: Teams, rasa: FakeRasa
) -> None:
    pressed = {"payload": '/choose_faq{"faq_id":"kostnader"}'}
    teams.post(teams.activity(text="", value=pressed, conversation=GROUP_CHAT, **{"from": ERIK}))
    assert rasa.received == []
    (answer,) = teams.connector.messages()
    assert answer["body"]["text"].startswith("Arbetsgivaren")


def test_added_to_a_group_chat_the_app_says_what_it_does_there(
    teams: Teams, rasa: FakeRasa
) -> None:
    added = teams.activity(
        "conversationUpdate", membersAdded=[{"id": BOT_ID}], conversation=GROUP_CHAT
    )
    teams.post(added)
    (welcome,) = teams.connector.messages()
    assert "gruppchatten svarar jag på frågor om distansarbete" in welcome["body"]["text"]
    assert "Hej Anna" not in welcome["body"]["text"]


def test_links_in_replies_are_absolute_on_the_public_address(teams: Teams, rasa: FakeRasa) -> None:
    rasa.reply = [
        {
            "recipient_id": "x",
            "custom": {
                "text": "DA-2027-00012 är godkänd. Se [checklistan](/riskbedomning/checklista).",
                "link": "/api/agreements/12/document.pdf",
                "link_title": "DA-2027-00012.pdf",
            },
        }
    ]
    teams.post(teams.activity(text="godkänn"))
    (reply,) = teams.connector.messages()
    text = reply["body"]["text"]
    assert "[checklistan](https://distansguiden.region.example/riskbedomning/checklista)" in text
    assert (
        "[Ladda ner DA-2027-00012.pdf]"
        "(https://distansguiden.region.example/api/agreements/12/document.pdf)"
    ) in text
    assert "](/" not in text


def test_a_sender_without_a_known_object_id_is_found_by_e_mail(
    teams: Teams, rasa: FakeRasa
) -> None:
    teams.connector.members["29:maria-teams-id"] = {
        "id": "29:maria-teams-id",
        "email": "Maria.Berg@example.org",
        "userPrincipalName": "maria.berg@region.example",
    }
    sender = {"id": "29:maria-teams-id", "aadObjectId": "11111111-2222-4333-8444-555555555555"}
    teams.post(teams.activity(text="visa mina ansökningar", **{"from": sender}))
    assert [sealed_user(m, "test-token") for m in rasa.received] == ["maria.berg"]


def test_someone_outside_the_directory_is_told_so_and_nothing_reaches_rasa(
    teams: Teams, rasa: FakeRasa
) -> None:
    stranger = {"id": "29:stranger", "aadObjectId": "99999999-2222-4333-8444-555555555555"}
    assert teams.post(teams.activity(text="hej", **{"from": stranger})).status_code == 202
    assert rasa.received == []
    (reply,) = teams.connector.messages()
    assert "personalkatalogen" in reply["body"]["text"]
    assert "staff directory" in reply["body"]["text"]


def test_a_token_within_the_clock_skew_is_accepted(teams: Teams, rasa: FakeRasa) -> None:
    expired_a_minute_ago = teams.token(exp=int(time.time()) - 60)
    assert teams.post(teams.activity(text="hej"), token=expired_a_minute_ago).status_code == 202
    assert len(rasa.received) == 1


def test_a_token_from_the_tenant_issuer_is_accepted(teams: Teams, rasa: FakeRasa) -> None:
    token = teams.tenant_key.sign(teams.claims(iss=TENANT_ISSUER, serviceurl=None))
    assert teams.post(teams.activity(text="hej"), token=token).status_code == 202
    assert len(rasa.received) == 1


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> bytes:
    def part(data: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

    return part(header) + b"." + part(claims)


def alg_none(teams: Teams) -> str:
    return (
        unsigned({"alg": "none", "typ": "JWT", "kid": "bf-key-1"}, teams.claims()) + b"."
    ).decode()


def hs256_with_public_key(teams: Teams) -> str:
    """The classic confusion: the published RSA key used as an HMAC secret."""
    signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": "bf-key-1"}, teams.claims())
    mac = hmac.new(teams.bot_framework_key.public_pem(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()


REJECTED = {
    "missing header": lambda t: {},
    "not Bearer": lambda t: {"Authorization": f"Basic {t.token()}"},
    "wrong issuer": lambda t: {"Authorization": f"Bearer {t.token(iss='https://evil.example')}"},
    "wrong audience": lambda t: {
        "Authorization": f"Bearer {t.token(aud='00000000-1111-4222-8333-444444444444')}"
    },
    "expired": lambda t: {"Authorization": f"Bearer {t.token(exp=int(time.time()) - 600)}"},
    "no expiry": lambda t: {"Authorization": f"Bearer {t.token(exp=None)}"},
    "bad signature": lambda t: {
        "Authorization": f"Bearer {SigningKey('other').sign(t.claims(), kid='bf-key-1')}"
    },
    "unknown key id": lambda t: {
        "Authorization": f"Bearer {t.bot_framework_key.sign(t.claims(), kid='unknown-key')}"
    },
    "alg none": lambda t: {"Authorization": f"Bearer {alg_none(t)}"},
    "HS256": lambda t: {"Authorization": f"Bearer {hs256_with_public_key(t)}"},
    "serviceUrl mismatch": lambda t: {
        "Authorization": f"Bearer {t.token(serviceurl='https://smba.trafficmanager.net/emea/')}"
    },
    "serviceUrl claim missing": lambda t: {"Authorization": f"Bearer {t.token(serviceurl=None)}"},
    "tenant key for the Bot Framework issuer": lambda t: {
        "Authorization": f"Bearer {t.tenant_key.sign(t.claims())}"
    },
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_a_request_that_is_not_from_teams_gets_401_and_causes_no_outbound_call(
    teams: Teams, rasa: FakeRasa, case: str
) -> None:
    token_requests = len(teams.entra.token_requests)
    response = teams.client.post(
        "/api/messages", json=teams.activity(text="hej"), headers=REJECTED[case](teams)
    )
    assert response.status_code == 401
    assert response.json()["code"] == "teams_unauthorized"
    assert teams.connector.received == []
    assert rasa.received == []
    assert len(teams.entra.token_requests) == token_requests


def test_a_key_endorsed_for_another_channel_is_refused(teams: Teams, rasa: FakeRasa) -> None:
    response = teams.post(teams.activity(text="hej", channelId="webchat"))
    assert response.status_code == 401
    assert teams.connector.received == []
    assert rasa.received == []


def test_waiting_notifications_are_sent_to_the_personal_chat_and_marked_delivered(
    teams: Teams,
) -> None:
    teams.post(teams.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]))
    teams.connector.received.clear()
    with teams.db.session() as session:
        for notification in session.scalars(select(Notification)):
            notification.delivered_at = notification.created_at
        reminder = Notification(
            recipient_id="anna.andersson",
            text="Din distansöverenskommelse DA-2027-00012 löper ut om 60 dagar.",
        )
        # Erik has never opened the app in Teams: his notice waits for the web chat.
        notice = Notification(recipient_id="erik.ek", text="Mötet är flyttat.")
        session.add_all([reminder, notice])
    assert teams.deliver_notifications() == 1
    (sent,) = teams.connector.messages()
    assert sent["path"] == f"/v3/conversations/{ANNA_CHAT}/activities"
    assert sent["body"]["text"] == reminder.text
    assert sent["body"]["recipient"]["id"] == "29:anna-teams-id"
    assert sent["authorization"] == f"Bearer {FakeEntra.issued_token}"
    with teams.db.session() as session:
        assert session.get(Notification, reminder.id).delivered_at is not None
        assert session.get(Notification, notice.id).delivered_at is None
    assert teams.deliver_notifications() == 0
    assert len(teams.connector.messages()) == 1


def test_the_running_app_sends_waiting_notifications_on_its_own(
    teams: Teams, rasa: FakeRasa, tmp_path: Path
) -> None:
    app = create_app(teams_settings(tmp_path, rasa.url, notify_seconds=0.1), CharTrigramEncoder())
    with TestClient(app, raise_server_exceptions=False) as client:
        own = teams.through(client)
        own.post(own.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]))
        with own.db.session() as session:
            session.add(Notification(recipient_id="anna.andersson", text="Mötet börjar kl. 10."))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(teams.connector.messages()) < 2:
            time.sleep(0.05)
    assert [m["body"]["text"] for m in teams.connector.messages()][1:] == ["Mötet börjar kl. 10."]


def test_a_user_who_removed_the_app_keeps_the_notification_for_the_web_chat(
    teams: Teams,
) -> None:
    teams.post(teams.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]))
    teams.connector.received.clear()
    teams.connector.status = 403
    with teams.db.session() as session:
        notification = Notification(recipient_id="anna.andersson", text="Påminnelse")
        session.add(notification)
    assert teams.deliver_notifications() == 0
    assert len(teams.connector.messages()) == 1  # tried once, no apology sent instead
    with teams.db.session() as session:
        assert session.get(Notification, notification.id).delivered_at is None
    assert teams.reference_of("anna.andersson") is None


def test_without_teams_settings_there_is_no_teams_endpoint(client: TestClient) -> None:
    assert client.post("/api/messages", json={}).status_code == 404


def test_replicas_sharing_postgresql_send_each_notification_once(
    teams: Teams, rasa: FakeRasa, tmp_path: Path
) -> None:
    """While another replica's notifier runs, this one sends nothing; afterwards it sends."""
    with postgres_schema(migrate=False) as database:
        settings = teams_settings(tmp_path, rasa.url).model_copy(
            update={"database_url": database.url}
        )
        with TestClient(create_app(settings, CharTrigramEncoder())) as client:
            replica = teams.through(client)
            replica.post(replica.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]))
            teams.connector.received.clear()
            with replica.db.session() as session:
                session.add(
                    Notification(recipient_id="anna.andersson", text="Mötet börjar kl. 10.")
                )
            with database.run_alone("teams-notifier") as other_replica_running:
                assert other_replica_running
                assert replica.deliver_notifications() == 0
                assert teams.connector.messages() == []
            assert replica.deliver_notifications() == 1
            assert replica.deliver_notifications() == 0
    assert [m["body"]["text"] for m in teams.connector.messages()] == ["Mötet börjar kl. 10."]


def test_a_reminders_links_to_the_app_are_absolute_in_teams(teams: Teams) -> None:
    teams.post(teams.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]))
    teams.connector.received.clear()
    with teams.db.session() as session:
        for waiting in session.scalars(select(Notification)):
            waiting.delivered_at = waiting.created_at
        session.add(
            Notification(
                recipient_id="anna.andersson",
                text="Mötet är flyttat: [inbjudan](/api/risk-assessments/7.ics).",
            )
        )
    assert teams.deliver_notifications() == 1
    (sent,) = teams.connector.messages()
    assert sent["body"]["text"] == (
        "Mötet är flyttat: [inbjudan]"
        "(https://distansguiden.region.example/api/risk-assessments/7.ics)."
    )
