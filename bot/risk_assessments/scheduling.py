"""Meeting times for the risk-assessment dialogue between manager, employee and safety rep.

Refuses times nobody can attend (past, outside working hours, weekends, Swedish holidays)
with a Swedish reason and a suggestion, and lists free slots around busy intervals. What people
type as a time is read in ``meeting_text``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# How far ahead a suggestion or a free slot is searched before giving up, so a meeting that
# can never fit (longer than the working day, no working weekdays) does not loop forever.
_SEARCH_DAYS = 400

_MONTHS_SV = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()
WEEKDAYS_SV = "måndag tisdag onsdag torsdag fredag lördag söndag".split()


@dataclass(frozen=True)
class WorkingHours:
    """When the meeting may take place: local clock times and ISO weekdays (Monday = 0)."""

    start: time = time(8)
    end: time = time(17)
    weekdays: frozenset[int] = frozenset(range(5))


@dataclass(frozen=True)
class Refusal:
    """Why a start time was refused (Swedish), and the next allowed start if one was found."""

    reason: str
    suggestion: datetime | None


def require_aware(value: datetime, name: str) -> None:
    """Return nothing; raise ValueError if value has no time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def localize(naive: datetime) -> datetime:
    """Return naive Stockholm wall-clock time as an aware datetime, valid across DST.

    The round trip through UTC moves a time in the spring-forward gap (02:30 on the last
    Sunday of March) to the clock time that actually exists.
    """
    return naive.replace(tzinfo=STOCKHOLM).astimezone(UTC).astimezone(STOCKHOLM)


def at_local(day: date, clock: time) -> datetime:
    """Return the aware Stockholm datetime for a local date and clock time."""
    return localize(datetime.combine(day, clock))


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
    return f"{WEEKDAYS_SV[local.weekday()]} {_swedish_date(local.date())}"


def swedish_time(moment: datetime) -> str:
    """A start as Swedish prose in Stockholm time: "tisdag 1 december 2026 kl. 10.00"."""
    local = moment.astimezone(STOCKHOLM)
    return f"{WEEKDAYS_SV[local.weekday()]} {_swedish_date(local.date())} kl. {local:%H.%M}"


def _day_refusal(day: date, hours: WorkingHours) -> str | None:
    """Return why nobody works on day (holiday or non-working weekday), or None."""
    day_off = _days_off(day.year).get(day)
    if day_off is not None:
        name, public = day_off
        kind = "en helgdag" if public else "en dag som jämställs med helgdag"
        return f"Den {_swedish_date(day)} är {name[0].lower()}{name[1:]}, {kind}."
    if day.weekday() not in hours.weekdays:
        weekday = WEEKDAYS_SV[day.weekday()].capitalize()
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
            candidate = at_local(day, clock)
            if candidate <= start or candidate < now:
                continue
            if _refusal_reason(candidate, duration, now, hours) is None:
                return candidate
    return None


def check_meeting_time(
    start: datetime, duration: timedelta, now: datetime, hours: WorkingHours
) -> Refusal | None:
    """Return a Refusal (Swedish reason, suggested start) if start is not allowed, else None."""
    require_aware(start, "start")
    require_aware(now, "now")
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
    return localize(midnight.replace(tzinfo=None) + steps * step)


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
            candidate = localize(candidate.replace(tzinfo=None) + step)
        elif candidate.time() < hours.start and _day_refusal(candidate.date(), hours) is None:
            candidate = at_local(candidate.date(), hours.start)
        else:
            candidate = at_local(candidate.date() + timedelta(days=1), hours.start)


def free_slots(
    busy: Sequence[tuple[datetime, datetime]],
    after: datetime,
    duration: timedelta,
    hours: WorkingHours,
    count: int = 3,
    step: timedelta = timedelta(minutes=30),
) -> list[datetime]:
    """Return up to count allowed starts at or after `after` that overlap no busy interval."""
    require_aware(after, "after")
    if step <= timedelta(0):
        raise ValueError(f"step must be positive, got {step}")
    first = _round_up(after, step)
    until = at_local(first.date() + timedelta(days=_SEARCH_DAYS + 1), time(0))
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
    require_aware(after, "after")
    require_aware(until, "until")
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
    require_aware(now, "now")
    if notice_working_days == 0:
        return now
    today = now.astimezone(STOCKHOLM).date()
    return at_local(working_day(today, notice_working_days, hours), hours.start)


def search_end(first: datetime, working_days: int, hours: WorkingHours) -> datetime:
    """The end of the working day ``working_days`` working days into the search that begins at
    ``first`` (its own day counts when it is a working day)."""
    require_aware(first, "first")
    day = working_day(first.astimezone(STOCKHOLM).date(), 0, hours)
    for _ in range(working_days - 1):
        day = working_day(day, 1, hours)
    return at_local(day, hours.end)


# A participant's working hours from their calendar: ISO weekday (Monday = 0) -> the local clock
# windows they work that day. A weekday missing is a day they do not work.
WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]


def outside_hours(
    weekly: WeeklyHours, after: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """The times between ``after`` and ``until`` outside a participant's working hours, as busy
    intervals: a meeting then would be outside their working day."""
    require_aware(after, "after")
    require_aware(until, "until")
    intervals: list[tuple[datetime, datetime]] = []
    day = after.astimezone(STOCKHOLM).date()
    last = until.astimezone(STOCKHOLM).date()
    while day <= last:
        cursor = at_local(day, time(0))
        for start, end in sorted(weekly.get(day.weekday(), ())):
            window_start, window_end = at_local(day, start), at_local(day, end)
            if window_start > cursor:
                intervals.append((cursor, window_start))
            cursor = max(cursor, window_end)
        next_midnight = at_local(day + timedelta(days=1), time(0))
        if cursor < next_midnight:
            intervals.append((cursor, next_midnight))
        day += timedelta(days=1)
    return [(s, e) for s, e in intervals if e > after and s < until]
