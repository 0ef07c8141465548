"""The risks a documented assessment names, one per item of its outcome text, each placed in an
area of HR's checklist (``faq/_risk_assessment_checklist.md``).

The outcome is free text ("Bildskärmen är för liten; risk för ensamhet vid heltid hemma"), so
items are split at semicolons, line breaks, bullets and sentence ends, and an area is found by
its words. An item whose words fit no area counts under "Övrigt", so no risk goes uncounted.
"""

import re
from dataclasses import dataclass

OTHER = "Övrigt"


@dataclass(frozen=True)
class RiskArea:
    name: str
    # Word beginnings ("stress" also finds "stressad").
    words: tuple[str, ...]

    def found_in(self, text: str) -> bool:
        return any(re.search(rf"\b{re.escape(word)}", text) for word in self.words)


# The checklist's headings, with the words a manager uses for their risks. The first area whose
# word occurs wins, so the narrower areas come first: "skärmskydd" is information security, not
# ergonomics, and "snubbla på sladden" an accident, not equipment.
RISK_AREAS: tuple[RiskArea, ...] = (
    RiskArea(
        "Informationssäkerhet",
        (
            "informationssäkerhet",
            "it-säkerhet",
            "säkerhetsregler",
            "sekretess",
            "lösenord",
            "vpn",
            "inloggning",
            "insyn",
            "obehörig",
            "skärmskydd",
            "skärmfilter",
            "wifi",
            "wi-fi",
            "trådlös",
            "nätverk",
            "utskrift",
            "patientuppgift",
            "patientdata",
            "journal",
            "känslig",
            "nätfiske",
            "phishing",
            "backup",
        ),
    ),
    RiskArea(
        "Olyckor och tillbud",
        (
            "olyck",
            "tillbud",
            "snubbl",
            "halk",
            "fallrisk",
            "brand",
            "sladd",
            "elsäkerhet",
            "arbetsskad",
            "skada",
            "skador",
            "försäkring",
        ),
    ),
    RiskArea(
        "Psykosocial arbetsmiljö",
        (
            "psykosocial",
            "ensam",
            "isoler",
            "gemenskap",
            "kollega",
            "arbetsgrupp",
            "stress",
            "återhämtning",
            "paus",
            "övertid",
            "tillgänglig",
            "arbetstid",
            "gränsdragning",
            "arbetsbelastning",
            "kommunikation",
            "utanförskap",
            "sömn",
            "trivsel",
            "motivation",
            "social",
            "ledarskap",
        ),
    ),
    RiskArea(
        "Ergonomi och distansarbetsplatsens utformning",
        (
            "ergonomi",
            "bildskärm",
            "skärm",
            "stol",
            "arbetsstol",
            "kontorsstol",
            "skrivbord",
            "belysning",
            "ljus",
            "arbetsställning",
            "sittställning",
            "stillasittande",
            "belastning",
            "nack",
            "rygg",
            "axl",
            "handled",
            "buller",
            "ljud",
            "tangentbord",
            "mus",
            "headset",
            "dockningsstation",
            "dator",
            "arbetsplats",
            "utrustning",
            "luft",
            "temperatur",
        ),
    ),
)
# In the checklist's order, for showing.
AREA_NAMES: tuple[str, ...] = (
    "Ergonomi och distansarbetsplatsens utformning",
    "Psykosocial arbetsmiljö",
    "Informationssäkerhet",
    "Olyckor och tillbud",
    OTHER,
)

_ITEM_BREAKS = re.compile(r"[;\n•]+|(?<=[.!?])\s+")
# "Inga risker", "Inga särskilda risker identifierades", "Nej", "No risks".
_NO_RISK = re.compile(
    r"^(?:inga|ingen|inget|nej|no|none)"
    r"(?:\s+(?:särskilda|kända|nya|identifierade|större|övriga|known|particular))?"
    r"(?:\s+(?:risker|risk|risks|anmärkningar|brister))?"
    r"(?:\s+(?:identifierade|identifierades|hittades|noterades|framkom|sågs|finns|found))?$",
    re.IGNORECASE,
)


def risk_items(outcome: str) -> list[str]:
    """The risks an outcome text names, one per item; none for "Inga risker"."""
    items = (part.strip(" \t-–*.!?,") for part in _ITEM_BREAKS.split(outcome))
    return [
        item
        for item in items
        if re.search(r"[^\W\d_]{2}", item) and not _NO_RISK.match(" ".join(item.split()))
    ]


def risk_area(text: str) -> str:
    """The first area of ``RISK_AREAS`` with one of its words in ``text``; "Övrigt" for none."""
    lowered = text.casefold()
    return next((area.name for area in RISK_AREAS if area.found_in(lowered)), OTHER)
