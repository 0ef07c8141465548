"""Understands the answers people type into the agreement form: shares and dates.

"hälften", "två dagar i veckan", "40%" and "40 procent" are all shares; dates go through
dateparser (which knows Swedish) after a little normalising of forms it misses.
"""

import calendar
import re
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher

import dateparser
from dateutil.relativedelta import relativedelta

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
    # "den förste mars": the older masculine forms are still written.
    "förste": 1, "andre": 2, "första": 1, "andra": 2, "tredje": 3, "fjärde": 4, "femte": 5,
    "sjätte": 6, "sjunde": 7, "åttonde": 8, "nionde": 9, "tionde": 10, "elfte": 11, "tolfte": 12,
    "femtonde": 15, "tjugonde": 20, "sista": 31,
}  # fmt: skip
PERCENT = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*(?:%|procent|percent)")
# "2,5 dagar" and "2.5 dagar" are half days, not five.
DAYS = re.compile(
    r"(\d+(?:[.,]\d+)?|[a-zåäö]+)\s*(?:dag|dagar|day|days)\b"
    r"(?:\s*(?:i|per|a|/)\s*(?:veckan|vecka|week))?"
)
BARE_NUMBER = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*$")
# A number and a word that may be a misspelt unit: "40 procnet", "40 precent".
NUMBER_AND_WORD = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*([a-zåäö]{5,9})\b")
UNITS = ("procent", "percent")
WEEKDAY_NAMES = (
    "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip
WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAY_NAMES)})\b")


# "varannan fredag", "every other Friday": one day in two weeks; "två dagar varannan vecka":
# half as many days a week.
EVERY_OTHER = r"(?:varannan|var annan|every other|every second)"
ALTERNATE_WEEKDAY = re.compile(
    rf"\b{EVERY_OTHER}\s+(?:måndag|tisdag|onsdag|torsdag|fredag|monday|tuesday|wednesday|"
    r"thursday|friday)\b"
)
DAYS_EVERY_OTHER_WEEK = re.compile(
    rf"(\d+(?:[.,]\d+)?|[a-zåäö]+)\s*(?:dag|dagar|day|days)\s+(?:i\s+|a\s+)?{EVERY_OTHER}\s+"
    r"(?:vecka|week)\b"
)


def parse_share(text: str, working_days_per_week: int = 5) -> float | None:
    """The share of working time, in per cent, or ``None`` when the text says no share.

    Days per week are converted against the employee's working week. The result is not
    range-checked: -10 or 120 come back as they are so the caller can explain the rule.
    """
    lowered = with_units_spelt(with_numbers_written(text.lower().strip()))
    if match := PERCENT.search(lowered) or BARE_NUMBER.match(lowered):
        return float(match.group(1).replace(",", "."))
    if match := DAYS_EVERY_OTHER_WEEK.search(lowered):
        days = day_count(match.group(1))
        return round(100 * days / 2 / working_days_per_week, 1) if days is not None else None
    if ALTERNATE_WEEKDAY.search(lowered):
        return round(100 / 2 / working_days_per_week, 1)
    if match := DAYS.search(lowered):
        days = day_count(match.group(1))
        if days is not None:
            return round(100 * days / working_days_per_week, 1)
    if days_named := {WEEKDAY_NUMBERS[a or b] for a, b in EVERY_WEEKDAY.findall(lowered)}:
        return round(100 * len(days_named) / working_days_per_week, 1)
    for words, share in sorted(FRACTION_WORDS.items(), key=lambda item: -len(item[0])):
        if words in lowered:
            return float(share)
    return None


# "på måndagar och fredagar", "on Mondays and Fridays", "every Tuesday": those days each week.
EVERY_WEEKDAY = re.compile(
    r"(?:\b(?:varje|every)\s+)?\b(måndag|tisdag|onsdag|torsdag|fredag|monday|tuesday|wednesday|"
    r"thursday|friday)(?:ar|s)\b|\b(?:varje|every)\s+(måndag|tisdag|onsdag|torsdag|fredag|monday|"
    r"tuesday|wednesday|thursday|friday)\b"
)


