"""Dates and periods as people type them into the agreement and risk-assessment forms.

"1 mars", "måndag 4 januari", "16.12", "vecka 7", "slutet av juni", "om två veckor" and
"January 11th" are dates; "ett år" and "sex månader" are periods. Dates go through dateparser
(which knows Swedish) after a little normalising of forms it misses. The number and weekday
words here also serve the shares in ``bot.agreements.parsing``.
"""

import calendar
import difflib
import re
from datetime import date, datetime, timedelta

import dateparser
from dateutil.relativedelta import relativedelta

NUMBER_WORDS = {
    "en": 1, "ett": 1, "one": 1, "två": 2, "tva": 2, "two": 2, "tre": 3, "three": 3,
    "fyra": 4, "four": 4, "fem": 5, "five": 5, "sex": 6, "six": 6, "sju": 7, "seven": 7,
}  # fmt: skip
ORDINALS = {
    # "den förste mars": the older masculine forms are still written.
    "förste": 1, "andre": 2, "första": 1, "andra": 2, "tredje": 3, "fjärde": 4, "femte": 5,
    "sjätte": 6, "sjunde": 7, "åttonde": 8, "nionde": 9, "tionde": 10, "elfte": 11, "tolfte": 12,
    "femtonde": 15, "tjugonde": 20, "sista": 31,
}  # fmt: skip
# Only before a month: "the first of April", not "the first week".
ENGLISH_ORDINALS = {"first": 1, "second": 2, "third": 3}
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


# "innan jul", "till jul", "before Christmas": Christmas Eve, the day Swedes keep; "innan"
# and "före" the day before it.
HOLIDAY = re.compile(
    r"^(?:(?P<before>innan|före|fore|before)\s+|(?:till|senast|by)\s+)?"
    r"(?P<day>jul|julafton|christmas|christmas eve|nyår|nyar|nyårsafton|new year|new year's eve)$"
)
HOLIDAY_DAYS = {
    "jul": (12, 24), "julafton": (12, 24), "christmas": (12, 24), "christmas eve": (12, 24),
    "nyår": (12, 31), "nyar": (12, 31), "nyårsafton": (12, 31), "new year": (12, 31),
    "new year's eve": (12, 31),
}  # fmt: skip


def holiday_date(text: str, today: date) -> date | None:
    """ "innan jul" is 23 December of this year, or the next when it has passed."""
    said = HOLIDAY.match(" ".join(text.split()).strip(" .!"))
    if said is None:
        return None
    month, day = HOLIDAY_DAYS[said.group("day")]
    holiday = date(today.year, month, day)
    if holiday < today:
        holiday = date(today.year + 1, month, day)
    return holiday - timedelta(days=1) if said.group("before") else holiday


