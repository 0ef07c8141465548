"""A region's remote-work policy is configuration: one YAML file per region in ``regions/``."""

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from bot.clock import Clock


class AgreementPolicy(BaseModel):
    """The rules a remote-work agreement request is checked against."""

    source: str
    max_share_percent: int | None = Field(default=None, ge=1, le=100)
    max_duration_months: int | None = Field(default=None, ge=1)
    risk_assessment_required: bool = True
    reminder_days_before_expiry: int = Field(default=30, ge=1)
    working_days_per_week: int = Field(default=5, ge=1, le=7)
    equipment_options: list[str] = []


class Region(BaseModel):
    id: str
    name: str
    ask_instead: str
    ask_instead_en: str
    agreement: AgreementPolicy
    # "Today" is the region's date, whatever zone the host runs in.
    time_zone: str = "Europe/Stockholm"

    @field_validator("time_zone")
    @classmethod
    def known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name)") from None
        return value

    def clock(self, clock_file: Path | None = None) -> Clock:
        """The service's clock in this region's zone; ``clock_file`` (``DG_CLOCK_FILE``, local
        mode only) fixes or moves it for tests and demos."""
        zone = ZoneInfo(self.time_zone)
        return Clock.from_file(clock_file, zone) if clock_file else Clock(zone)


class RegionConfigError(Exception):
    pass


def load_region(regions_dir: Path, region_id: str) -> Region:
    path = regions_dir / f"{region_id}.yml"
    try:
        return Region.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as error:
        raise RegionConfigError(
            f"No policy file for region '{region_id}' ({path}): {error}"
        ) from error
    except (yaml.YAMLError, ValidationError) as error:
        raise RegionConfigError(f"Invalid policy file {path}: {error}") from error