# Written-out numbers of a share: "fyrtio procent", "sextio", "en och en halv dag i veckan".
# Tens stand alone; a unit word (fyra, sex, en ...) only before the unit, since "en" and "sex"
# are words too ("inte fyra" stays a word).
TENS = {
    "tio": 10, "tjugo": 20, "trettio": 30, "fyrtio": 40, "förtio": 40, "femtio": 50,
    "sextio": 60, "sjuttio": 70, "åttio": 80, "nittio": 90, "hundra": 100, "etthundra": 100,
    "ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "femton": 15, "fifteen": 15,
}  # fmt: skip
UNIT_WORDS = {
    **NUMBER_WORDS, "åtta": 8, "eight": 8, "nio": 9, "nine": 9, "tre": 3,
}  # fmt: skip
TENS_AND_UNIT = re.compile(
    rf"\b({'|'.join(sorted(TENS, key=len, reverse=True))})(?:-?"
    rf"({'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))}))?\b"
)
UNIT_BEFORE_UNIT = re.compile(
    rf"\b({'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))})(?=\s*(?:%|procent|percent))"
)
# "en och en halv dag", "två och en halv dagar", "one and a half days", "en halv dag".
AND_A_HALF = re.compile(
    rf"\b({'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))}|\d+)\s+(?:och|and)\s+"
    r"(?:en|a|one)\s+(?:halv|half)\b"
)
A_HALF_DAY = re.compile(r"\b(?:en|a|one)\s+halv\s+(?=dag)|\bhalf a (?=day)")


def with_numbers_written(text: str) -> str:
    """ "fyrtio procent" -> "40 procent", "en och en halv dag" -> "1.5 dag"; other text as it is."""

    def number(word: str) -> int:
        return int(word) if word.isdigit() else UNIT_WORDS[word]

    text = AND_A_HALF.sub(lambda m: f"{number(m.group(1)) + 0.5:g}", text)
    text = A_HALF_DAY.sub("0.5 ", text)
    text = TENS_AND_UNIT.sub(
        lambda m: str(TENS[m.group(1)] + (UNIT_WORDS[m.group(2)] if m.group(2) else 0)), text
    )
    return UNIT_BEFORE_UNIT.sub(lambda m: str(UNIT_WORDS[m.group(1)]), text)


def day_count(word: str) -> float | None:
    """ "2", "2,5", "två" -> the number of days, or None."""
    if re.fullmatch(r"\d+(?:[.,]\d+)?", word):
        return float(word.replace(",", "."))
    number = NUMBER_WORDS.get(word)
    return float(number) if number is not None else None


def with_units_spelt(text: str) -> str:
    """ "40 procnet" -> "40 procent": a word after a number that is close to the unit is it."""

    def spelt(match: re.Match[str]) -> str:
        word = match.group(2)
        close = max(SequenceMatcher(None, word, unit).ratio() for unit in UNITS)
        return f"{match.group(1)} procent" if word[0] == "p" and close >= 0.75 else match.group(0)

    return NUMBER_AND_WORD.sub(spelt, text)


def parse_date(text: str, today: date) -> date | None:
    """A calendar date from Swedish or English text, relative dates counted from ``today``; a
    week ("vecka 7") is its Monday."""
    normalised = text.lower().strip()
    if ahead := WEEKS_AHEAD.search(normalised):
        count = ahead.group("count")
        weeks = int(count) if count.isdigit() else {"a": 1, **NUMBER_WORDS}[count]
        return today + timedelta(weeks=weeks)
    if month_edge := month_edge_date(normalised, today):
        return month_edge
    if week := week_days(normalised, today):
        return week[0]
    # "måndag 1 mars" is the date; whether the weekday fits is ``weekday_conflict``'s question.
    normalised = with_dotted_dates(WEEKDAY_BEFORE_DATE.sub("", normalised))
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


MONTHS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec"
)
ORDINAL_WORDS = "|".join(ORDINALS)
# Where a date stands in a longer message ("oj, startdatumet ska vara 15 januari").
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"), ("februari", "february", "feb"),
            ("mars", "march", "mar"), ("april", "apr"), ("maj", "may"), ("juni", "june", "jun"),
            ("juli", "july", "jul"), ("augusti", "august", "aug"),
            ("september", "sep", "sept"), ("oktober", "october", "okt", "oct"),
            ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
