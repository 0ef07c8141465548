"""What people type as a meeting time: "nästa tisdag kl 10", "imorgon eftermiddag", "tomorrow
at 14", "den 18 december kl 14" inside a longer message, and a place after the time ("på Teams").

Only reading: whether anyone can meet then is ``scheduling``'s question.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import dateparser

from bot.agreements.dates import (
    DOTTED,
    WEEKDAY_NUMBERS,
    WEEKDAY_WORDS,
    WEEKS_AHEAD,
    parse_date,
    week_days,
    weekday_conflict,
)
from bot.risk_assessments.scheduling import (
    STOCKHOLM,
    WEEKDAYS_SV,
    at_local,
    localize,
    require_aware,
)
from bot.spelling import without_diacritics

_DEFAULT_HOUR = time(9)
_PART_OF_DAY_HOURS = {
    "förmiddag": 9,
    "morgonen": 9,
    "morning": 9,
    "eftermiddag": 13,
    "afternoon": 13,
    "efter lunch": 13,
    "after lunch": 13,
}

_WEEKDAYS_EN = "monday tuesday wednesday thursday friday saturday sunday".split()

_MONTH_WORDS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
    "|january|february|march|may|june|july|august|october"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec"
)
_WEEKDAY_PATTERN = re.compile(
    r"\b(?P<next>(?:nästa|kommande|next)\s+)?(?P<day>"
    + "|".join(WEEKDAYS_SV + _WEEKDAYS_EN)
    + r")(?:en)?\b"
)

_ORDINALS_SV = (
    "första andra tredje fjärde femte sjätte sjunde åttonde nionde tionde elfte tolfte "
    "trettonde fjortonde femtonde sextonde sjuttonde artonde nittonde tjugonde"
).split()
_ORDINALS_EN = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()


def _ordinal_numbers() -> dict[str, int]:
    """Return ordinal words 1-31 in Swedish and English mapped to their numbers."""
    words: dict[str, int] = {}
    for index, (sv, en) in enumerate(zip(_ORDINALS_SV, _ORDINALS_EN, strict=True), start=1):
        words[sv] = words[en] = index
    for index, (sv, en) in enumerate(zip(_ORDINALS_SV[:9], _ORDINALS_EN[:9], strict=True), 1):
        words["tjugo" + sv] = words["twenty-" + en] = words["twenty " + en] = 20 + index
    words["trettionde"] = words["thirtieth"] = 30
    words["trettioförsta"] = words["thirty-first"] = words["thirty first"] = 31
    return words


_ORDINALS = _ordinal_numbers()
_ORDINAL_PATTERN = re.compile(
    r"\b(?:den\s+|the\s+)?("
    + "|".join(sorted(map(re.escape, _ORDINALS), key=len, reverse=True))
    + r")(?:\s+of)?\s+(?="
    + _MONTH_WORDS
    + r")\b"
)
_NUMERIC_ORDINAL = re.compile(r"\b(\d{1,2})(?::(?:e|a|dje)|st|nd|rd|th)\b")
# "kl 13.30", "kl 13:30", and "kl 1330" typed without the dot.
_CLOCK_WORD = re.compile(r"\b(?:kl\.?|klockan|at)\s*(\d{1,2})(?:[.:]?(\d{2}))?(?!\d)")
# Not part of a dotted date such as 3.12.2026, which dateparser reads on its own.
_DOTTED_TIME = re.compile(r"(?<![\d.])([01]?\d|2[0-3])\.([0-5]\d)(?![\d.])")
_CLOCK_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)|\b\d{1,2}\s*(?:am|pm)\b")
_PART_OF_DAY = re.compile(
    r"\b(?:på\s+|i\s+|in\s+the\s+|this\s+)?"
    r"(förmiddag|eftermiddag|morgonen|morning|afternoon|efter lunch|after lunch)(?:en)?\b"
)
_DAY_AFTER_TOMORROW = re.compile(r"\b(?:i\s*)?övermorgon\b|\bthe\s+day\s+after\s+tomorrow\b")
# Read after ``_with_dotted_dates``: a dotted pair left over ("10.30") is a time.
# "9/12", "9 december", and the English "Dec 9th", "December 9".
_EXPLICIT_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}\s*/\s*\d{1,2}\b|\b\d{1,2}\s+(?:" + _MONTH_WORDS + r")\b"
    r"|\b(?:" + _MONTH_WORDS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"
)


@dataclass(frozen=True)
class ParsedTime:
    """A parsed start in Europe/Stockholm; ambiguous means the dialogue should confirm it."""

    start: datetime
    ambiguous: bool
    # A weekday written with a date it does not fall on ("tisdag 16.12" when 16 December is a
    # Wednesday), 0 for Monday: the dialogue asks which was meant.
    written_weekday: int | None = None


# What makes a dotted day and month ("16.12") the date rather than 16:12: "den" before it, or
# a clock time elsewhere in the message ("16.12 kl 10.30", "16.12 10.30").
_DATE_ARTICLE = re.compile(r"\b(?:den|the|on)\s*$")
_WEEKDAY_BEFORE = re.compile(rf"\b(?P<day>{WEEKDAY_WORDS})(?:en)?\.?,?\s*(?:den\s+)?$")
_OTHER_TIME = re.compile(
    r"\b(?:kl\.?|klockan|at)\s*\d|\d:\d{2}|\b\d{1,2}\s*(?:am|pm)\b|(?<![\d./])\d{1,2}\.\d{2}(?![\d./])"
    r"|\b(?:förmiddag|eftermiddag|morgonen|morning|afternoon)"
)


def _with_dotted_dates(text: str, today: date) -> str:
    """Return text with a dotted day and month written as "16/12" where it is the date.

    "16.12" alone stays a time. After a weekday and without another time it is the date when
    the weekday fits it or when it cannot be a meeting time ("tisdag 16.12": 16:12 is no time
    anyone books; the weekday is asked about); "fredag 10.10" is ten past ten on Friday.
    """

    def rewrite(match: re.Match[str]) -> str:
        day, month, year = (int(g) if g else None for g in match.groups())
        assert day is not None and month is not None
        slashed = f"{day}/{month}" + (f"/{match.group(3)}" if year else "")
        before = text[: match.start()]
        if year or _DATE_ARTICLE.search(before):
            return slashed
        if _OTHER_TIME.search(f"{before} {text[match.end() :]}"):
            return slashed
        weekday = _WEEKDAY_BEFORE.search(before)
        if weekday is None:
            return match.group(0)
        on = _next_date(day, month, today)
        fits = on is not None and on.weekday() == WEEKDAY_NUMBERS[weekday.group("day")]
        # Read as a time, the month is the minutes: "16.12" would be 16:12.
        return slashed if fits or month % 5 != 0 else match.group(0)

    return DOTTED.sub(rewrite, text)


def _next_date(day: int, month: int, today: date) -> date | None:
    """The first such date from today on, or None when there is none (30.2)."""
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


# The spoken clock: "halv tre" is 2.30, "kvart över nio" 9.15, "kvart i tio" 9.45. An hour
# from one to six is the afternoon: nobody books a meeting at half past two at night.
_HOUR_WORDS = {
    "ett": 1, "en": 1, "två": 2, "tva": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "atta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12,
}  # fmt: skip
_HOUR_WORDS |= {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_SPOKEN_CLOCK = re.compile(
    r"\b(?:kl\.?\s*|klockan\s+|at\s+)?(?P<part>halv|kvart\s+över|kvart\s+i|half\s+past"
    r"|(?:a\s+)?quarter\s+past|(?:a\s+)?quarter\s+to)\s+"
    rf"(?P<hour>\d{{1,2}}|{'|'.join(_HOUR_WORDS)})\b"
)


def _spoken_clock(match: re.Match[str]) -> str:
    word = match.group("hour")
    hour = int(word) if word.isdigit() else _HOUR_WORDS[word]
    part = " ".join(match.group("part").split()).removeprefix("a ")
    if part == "half past":
        hour, minute = hour, 30
    elif part in ("kvart över", "quarter past"):
        hour, minute = hour, 15
    else:
        hour, minute = hour - 1, 30 if part == "halv" else 45
    hour = hour % 12 if hour > 12 else hour
    if 1 <= hour <= 6 or hour == 0:
        hour += 12
    return f"{hour:02d}:{minute:02d}"


# "kl 2", "at 2:30", "2:30": an hour from one to six in figures is the afternoon too, unless the
# morning or the night is named ("kl 6 på morgonen") or am/pm says which.
_SMALL_HOUR = re.compile(
    r"\b(?:kl\.?\s*|klockan\s+|at\s+)(?P<hour>[1-6])(?:[.:](?P<minute>[0-5]\d))?(?![\d.:/])"
    r"(?!\s*(?:am|pm|a\.m|p\.m))"
    r"|(?<![\d:./])(?P<bare>[1-6]):(?P<bare_minute>[0-5]\d)(?!\d)(?!\s*(?:am|pm|a\.m|p\.m))"
)
_MORNING_OR_NIGHT = re.compile(r"\b(morgon\w*|förmiddag\w*|natt\w*|morning|night)\b")


def _afternoon(match: re.Match[str]) -> str:
    hour = int(match.group("hour") or match.group("bare"))
    minute = match.group("minute") or match.group("bare_minute") or "00"
    return f"{hour + 12}:{minute}"


def _normalise(text: str) -> str:
    """Return text rewritten into forms dateparser understands (Swedish and English)."""
    text = " ".join(text.lower().split())
    text = _SPOKEN_CLOCK.sub(_spoken_clock, text)
    if not _MORNING_OR_NIGHT.search(text):
        text = _SMALL_HOUR.sub(_afternoon, text)
    text = re.sub(r"\bimorgon\b", "i morgon", text)
    text = _DAY_AFTER_TOMORROW.sub("om 2 dagar", text)
    text = _WEEKDAY_PATTERN.sub(lambda m: m.group("day"), text)
    text = _ORDINAL_PATTERN.sub(lambda m: f"{_ORDINALS[m.group(1)]} ", text)
    text = _NUMERIC_ORDINAL.sub(r"\1", text)
    text = _CLOCK_WORD.sub(lambda m: f"{int(m.group(1)):02d}:{m.group(2) or '00'}", text)
    text = _DOTTED_TIME.sub(lambda m: f"{int(m.group(1)):02d}:{m.group(2)}", text)
    return _apply_part_of_day(text)


def _apply_part_of_day(text: str) -> str:
    """Return text with "förmiddag"/"afternoon" turned into a clock time, or dropped.

    With a clock time already given, the word only moves "kl 3 på eftermiddagen" to 15:00.
    """
    match = _PART_OF_DAY.search(text)
    if match is None:
        return text
    hour = _PART_OF_DAY_HOURS[match.group(1)]
    clock = _CLOCK_TIME.search(text)
    if clock is None:
        return f"{text[: match.start()]} {hour:02d}:00 {text[match.end() :]}".strip()
    text = f"{text[: match.start()]} {text[match.end() :]}".strip()
    if hour >= 12 and clock.group(1) is not None and 1 <= int(clock.group(1)) < 12:
        text = _CLOCK_TIME.sub(lambda m: f"{int(m.group(1)) + 12}:{m.group(2)}", text, count=1)
    return " ".join(text.split())


def _named_weekday_is_today(text: str, today: date) -> bool:
    """Return True if text names today's weekday without "nästa" and without a date."""
    if _EXPLICIT_DATE.search(text):
        return False
    for match in _WEEKDAY_PATTERN.finditer(text):
        day = match.group("day")
        weekday = WEEKDAYS_SV.index(day) if day in WEEKDAYS_SV else _WEEKDAYS_EN.index(day)
        if match.group("next") is None and weekday == today.weekday():
            return True
    return False


