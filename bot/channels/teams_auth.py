"""Who may post to ``/api/messages``: the Bot Framework token checks, done before any activity
is processed.

The Agents SDK's own ``JwtTokenValidator`` (0.9.1) is not enough here, so this module does the
whole check with PyJWT: the SDK does not check the issuer, fetches keys from two hard-coded
URLs instead of the OpenID metadata, never compares the token's ``serviceurl`` claim with the
activity, ignores the keys' channel endorsements, and PyJWT errors other than ``ValueError``
escape its middleware as a 500. Microsoft's requirements:
https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
# Only what Microsoft signs with; "none" and HMAC (a public key used as a shared secret) never.
ALLOWED_ALGORITHMS = ("RS256",)
# Keys are cached for a day; an unknown key id refetches them at most every five minutes, so
# forged key ids cannot make us hammer Microsoft's endpoint.
KEYS_MAX_AGE_SECONDS = 24 * 3600
KEYS_MIN_REFRESH_SECONDS = 300


class TokenRejected(Exception):
    """The request is not from the Bot Framework for this app; ``reason`` goes to the log only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """Microsoft's signing keys could not be fetched, so no token can be checked just now."""


@dataclass
class OpenIdKeys:
    """The signing keys that one OpenID metadata document points to (``jwks_uri``)."""

    metadata_url: str
    http: httpx.AsyncClient
    _keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    _fetched_at: float | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def find(self, key_id: str) -> dict[str, Any] | None:
        """The JWK with ``kid == key_id``, or None when Microsoft does not publish it."""
        async with self._lock:
            stale = self._fetched_at is None or self._age() > KEYS_MAX_AGE_SECONDS
            rotated = key_id not in self._keys and self._age() > KEYS_MIN_REFRESH_SECONDS
            if stale or rotated:
                await self._refresh()
            return self._keys.get(key_id)

    def _age(self) -> float:
        return time.monotonic() - (self._fetched_at or 0.0)

    async def _refresh(self) -> None:
        try:
            metadata = await self._get_json(self.metadata_url)
            key_set = await self._get_json(str(metadata["jwks_uri"]))
            keys = {str(k["kid"]): k for k in key_set["keys"] if isinstance(k, dict) and "kid" in k}
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as error:
            raise KeysUnavailable(f"{self.metadata_url}: {error}") from error
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def _get_json(self, url: str) -> Any:
        response = await self.http.get(url)
        response.raise_for_status()
        return response.json()


class BotFrameworkTokenValidator:
    """Checks ``Authorization: Bearer <JWT>`` on an incoming activity for a single-tenant app:
    algorithm, key id, signature, issuer, audience (the app id), expiry within the clock skew,
    the key's channel endorsement and the ``serviceurl`` claim against the activity."""

    def __init__(
        self,
        app_id: str,
        tenant_id: str,
        bot_framework_keys: OpenIdKeys,
        tenant_keys: OpenIdKeys,
        clock_skew_seconds: int,
    ) -> None:
        self._app_id = app_id
        self._clock_skew = clock_skew_seconds
        self._keys_by_issuer = {
            BOT_FRAMEWORK_ISSUER: bot_framework_keys,
            f"https://sts.windows.net/{tenant_id}/": tenant_keys,
            f"https://login.microsoftonline.com/{tenant_id}/v2.0": tenant_keys,
        }

    async def validate(self, authorization: str | None, activity: dict[str, Any]) -> dict[str, Any]:
        """The token's claims; raises TokenRejected (or KeysUnavailable)."""
        token = bearer_token(authorization)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise TokenRejected(f"malformed token: {error}") from error
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise TokenRejected(f"algorithm not allowed: {header.get('alg')!r}")
        key_id = header.get("kid")
        if not isinstance(key_id, str) or not key_id:
            raise TokenRejected("no key id")
        issuer = unverified.get("iss")
        keys = self._keys_by_issuer.get(issuer) if isinstance(issuer, str) else None
        if keys is None:
            raise TokenRejected(f"issuer not accepted: {issuer!r}")
        jwk = await keys.find(key_id)
        if jwk is None:
            raise TokenRejected(f"unknown key id: {key_id!r}")
        channel = activity.get("channelId")
        endorsements = jwk.get("endorsements")
        if isinstance(endorsements, list) and channel not in endorsements:
            raise TokenRejected(f"key not endorsed for channel {channel!r}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                jwt.PyJWK(jwk, algorithm="RS256").key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=self._app_id,
                issuer=list(self._keys_by_issuer),
                leeway=self._clock_skew,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRejected(f"{type(error).__name__}: {error}") from error
        check_service_url(claims, activity, issuer == BOT_FRAMEWORK_ISSUER)
        return claims


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise TokenRejected("no Authorization header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("Authorization is not a Bearer token")
    return token.strip()


def check_service_url(claims: dict[str, Any], activity: dict[str, Any], required: bool) -> None:
    """Replies go to the activity's serviceUrl with our credentials, so it must be the one the
    Bot Framework signed; otherwise a replayed token could send them anywhere."""
    claimed = claims.get("serviceurl")
    if claimed is None and not required:
        return
    actual = activity.get("serviceUrl")
    if not isinstance(claimed, str) or not isinstance(actual, str):
        raise TokenRejected("serviceUrl missing")
    if claimed.rstrip("/").lower() != actual.rstrip("/").lower():
        raise TokenRejected(f"serviceUrl {actual!r} is not the signed {claimed!r}")
