"""Why a delivery was given up, in Swedish, from the last error the sender stored (masked and
cut short, in English or in a library's words): what HR reads on its page. The stored error
itself is shown beside it for whoever has to fix the cause."""

import re
from typing import Literal

Channel = Literal["teams", "email", "calendar"]

# An HTTP status at the start ("502, message='Bad Gateway'", aiohttp's form), after ": " (Graph's
# "Graph POST users/…/events: 429 TooManyRequests") or after "status"; an SMTP reply code in
# smtplib's tuple form. A port in an address ("host:443/") has no space after its colon.
_HTTP_STATUS = re.compile(r"^(\d{3}),|(?::\s|\bstatus[ :=]*)(\d{3})\b", re.IGNORECASE)
_SMTP_CODE = re.compile(r"\((\d{3}),")
_TIMED_OUT = re.compile(r"timed? ?out|timeout", re.IGNORECASE)
_NO_CONNECTION = re.compile(
    r"connection refused|cannot connect|connect call failed|name or service not known|"
    r"network is unreachable|no route to host|errno",
    re.IGNORECASE,
)
_SIGN_IN = re.compile(r"msal|aadsts|invalid_client|unauthorized|authentication", re.IGNORECASE)

UNKNOWN: dict[Channel, str] = {
    "teams": "Teams tog inte emot meddelandet, av ett skäl som inte gick att tolka.",
    "email": "E-postservern tog inte emot brevet, av ett skäl som inte gick att tolka.",
    "calendar": "Kalendern sparade inte mötet, av ett skäl som inte gick att tolka.",
}


def http_status(error: str) -> int | None:
    match = _HTTP_STATUS.search(error)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def explain(channel: Channel, error: str | None) -> str:
    """One Swedish sentence on why the last attempt failed; generic when the error says
    nothing the page can name."""
    text = error or ""
    if channel == "teams":
        return _teams(text)
    if channel == "email":
        return _email(text)
    return _calendar(text)


def _teams(error: str) -> str:
    status = http_status(error)
    if status in (403, 404):
        return (
            "Teams nådde inte mottagaren: appen är borttagen ur hens Teams, eller chatten finns "
            "inte längre."
        )
    if status == 401 or _SIGN_IN.search(error):
        return (
            "Teams godtog inte appens inloggning: appens id, hemlighet eller certifikat behöver "
            "ses över (DG_TEAMS_APP_ID, DG_TEAMS_APP_SECRET)."
        )
    if status == 429:
        return "Teams begränsade hur många meddelanden appen fick skicka, vid varje försök."
    if status is not None and status >= 500:
        return f"Teams tjänst för appar (Bot Connector) svarade med ett serverfel ({status})."
    if _TIMED_OUT.search(error):
        return "Teams svarade inte i tid."
    if _NO_CONNECTION.search(error):
        return "Appen kunde inte ansluta till Teams."
    return UNKNOWN["teams"]


def _email(error: str) -> str:
    code_match = _SMTP_CODE.search(error)
    code = int(code_match.group(1)) if code_match else None
    if code in (530, 534, 535) or "authentication" in error.lower():
        return "E-postservern godtog inte appens inloggning (DG_SMTP_USERNAME, DG_SMTP_PASSWORD)."
    if code is not None and code >= 500:
        return (
            f"E-postservern vägrade ta emot brevet ({code}), till exempel för att adressen "
            "inte finns."
        )
    if code is not None and code >= 400:
        return f"E-postservern bad om ett senare försök ({code}) vid varje försök."
    if _TIMED_OUT.search(error):
        return "E-postservern svarade inte i tid."
    if _NO_CONNECTION.search(error):
        return "Appen kunde inte ansluta till e-postservern."
    return UNKNOWN["email"]


def _calendar(error: str) -> str:
    if "no e-mail address" in error:
        return "Chefen, som mötet läggs in hos, saknar e-postadress i katalogen."
    status = http_status(error)
    if status == 403:
        return (
            "Appen får inte skriva i chefens kalender: kontrollera appens behörighet och "
            "åtkomstpolicy."
        )
    if status == 429:
        return "Kalendern begränsade hur många anrop appen fick göra, vid varje försök."
    if status is not None and status >= 500:
        return f"Kalenderservern svarade med ett serverfel ({status})."
    if _SIGN_IN.search(error) or status == 401:
        return "Kalendern godtog inte appens inloggning."
    if _TIMED_OUT.search(error):
        return "Kalenderservern svarade inte i tid."
    if "paused" in error or _NO_CONNECTION.search(error):
        return "Kalenderservern gick inte att nå."
    return UNKNOWN["calendar"]