def _next_weekday_in_this_week(text: str, result: date, today: date) -> bool:
    """Return True if "nästa tisdag" resolved to this week, which people read both ways."""
    said_next = any(m.group("next") for m in _WEEKDAY_PATTERN.finditer(text))
    return said_next and result.isocalendar()[:2] == today.isocalendar()[:2]


# "v. 3", "vecka 3", "week 3": a numbered week, as Swedish calendars number them.
_WEEK = re.compile(r"\b(?:vecka|veckan|v\.?|week|wk\.?)\s*\d{1,2}\b(?:\s+\d{4})?")


def _with_week_date(text: str, today: date) -> tuple[str, bool]:
    """Return text with a numbered week and its weekday written as the date ("onsdag v. 3 kl
    14" -> "2027-01-20 kl 14"), and whether the day is a guess: a week without a weekday is
    its Monday, to be confirmed."""
    week = _WEEK.search(text)
    days = week_days(week.group(0), today) if week else None
    if week is None or days is None:
        return text, False
    named = _WEEKDAY_PATTERN.search(text)
    offset = 0
    if named is not None:
        day = named.group("day")
        offset = WEEKDAYS_SV.index(day) if day in WEEKDAYS_SV else _WEEKDAYS_EN.index(day)
    spans = sorted([week.span(), *([named.span()] if named else [])], reverse=True)
    for start, end in spans:
        text = f"{text[:start]} {text[end:]}"
    rest = re.sub(r"\b(?:på|den|on|the|in|i)\s*$", "", " ".join(text.split()))
    return f"{(days[0] + timedelta(days=offset)).isoformat()} {rest}".strip(), named is None