# "slutet av juni", "sista juni", "the end of June"; "början av mars", "the beginning of March".
MONTH_EDGE = re.compile(
    r"\b(?:(?P<end>(?:i\s+)?slutet\s+av|sista\s+(?:dagen\s+i\s+)?|(?:the\s+)?end\s+of|"
    r"(?:the\s+)?last\s+day\s+of)|(?P<start>(?:i\s+)?början\s+av|(?:the\s+)?beginning\s+of|"
    r"(?:the\s+)?start\s+of))\s*"
    rf"(?P<month>{MONTHS})\b\.?(?:\s+(?P<year>\d{{4}}))?"
)
# "om två veckor", "in three weeks": that many weeks from today, a date the user confirms.
WEEKS_AHEAD = re.compile(
    r"\b(?:om|in)\s+(?P<count>\d{1,2}|en|ett|två|tre|fyra|fem|sex|a|one|two|three|four|five|six)"
    r"\s+(?:veckor|vecka|weeks?)\b"
)
# "vecka 7", "v. 7", "v7", "week 7", "v. 7 2028": an ISO week, as Swedish calendars number them.
WEEK_IN_TEXT = r"\b(?:vecka|veckan|v\.?|week|wk\.?)\s*\d{1,2}\b(?:\s+\d{4})?"
WEEK = re.compile(
    r"\b(?:vecka|veckan|v\.?|week|wk\.?)\s*(?P<week>\d{1,2})\b(?:\s+(?P<year>\d{4}))?"
)


# "16.12", "1.3.2027": the day first, as Swedes write a date. Not a time ("kl 10.10"), a share
# ("2.5 dagar") or a decimal ("0.5"); whether "16.12" alone is a date depends on the question.
DOTTED_DATE = (
    r"(?<![\d.,:])(?<!kl)(?<!kl )(?<!kl\. )(?<!at )(?<!klockan )"
    r"(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])(?:\.(\d{4}|\d{2}))?(?![\d,])(?!\.\d)(?!\s*%)"
    r"(?!\s*(?:procent|percent|dagar|dag|days?|timmar|timme|tim|h|hours?|min|minuter)\b)"
)
DOTTED = re.compile(DOTTED_DATE)
# A day and a month, however written: "16 december", "16/12", "16.12", "sixteenth of March".
EXPLICIT_DATE = (
    r"\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?::[ae]|:e|st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b"
    rf"|(?:{ORDINAL_WORDS})\s+(?:of\s+)?(?:{MONTHS})\b"
    rf"|(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    r"|\d{1,2}/\d{1,2}\b"
    rf"|{DOTTED_DATE}"
)
WEEKDAY_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("måndag", "mån", "monday", "mon"), ("tisdag", "tis", "tuesday", "tues", "tue"),
            ("onsdag", "ons", "wednesday", "wed"),
            ("torsdag", "tors", "tor", "thursday", "thurs", "thur", "thu"),
            ("fredag", "fre", "friday", "fri"), ("lördag", "lör", "saturday", "sat"),
            ("söndag", "sön", "sunday", "sun"),
        )
    )
    for name in names
}  # fmt: skip
WEEKDAY_WORDS = "|".join(sorted(WEEKDAY_NUMBERS, key=len, reverse=True))
# "tisdag 16.12", "ons den 16 december", "Tuesday, 16 December": a weekday written with a date,
# which the date must fall on.
WEEKDAY_BEFORE_DATE = re.compile(
    rf"\b(?P<weekday>{WEEKDAY_WORDS})(?:en)?\.?,?\s+(?:den\s+|the\s+)?(?=(?:{EXPLICIT_DATE}))"
)


def written_weekday(text: str) -> int | None:
    """The weekday written right before a date ("tisdag 16.12"), 0 for Monday; None when no
    weekday stands with a date."""
    match = WEEKDAY_BEFORE_DATE.search(text.lower())
    return WEEKDAY_NUMBERS[match.group("weekday")] if match else None


def weekday_conflict(text: str, day: date) -> int | None:
    """The weekday written with the date of ``day`` when ``day`` does not fall on it ("tisdag
    16.12" when 16 December is a Wednesday): to be asked about, never guessed."""
    named = written_weekday(text)
    return named if named is not None and named != day.weekday() else None


def with_dotted_dates(text: str) -> str:
    """ "16.12" -> "16/12", "1.3.2027" -> "1/3/2027": the form dateparser reads as a date."""

    def slashed(match: re.Match[str]) -> str:
        day, month, year = match.groups()
        return f"{day}/{month}" + (f"/{year}" if year else "")

    return DOTTED.sub(slashed, text)


