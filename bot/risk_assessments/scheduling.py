"""Meeting times for the risk-assessment dialogue between manager, employee and safety rep.

Parses what people type ("nästa tisdag kl 10", "imorgon eftermiddag", "tomorrow at 14"),
refuses times nobody can attend (past, outside working hours, weekends, Swedish holidays)
with a Swedish reason and a suggestion, and lists free slots around busy intervals.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

import dateparser
import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# How far ahead a suggestion or a free slot is searched before giving up, so a meeting that
# can never fit (longer than the working day, no working weekdays) does not loop forever.
_SEARCH_DAYS = 400

_DEFAULT_HOUR = time(9)
_PART_OF_DAY_HOURS = {
    "förmiddag": 9,
    "morgonen": 9,
    "morning": 9,
    "eftermiddag": 13,
    "afternoon": 13,
}

_MONTHS_SV = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()
_WEEKDAYS_SV = "måndag tisdag onsdag torsdag fredag lördag söndag".split()
_WEEKDAYS_EN = "monday tuesday wednesday thursday friday saturday sunday".split()

_MONTH_WORDS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
    "|january|february|march|may|june|july|august|october"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec"
)
_WEEKDAY_PATTERN = re.compile(
    r"\b(?P<next>(?:nästa|kommande|next)\s+)?(?P<day>"
    + "|".join(_WEEKDAYS_SV + _WEEKDAYS_EN)
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
_CLOCK_WORD = re.compile(r"\b(?:kl\.?|klockan|at)\s*(\d{1,2})(?:[.:](\d{2}))?(?!\d)")
# Not part of a dotted date such as 3.12.2026, which dateparser reads on its own.
_DOTTED_TIME = re.compile(r"(?<![\d.])([01]?\d|2[0-3])\.([0-5]\d)(?![\d.])")
_CLOCK_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)|\b\d{1,2}\s*(?:am|pm)\b")
_PART_OF_DAY = re.compile(
    r"\b(?:på\s+|i\s+|in\s+the\s+|this\s+)?"
    r"(förmiddag|eftermiddag|morgonen|morning|afternoon)(?:en)?\b"
)
_DAY_AFTER_TOMORROW = re.compile(r"\b(?:i\s*)?övermorgon\b|\bthe\s+day\s+after\s+tomorrow\b")
_EXPLICIT_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}\s*[/.]\s*\d{1,2}\b|\b\d{1,2}\s+(?:" + _MONTH_WORDS + r")\b"
)


@dataclass(frozen=True)
class WorkingHours:
    """When the meeting may take place: local clock times and ISO weekdays (Monday = 0)."""

    start: time = time(8)
    end: time = time(17)
    weekdays: frozenset[int] = frozenset(range(5))


@dataclass(frozen=True)
class ParsedTime:
    """A parsed start in Europe/Stockholm; ambiguous means the dialogue should confirm it."""

    start: datetime
    ambiguous: bool


@dataclass(frozen=True)
class Refusal:
    """Why a start time was refused (Swedish), and the next allowed start if one was found."""

    reason: str
    suggestion: datetime | None


def _require_aware(value: datetime, name: str) -> None:
    """Return nothing; raise ValueError if value has no time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _localize(naive: datetime) -> datetime:
    """Return naive Stockholm wall-clock time as an aware datetime, valid across DST.

    The round trip through UTC moves a time in the spring-forward gap (02:30 on the last
    Sunday of March) to the clock time that actually exists.
    """
    return naive.replace(tzinfo=STOCKHOLM).astimezone(UTC).astimezone(STOCKHOLM)


def _at(day: date, clock: time) -> datetime:
    """Return the aware Stockholm datetime for a local date and clock time."""
    return _localize(datetime.combine(day, clock))


def _normalise(text: str) -> str:
    """Return text rewritten into forms dateparser understands (Swedish and English)."""
    text = " ".join(text.lower().split())
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
        weekday = _WEEKDAYS_SV.index(day) if day in _WEEKDAYS_SV else _WEEKDAYS_EN.index(day)
        if match.group("next") is None and weekday == today.weekday():
            return True
    return False


