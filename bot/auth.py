"""Who is asking in production: the intranet SSO's signed OIDC token (``Authorization: Bearer``).

The conversation owner is derived from the token alone; nothing the browser says about who it
is (``X-Demo-User``, a user id in a body) is trusted. Tokens must be signed with RS256 or ES256
by a key from the configured JWKS URL or PEM file, issued by the configured issuer for the
configured audience, and not expired (within a small leeway).
"""

import logging
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from bot.errors import ApiError
from bot.identity import Directory, Role, User, load_directory
from bot.settings import Settings

log = logging.getLogger(__name__)

# Asymmetric only: "none" and HMAC (where a published public key could serve as the secret) never.
ALLOWED_ALGORITHMS = ("RS256", "ES256")
# The key set is cached for an hour; an unknown key id refetches it at most every five minutes,
# so tokens with made-up key ids cannot make us hammer the identity provider.
KEYS_MAX_AGE_SECONDS = 3600
KEYS_MIN_REFRESH_SECONDS = 300
KEYS_TIMEOUT_SECONDS = 5
# A token with several mapped roles gives the one that allows the most.
ROLE_PRECEDENCE: tuple[Role, ...] = (
    "hr_admin",
    "hr_editor",
    "manager",
    "safety_representative",
    "employee",
)


class NotAuthenticated(Exception):
    """The request carries no token at all."""


class TokenRejected(Exception):
    """The token is not acceptable; ``reason`` goes to the log only, never to the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """The identity provider's signing keys could not be fetched, so no token can be checked."""


class SigningKeys(Protocol):
    def find(self, key_id: str | None, algorithm: str) -> Any:
        """The public key for a token with this ``kid`` and ``alg``; raises TokenRejected."""


class JwksKeys:
    """The keys published at the identity provider's JWKS URL."""

    def __init__(self, url: str) -> None:
        self._client = jwt.PyJWKClient(
            url, cache_jwk_set=True, lifespan=KEYS_MAX_AGE_SECONDS, timeout=KEYS_TIMEOUT_SECONDS
        )
        # current_user runs in the thread pool: one fetch at a time.
        self._lock = threading.Lock()
        self._refreshed_at: float | None = None

    def find(self, key_id: str | None, algorithm: str) -> Any:
        if not key_id:
            raise TokenRejected("no key id")
        with self._lock:
            key = self._match(self._keys(refresh=False), key_id)
            recently = self._refreshed_at is not None and (
                time.monotonic() - self._refreshed_at < KEYS_MIN_REFRESH_SECONDS
            )
            if key is None and not recently:
                key = self._match(self._keys(refresh=True), key_id)
        if key is None:
            raise TokenRejected(f"unknown key id: {key_id!r}")
        if key.algorithm_name != algorithm:
            raise TokenRejected(f"key {key_id!r} is for {key.algorithm_name}, not {algorithm}")
        return key.key

    def _keys(self, refresh: bool) -> list[jwt.PyJWK]:
        if refresh:
            self._refreshed_at = time.monotonic()
        try:
            return self._client.get_signing_keys(refresh=refresh)
        except (jwt.PyJWKClientError, jwt.exceptions.PyJWKSetError, ValueError) as error:
            raise KeysUnavailable(str(error)) from error

    @staticmethod
    def _match(keys: list[jwt.PyJWK], key_id: str) -> jwt.PyJWK | None:
        return next((key for key in keys if key.key_id == key_id), None)


class PemKey:
    """One public key from a PEM file, for an identity provider without a JWKS URL."""

    def __init__(self, path: Path) -> None:
        key = load_pem_public_key(path.read_bytes())
        if isinstance(key, rsa.RSAPublicKey):
            self._algorithm = "RS256"
        elif isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
            self._algorithm = "ES256"
        else:
            raise ValueError(f"{path}: neither an RSA nor a P-256 public key")
        self._key = key

    def find(self, key_id: str | None, algorithm: str) -> Any:
        if algorithm != self._algorithm:
            raise TokenRejected(f"the configured key is for {self._algorithm}, not {algorithm}")
        return self._key


