"""A region's remote-work policy is configuration: one YAML file per region in ``regions/``."""

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
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
    # The same in English, for users who write English when the chat shows them (the end of a
    # follow-up); without them the Swedish is shown.
    ending_terms_en: str | None = None
    equipment_return_terms_en: str | None = None


class ReportPolicy(BaseModel):
    """How far HR's unit summary for the verksamhetsråd is anonymised: a count is shown only
    when at least ``min_group_size`` employees stand behind it (1: every count is shown)."""

    min_group_size: int = Field(default=5, ge=1, le=100)


def web_address(value: str | None, schemes: tuple[str, ...] = ("https", "http")) -> str | None:
    """``value`` if it is an absolute address with one of ``schemes``; a configuration error
    otherwise, since the chat and Teams would show it as a dead or unsafe link."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or (parts.scheme != "mailto" and not parts.netloc):
        raise ValueError(f"{value!r} is not an absolute {'/'.join(schemes)} address")
    return value


class Contact(BaseModel):
    """Whom to ask about a kind of question the assistant does not answer (salary, IT, ...)."""

    # "Lönecenter", "IT-support"; how to reach them, as the user should read it.
    name: str = Field(min_length=1)
    reach: str = Field(min_length=1)
    reach_en: str = Field(min_length=1)
    # Word beginnings that mark such a question: "lön" finds "lönen" and "löneförskott".
    words: list[str] = Field(min_length=1)
    # Their intranet page or a mailto: address; the name in the reply links there.
    url: str | None = None

    @field_validator("url")
    @classmethod
    def absolute_url(cls, value: str | None) -> str | None:
        return web_address(value, ("https", "http", "mailto"))

    def matches(self, question: str) -> bool:
        lowered = question.lower()
        return any(re.search(rf"(?<![\w-]){re.escape(w.lower())}", lowered) for w in self.words)

    def advice(self, english: bool) -> str:
        """Markdown: the web chat and Teams show the name as a link when there is one."""
        name = f"[{self.name}]({self.url})" if self.url else self.name
        return (
            f"For that kind of question, ask {name}: {self.reach_en}"
            if english
            else f"Den sortens frågor besvaras av {name}: {self.reach}"
        )


class SuggestedQuestion(BaseModel):
    """A question the chat offers before the first message. With ``faq_id`` the button asks for
    that entry exactly (the entry must be served); without, ``text`` is sent as if typed."""

    text: str = Field(min_length=1, max_length=80)
    text_en: str | None = Field(default=None, min_length=1, max_length=80)
    faq_id: str | None = None


class SourceSection(BaseModel):
    """Where in the source document an entry's answer stands."""

    name: str = Field(min_length=1)
    # A deep link when the document has one (an anchor, or "#page=4" for a PDF).
    url: str | None = None

    @field_validator("url")
    @classmethod
    def absolute_url(cls, value: str | None) -> str | None:
        return web_address(value)


class SourceDocument(BaseModel):
    """A document the FAQ entries name as their ``source``, and where people read it."""

    # As the entries' ``source`` spells it.
    title: str = Field(min_length=1)
    url: str
    # FAQ entry id -> the section of the document that entry comes from, where known.
    sections: dict[str, SourceSection] = {}

    @field_validator("url")
    @classmethod
    def absolute_url(cls, value: str) -> str:
        return web_address(value) or value


class SourceLink(BaseModel):
    """A source as the channels link it: the document, and the section where known."""

    title: str
    url: str
    section: str | None = None