DATE_IN_TEXT = re.compile(
    rf"{MONTH_EDGE.pattern}"
    rf"|{WEEK_IN_TEXT}"
    rf"|{WEEKS_AHEAD.pattern}"
    rf"|\b(?:{WEEKDAY_WORDS})(?:en)?\.?,?\s+(?:den\s+|the\s+)?(?:{EXPLICIT_DATE})(?:\s+\d{{4}})?"
    rf"|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{DOTTED_DATE}"
    rf"|\b\d{{1,2}}(?::[ae])?\s+(?:{MONTHS})\b\.?(?:\s+\d{{4}})?"
    rf"|\b(?:den\s+)?(?:{ORDINAL_WORDS})\s+(?:{MONTHS})\b(?:\s+\d{{4}})?"
    rf"|\b(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
    r"|\b\d{1,2}/\d{1,2}(?:\s+\d{4})?"
    r"|\b(?:(?:nästa|kommande|next)\s+)?(?:måndag|tisdag|onsdag|torsdag|fredag|monday|tuesday|"
    r"wednesday|thursday|friday)\b"
    r"|\bi\s*morgon\b|\btomorrow\b",
    re.IGNORECASE,
)
RANGE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:%|procent|percent)?\s*(?:och|till|eller|or|to|and|-|–)\s*"
    r"(\d+(?:[.,]\d+)?)\s*(?:%|procent|percent)"
)
DAY_COUNT = r"(\d(?:[.,]5)?|en|ett|två|tre|fyra|fem|one|two|three|four|five)"
# "1-2 dagar i veckan", "en eller två dagar", "two or three days a week".
DAY_RANGE = re.compile(
    rf"\b{DAY_COUNT}\s*(?:-|–|till|eller|à|or|to)\s*{DAY_COUNT}\s*(?:dag|dagar|day|days)\b"
)
SHARE_WORDS = re.compile(
    r"%|\bprocent|\bpercent|\bdag(ar)?\b|\bdays?\b|dagar\b|days\b|\b(?:varje|every)\s+\w+da[gy]\b|"
    r"hälften|halva|halvtid|\bhalf\b|heltid|"
    r"fjärdedel|tredjedel|quarter|\bthird\b|\bvarannan\b|\bevery (?:other|second)\b"
)


def week_days(text: str, today: date) -> tuple[date, date] | None:
    """The Monday and the Sunday of the week named in ``text``: without a year, the first week
    of that number that has not ended before ``today``; None when no week (or no such week) is
    named."""
    match = WEEK.search(text.lower())
    if match is None:
        return None
    number = int(match.group("week"))
    years = [int(match.group("year"))] if match.group("year") else [today.year, today.year + 1]
    for year in years:
        try:
            monday = date.fromisocalendar(year, number, 1)
        except ValueError:
            continue
        sunday = monday + timedelta(days=6)
        if match.group("year") or sunday >= today:
            return monday, sunday
    return None


def month_edge_date(text: str, today: date) -> date | None:
    """The first or last day of a named month ("slutet av juni"), the first one from ``today``
    on when no year is given."""
    match = MONTH_EDGE.search(text)
    if match is None:
        return None
    month = MONTH_NUMBERS[match.group("month")]
    year = int(match.group("year") or today.year)

    def edge(y: int) -> date:
        last = calendar.monthrange(y, month)[1]
        return date(y, month, last if match.group("end") else 1)

    if match.group("year") is None and edge(year) < today:
        year += 1
    return edge(year)


PERIOD_NUMBERS = {
    **NUMBER_WORDS, "a": 1, "an": 1, "åtta": 8, "eight": 8, "nio": 9, "nine": 9, "tio": 10,
    "ten": 10, "elva": 11, "eleven": 11, "tolv": 12, "twelve": 12, "arton": 18,
    "eighteen": 18, "tjugofyra": 24,
}  # fmt: skip
# A whole message that is a length of time: "om ett år", "i sex månader", "ett halvår",
# "for a year", "in 6 months".
PERIOD = re.compile(
    r"^(?:(?:om|in|i|för|for|under|inom)\s+)?(?:(?P<count>\d{1,2}|[a-zåäö]+)\s+)?"
    r"(?P<unit>år|året|halvår|halvåret|månader|månad|mån|veckor|vecka|years?|months?|weeks?|"
    r"half\s+a\s+year)(?:\s+(?:framåt|från nu|from now|till|to))?$"
)