_DAYS = "|".join(WEEKDAYS_SV + _WEEKDAYS_EN)
# "onsdag nästa vecka", "nästa veckas onsdag", "wednesday next week", "next week on wednesday":
# that weekday in the week after this one, whatever today is.
_DAY_NEXT_WEEK = re.compile(
    rf"\b(?:på\s+|on\s+)?(?P<day>{_DAYS})(?:en)?\s+(?:i\s+)?(?:nästa|kommande|next)\s+(?:vecka|week)\b"
    rf"|\b(?:nästa|kommande)\s+veckas\s+(?P<day2>{_DAYS})(?:en)?\b"
    rf"|\bnext\s+week(?:'s)?\s+(?:on\s+)?(?P<day3>{_DAYS})\b"
)


def _with_day_next_week(text: str, today: date) -> str:
    """Return text with "onsdag nästa vecka" written as that date."""

    def rewrite(match: re.Match[str]) -> str:
        day = match.group("day") or match.group("day2") or match.group("day3")
        offset = WEEKDAYS_SV.index(day) if day in WEEKDAYS_SV else _WEEKDAYS_EN.index(day)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return (monday + timedelta(days=offset)).isoformat()

    return _DAY_NEXT_WEEK.sub(rewrite, text)


def parse_meeting_time(text: str, now: datetime) -> ParsedTime | None:
    """Return the start meant by text, relative to the aware `now`, or None if none is found.

    Without a clock time the start is 09:00 and ambiguous; a bare weekday naming today,
    or "nästa <weekday>" landing in the current week, is ambiguous too, and so is a numbered
    week without a weekday.
    """
    require_aware(now, "now")
    local_now = now.astimezone(STOCKHOLM)
    text = _with_dotted_dates(" ".join(text.lower().split()), local_now.date())
    text = _with_day_next_week(text, local_now.date())
    text, week_without_day = _with_week_date(text, local_now.date())
    lowered = " ".join(text.lower().split())
    normalised = _normalise(text)
    if not normalised:
        return None
    parsed = dateparser.parse(
        normalised,
        languages=["sv", "en"],
        settings={
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
        },
    )
    if parsed is None:
        return None
    # An explicit zone in the text ("10:00 CET") wins over the Stockholm default.
    start = parsed.astimezone(STOCKHOLM) if parsed.tzinfo is not None else localize(parsed)
    ambiguous = False
    if _CLOCK_TIME.search(normalised) is None:
        # dateparser fills in the time of RELATIVE_BASE ("i morgon" at 14:37) or midnight.
        start = at_local(start.date(), _DEFAULT_HOUR)
        ambiguous = True
    ambiguous = (
        ambiguous
        or week_without_day
        or _named_weekday_is_today(lowered, local_now.date())
        or _next_weekday_in_this_week(lowered, start.date(), local_now.date())
    )
    written = weekday_conflict(normalised, start.date())
    return ParsedTime(start=start, ambiguous=ambiguous, written_weekday=written)