def _next_weekday_in_this_week(text: str, result: date, today: date) -> bool:
    """Return True if "nästa tisdag" resolved to this week, which people read both ways."""
    said_next = any(m.group("next") for m in _WEEKDAY_PATTERN.finditer(text))
    return said_next and result.isocalendar()[:2] == today.isocalendar()[:2]


def parse_meeting_time(text: str, now: datetime) -> ParsedTime | None:
    """Return the start meant by text, relative to the aware `now`, or None if none is found.

    Without a clock time the start is 09:00 and ambiguous; a bare weekday naming today,
    or "nästa <weekday>" landing in the current week, is ambiguous too.
    """
    _require_aware(now, "now")
    local_now = now.astimezone(STOCKHOLM)
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
    start = parsed.astimezone(STOCKHOLM) if parsed.tzinfo is not None else _localize(parsed)
    ambiguous = False
    if _CLOCK_TIME.search(normalised) is None:
        # dateparser fills in the time of RELATIVE_BASE ("i morgon" at 14:37) or midnight.
        start = _at(start.date(), _DEFAULT_HOUR)
        ambiguous = True
    ambiguous = (
        ambiguous
        or _named_weekday_is_today(lowered, local_now.date())
        or _next_weekday_in_this_week(lowered, start.date(), local_now.date())
    )
    return ParsedTime(start=start, ambiguous=ambiguous)


@lru_cache(maxsize=32)
def _days_off(year: int) -> dict[date, tuple[str, bool]]:
    """Return Swedish days off in year: name (Swedish) and whether it is a public holiday.

    include_sundays=False because the package otherwise lists every Sunday as "Söndag".
    The de facto category adds midsommarafton, julafton and nyårsafton, which the regions'
    collective agreement treats as holidays.
    """
    days: dict[date, tuple[str, bool]] = {}
    for category, public in ((holidays.DE_FACTO, False), (holidays.PUBLIC, True)):
        calendar = holidays.Sweden(
            years=year, language="sv", include_sundays=False, categories=(category,)
        )
        for day, name in calendar.items():
            days[day] = (name, public)
    return days


def _swedish_date(day: date) -> str:
    """Return a date as Swedish prose, e.g. "25 december 2026"."""
    return f"{day.day} {_MONTHS_SV[day.month - 1]} {day.year}"


def swedish_day(moment: datetime) -> str:
    """A day as Swedish prose in Stockholm time: "fredag 18 december 2026"."""
    local = moment.astimezone(STOCKHOLM)
    return f"{_WEEKDAYS_SV[local.weekday()]} {_swedish_date(local.date())}"


def swedish_time(moment: datetime) -> str:
    """A start as Swedish prose in Stockholm time: "tisdag 1 december 2026 kl. 10.00"."""
    local = moment.astimezone(STOCKHOLM)
    return f"{_WEEKDAYS_SV[local.weekday()]} {_swedish_date(local.date())} kl. {local:%H.%M}"


def _day_refusal(day: date, hours: WorkingHours) -> str | None:
    """Return why nobody works on day (holiday or non-working weekday), or None."""
    day_off = _days_off(day.year).get(day)
    if day_off is not None:
        name, public = day_off
        kind = "en helgdag" if public else "en dag som jämställs med helgdag"
        return f"Den {_swedish_date(day)} är {name[0].lower()}{name[1:]}, {kind}."
    if day.weekday() not in hours.weekdays:
        weekday = _WEEKDAYS_SV[day.weekday()].capitalize()
        return f"{weekday} den {_swedish_date(day)} är ingen arbetsdag."
    return None


def _fits_hours(start: datetime, duration: timedelta, hours: WorkingHours) -> bool:
    """Return True if the whole meeting lies within the working hours of its start day."""
    end = start + duration
    return start.time() >= hours.start and end.date() == start.date() and end.time() <= hours.end