def find_period(text: str) -> relativedelta | None:
    """A length of time written as the whole message ("om ett år", "6 månader"), or None."""
    match = PERIOD.match(" ".join(text.lower().split()).strip(" .!?"))
    if match is None:
        return None
    unit = match.group("unit")
    count_word = match.group("count")
    if count_word is None:
        # "halvår" alone is a length; "i år" is this year, not one.
        if not unit.startswith(("halv", "half")):
            return None
        count = 1
    elif count_word.isdigit():
        count = int(count_word)
    elif count_word in PERIOD_NUMBERS:
        count = PERIOD_NUMBERS[count_word]
    else:
        return None
    if unit.startswith("halv") or unit.startswith("half"):
        return relativedelta(months=6 * count)
    if unit in ("år", "året", "year", "years"):
        return relativedelta(years=count)
    if unit.startswith("mån") or unit.startswith("month"):
        return relativedelta(months=count)
    return relativedelta(weeks=count)


# A length inside a sentence: "nej förresten, uppföljning om ett år", "in six months".
PERIOD_IN_TEXT = re.compile(
    r"\b(?:om|in|inom)\s+(?:(?:\d{1,2}|[a-zåäö]+)\s+)?(?:år|halvår|månader|månad|veckor|vecka|"
    r"years?|months?|weeks?|half\s+a\s+year)\b"
)


def find_period_in(text: str) -> relativedelta | None:
    """A length written anywhere in ``text`` after "om"/"in" ("uppföljning om ett år"), or
    None; "i år" is this year, not a length."""
    lowered = " ".join(text.lower().split())
    for match in PERIOD_IN_TEXT.finditer(lowered):
        if period := find_period(match.group(0)):
            return period
    return None


def end_after(start: date, period: relativedelta) -> date:
    """The last day of a period that begins on ``start``: a year from 1 February ends on 31
    January."""
    return start + period - timedelta(days=1)


def find_date(text: str, today: date) -> date | None:
    """The first date written anywhere in ``text``, relative dates counted from ``today``."""
    match = DATE_IN_TEXT.search(text.lower())
    return parse_date(match.group(0), today) if match else None


def find_share(text: str, working_days_per_week: int = 5) -> float | None:
    """A share named anywhere in a longer message ("nej vänta, jag menar 60 procent"); a bare
    number does not count here, as it may be anything, nor does a range, as it is two."""
    lowered = with_units_spelt(with_numbers_written(text.lower()))
    if not SHARE_WORDS.search(lowered) or share_options(lowered, working_days_per_week):
        return None
    return parse_share(lowered, working_days_per_week)


def share_options(text: str, working_days_per_week: int = 5) -> list[float]:
    """The two ends of a range ("mellan 40 och 60 procent", "1-2 dagar i veckan"), in per
    cent, or nothing."""
    lowered = with_numbers_written(text.lower())
    if match := RANGE.search(lowered):
        low, high = (float(g.replace(",", ".")) for g in match.groups())
    elif match := DAY_RANGE.search(lowered):
        days = [
            NUMBER_WORDS[g] if g in NUMBER_WORDS else float(g.replace(",", "."))
            for g in match.groups()
        ]
        low, high = (round(100 * d / working_days_per_week, 1) for d in days)
    else:
        return []
    return [low, high] if low != high else []


PLACE_KINDS = {
    "holiday_home": (
        "fritidsbostad", "fritidsbostaden", "fritidshus", "fritidshuset", "stuga", "stugan",
        "sommarhus", "sommarhuset", "landet", "torp", "torpet",
        "fjällstuga", "summer house", "summerhouse", "cottage", "cabin", "holiday home",
    ),
    "home": (
        "hemma", "hemifrån", "hemmet", "hem", "bostad", "bostaden", "lägenhet", "lägenheten",
        "villa", "villan", "radhus", "home", "my flat", "my apartment",
    ),
}  # fmt: skip
PLACE_NAMES = {"home": "Hemma", "holiday_home": "Fritidsbostaden", "other": "Annan plats"}
WORDS = re.compile(r"[a-zåäöéü]+")