class OidcAuthenticator:
    """``Authorization`` header -> the signed-in ``User``."""

    def __init__(self, settings: Settings, keys: SigningKeys, directory: Directory) -> None:
        if not settings.oidc_issuer or not settings.oidc_audience:
            raise ValueError("OIDC sign-in needs DG_OIDC_ISSUER and DG_OIDC_AUDIENCE")
        self._issuer = settings.oidc_issuer
        self._audience = settings.oidc_audience
        self._leeway = settings.oidc_leeway_seconds
        self._max_lifetime = settings.oidc_max_token_lifetime_seconds
        self._user_claim = settings.oidc_user_claim
        self._roles_claim = settings.oidc_roles_claim
        self._role_map = settings.oidc_role_map
        self._unit_claim = settings.oidc_unit_claim
        self._manager_claim = settings.oidc_manager_claim
        self._keys = keys
        self._directory = directory
        self._by_email = {u.email.lower(): u for u in directory.all() if u.email}

    @classmethod
    def from_settings(cls, settings: Settings) -> "OidcAuthenticator":
        """Reads the PEM file now, so a wrong path stops the start instead of every sign-in."""
        keys: SigningKeys
        if settings.oidc_jwks_url:
            keys = JwksKeys(settings.oidc_jwks_url)
        elif settings.oidc_public_key_file:
            keys = PemKey(settings.oidc_public_key_file)
        else:
            raise ValueError("OIDC sign-in needs DG_OIDC_JWKS_URL or DG_OIDC_PUBLIC_KEY_FILE")
        return cls(settings, keys, load_directory(settings.directory_file))

    def user(self, authorization: str | None) -> User:
        """Raises NotAuthenticated, TokenRejected or KeysUnavailable."""
        return self.user_from_claims(self.claims(authorization))

    def claims(self, authorization: str | None) -> dict[str, Any]:
        token = bearer_token(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TokenRejected(f"malformed token: {error}") from error
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise TokenRejected(f"algorithm not allowed: {algorithm!r}")
        key_id = header.get("kid")
        key = self._keys.find(key_id if isinstance(key_id, str) else None, algorithm)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRejected(f"{type(error).__name__}: {error}") from error
        lifetime = claims["exp"] - claims["iat"]
        if lifetime > self._max_lifetime:
            raise TokenRejected(f"lifetime {lifetime} s exceeds {self._max_lifetime} s")
        return claims

    def user_from_claims(self, claims: dict[str, Any]) -> User:
        """Id, name and role from the token; unit, manager and e-mail from the token's claims
        when configured, otherwise from the user directory when the user is in it."""
        signed_in = claims.get(self._user_claim)
        if not isinstance(signed_in, str) or not signed_in.strip():
            raise TokenRejected(f"no {self._user_claim!r} claim")
        user_id = signed_in.strip().lower()
        # Entra's preferred_username is the e-mail address; the directory may key on a short id.
        known = self._directory.get(user_id) or self._by_email.get(user_id)
        manager = self._claim(self._manager_claim, claims)
        return User(
            id=known.id if known else user_id,
            name=self._claim("name", claims) or (known.name if known else user_id),
            role=self._role(claims),
            unit=self._claim(self._unit_claim, claims) or (known.unit if known else ""),
            manager=manager.lower() if manager else (known.manager if known else None),
            email=self._claim("email", claims) or (known.email if known else None),
            aad_object_id=self._claim("oid", claims) or (known.aad_object_id if known else None),
        )

    def _role(self, claims: dict[str, Any]) -> Role:
        """The SSO decides roles; a token without a mapped one is an employee's."""
        values = claims.get(self._roles_claim)
        names = [values] if isinstance(values, str) else values if isinstance(values, list) else []
        mapped = {self._role_map[n] for n in names if isinstance(n, str) and n in self._role_map}
        return next((role for role in ROLE_PRECEDENCE if role in mapped), "employee")

    @staticmethod
    def _claim(name: str | None, claims: dict[str, Any]) -> str | None:
        value = claims.get(name) if name else None
        return value.strip() if isinstance(value, str) and value.strip() else None


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.strip():
        raise NotAuthenticated
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("Authorization is not a Bearer token")
    return token.strip()


def signed_in_user(authenticator: OidcAuthenticator, authorization: str | None) -> User:
    """The API's view: every failure is a 401 (or a 503 while the keys cannot be fetched), with
    the reason in the log, never in the response."""
    try:
        return authenticator.user(authorization)
    except NotAuthenticated:
        raise ApiError(
            401,
            "not_authenticated",
            "Du behöver logga in via intranätet för att använda assistenten.",
            "You need to sign in through the intranet to use the assistant.",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None
    except TokenRejected as error:
        log.info("Sign-in token rejected: %s", error.reason)
        raise ApiError(
            401,
            "invalid_token",
            "Inloggningen gick inte att bekräfta. Ladda om sidan och logga in igen.",
            "Your sign-in could not be verified. Reload the page and sign in again.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    except KeysUnavailable as error:
        log.warning("Sign-in keys unavailable, no token can be checked: %s", error)
        raise ApiError(
            503,
            "sign_in_unavailable",
            "Inloggningen kan inte kontrolleras just nu. Försök igen om en stund.",
            "Sign-in cannot be checked right now. Please try again shortly.",
        ) from None
