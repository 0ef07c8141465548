"""A region's remote-work policy is configuration: one YAML file per region in ``regions/``."""

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from bot.clock import Clock

# What the printed agreement says about ending it and about the equipment lent, for a region whose
# file says nothing. Faithful to Västernorrland's routine (the audit response): an agreement
# runs for a set period, the manager is reminded before it ends so that it can be followed up and
# renewed, the manager decides on remote work, and a list of equipment lent home goes with it.
DEFAULT_ENDING_TERMS = (
    "Överenskommelsen gäller under den angivna perioden och upphör utan uppsägning när perioden "
    "löper ut. Chefen påminns innan dess, så att distansarbetet följs upp och överenskommelsen "
    "kan förnyas. Vill medarbetaren eller chefen avsluta den i förtid tas det upp i samtal; "
    "chefen beslutar, och beslutet arkiveras i personalakten."
)
DEFAULT_EQUIPMENT_RETURN_TERMS = (
    "Det hemlånade materialet i listan ovan tillhör arbetsgivaren och lämnas tillbaka till "
    "närmaste chef när överenskommelsen upphör eller avslutas."
)


class AgreementPolicy(BaseModel):
    """The rules a remote-work agreement request is checked against."""

    source: str
    max_share_percent: int | None = Field(default=None, ge=1, le=100)
    max_duration_months: int | None = Field(default=None, ge=1)
    risk_assessment_required: bool = True
    reminder_days_before_expiry: int = Field(default=30, ge=1)
    # How long remote work may go without a follow-up before the manager is reminded (an
    # agreement in force since its decision or its last follow-up; a risk assessment's next
    # follow-up when none is given).
    follow_up_interval_months: int = Field(default=12, ge=1, le=24)
    working_days_per_week: int = Field(default=5, ge=1, le=7)
    equipment_options: list[str] = []
    # Printed on the agreement under "Villkor": how it ends, and what happens to what was lent.
    ending_terms: str = Field(default=DEFAULT_ENDING_TERMS, min_length=1)
    equipment_return_terms: str = Field(default=DEFAULT_EQUIPMENT_RETURN_TERMS, min_length=1)


class ReportPolicy(BaseModel):
    """How far HR's unit summary for the verksamhetsråd is anonymised: a count is shown only
    when at least ``min_group_size`` employees stand behind it (1: every count is shown)."""

    min_group_size: int = Field(default=5, ge=1, le=100)


class Contact(BaseModel):
    """Whom to ask about a kind of question the assistant does not answer (salary, IT, ...)."""

    # "Lönecenter", "IT-support"; how to reach them, as the user should read it.
    name: str = Field(min_length=1)
    reach: str = Field(min_length=1)
    reach_en: str = Field(min_length=1)
    # Word beginnings that mark such a question: "lön" finds "lönen" and "löneförskott".
    words: list[str] = Field(min_length=1)

    def matches(self, question: str) -> bool:
        lowered = question.lower()
        return any(re.search(rf"(?<![\w-]){re.escape(w.lower())}", lowered) for w in self.words)

    def advice(self, english: bool) -> str:
        return (
            f"For that kind of question, ask {self.name}: {self.reach_en}"
            if english
            else f"Den sortens frågor besvaras av {self.name}: {self.reach}"
        )


class Region(BaseModel):
    id: str
    name: str
    ask_instead: str
    ask_instead_en: str
    # What the assistant covers, said when a question is outside it.
    scope: str = (
        "Jag svarar på frågor om distansarbete: var och hur mycket du får arbeta på distans, "
        "överenskommelsen, riskbedömningen, arbetsmiljö och försäkring, IT-stöd och kostnader."
    )
    scope_en: str = (
        "I answer questions about remote work: where and how much you may work remotely, the "
        "agreement, the risk assessment, work environment and insurance, IT support and costs."
    )
    # Checked in order; the first whose words the question has is named in the reply.
    contacts: list[Contact] = []
    agreement: AgreementPolicy
    reports: ReportPolicy = ReportPolicy()
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

    def contact_for(self, question: str) -> Contact | None:
        return next((contact for contact in self.contacts if contact.matches(question)), None)

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
