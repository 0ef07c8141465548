"""Production sign-in: the conversation owner comes from the SSO's signed token, never from the
browser; every token that is not exactly right is refused with 401."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient

from bot.auth import JwksKeys, OidcAuthenticator, TokenRejected
from bot.identity import demo_directory
from bot.identity_seal import IdentitySeal
from bot.launcher import free_port
from bot.main import create_app
from bot.settings import Settings
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa, sealed_user

ISSUER = "https://sso.region.example/realms/intranet"
AUDIENCE = "distansguiden"
KEY_ID = "sso-key-1"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SSO_KEY = rsa_key()
OTHER_KEY = rsa_key()


class Jwks:
    """The identity provider's JWKS endpoint, counting how often it is fetched."""

    def __init__(self, keys: dict[str, rsa.RSAPrivateKey]) -> None:
        self.keys = keys
        self.fetches = 0
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                body = json.dumps({"keys": [jwks.public_jwk(k) for k in jwks.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/keys"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def public_jwk(self, key_id: str) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.keys[key_id].public_key()))
        return jwk | {"kid": key_id, "use": "sig", "alg": "RS256"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "preferred_username": "Erik.Ek",
        "name": "Erik Ek",
    }
    return {k: v for k, v in (values | changes).items() if v is not None}


def signed(payload: dict[str, Any], key: Any = SSO_KEY, kid: str = KEY_ID) -> str:
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """Tokens PyJWT refuses to make: unsigned ("none"), or HMAC with the public key as secret."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if secret is None:
        return f"{signing_input}."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def production_settings(tmp: Path, rasa_url: str, **values: Any) -> Settings:
    return make_settings(
        tmp,
        rasa_url,
        mode="production",
        action_token="a-real-secret",
        oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE,
        **values,
    )


@pytest.fixture(scope="module")
def jwks() -> Iterator[Jwks]:
    server = Jwks({KEY_ID: SSO_KEY})
    yield server
    server.close()


@pytest.fixture(scope="module")
def production(
    module_rasa: FakeRasa, jwks: Jwks, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    settings = production_settings(
        tmp_path_factory.mktemp("sso"), module_rasa.url, oidc_jwks_url=jwks.url
    )
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        yield client


def ask(client: TestClient, token: str | None = None, **headers: str) -> Any:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(
        "/api/chat", json={"conversation_id": "c1", "message": "hej"}, headers=headers
    )


def test_a_valid_token_talks_in_the_users_own_conversation(
    production: TestClient, rasa: FakeRasa
) -> None:
    response = ask(production, signed(claims()))
    assert response.status_code == 200
    (sent,) = rasa.received
    assert sealed_user(sent, "a-real-secret") == "erik.ek"
    assert sent["sender"] == IdentitySeal("a-real-secret").sender_id("erik.ek", "c1")


def test_the_demo_header_is_ignored_in_production(production: TestClient, rasa: FakeRasa) -> None:
    response = ask(production, signed(claims()), **{"X-Demo-User": "hanna.holm"})
    assert response.status_code == 200
    assert sealed_user(rasa.received[0], "a-real-secret") == "erik.ek"
    alone = ask(production, **{"X-Demo-User": "hanna.holm"})
    assert alone.status_code == 401
    assert alone.json()["code"] == "not_authenticated"


def test_no_token_asks_the_user_to_sign_in(production: TestClient, rasa: FakeRasa) -> None:
    response = ask(production)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert "logga in" in body["detail"] and "sign in" in body["detail_en"]
    assert rasa.received == []


def _expired() -> dict[str, Any]:
    now = int(time.time())
    return claims(iat=now - 900, exp=now - 120)


def _long_lived() -> dict[str, Any]:
    now = int(time.time())
    return claims(iat=now, exp=now + 86400 + 60)


REJECTED = {
    "not Bearer": lambda: f"Basic {signed(claims())}",
    "Bearer without a token": lambda: "Bearer ",
    "not a JWT": lambda: "Bearer not-a-token",
    "wrong issuer": lambda: f"Bearer {signed(claims(iss='https://evil.example/'))}",
    "wrong audience": lambda: f"Bearer {signed(claims(aud='another-app'))}",
    "expired beyond the leeway": lambda: f"Bearer {signed(_expired())}",
    "no expiry": lambda: f"Bearer {signed(claims(exp=None))}",
    "no issued-at": lambda: f"Bearer {signed(claims(iat=None))}",
    "valid for longer than a day": lambda: f"Bearer {signed(_long_lived())}",
    "bad signature": lambda: f"Bearer {signed(claims(), key=OTHER_KEY)}",
    "unknown kid": lambda: f"Bearer {signed(claims(), key=OTHER_KEY, kid='forged')}",
    "alg none": lambda: "Bearer " + hand_made({"alg": "none", "kid": KEY_ID}, claims(), None),
    "HS256 with the public key": lambda: (
        "Bearer "
        + hand_made({"alg": "HS256", "typ": "JWT", "kid": KEY_ID}, claims(), public_pem(SSO_KEY))
    ),
    "no user claim": lambda: f"Bearer {signed(claims(preferred_username=None))}",
}


@pytest.mark.parametrize("authorization", REJECTED.values(), ids=REJECTED.keys())
def test_every_other_token_is_refused(
    production: TestClient, rasa: FakeRasa, authorization: Any
) -> None:
    response = production.post(
        "/api/chat",
        json={"conversation_id": "c1", "message": "hej"},
        headers={"Authorization": authorization()},
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    body = response.json()
    assert body["code"] == "invalid_token"
    assert "logga in igen" in body["detail"] and "sign in again" in body["detail_en"]
    assert rasa.received == []


def test_a_clock_slightly_behind_is_tolerated(production: TestClient, rasa: FakeRasa) -> None:
    now = int(time.time())
    assert ask(production, signed(claims(iat=now - 400, exp=now - 20))).status_code == 200


def test_roles_come_from_the_token_not_from_the_directory(production: TestClient) -> None:
    hr_admin = claims(preferred_username="Hanna.Holm", name="Hanna Holm")
    with_role = signed(hr_admin | {"roles": ["Distansguiden.Other", "Distansguiden.HR.Admin"]})
    session = production.get("/api/hr/session", headers={"Authorization": f"Bearer {with_role}"})
    assert session.status_code == 200
    assert session.json() | {"mode": None} == {
        "id": "hanna.holm",
        "name": "Hanna Holm",
        "role": "hr_admin",
        "role_label": "HR-administratör",
        "is_admin": True,
        "mode": None,
    }
    # Hanna is HR admin in the directory, but her token carries no role today.
    without_role = signed(hr_admin)
    denied = production.get("/api/hr/session", headers={"Authorization": f"Bearer {without_role}"})
    assert denied.status_code == 403


def test_unreachable_keys_are_a_503_not_a_401_or_500(
    tmp_path: Path, module_rasa: FakeRasa, rasa: FakeRasa
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/keys"
    settings = production_settings(tmp_path, module_rasa.url, oidc_jwks_url=closed)
    with TestClient(create_app(settings, CharTrigramEncoder())) as client:
        response = ask(client, signed(claims()))
    assert response.status_code == 503
    assert response.json()["code"] == "sign_in_unavailable"
    assert rasa.received == []


def authenticator(keys: Any, **values: Any) -> OidcAuthenticator:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE,
        **values,
    )
    return OidcAuthenticator(settings, keys, demo_directory())


def test_forged_key_ids_do_not_make_us_hammer_the_identity_provider() -> None:
    server = Jwks({KEY_ID: SSO_KEY})
    try:
        sso = authenticator(JwksKeys(server.url))
        assert sso.user(f"Bearer {signed(claims())}").id == "erik.ek"
        for n in range(5):
            with pytest.raises(TokenRejected, match="unknown key id"):
                sso.user(f"Bearer {signed(claims(), key=OTHER_KEY, kid=f'forged-{n}')}")
        assert server.fetches == 2
    finally:
        server.close()


def test_a_rotated_key_is_picked_up(tmp_path: Path) -> None:
    server = Jwks({KEY_ID: SSO_KEY})
    try:
        sso = authenticator(JwksKeys(server.url))
        sso.user(f"Bearer {signed(claims())}")
        server.keys["sso-key-2"] = OTHER_KEY
        assert sso.user(f"Bearer {signed(claims(), OTHER_KEY, 'sso-key-2')}").id == "erik.ek"
    finally:
        server.close()


def test_a_pem_public_key_file_with_es256(tmp_path: Path) -> None:
    from bot.auth import PemKey

    key = ec.generate_private_key(ec.SECP256R1())
    pem = tmp_path / "sso.pem"
    pem.write_bytes(public_pem(key))
    sso = authenticator(PemKey(pem))
    token = jwt.encode(claims(), key, algorithm="ES256")
    assert sso.user(f"Bearer {token}").id == "erik.ek"
    with pytest.raises(TokenRejected):
        sso.user(f"Bearer {signed(claims())}")


def test_claims_map_to_the_user_and_the_directory_fills_in_the_rest() -> None:
    sso = authenticator(
        None,
        oidc_user_claim="upn",
        oidc_roles_claim="groups",
        oidc_manager_claim="manager",
        oidc_role_map={"DG-Chefer": "manager"},
    )
    # Known by e-mail address in the directory: the directory's id, unit and manager.
    anna = sso.user_from_claims({"upn": "Anna.Andersson@Example.org", "groups": "DG-Chefer"})
    assert (anna.id, anna.name, anna.role, anna.unit, anna.manager) == (
        "anna.andersson",
        "Anna Andersson",
        "manager",
        "Ekonomienheten",
        "maria.berg",
    )
    # Not in the directory: what the token says, and no unit.
    newcomer = sso.user_from_claims(
        {"upn": "Ny.Person@example.org", "name": "Ny Person", "manager": "Johan.Lind"}
    )
    assert (newcomer.id, newcomer.name, newcomer.role, newcomer.unit, newcomer.manager) == (
        "ny.person@example.org",
        "Ny Person",
        "employee",
        "",
        "johan.lind",
    )


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({}, "DG_OIDC_ISSUER and DG_OIDC_AUDIENCE"),
        ({"oidc_issuer": ISSUER, "oidc_audience": AUDIENCE}, "DG_OIDC_JWKS_URL or"),
        (
            {"oidc_issuer": ISSUER, "oidc_audience": AUDIENCE, "oidc_jwks_url": "http://sso/k"},
            "https",
        ),
    ],
)
def test_production_refuses_to_start_without_sign_in(
    values: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        Settings(_env_file=None, mode="production", action_token="a-real-secret", **values)  # type: ignore[call-arg]