def place_label(kind: str, description: str) -> str:
    """The place as people read it: its kind's name, and the description only when it says
    more than the kind ("Hemma", not "Hemma (Hemma)"; "Fritidsbostaden (stugan i Rättvik)")."""
    name = PLACE_NAMES.get(kind, kind)
    if names_only_the_kind(kind, description):
        return name
    return f"{name} ({description.strip()})"


def names_only_the_kind(kind: str, description: str) -> bool:
    """True when ``description`` is only a word for the kind of place ("Hemma", "i
    fritidsbostaden", "hemifrån") and adds nothing to its name."""
    said = " ".join(WORDS.findall(description.lower()))
    plain = re.sub(r"^(i|på|från|in|at|from|the|my)\s+", "", said)
    names = (PLACE_NAMES.get(kind, kind).lower(), *PLACE_KINDS.get(kind, ()))
    return not plain or plain in names or misspelt_place(plain) == kind


# Words for a kind of place long enough that a typo in them ("hemam", "stguan") is still read
# as that place; shorter ones ("hem", "torp") are too close to other words.
SPELT_PLACE_WORDS = {
    "holiday_home": (
        "fritidsbostaden", "fritidsbostad", "fritidshuset", "fritidshus", "sommarhuset",
        "sommarstugan", "stugan", "fjällstugan",
    ),
    "home": ("hemma", "hemifrån", "hemmet", "bostaden", "lägenheten", "lägenhet"),
}  # fmt: skip


