"""A stand-in for Microsoft's cloud, on this machine only: the Microsoft identity platform's
token endpoint for client credentials and its OpenID configuration, and the Microsoft Graph
calendar requests the app makes (getSchedule; list, get, create, update and cancel events),
answering as Microsoft's documentation shows: the same shapes, status codes, error bodies
({"error": {"code", "message"}} for Graph, {"error", "error_description", "error_codes"} for the
sign-in), seven-decimal times with a time-zone name, 429 with Retry-After.

It serves HTTPS (MSAL refuses any other authority) with a certificate from a CA made for the
test, and keeps the mailboxes in memory: each one's own schedule items and working hours, and
the events the app makes. An event's organiser sees it as busy, its attendees as tentative (the
invitation Exchange put in their calendars). ``throttle``/``fail`` make the next Graph requests
answer 429 or another error; ``requests`` records what the app sent.
"""

import datetime as dt
import itertools
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from tzlocal.windows_tz import win_tz

from tests.local_ca import server_context

TENANT = "5d1c7e2a-9b4f-4c61-8a3e-2f7b6c9d0e15"
CLIENT_ID = "3f8a2b1c-6d4e-4f7a-9c2b-1e5d8a7f6b40"
CLIENT_SECRET = "Dg~testhemlighet.1234567890"
ALLOW_ALL = None
_ANY_FILTER = re.compile(
    r"singleValueExtendedProperties/Any\(ep: ep/id eq '(?P<id>[^']+)' "
    r"and ep/value eq '(?P<value>(?:[^']|'')*)'\)",
    re.IGNORECASE,
)
_EXPAND = re.compile(r"singleValueExtendedProperties\(\$filter=id eq '(?P<id>[^']+)'\)")


@dataclass
class Mailbox:
    items: list[dict[str, Any]] = field(default_factory=list)
    working_hours: dict[str, Any] | None = None
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Sent:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


