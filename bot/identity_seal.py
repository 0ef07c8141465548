"""The signed-in user's identity on its way through Rasa to the actions, and back.

The app signs in the user; Rasa only relays. So the app seals the identity (encrypted and
authenticated, bound to the conversation and short-lived) into the message's metadata, and the
actions open it. Anything that reaches Rasa without the app's secret can neither read who wrote
a message nor pose as someone else, and Rasa's tracker store holds no user ids.

All keys derive from one shared secret, ``DG_ACTION_TOKEN``, so that several app replicas behind
a load balancer open each other's seals.
"""

import hashlib
import hmac
import json
import time
from base64 import urlsafe_b64encode

from cryptography.fernet import Fernet, InvalidToken

# An action runs within seconds of its message; a seal older than this is a replay.
SEAL_MAX_AGE_SECONDS = 900
# How far the Rasa channel accepts a request's timestamp from its own clock.
CHANNEL_MAX_SKEW_SECONDS = 300
# Where the Rasa process finds its channel key (set by bot/launcher.py, or by the deployment).
CHANNEL_KEY_VARIABLE = "DG_RASA_CHANNEL_KEY"
TIMESTAMP_HEADER = "X-Distansguiden-Timestamp"
SIGNATURE_HEADER = "X-Distansguiden-Signature"


def derive_key(secret: str, purpose: str) -> bytes:
    """One key per purpose, so a key leaked from one use opens nothing else."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


class IdentitySeal:
    def __init__(self, secret: str, max_age_seconds: int = SEAL_MAX_AGE_SECONDS) -> None:
        self._fernet = Fernet(urlsafe_b64encode(derive_key(secret, "identity-seal")))
        self._pseudonym_key = derive_key(secret, "pseudonym")
        self._max_age = max_age_seconds
        self.channel_key = derive_key(secret, "rasa-channel").hex()

    def sender_id(self, user_id: str, conversation_id: str) -> str:
        """Rasa's conversation key: derived by the server, so no client reaches another's
        tracker, and keyed, so a user id cannot be tried against the tracker store."""
        return self._keyed(f"conversation\x1f{user_id}\x1f{conversation_id}")

    def author(self, user_id: str) -> str:
        """A pseudonym in every message's metadata: erasure finds a user's conversations by it
        without the tracker holding the user id."""
        return self._keyed(f"author\x1f{user_id}")

    def seal(self, user_id: str, sender_id: str) -> str:
        payload = json.dumps({"user": user_id, "sender": sender_id}, separators=(",", ":"))
        return self._fernet.encrypt(payload.encode()).decode()

    def open(self, sealed: object, sender_id: str) -> str | None:
        """The user id sealed for ``sender_id``; None when forged, expired, or sealed for
        another conversation."""
        if not isinstance(sealed, str):
            return None
        try:
            payload = json.loads(self._fernet.decrypt(sealed.encode(), ttl=self._max_age))
        except (InvalidToken, ValueError):
            return None
        if not isinstance(payload, dict) or payload.get("sender") != sender_id:
            return None
        user = payload.get("user")
        return user if isinstance(user, str) else None

    def metadata(self, user_id: str, sender_id: str) -> dict[str, str]:
        """What the app sends Rasa with each message."""
        return {"identity": self.seal(user_id, sender_id), "author": self.author(user_id)}

    def _keyed(self, value: str) -> str:
        return hmac.new(self._pseudonym_key, value.encode(), hashlib.sha256).hexdigest()[:40]


def channel_signature(key: str, timestamp: str, body: bytes) -> str:
    """The Rasa channel accepts a request only with this signature of its exact body."""
    return hmac.new(key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def channel_headers(key: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: channel_signature(key, timestamp, body),
    }