def one_edit_apart(word: str, other: str) -> bool:
    """True when ``word`` becomes ``other`` by one letter added, removed, changed, or two
    neighbours swapped ("hemam" -> "hemma")."""
    if word == other or abs(len(word) - len(other)) > 1:
        return False
    if len(word) == len(other):
        diff = [i for i, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
        swapped = (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == other[diff[1]]
            and word[diff[1]] == other[diff[0]]
        )
        return len(diff) == 1 or swapped
    shorter, longer = sorted((word, other), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def misspelt_place(word: str) -> str | None:
    """The kind of place a word of five letters or more is one typo away from, or None."""
    if len(word) < 5:
        return None
    for kind, names in SPELT_PLACE_WORDS.items():
        if any(one_edit_apart(word, name) for name in names):
            return kind
    return None


NEGATED_PLACE = re.compile(r"\b(inte|ej|not)\s+(i\s+|på\s+|from\s+|in\s+)?\w+", re.IGNORECASE)
# "stugan i Sälen", "hemma i Västerås": where the place is, after the word for its kind.
PLACE_WHERE = re.compile(
    r"\s+(?:i|på|vid|utanför|nära|in|at|near)\s+(?P<name>[A-ZÅÄÖ][\wåäöÅÄÖ-]*(?:\s+[A-ZÅÄÖ]"
    r"[\wåäöÅÄÖ-]*)?|[a-zåäö][\wåäö-]{2,})"
)
NOT_A_PLACE_NAME = {
    "veckan", "vecka", "månaden", "året", "stället", "början", "slutet", "morgon", "sommar",
    "sommaren", "vinter", "vintern", "våras", "höstas", "perioden", "mån", "huvudsak", "regel",
    *MONTH_NUMBERS, *WEEKDAY_NAMES,
}  # fmt: skip


def place_phrase(text: str) -> str | None:
    """The words that name the place and where it is, as written ("oj, platsen blir inte hemma
    utan sommarstugan i Sälen" -> "sommarstugan i Sälen"); None when the text names only the
    kind of place ("hemifrån två dagar i veckan") or no place."""
    kind = place_kind(text)
    if kind == "other":
        return None
    unnegated = NEGATED_PLACE.sub(lambda m: " " * len(m.group(0)), text)
    names = PLACE_KINDS[kind]
    for word in re.finditer(r"[A-Za-zÅÄÖåäöéü]+", unnegated):
        lowered = word.group(0).lower()
        named = any(lowered == n or (len(n) > 4 and lowered.endswith(n)) for n in names)
        if not named and misspelt_place(lowered) != kind:
            continue
        where = PLACE_WHERE.match(text, word.end())
        if where is None or where.group("name").lower() in NOT_A_PLACE_NAME:
            return None
        return text[word.start() : where.end()]
    return None


def place_kind(text: str) -> str:
    """``home``, ``holiday_home`` or ``other``; compounds count ("sommarstugan" is a holiday
    home), negated places do not ("hemma, inte i stugan" is home), and neither does one typo
    ("hemam" is home)."""
    # Our own name for a kind (the opening message stores "Fritidsbostaden") is that kind.
    named = {name.lower(): kind for kind, name in PLACE_NAMES.items()}
    if text.strip().lower() in named:
        return named[text.strip().lower()]
    lowered = NEGATED_PLACE.sub(" ", text.lower())
    words = WORDS.findall(lowered)
    for kind in ("holiday_home", "home"):
        for name in PLACE_KINDS[kind]:
            if " " in name and name in lowered:
                return kind
            if any(w == name or (len(name) > 4 and w.endswith(name)) for w in words):
                return kind
    for word in words:
        if misspelt := misspelt_place(word):
            return misspelt
    return "other"


EQUIPMENT_SYNONYMS = {
    "Bärbar dator": ("bärbar", "dator", "laptop", "computer", "pc"),
    "Bildskärm": ("skärm", "bildskärm", "monitor", "screen", "display"),
    "Tangentbord och mus": ("tangentbord", "mus", "keyboard", "mouse"),
    "Headset": ("headset", "hörlurar", "headphones", "lurar"),
    "Dockningsstation": ("dockningsstation", "docka", "dockstation", "docking"),
    "Kontorsstol": ("stol", "kontorsstol", "chair"),
    "Mobiltelefon": ("mobil", "mobiltelefon", "telefon", "phone", "mobile"),
}
NO_EQUIPMENT = re.compile(
    r"^(ingen|inget|inga|nej|none|nothing|no|not any)( utrustning| alls| just nu| equipment"
    r"| thanks| tack| behövs| needed| required| at all| for now| right now)*$"
    # "jag behöver ingen utrustning", "I don't need any equipment", "I need nothing".
    r"|^(jag |i )?(behöver|lånar|don't need|do not need|need|won't need)"
    r" (ingen|inget|inte någon|inte något|any|no|nothing)( utrustning| equipment)?$"
)
# "nej tack, inget", "inget, tack": the same no, with a thank-you and punctuation around it.
NO_EQUIPMENT_AROUND = re.compile(r"^(nej|no)\s+(tack|thanks)\s+")
ITEM_SPLIT = re.compile(r",|;|\n|\+|&|/|\boch\b|\bsamt\b|\band\b|\bplus\b")
ITEM_FILLERS = re.compile(
    r"\b(en|ett|två|tre|a|an|one|two|bara|only|just|då|också|also|the|my|min|mitt|också|"
    r"lånar|låna|jag|i|want|to|borrow|kanske|även)\b"
)
NEGATED_ITEM = re.compile(r"^\s*(ingen|inget|inga|inte|no|not)\b")


def equipment_items(text: str, options: list[str]) -> list[str] | None:
    """The items named in ``text`` by the region form's own names ("skärm och headset" ->
    Bildskärm, Headset), without those negated ("ingen dator, bara ett headset" -> Headset);
    ``[]`` for "ingen"; None when no item is recognised."""
    lowered = " ".join(text.lower().split()).strip(" .!")
    plain = " ".join(re.sub(r"[,.!;]", " ", lowered).split())
    if NO_EQUIPMENT.match(lowered) or NO_EQUIPMENT.match(NO_EQUIPMENT_AROUND.sub("", plain)):
        return []
    items: list[str] = []
    for part in ITEM_SPLIT.split(lowered):
        if NEGATED_ITEM.match(part):
            continue
        name = " ".join(ITEM_FILLERS.sub(" ", part).split())
        item = equipment_name(name, options)
        if item and item not in items:
            items.append(item)
    return items or None


def equipment_name(text: str, options: list[str]) -> str | None:
    """The form's name for one item, or None when it is not equipment the region lists."""
    if not text:
        return None
    for option in options:
        if text == option.lower() or text in option.lower().split():
            return option
    words = WORDS.findall(text)
    for option, synonyms in EQUIPMENT_SYNONYMS.items():
        if any(w == s or (len(s) > 3 and w.endswith(s)) for w in words for s in synonyms):
            return option
    return None
