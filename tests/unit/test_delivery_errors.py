"""Why a delivery was given up, in Swedish, from the error its sender stored (the forms
aiohttp, smtplib and the calendar adapters give), for HR's list of given-up deliveries."""

import pytest

from bot.hr.delivery_errors import UNKNOWN, Channel, explain


@pytest.mark.parametrize(
    ("channel", "error", "expected"),
    [
        (
            "teams",
            "403, message='Forbidden', url='https://smba.example/v3/x'",
            "appen är borttagen",
        ),
        (
            "teams",
            "404, message='Not Found', url='https://smba.example/v3/x'",
            "appen är borttagen",
        ),
        ("teams", "401, message='Unauthorized', url='https://smba.example/v3/x'", "inloggning"),
        ("teams", "AADSTS7000215: Invalid client secret provided.", "inloggning"),
        ("teams", "429, message='Too Many Requests', url='https://smba.example'", "begränsade"),
        ("teams", "503, message='Service Unavailable', url='https://smba.example'", "(503)"),
        ("teams", "Connection timeout to host https://smba.example", "inte i tid"),
        ("teams", "Cannot connect to host smba.example:443 ssl:default", "kunde inte ansluta"),
        ("email", "SMTP mail:25: (535, b'5.7.8 Authentication credentials invalid')", "inloggning"),
        ("email", "SMTP mail:25: {'[e-post]': (550, b'5.1.1 User unknown')}", "vägrade"),
        ("email", "SMTP mail:25: (451, b'4.3.0 Try again later')", "senare försök (451)"),
        ("email", "SMTP mail.region.se:587: timed out", "inte i tid"),
        ("email", "SMTP mail:25: [Errno 111] Connection refused", "kunde inte ansluta"),
        ("calendar", "risk_assessment:4: the organiser has no e-mail address", "saknar e-post"),
        ("calendar", "Graph POST users/x/events: 403 ErrorAccessDenied", "åtkomstpolicy"),
        ("calendar", "Graph POST users/x/events: 429 TooManyRequests", "begränsade"),
        ("calendar", "Graph PATCH users/x/events/1: 503 ServiceUnavailable", "(503)"),
        ("calendar", "Microsoft Graph: save timed out", "inte i tid"),
        ("calendar", "CalDAV: paused after a failure", "gick inte att nå"),
    ],
)
def test_a_known_failure_is_named_in_swedish(channel: Channel, error: str, expected: str) -> None:
    assert expected in explain(channel, error)


@pytest.mark.parametrize("channel", ["teams", "email", "calendar"])
def test_an_unreadable_or_missing_error_says_so_in_swedish(channel: Channel) -> None:
    assert explain(channel, None) == UNKNOWN[channel]
    assert explain(channel, "something odd") == UNKNOWN[channel]


def test_a_port_in_an_address_is_not_read_as_a_status() -> None:
    assert (
        explain("calendar", "CalDAV save failed at https://dav.region.se:443/cal/")
        == (UNKNOWN["calendar"])
    )