# What the privacy and terms pages say when the region's file says nothing. True of the app
# as built; a region adds its data-protection officer and its own routines in its file.
DEFAULT_PRIVACY = """\
Distansguiden är regionens assistent för frågor om distansarbete. Den behandlar de uppgifter \
som behövs för att svara dig och för att hantera dina ärenden.

- **Vem du är** hämtas från inloggningen och personalkatalogen: namn, enhet, chef och roll. \
Det du skriver kan aldrig ändra vem du är.
- **Det du skriver i chatten** används för att svara dig. Personnummer, e-postadresser och \
telefonnummer tas bort innan något sparas. Frågor som assistenten inte kunde besvara sparas \
utan namn för att HR ska kunna förbättra svaren, och raderas efter en tid.
- **Dina ärenden**, distansöverenskommelser och riskbedömningar, sparas för din personalakt \
och arkiveras enligt regionens dokumenthanteringsplan.

Skriv aldrig personnummer eller känsliga personuppgifter i chatten; assistenten behöver dem \
inte. Frågor om hur dina uppgifter behandlas ställer du till din chef eller HR.
"""
DEFAULT_TERMS = """\
Distansguiden ger svar utifrån regionens riktlinjer för distansarbete och anger källan till \
varje svar. Vid oklarheter gäller källdokumentet och det som din chef beslutar.

- En ansökan om distansöverenskommelse är inte beviljad förrän din chef (eller HR) har \
beslutat om den.
- Använd assistenten för ditt eget arbete och dina egna ärenden.
- Assistenten kan vara otillgänglig ibland. Brådskande frågor ställer du till din chef.
"""


class Publisher(BaseModel):
    """Who publishes the assistant: the Teams app's developer, and the privacy and terms pages
    the app serves (``/integritet``, ``/villkor``), in markdown."""

    # Default: the region's name.
    name: str | None = Field(default=None, min_length=1, max_length=32)
    # The region's own website, for the Teams app's developer; default: the app's address.
    website: str | None = None
    privacy: str = Field(default=DEFAULT_PRIVACY, min_length=1)
    terms_of_use: str = Field(default=DEFAULT_TERMS, min_length=1)

    @field_validator("website")
    @classmethod
    def https_only(cls, value: str | None) -> str | None:
        return web_address(value, ("https",))


# The processes a command word can start (actions/conversation/commands.py's COMMANDS).
CommandProcess = Literal[
    "decide", "reschedule", "cancel", "book", "document", "request", "withdraw", "follow_up"
]


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
    # Offered in the chat's greeting, 4 to 6 of them.
    suggested_questions: list[SuggestedQuestion] = Field(default=[], max_length=6)
    # Where the documents the FAQ names as sources can be read.
    sources: list[SourceDocument] = []
    publisher: Publisher = Publisher()
    agreement: AgreementPolicy
    reports: ReportPolicy = ReportPolicy()
    # "Today" is the region's date, whatever zone the host runs in.
    time_zone: str = "Europe/Stockholm"
    # Verbs added to the commands that start a process from the first words of a message
    # (actions/conversation/commands.py): {"decide": ["underkänn"], "book": ["lägg in"]}.
    commands: dict[CommandProcess, list[str]] = {}

    @field_validator("time_zone")
    @classmethod
    def known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name)") from None
        return value

    @field_validator("suggested_questions")
    @classmethod
    def enough_suggestions(cls, value: list[SuggestedQuestion]) -> list[SuggestedQuestion]:
        if value and len(value) < 4:
            raise ValueError("give 4 to 6 suggested questions, or none")
        return value

    def contact_for(self, question: str) -> Contact | None:
        return next((contact for contact in self.contacts if contact.matches(question)), None)

    def source_link(self, title: str | None, faq_id: str | None = None) -> SourceLink | None:
        """Where the source ``title`` can be read, at the entry's section when known; None for
        a source without an address in the region's file."""
        document = next((d for d in self.sources if d.title == title), None)
        if document is None:
            return None
        section = document.sections.get(faq_id or "")
        if section is None:
            return SourceLink(title=document.title, url=document.url)
        return SourceLink(
            title=document.title, url=section.url or document.url, section=section.name
        )

    @property
    def publisher_name(self) -> str:
        return self.publisher.name or self.name

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
