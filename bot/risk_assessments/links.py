"""Links to the risk-assessment dialogue as people open them: absolute addresses on the app's
public URL (``DG_PUBLIC_URL``), so they work from Teams, e-mail and a calendar, not only from the
web chat's own page.

A link to a dialogue's invitation is signed: whoever has it may fetch that one .ics until a while
after the meeting, without signing in, as a browser opened from Teams or an e-mail cannot send
the app's token. It carries no personal data; the signature is an HMAC with a key derived from
``DG_ACTION_TOKEN``, so every replica accepts the others' links.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

CHECKLIST_PATH = "/riskbedomning/checklista"
SIGNED_INVITATION_PATH = "/riskbedomning/{assessment_id}.ics"
# How long after the meeting a signed link still opens: long enough to read it again afterwards.
VALID_AFTER_MEETING = timedelta(days=14)


@dataclass(frozen=True)
class PublicLinks:
    """``base_url`` without a trailing slash; "" gives links without a host (production with no
    ``DG_PUBLIC_URL``), which only the web chat can follow. Without ``key`` invitation links
    need a signed-in user."""

    base_url: str = ""
    key: bytes | None = None

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def checklist(self) -> str:
        """HR's checklist for the dialogue, readable without signing in."""
        return self.absolute(CHECKLIST_PATH)

    def invitation(self, assessment_id: int, meeting_end: datetime | None = None) -> str:
        """The dialogue's invitation (.ics) as it now stands: signed, so it opens without signing
        in until ``VALID_AFTER_MEETING`` after ``meeting_end``; else the API's path."""
        if self.key is None or meeting_end is None:
            return self.absolute(f"/api/risk-assessments/{assessment_id}.ics")
        until = int((meeting_end + VALID_AFTER_MEETING).timestamp())
        path = SIGNED_INVITATION_PATH.format(assessment_id=assessment_id)
        return self.absolute(f"{path}?until={until}&sig={self.signature(assessment_id, until)}")

    def signature(self, assessment_id: int, until: int) -> str:
        if self.key is None:
            raise ValueError("no key for signed links")
        message = f"invitation:{assessment_id}:{until}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def opens(self, assessment_id: int, until: int, signature: str, now: datetime) -> bool:
        """True when the signed link is ours, for this dialogue, and not yet expired."""
        if self.key is None or now.timestamp() > until:
            return False
        return hmac.compare_digest(self.signature(assessment_id, until), signature)


def markdown_link(title: str, url: str) -> str:
    """A link with a readable name, as the web chat and Teams show markdown."""
    return f"[{title}]({url})"
