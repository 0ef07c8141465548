"""Understands the answers people type into the agreement form: shares and dates.

"hälften", "två dagar i veckan", "40%" and "40 procent" are all shares; dates go through
dateparser (which knows Swedish) after a little normalising of forms it misses.
"""

import re
from datetime import date, datetime

import dateparser

NUMBER_WORDS = {
    "en": 1, "ett": 1, "one": 1, "två": 2, "tva": 2, "two": 2, "tre": 3, "three": 3,
    "fyra": 4, "four": 4, "fem": 5, "five": 5, "sex": 6, "six": 6, "sju": 7, "seven": 7,
}  # fmt: skip
FRACTION_WORDS = {
    "hälften": 50, "halva": 50, "halvtid": 50, "half": 50, "hälften av tiden": 50,
    "en fjärdedel": 25, "en fjärdedels": 25, "a quarter": 25, "en tredjedel": 33, "a third": 33,
    "heltid": 100, "all the time": 100, "hela tiden": 100, "full time": 100,
}  # fmt: skip
ORDINALS = {
    "första": 1, "andra": 2, "tredje": 3, "fjärde": 4, "femte": 5, "sjätte": 6, "sjunde": 7,
    "åttonde": 8, "nionde": 9, "tionde": 10, "elfte": 11, "tolfte": 12, "femtonde": 15,
    "tjugonde": 20, "sista": 31,
}  # fmt: skip
PERCENT = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*(?:%|procent|percent)")
DAYS = re.compile(
    r"(\d+|[a-zåäö]+)\s*(?:dag|dagar|day|days)\b(?:\s*(?:i|per|a|/)\s*(?:veckan|vecka|week))?"
)
BARE_NUMBER = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*$")
WEEKDAY = re.compile(
    r"\b(måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)\b"
)


def parse_share(text: str, working_days_per_week: int = 5) -> float | None:
    """The share of working time, in per cent, or ``None`` when the text says no share.

    Days per week are converted against the employee's working week. The result is not
    range-checked: -10 or 120 come back as they are so the caller can explain the rule.
    """
    lowered = text.lower().strip()
    if match := PERCENT.search(lowered) or BARE_NUMBER.match(lowered):
        return float(match.group(1).replace(",", "."))
    if match := DAYS.search(lowered):
        word = match.group(1)
        days = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
        if days is not None:
            return round(100 * days / working_days_per_week, 1)
    for words, share in sorted(FRACTION_WORDS.items(), key=lambda item: -len(item[0])):
        if words in lowered:
            return float(share)
    return None


def parse_date(text: str, today: date) -> date | None:
    """A calendar date from Swedish or English text, relative dates counted from ``today``."""
    normalised = text.lower().strip()
    normalised = re.sub(r"\b(nästa|kommande|next)\s+", "", normalised)
    normalised = re.sub(r"\b(\d{1,2}):?[ae]\b", r"\1", normalised)
    for word, number in ORDINALS.items():
        normalised = re.sub(rf"\b(den\s+)?{word}\b", str(number), normalised)
    parsed = dateparser.parse(
        normalised,
        languages=["sv", "en"],
        settings={
            "RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            # "december" alone is not a date, but "måndag" is (the coming one).
            **({} if WEEKDAY.search(normalised) else {"REQUIRE_PARTS": ["day"]}),
        },
    )
    return parsed.date() if parsed else None