def parse_date(text: str, today: date) -> date | None:
    """A calendar date from Swedish or English text, relative dates counted from ``today``; a
    week ("vecka 7") is its Monday."""
    normalised = with_months_spelt_out(text.lower().strip())
    if holiday := holiday_date(normalised, today):
        return holiday
    if ahead := WEEKS_AHEAD.search(normalised):
        count = ahead.group("count")
        weeks = int(count) if count.isdigit() else {"a": 1, **NUMBER_WORDS}[count]
        return today + timedelta(weeks=weeks)
    if NEXT_MONTH.search(normalised):
        # "från nästa månad", "starting next month": its first day.
        return (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if month_edge := month_edge_date(normalised, today):
        return month_edge
    if day_next_week := DAY_NEXT_WEEK.search(normalised):
        # "fredag nästa vecka": that weekday in the week after this one.
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return monday + timedelta(days=WEEKDAY_NUMBERS[day_next_week.group("day")])
    if week := week_days(normalised, today):
        return week[0]
    # "måndag 1 mars" is the date; whether the weekday fits is ``weekday_conflict``'s question.
    normalised = with_dotted_dates(WEEKDAY_BEFORE_DATE.sub("", normalised))
    normalised = re.sub(r"\b(nästa|kommande|next)\s+", "", normalised)
    normalised = re.sub(r"\b(\d{1,2}):?[ae]\b", r"\1", normalised)
    # "the 1st of April": dateparser reads "1 april".
    normalised = re.sub(r"\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+of\s+", r"\1 ", normalised)
    normalised = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1", normalised)
    for word, number in ORDINALS.items():
        normalised = re.sub(rf"\b(den\s+)?{word}\b", str(number), normalised)
    for word, number in ENGLISH_ORDINALS.items():
        normalised = re.sub(rf"\b(the\s+)?{word}\s+of\s+(?=({MONTHS})\b)", f"{number} ", normalised)
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
    if parsed is None:
        return None
    if NEXT_YEAR.search(text.lower()) and parsed.year == today.year:
        # "15 december nästa år": the year after this one, even when the day is still ahead.
        try:
            return parsed.date().replace(year=today.year + 1)
        except ValueError:  # 29 February
            return None
    return parsed.date()


NEXT_YEAR = re.compile(r"\b(nästa år|next year)\b")
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
# A month name of five letters or more with one slip ("1 februri", "31 agusti", "septmber"),
# next to a day number: dateparser knows only the right spelling.
LONG_MONTHS = [name for name in MONTH_NUMBERS if len(name) >= 5]
MISSPELT_MONTH = re.compile(
    r"(?<=\d\s)(?P<after>[a-zåäö]{5,})\b|\b(?P<before>[a-zåäö]{5,})(?=\s+\d{1,2}\b)"
)


def with_months_spelt_out(text: str) -> str:
    """``text`` with a month name one slip away from a month written right."""

    def spelt(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in MONTH_NUMBERS:
            return word
        close = difflib.get_close_matches(word, LONG_MONTHS, n=1, cutoff=0.8)
        return close[0] if close else word

    return MISSPELT_MONTH.sub(spelt, text)


# "slutet av juni", "sista juni", "the end of June"; "början av mars", "the beginning of March".
MONTH_EDGE = re.compile(
    r"\b(?:(?P<end>(?:i\s+)?slutet\s+av|sista\s+(?:dagen\s+i\s+)?|(?:the\s+)?end\s+of|"
    r"(?:the\s+)?last\s+day\s+of)|(?P<start>(?:i\s+)?början\s+av|(?:the\s+)?beginning\s+of|"
    # "förresten skulle det vara från mars": a month as a start is its first day.
    r"(?:the\s+)?start\s+of|från(?:\s+och\s+med)?|fr\.?\s?o\.?\s?m\.?|from))\s*"
    # Not "from January 11th": a day after the month makes it a date.
    rf"(?P<month>{MONTHS})\b\.?(?!\s+\d{{1,2}}(?!\d))(?:\s+(?P<year>\d{{4}}))?"
)
# "om två veckor", "in three weeks": that many weeks from today, a date the user confirms.
WEEKS_AHEAD = re.compile(
    r"\b(?:om|in)\s+(?P<count>\d{1,2}|en|ett|två|tre|fyra|fem|sex|a|one|two|three|four|five|six)"
    r"\s+(?:veckor|vecka|weeks?)\b"
)
NEXT_MONTH = re.compile(r"\b(?:nästa|kommande)\s+månad\b|\bnext\s+month\b")
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


DAY_NEXT_WEEK = re.compile(
    rf"\b(?P<day>{WEEKDAY_WORDS})(?:en)?\s+(?:i\s+)?(?:nästa|kommande|next)\s+(?:vecka|week)\b"
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
    rf"|{NEXT_MONTH.pattern}"
    rf"|{DAY_NEXT_WEEK.pattern}"
    rf"|{WEEK_IN_TEXT}"
    rf"|{WEEKS_AHEAD.pattern}"
    rf"|\b(?:{WEEKDAY_WORDS})(?:en)?\.?,?\s+(?:den\s+|the\s+)?(?:{EXPLICIT_DATE})(?:\s+\d{{4}})?"
    rf"|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{DOTTED_DATE}"
    rf"|\b\d{{1,2}}(?::[ae]|st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b\.?(?:\s+\d{{4}})?"
    rf"|\b(?:den\s+)?(?:{ORDINAL_WORDS})\s+(?:{MONTHS})\b(?:\s+\d{{4}})?"
    rf"|\b(?:the\s+)?(?:{'|'.join(ENGLISH_ORDINALS)})\s+of\s+(?:{MONTHS})\b(?:\s+\d{{4}})?"
    rf"|\b(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
    r"|\b\d{1,2}/\d{1,2}(?:\s+\d{4})?"
    r"|\b(?:(?:nästa|kommande|next)\s+)?(?:måndag|tisdag|onsdag|torsdag|fredag|monday|tuesday|"
    r"wednesday|thursday|friday)\b"
    r"|\bi\s*morgon\b|\btomorrow\b",
    re.IGNORECASE,
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
    # Without å: "om sex manader", "ett ar".
    r"half\s+a\s+year|ar|aret|halvar|halvaret|manader|manad)"
    r"(?:\s+(?:framåt|från nu|fran nu|from now|till|to))?$"
)


# "ok six months then", "säg sex månader då": words around a length that say nothing of it.
PERIOD_FILLERS = re.compile(
    r"^(?:(?:ok|okej|okay|ja|yes|well|so|så|säg|say|let's say|vi säger|kanske|maybe)[,\s]+)+"
    r"|(?:[,\s]+(?:then|då|tack|thanks|please|i så fall|kanske|maybe))+$"
)


def find_period(text: str) -> relativedelta | None:
    """A length of time written as the whole message ("om ett år", "6 månader"), or None."""
    said = " ".join(text.lower().split()).strip(" .!?")
    match = PERIOD.match(PERIOD_FILLERS.sub("", said))
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
    if unit in ("år", "året", "year", "years", "ar", "aret"):
        return relativedelta(years=count)
    if unit.startswith(("mån", "man", "month")):
        return relativedelta(months=count)
    return relativedelta(weeks=count)


# A length inside a sentence: "nej förresten, uppföljning om ett år", "in six months".
PERIOD_IN_TEXT = re.compile(
    r"\b(?:om|in|inom|i)\s+(?:(?:\d{1,2}|[a-zåäö]+)\s+)?(?:år|halvår|månader|månad|veckor|vecka|"
    r"years?|months?|weeks?|half\s+a\s+year|ar|halvar|manader|manad)\b"
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


# "det ska gälla till sista juni", "until June 30": the date ends something.
UNTIL_BEFORE = re.compile(r"\b(till( och med)?|t\.?\s?o\.?\s?m\.?|tom|to|until|through)\s+$")


def date_said_as_an_end(text: str) -> bool:
    """The first date in ``text`` follows "till", "t.o.m." or "until"."""
    lowered = with_months_spelt_out(text.lower())
    match = DATE_IN_TEXT.search(lowered)
    return match is not None and UNTIL_BEFORE.search(lowered[: match.start()]) is not None


def find_date(text: str, today: date) -> date | None:
    """The first date written anywhere in ``text``, relative dates counted from ``today``."""
    lowered = with_months_spelt_out(text.lower())
    match = DATE_IN_TEXT.search(lowered)
    if match is None:
        return None
    # "15 december nästa år": the year said after the date belongs to it.
    after = lowered[match.end() :]
    said = match.group(0) + (" nästa år" if re.match(r"\s*(nästa år|next year)\b", after) else "")
    return parse_date(said, today)


# --- a day offered as a choice ("Vilket datum menar du?"), named by the user -----------------
# A time of day, which is no day of the month: "kl 10", "13:30".
CLOCK_TIME = re.compile(r"\b(?:kl\.?|klockan|at)\s*\d{1,2}(?:[.:]\d{2})?|\b\d{1,2}[.:]\d{2}\b")
# A day of the month in words' place: "den 17:e", "17e", "den 17".
DAY_OF_MONTH = re.compile(r"\b(?:den\s+)?([1-9]|[12]\d|3[01])(?::?[ae])?\b(?![.:/]\d)")


def option_day(iso: str) -> date | None:
    """ "2026-12-16" or "2026-12-17T13:00:00+01:00" -> its date as written; None otherwise."""
    try:
        return datetime.fromisoformat(iso).date()
    except ValueError:
        return None


def weekday_name(iso: str) -> str:
    """ "2026-12-16" -> "onsdag"; "" for what is no date."""
    day = option_day(iso)
    return WEEKDAY_NAMES[day.weekday()] if day else ""


def day_of_month(iso: str) -> int | None:
    day = option_day(iso)
    return day.day if day else None