class GraphStandIn:
    def __init__(self, folder: Path, mailboxes: list[str]) -> None:
        self.mailboxes = {address.lower(): Mailbox() for address in mailboxes}
        # Mailboxes the application access policy lets the app reach (None: every one).
        self.allowed: set[str] | None = ALLOW_ALL
        self.requests: list[Sent] = []
        self.tokens_issued = 0
        self._token = f"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.{uuid.uuid4().hex}.c2ln"
        self._faults: list[tuple[int, dict[str, str], dict[str, Any]]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.ca_file = folder / "standin-ca.pem"
        context = server_context(folder, self.ca_file)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def busy(self, mailbox: str, status: str, start: dt.datetime, end: dt.datetime) -> None:
        """A meeting of the mailbox's own, as getSchedule shows it (status: free, tentative,
        busy, oof, workingElsewhere)."""
        self.mailboxes[mailbox.lower()].items.append(
            {"status": status, "start": start, "end": end, "subject": "Möte", "isPrivate": False}
        )

    def throttle(self, times: int, retry_after: str) -> None:
        """The next ``times`` Graph requests are throttled as Graph documents it."""
        body = {
            "error": {
                "code": "TooManyRequests",
                "message": "Please retry again later.",
                "innerError": {
                    "code": "429",
                    "date": _now_text(),
                    "message": "Please retry after",
                    "request-id": str(uuid.uuid4()),
                    "status": "429",
                },
            }
        }
        self._faults += [(429, {"Retry-After": retry_after}, body)] * times

    def fail(
        self, times: int, status: int, code: str, message: str, retry_after: str | None = None
    ) -> None:
        """The next ``times`` Graph requests answer ``status`` with Graph's error body."""
        headers = {"Retry-After": retry_after} if retry_after else {}
        self._faults += [(status, headers, {"error": {"code": code, "message": message}})] * times

    def events(self, mailbox: str) -> list[dict[str, Any]]:
        return list(self.mailboxes[mailbox.lower()].events.values())

    def sent(self, method: str, ending: str = "") -> list[Sent]:
        return [r for r in self.requests if r.method == method and r.path.endswith(ending)]

    # The identity platform.

    def openid_configuration(self, tenant: str) -> tuple[int, dict[str, Any]]:
        issuer = f"{self.base}/{tenant}/v2.0"
        return 200, {
            "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{self.base}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": issuer,
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
            "end_session_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/logout",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
        }

    def token(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "client_credentials":
            return _sign_in_error(400, "unsupported_grant_type", 70003, "The grant is unknown.")
        if tenant != TENANT:
            return _sign_in_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return _sign_in_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request "
                "is the client secret value, not the client secret ID.",
            )
        # The token is for Graph's resource, wherever the app then sends it.
        if form.get("scope") != "https://graph.microsoft.com/.default":
            return _sign_in_error(
                400,
                "invalid_scope",
                70011,
                "The provided value for the input parameter 'scope' is not valid. The scope "
                f"{form.get('scope')} is not valid.",
            )
        self.tokens_issued += 1
        return 200, {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": self._token,
        }

    # Microsoft Graph.

    def graph(self, sent: Sent) -> tuple[int, dict[str, str], Any]:
        if sent.headers.get("authorization") != f"Bearer {self._token}":
            return _graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        with self._lock:
            if self._faults:
                return self._faults.pop(0)
        parts = [unquote(p) for p in sent.path.split("/") if p][1:]  # after "v1.0"
        if len(parts) < 3 or parts[0] != "users":
            return _graph_error(400, "BadRequest", "Resource not found for the segment.")
        address = parts[1].lower()
        if address not in self.mailboxes:
            return _graph_error(
                404, "ErrorInvalidUser", f"The requested user '{parts[1]}' is invalid."
            )
        if self.allowed is not None and address not in self.allowed:
            return _graph_error(
                403,
                "ErrorAccessDenied",
                "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly "
                "AccessPolicy settings.",
            )
        route = (sent.method, parts[2:])
        with self._lock:
            if route == ("POST", ["calendar", "getSchedule"]):
                return self._get_schedule(sent)
            if route == ("GET", ["events"]):
                return self._list_events(address, sent)
            if route == ("POST", ["events"]):
                return self._create(address, sent.body)
            if len(parts) >= 4 and parts[2] == "events":
                return self._one_event(address, sent, parts[3], parts[4:])
        return _graph_error(400, "BadRequest", "Unsupported request.")

    def _get_schedule(self, sent: Sent) -> tuple[int, dict[str, str], Any]:
        body = sent.body
        start = _instant(body["startTime"])
        end = _instant(body["endTime"])
        zone_name = _preferred_zone(sent.headers.get("prefer", ""))
        answers = []
        for address in body["schedules"]:
            mailbox = self.mailboxes.get(address.lower())
            if mailbox is None:
                answers.append(
                    {
                        "scheduleId": address,
                        "error": {
                            "message": "The SMTP address has no mailbox associated with it.",
                            "responseCode": "ErrorMailRecipientNotFound",
                        },
                    }
                )
                continue
            items = [
                {
                    **i,
                    "start": _graph_time(i["start"], zone_name),
                    "end": _graph_time(i["end"], zone_name),
                }
                for i in self._items(address.lower())
                if i["start"] < end and start < i["end"]
            ]
            answer: dict[str, Any] = {
                "scheduleId": address,
                "availabilityView": "0" * max(1, int((end - start).total_seconds() // 3600)),
                "scheduleItems": items,
            }
            if mailbox.working_hours is not None:
                answer["workingHours"] = mailbox.working_hours
            answers.append(answer)
        return (
            200,
            {},
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
                "value": answers,
            },
        )

    def _items(self, address: str) -> list[dict[str, Any]]:
        """The mailbox's own items, and the events the app made as the organiser sees them
        (busy) and as each attendee's calendar has them (tentative)."""
        items = list(self.mailboxes[address].items)
        for owner, mailbox in self.mailboxes.items():
            for event in mailbox.events.values():
                attendees = {a["emailAddress"]["address"].lower() for a in event["attendees"]}
                if owner == address or address in attendees:
                    items.append(
                        {
                            "status": "busy" if owner == address else "tentative",
                            "start": _instant(event["start"]),
                            "end": _instant(event["end"]),
                            "subject": event["subject"],
                            "isPrivate": False,
                        }
                    )
        return items

    def _list_events(self, address: str, sent: Sent) -> tuple[int, dict[str, str], Any]:
        wanted = _ANY_FILTER.fullmatch(sent.query.get("$filter", ""))
        if wanted is None:
            return _graph_error(400, "ErrorInvalidUrlQueryFilter", "The query filter is invalid.")
        value = wanted["value"].replace("''", "'").lower()
        matching = [
            {"@odata.etag": e["@odata.etag"], "id": e["id"]}
            for e in self.mailboxes[address].events.values()
            if any(
                p["id"] == wanted["id"] and p["value"].lower() == value
                for p in e["singleValueExtendedProperties"]
            )
        ]
        return (
            200,
            {},
            {
                "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{address}')/events(id)",
                "value": matching,
            },
        )

    def _create(self, address: str, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        mailbox = self.mailboxes[address]
        for event in mailbox.events.values():
            if body.get("transactionId") and event.get("transactionId") == body["transactionId"]:
                return 201, {}, _shown(event)
        number = next(self._ids)
        event_id = f"AAMkAGI1AAAt9AHj{number:04d}AAA="
        event = {
            "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{address}')/events/$entity",
            "@odata.etag": f'W/"ZlnW4RIAV06KYYwlrfNZvQAALfZe{number:04d}=="',
            "id": event_id,
            "createdDateTime": _now_text(),
            "lastModifiedDateTime": _now_text(),
            "iCalUId": f"040000008200E00074C5B7101A82E008000000{number:04d}",
            "isCancelled": False,
            "isOrganizer": True,
            "showAs": "busy",
            "type": "singleInstance",
            "organizer": {"emailAddress": {"name": address, "address": address}},
            "onlineMeeting": None,
            "isOnlineMeeting": False,
            "onlineMeetingProvider": "unknown",
            "singleValueExtendedProperties": [],
        }
        mailbox.events[event_id] = event
        self._apply(event, body)
        return 201, {}, _shown(event)

    def _one_event(
        self, address: str, sent: Sent, event_id: str, rest: list[str]
    ) -> tuple[int, dict[str, str], Any]:
        mailbox = self.mailboxes[address]
        event = mailbox.events.get(event_id)
        if event is None:
            return _graph_error(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        if sent.method == "GET" and not rest:
            shown = _shown(event)
            expand = _EXPAND.fullmatch(sent.query.get("$expand", ""))
            if expand is not None:
                shown["singleValueExtendedProperties"] = [
                    p for p in event["singleValueExtendedProperties"] if p["id"] == expand["id"]
                ]
            return 200, {}, shown
        if sent.method == "PATCH" and not rest:
            self._apply(event, sent.body)
            return 200, {}, _shown(event)
        if sent.method == "POST" and rest == ["cancel"]:
            event["isCancelled"] = True
            event["cancellationComment"] = (sent.body or {}).get("comment")
            mailbox.deleted.append(mailbox.events.pop(event_id))
            return 202, {}, None
        return _graph_error(405, "ErrorInvalidRequest", "The OData request is not supported.")

    def _apply(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        blob = event.get("meetingBlob")
        if blob and "body" in body and blob not in str(body["body"].get("content", "")):
            # As Microsoft documents: "Inadvertently removing the meeting blob from the body
            # would disable meeting online."
            event.update(onlineMeeting=None, isOnlineMeeting=False, meetingBlob=None)
            event["onlineMeetingProvider"] = "unknown"
        properties = {p["id"]: p for p in event["singleValueExtendedProperties"]}
        for given in body.get("singleValueExtendedProperties", []):
            properties[given["id"]] = dict(given)
        event.update({k: v for k, v in body.items() if k != "singleValueExtendedProperties"})
        event["singleValueExtendedProperties"] = list(properties.values())
        for key in ("start", "end"):
            if key in body:
                event[key] = _graph_time(_instant(body[key]), body[key]["timeZone"])
        if body.get("isOnlineMeeting") and not event.get("onlineMeeting"):
            thread = uuid.uuid4().hex
            event["onlineMeeting"] = {
                "joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                f"{thread}%40thread.v2/0?context=%7b%22Tid%22%3a%22{TENANT}%22%7d",
                "conferenceId": "291633251",
            }
            event["onlineMeetingProvider"] = "teamsForBusiness"
            # The join block Exchange adds to the event's text.
            event["meetingBlob"] = (
                f"\n{'_' * 80}\nMicrosoft Teams-möte\nAnslut: {event['onlineMeeting']['joinUrl']}"
                f"\nMötes-ID: {thread[:12]}\n{'_' * 80}"
            )
            text = dict(event.get("body") or {"contentType": "text", "content": ""})
            text["content"] = f"{text.get('content', '')}{event['meetingBlob']}"
            event["body"] = text
        event["lastModifiedDateTime"] = _now_text()


def _shown(event: dict[str, Any]) -> dict[str, Any]:
    """The event as Graph returns it: no extended properties unless they are expanded."""
    return {
        k: v
        for k, v in event.items()
        if k not in ("singleValueExtendedProperties", "transactionId", "meetingBlob")
    }


def _handler(standin: GraphStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads ``standin.requests``."""

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def _serve(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            parts = [p for p in url.path.split("/") if p]
            if parts[:1] == ["v1.0"]:
                body = json.loads(raw) if raw else None
                sent = Sent(self.command, url.path, query, body, headers)
                standin.requests.append(sent)
                status, extra, answer = standin.graph(sent)
            elif parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
                (status, answer), extra = standin.openid_configuration(parts[0]), {}
            elif parts[1:] == ["oauth2", "v2.0", "token"]:
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                (status, answer), extra = standin.token(parts[0], form), {}
            else:
                status, extra, answer = 404, {}, None
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            if answer is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _graph_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], Any]:
    inner = {
        "date": _now_text(),
        "request-id": str(uuid.uuid4()),
        "client-request-id": str(uuid.uuid4()),
    }
    return status, {}, {"error": {"code": code, "message": message, "innerError": inner}}


def _sign_in_error(status: int, error: str, number: int, text: str) -> tuple[int, dict[str, Any]]:
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    return status, {
        "error": error,
        "error_description": f"AADSTS{number}: {text}\r\nTrace ID: {trace}\r\n"
        f"Correlation ID: {correlation}\r\nTimestamp: {_now_text()}",
        "error_codes": [number],
        "timestamp": _now_text(),
        "trace_id": trace,
        "correlation_id": correlation,
    }


def _zone(name: str) -> dt.tzinfo:
    return ZoneInfo(win_tz.get(name, name)) if name != "UTC" else dt.UTC


def _instant(value: dict[str, str]) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value["dateTime"][:26])
    return moment.replace(tzinfo=_zone(value["timeZone"])).astimezone(dt.UTC)


def _graph_time(moment: dt.datetime, zone_name: str) -> dict[str, str]:
    local = moment.astimezone(_zone(zone_name)).replace(tzinfo=None)
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": zone_name}


def _preferred_zone(prefer: str) -> str:
    """Prefer: outlook.timezone="…"; without it Graph answers in UTC."""
    match = re.search(r'outlook\.timezone="([^"]+)"', prefer)
    return match.group(1) if match else "UTC"


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