# Where a meeting time starts in a longer message ("kan vi flytta riskbedömningen till den 18
# december kl 14?"): a weekday, a date, "i morgon", or a clock time.
_TIME_START = re.compile(
    r"\b(?:nästa|kommande|next|på|on|den|the)?\s*(?:"
    + "|".join(WEEKDAYS_SV + _WEEKDAYS_EN)
    # Not "he's off on Mondays", "måndagar": every such day is no time.
    + r")(?!s\b|ar\b|arna\b)"
    # "ons 16/12", "tis kl 10": an abbreviated weekday only before a date or a time ("i viss
    # mån" is none).
    + r"|(?<!viss )\b(?:mån|tis|ons|tors|tor|fre|mon|tues|tue|wed|thurs|thur|thu|fri)\.?"
    r"(?=\s+(?:den\s+)?\d|\s+kl)|\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}\s*(?:[/.]\s*\d{1,2}\b|(?::[ae])?\s+(?:"
    + _MONTH_WORDS
    + r")\b)|\b(?:den\s+)?(?:"
    + "|".join(sorted(map(re.escape, _ORDINALS), key=len, reverse=True))
    + r")\s+(?:"
    + _MONTH_WORDS
    + r")\b|\b(?:"
    + _MONTH_WORDS
    + r")\s+\d{1,2}\b"
    r"|\b(?:i\s*morgon|imorgon|övermorgon|tomorrow|i\s*går|igår|yesterday|i\s*dag|idag|today)\b"
    r"|\b(?:kl\.?|klockan|at)\s*\d{1,2}|(?<![\d-])\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*(?:am|pm)\b"
    r"|" + _SPOKEN_CLOCK.pattern + r"|" + _WEEK.pattern,
    re.IGNORECASE,
)
# Words after the time that say nothing about it: "fredag kl 10 funkar", "kl 14 blir bättre",
# "torsdag 10 december kl 13 ska det vara".
_TRAILING_WORDS = re.compile(
    r"[\s,.!?]*\b(istället|i stället|istallet|i stallet|instead|då|da|tack|please|ok|eller|or|"
    r"om det går|menar jag|"
    # A hedge after the time ("halv två typ"): the time, to be confirmed (it is a hedge).
    r"typ|ungefär|ungefar|kanske|eller så|or so|roughly|maybe|then|"
    r"jag menar|i mean|menade jag|jag menade|i meant|alltså|förstås|sorry|förlåt|"
    r"(?:ska|skulle|bör) (?:det|den|mötet|vi ses) (?:vara|bli|ligga)|det ska vara|"
    r"(?:funkar|fungerar|passar|går|blir|är)(?: bra| fint| bättre| mig| för mig)?|"
    r"works(?: for me)?|is (?:fine|better|good)|suits me|"
    r"(?:would|will|could) (?:suit|work for) (?:me|us)|would (?:work|be fine|be good|be great))"
    r"\b[\s,.!?]*$"
)
# Where, after the time: "tisdag kl 10 på Teams", "kl 13 i rum 3B", "at 10 in Teams".
_TRAILING_PLACE = re.compile(
    # "i mitt rum B412": the room, not whose it is (the others read the invitation).
    r"[\s,]*\b(?:på|pa|i|via|över|in|on|at|over)\s+(?:(?:mitt|vårt|vart|ert|my|our)\s+)?"
    r"(?P<place>teams\b.*|zoom\b.*|rum\b.*|"
    r"konferensrum\w*.*|mötesrum\w*.*|kontoret\b.*|room\b.*|the office\b.*)$",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\b(?:" + "|".join(WEEKDAYS_SV + _WEEKDAYS_EN) + r"|i\s*morgon|imorgon|övermorgon|tomorrow"
    r"|i\s*går|igår|yesterday|i\s*dag|idag|today"
    r"|" + _MONTH_WORDS + r")\b|\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}/\d{1,2}\b|" + _WEEK.pattern,
    re.IGNORECASE,
)


# A time said not to suit: "onsdag passar inte", "Wednesday doesn't work".
_UNSUITED = re.compile(
    r"\b(?:passar|funkar|fungerar|går|kan)\s+(?:\w+\s+)?(?:inte|ej)\b|\bnot\s+(?:good|possible)\b"
    r"|\b(?:doesn't|does not|won't|can't|cannot)\s+(?:work|suit|do|make)\b"
)
# Where a clause ends: "onsdag 16 december kl 10:30, vi ses i rum Hjälmaren". Not the dot of
# "10.30", "16.12" or "v. 49".
_CLAUSE_END = re.compile(r"\s*[,;]\s*|[.?!]\s+(?=[^\d\s])")


def _time_clauses(span: str) -> str:
    """The clauses of ``span`` that say the time: up to the first one that names none ("kl
    10:30, vi ses i rum Hjälmaren" -> "kl 10:30"); "tisdag, kl 10" keeps both."""
    clauses = _CLAUSE_END.split(span)
    kept = [clauses[0]]
    for clause in clauses[1:]:
        if _TIME_START.search(clause) is None:
            break
        kept.append(clause)
    return " ".join(kept)


def meeting_place_after_time(text: str) -> str | None:
    """The place named after a time in the same message ("tisdag kl 10 på Teams" -> "Teams",
    "kl 13 i rum 3B" -> "rum 3B"), as written; None when there is none."""
    match = _TRAILING_PLACE.search(" ".join(text.split()).strip(" ?!."))
    if match is None or _TIME_START.search(text.lower()) is None:
        return None
    # "i rum Hjälmaren, Sven är skyddsombud": the place ends with its clause.
    place = _CLAUSE_END.split(match.group("place"), maxsplit=1)[0].strip()
    return "Teams" if place.lower().startswith("teams") else place


# "typ 13", "runt 10": an hour said loosely, without "kl".
_LOOSE_HOUR = re.compile(
    r"\b(?:typ|runt|ca\.?|cirka|ungefär|omkring|vid|säg|around|about|say)\s+(\d{1,2})"
    r"(?:[.:](\d{2}))?(?![\d:./]|\s*(?:%|" + _MONTH_WORDS + r"))"
)
# "den 15:e", "the 15th": a day of the month without its month.
_DAY_ALONE = re.compile(
    r"\b(?:den|the)\s+(\d{1,2})(?::e|:a|e|st|nd|rd|th)?\b(?![:./]\d|\s*(?:of\s+)?(?:"
    + _MONTH_WORDS
    + r"))"
)
# "till 13" when moving a meeting: the hour on its day.
_TO_AN_HOUR = re.compile(r"\b(?:till|to)\s+(\d{1,2})(?![\d:./]|\s*(?:" + _MONTH_WORDS + r"))")
# "next week" said apart from the weekday: "Thursday at 2pm - next week".
_NEXT_WEEK = re.compile(r"\s*[-–,]?\s*\b(?:nästa vecka|next week)\b")
_NOT_TODAY = re.compile(r"\s*[-–,]?\s*\b(?:not today|inte i ?dag)\b")
_A_WEEKDAY = re.compile(rf"\b(?:på\s+|on\s+)?(?P<day>{_DAYS})(?:en)?\b")
# "tisdag 9": a weekday and a bare number, the day of the month or the hour.
_WEEKDAY_AND_NUMBER = re.compile(
    rf"\b(?P<day>{_DAYS})(?:en)?\s+(?P<number>\d{{1,2}})\b"
    r"(?![:./]\d|\s*(?:%|" + _MONTH_WORDS + r"))"
)


def _day_of_month(day: int, today: date) -> date | None:
    """The next date with this day of the month, from tomorrow on."""
    for months_ahead in range(3):
        month = (today.month - 1 + months_ahead) % 12 + 1
        year = today.year + (today.month - 1 + months_ahead) // 12
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate > today:
            return candidate
    return None


# Swedish time words as typed without å/ä/ö, or with one slip ("manadag", "tisdga"): the words
# dateparser and the patterns here know.
_TIME_WORDS_SV = (*WEEKDAYS_SV, "nästa", "övermorgon")
_PLAIN_TIME_WORDS = {without_diacritics(w): w for w in _TIME_WORDS_SV}
_LONG_WORD = re.compile(r"\b[a-zåäö]{5,}\b")


def _time_words_spelt_out(text: str) -> str:
    """``text`` with "mandag", "nasta" and "manadag" written as "måndag" and "nästa"."""

    def spelt(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in _TIME_WORDS_SV:
            return word
        plain = without_diacritics(word)
        if plain in _PLAIN_TIME_WORDS:
            return _PLAIN_TIME_WORDS[plain]
        for plain_word, time_word in _PLAIN_TIME_WORDS.items():
            if plain.startswith(plain_word):
                # "måndagar", "mandagen": the word's own forms, read by the patterns.
                return time_word + word[len(plain_word) :]
        close = difflib.get_close_matches(plain, _PLAIN_TIME_WORDS, n=1, cutoff=0.85)
        return _PLAIN_TIME_WORDS[close[0]] if close and len(plain) >= 6 else word

    return _LONG_WORD.sub(spelt, text)


def _said_loosely(text: str, today: date, on: date | None) -> str:
    """Return text with the ways of saying a time dateparser does not know written out."""
    text = _time_words_spelt_out(text)
    text = _NOT_TODAY.sub("", text)
    # "samma tid" is the caller's to read: it knows the time meant.
    text = re.sub(r",?\s*\b(?:samma tid|same time)\b", "", text)
    text = _LOOSE_HOUR.sub(
        lambda m: f"kl {m.group(1)}" + (f".{m.group(2)}" if m.group(2) else ""), text
    )

    def day_alone(match: re.Match[str]) -> str:
        day = _day_of_month(int(match.group(1)), today) if 1 <= int(match.group(1)) <= 31 else None
        return day.isoformat() if day else match.group(0)

    text = _DAY_ALONE.sub(day_alone, text)

    def weekday_and_number(match: re.Match[str]) -> str:
        # The day of the month when that date is the weekday; else an hour of the working day
        # ("tisdag 9", when the 9th is a Wednesday).
        name, number = match.group("day"), int(match.group("number"))
        weekday = WEEKDAYS_SV.index(name) if name in WEEKDAYS_SV else _WEEKDAYS_EN.index(name)
        day = _day_of_month(number, today) if 1 <= number <= 31 else None
        if (day is None or day.weekday() != weekday) and 7 <= number <= 18:
            return f"{name} kl {number}"
        return match.group(0)

    text = _WEEKDAY_AND_NUMBER.sub(weekday_and_number, text)
    weekdays = _A_WEEKDAY.findall(text)
    if len(weekdays) == 1 and _NEXT_WEEK.search(text) and not _DAY_NEXT_WEEK.search(text):
        text = _NEXT_WEEK.sub("", text)
        text = _A_WEEKDAY.sub(lambda m: f"{m.group('day')} nästa vecka", text, count=1)
    if on is not None:
        text = _TO_AN_HOUR.sub(lambda m: f"kl {m.group(1)}", text)
        weeks_said = _WEEK.search(text) or re.search(r"\b(nästa|kommande|next|vecka|week)\b", text)
        if len(weekdays) == 1 and not _EXPLICIT_DATE.search(text) and not weeks_said:
            # "nej onsdag ska det vara" at a summary for Tuesday 15 December: that week's.
            day = weekdays[0]
            offset = WEEKDAYS_SV.index(day) if day in WEEKDAYS_SV else _WEEKDAYS_EN.index(day)
            moved = on - timedelta(days=on.weekday()) + timedelta(days=offset)
            if moved > today:
                text = _A_WEEKDAY.sub(moved.isoformat(), text, count=1)
    return text


def find_meeting_time(text: str, now: datetime, on: date | None = None) -> ParsedTime | None:
    """The meeting time written somewhere in ``text``, relative to ``now``; a clock time alone
    ("kan vi ta kl 14 istället?") is on the day ``on`` when one is given, and a weekday alone
    in that day's week."""
    today = now.astimezone(STOCKHOLM).date()
    lowered = _with_dotted_dates(" ".join(text.lower().split()), today)
    lowered = _said_loosely(lowered, today, on)
    # "om två veckor kl 10": that day, written out.
    lowered = WEEKS_AHEAD.sub(lambda w: str(parse_date(w.group(0), today) or w.group(0)), lowered)
    # "onsdag passar inte, ta torsdag kl 14": the time that does not suit is not the one meant.
    lowered = ", ".join(c for c in _CLAUSE_END.split(lowered) if not _UNSUITED.search(c))
    match = _TIME_START.search(lowered)
    if match is None and on is not None and (part := _PART_OF_DAY.search(lowered)):
        # "samma dag fast efter lunch": that day, at the part of the day, to be confirmed.
        said = parse_meeting_time(f"{on.isoformat()} {part.group(0)}", now)
        return ParsedTime(start=said.start, ambiguous=True) if said is not None else None
    if match is None:
        return None
    span = lowered[match.start() :].strip(" ?!.")
    span = _TRAILING_PLACE.sub("", span)
    span = _time_clauses(span)
    while (trimmed := _TRAILING_WORDS.sub("", span)) != span:
        span = trimmed
    if on is not None and not _DATE_WORDS.search(span):
        clock = parse_meeting_time(f"{on.isoformat()} {span}", now)
        if clock is not None and _CLOCK_TIME.search(_normalise(span)):
            return ParsedTime(start=clock.start, ambiguous=False)
    return parse_meeting_time(span, now)