def _refusal_reason(
    start: datetime, duration: timedelta, now: datetime, hours: WorkingHours
) -> str | None:
    """Return the Swedish reason start is not allowed, or None if it is."""
    if start < now:
        return "Tiden har redan varit."
    day_reason = _day_refusal(start.date(), hours)
    if day_reason is not None:
        return day_reason
    if not _fits_hours(start, duration, hours):
        minutes = int(duration.total_seconds() // 60)
        return (
            f"Mötet ({minutes} min) måste rymmas inom arbetstiden "
            f"{hours.start:%H:%M}–{hours.end:%H:%M}."
        )
    return None


def _suggest(
    start: datetime, duration: timedelta, now: datetime, hours: WorkingHours
) -> datetime | None:
    """Return the next allowed start after start: same clock time on a later working day
    if that fits, else that day's start of working hours; None if nothing fits soon."""
    first_day = max(start.date(), now.astimezone(STOCKHOLM).date())
    for offset in range(_SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        for clock in (start.time(), hours.start):
            candidate = _at(day, clock)
            if candidate <= start or candidate < now:
                continue
            if _refusal_reason(candidate, duration, now, hours) is None:
                return candidate
    return None


def check_meeting_time(
    start: datetime, duration: timedelta, now: datetime, hours: WorkingHours
) -> Refusal | None:
    """Return a Refusal (Swedish reason, suggested start) if start is not allowed, else None."""
    _require_aware(start, "start")
    _require_aware(now, "now")
    if duration <= timedelta(0):
        raise ValueError(f"duration must be positive, got {duration}")
    start = start.astimezone(STOCKHOLM)
    reason = _refusal_reason(start, duration, now, hours)
    if reason is None:
        return None
    return Refusal(reason=reason, suggestion=_suggest(start, duration, now, hours))


def _round_up(moment: datetime, step: timedelta) -> datetime:
    """Return moment in Stockholm rounded up to a whole step of local clock time."""
    local = moment.astimezone(STOCKHOLM)
    midnight = datetime.combine(local.date(), time(0), tzinfo=STOCKHOLM)
    # Wall-clock difference, so steps stay on :00/:30 also on DST change days.
    elapsed = local.replace(tzinfo=None) - midnight.replace(tzinfo=None)
    steps = -(-elapsed // step)
    return _localize(midnight.replace(tzinfo=None) + steps * step)


def _free_starts(
    busy: Sequence[tuple[datetime, datetime]],
    after: datetime,
    until: datetime,
    duration: timedelta,
    hours: WorkingHours,
    step: timedelta,
) -> Iterator[datetime]:
    """Every allowed start from ``after`` (rounded up to a whole step) whose meeting ends by
    ``until`` and overlaps no busy interval, in order."""
    candidate = _round_up(after, step)
    while candidate + duration <= until:
        if _refusal_reason(candidate, duration, after, hours) is None:
            end = candidate + duration
            if not any(candidate < b_end and b_start < end for b_start, b_end in busy):
                yield candidate
            candidate = _localize(candidate.replace(tzinfo=None) + step)
        elif candidate.time() < hours.start and _day_refusal(candidate.date(), hours) is None:
            candidate = _at(candidate.date(), hours.start)
        else:
            candidate = _at(candidate.date() + timedelta(days=1), hours.start)


def free_slots(
    busy: Sequence[tuple[datetime, datetime]],
    after: datetime,
    duration: timedelta,
    hours: WorkingHours,
    count: int = 3,
    step: timedelta = timedelta(minutes=30),
) -> list[datetime]:
    """Return up to count allowed starts at or after `after` that overlap no busy interval."""
    _require_aware(after, "after")
    if step <= timedelta(0):
        raise ValueError(f"step must be positive, got {step}")
    first = _round_up(after, step)
    until = _at(first.date() + timedelta(days=_SEARCH_DAYS + 1), time(0))
    return list(islice(_free_starts(busy, after, until, duration, hours, step), count))


# Offers before noon are "förmiddag", from 13 "eftermiddag"; a start over lunch is offered only
# when nothing else is free that day.
_NOON = time(12)
_AFTER_LUNCH = time(13)


def spread_slots(
    busy: Sequence[tuple[datetime, datetime]],
    after: datetime,
    until: datetime,
    duration: timedelta,
    hours: WorkingHours,
    count: int = 3,
    step: timedelta = timedelta(minutes=30),
) -> list[datetime]:
    """Up to ``count`` free starts between ``after`` and ``until``, each on a day of its own and
    alternately in the morning and the afternoon where the day allows (the first free start of
    that part of the day), so the offers are real alternatives rather than three starts on one
    morning."""
    _require_aware(after, "after")
    _require_aware(until, "until")
    if step <= timedelta(0):
        raise ValueError(f"step must be positive, got {step}")
    by_day: dict[date, list[datetime]] = {}
    for start in _free_starts(busy, after, until, duration, hours, step):
        by_day.setdefault(start.date(), []).append(start)
    offers: list[datetime] = []
    for index, starts in enumerate(by_day.values()):
        morning = [s for s in starts if s.time() < _NOON]
        afternoon = [s for s in starts if s.time() >= _AFTER_LUNCH]
        preferred = (afternoon or morning) if index % 2 else (morning or afternoon)
        preferred = preferred or starts
        offers.append(preferred[0])
        if len(offers) == count:
            break
    return offers


def is_working_day(day: date, hours: WorkingHours) -> bool:
    """True on a working weekday that is no Swedish holiday (or day treated as one)."""
    return _day_refusal(day, hours) is None


def working_day(day: date, count: int, hours: WorkingHours) -> date:
    """The ``count``-th working day after ``day``; with 0, ``day`` itself if it is a working
    day, else the next one."""
    current = day
    for _ in range(_SEARCH_DAYS):
        if count == 0 and is_working_day(current, hours):
            return current
        current += timedelta(days=1)
        if count > 0 and is_working_day(current, hours):
            count -= 1
            if count == 0:
                return current
    raise ValueError(f"no working day within {_SEARCH_DAYS} days of {day}")


def earliest_start(now: datetime, hours: WorkingHours, notice_working_days: int) -> datetime:
    """The first moment a meeting may start, ``notice_working_days`` working days from ``now``
    (1: the start of the next working day; 0: now), so everybody has time to prepare."""
    _require_aware(now, "now")
    if notice_working_days == 0:
        return now
    today = now.astimezone(STOCKHOLM).date()
    return _at(working_day(today, notice_working_days, hours), hours.start)


def search_end(first: datetime, working_days: int, hours: WorkingHours) -> datetime:
    """The end of the working day ``working_days`` working days into the search that begins at
    ``first`` (its own day counts when it is a working day)."""
    _require_aware(first, "first")
    day = working_day(first.astimezone(STOCKHOLM).date(), 0, hours)
    for _ in range(working_days - 1):
        day = working_day(day, 1, hours)
    return _at(day, hours.end)


# A participant's working hours from their calendar: ISO weekday (Monday = 0) -> the local clock
# windows they work that day. A weekday missing is a day they do not work.
WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]


def outside_hours(
    weekly: WeeklyHours, after: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """The times between ``after`` and ``until`` outside a participant's working hours, as busy
    intervals: a meeting then would be outside their working day."""
    _require_aware(after, "after")
    _require_aware(until, "until")
    intervals: list[tuple[datetime, datetime]] = []
    day = after.astimezone(STOCKHOLM).date()
    last = until.astimezone(STOCKHOLM).date()
    while day <= last:
        cursor = _at(day, time(0))
        for start, end in sorted(weekly.get(day.weekday(), ())):
            window_start, window_end = _at(day, start), _at(day, end)
            if window_start > cursor:
                intervals.append((cursor, window_start))
            cursor = max(cursor, window_end)
        next_midnight = _at(day + timedelta(days=1), time(0))
        if cursor < next_midnight:
            intervals.append((cursor, next_midnight))
        day += timedelta(days=1)
    return [(s, e) for s, e in intervals if e > after and s < until]


# Where a meeting time starts in a longer message ("kan vi flytta riskbedömningen till den 18
# december kl 14?"): a weekday, a date, "i morgon", or a clock time.
_TIME_START = re.compile(
    r"\b(?:nästa|kommande|next|på|on|den|the)?\s*(?:"
    + "|".join(_WEEKDAYS_SV + _WEEKDAYS_EN)
    + r")|\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}\s*(?:[/.]\s*\d{1,2}\b|(?::[ae])?\s+(?:"
    + _MONTH_WORDS
    + r")\b)|\b(?:den\s+)?(?:"
    + "|".join(sorted(map(re.escape, _ORDINALS), key=len, reverse=True))
    + r")\s+(?:"
    + _MONTH_WORDS
    + r")\b|\b(?:"
    + _MONTH_WORDS
    + r")\s+\d{1,2}\b"
    r"|\b(?:i\s*morgon|imorgon|övermorgon|tomorrow|i\s*går|igår|yesterday|i\s*dag|idag|today)\b"
    r"|\b(?:kl\.?|klockan|at)\s*\d{1,2}|(?<![\d-])\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*(?:am|pm)\b",
    re.IGNORECASE,
)
_TRAILING_WORDS = re.compile(
    r"[\s,.!?]*\b(istället|i stället|instead|då|tack|please|ok|eller|or|om det går)\b[\s,.!?]*$"
)
# Where, after the time: "tisdag kl 10 på Teams", "kl 13 i rum 3B", "at 10 in Teams".
_TRAILING_PLACE = re.compile(
    r"[\s,]*\b(?:på|i|via|över|in|on|at|over)\s+(?P<place>teams\b.*|zoom\b.*|rum\b.*|"
    r"konferensrum\w*.*|mötesrum\w*.*|kontoret\b.*|room\b.*|the office\b.*)$",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\b(?:" + "|".join(_WEEKDAYS_SV + _WEEKDAYS_EN) + r"|i\s*morgon|imorgon|övermorgon|tomorrow"
    r"|i\s*går|igår|yesterday|i\s*dag|idag|today"
    r"|" + _MONTH_WORDS + r")\b|\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}/\d{1,2}\b",
    re.IGNORECASE,
)


def meeting_place_after_time(text: str) -> str | None:
    """The place named after a time in the same message ("tisdag kl 10 på Teams" -> "Teams",
    "kl 13 i rum 3B" -> "rum 3B"), as written; None when there is none."""
    match = _TRAILING_PLACE.search(" ".join(text.split()).strip(" ?!."))
    if match is None or _TIME_START.search(text.lower()) is None:
        return None
    place = match.group("place")
    return "Teams" if place.lower().startswith("teams") else place


def find_meeting_time(text: str, now: datetime, on: date | None = None) -> ParsedTime | None:
    """The meeting time written somewhere in ``text``, relative to ``now``; a clock time alone
    ("kan vi ta kl 14 istället?") is on the day ``on`` when one is given."""
    lowered = " ".join(text.lower().split())
    match = _TIME_START.search(lowered)
    if match is None:
        return None
    span = lowered[match.start() :].strip(" ?!.")
    span = _TRAILING_PLACE.sub("", span)
    while (trimmed := _TRAILING_WORDS.sub("", span)) != span:
        span = trimmed
    if on is not None and not _DATE_WORDS.search(span):
        clock = parse_meeting_time(f"{on.isoformat()} {span}", now)
        if clock is not None and _CLOCK_TIME.search(_normalise(span)):
            return ParsedTime(start=clock.start, ambiguous=False)
    return parse_meeting_time(span, now)
