"""Meeting times for the risk-assessment dialogue: parsing, refusals and free slots."""

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest

from bot.risk_assessments.meeting_text import (
    find_meeting_time,
    meeting_place_after_time,
    parse_meeting_time,
)
from bot.risk_assessments.scheduling import (
    STOCKHOLM,
    Refusal,
    WorkingHours,
    check_meeting_time,
    free_slots,
)

# Tuesday 24 November 2026, 10:00 in Stockholm.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
HOURS = WorkingHours()
HOUR = timedelta(hours=1)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Return an aware Stockholm datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def test_now_is_a_tuesday() -> None:
    assert NOW.weekday() == 1


@pytest.mark.parametrize(
    ("text", "expected", "ambiguous"),
    [
        ("nästa tisdag kl 10", local(2026, 12, 1, 10), False),
        ("Nästa tisdag klockan 10", local(2026, 12, 1, 10), False),
        ("den 3 december 13:00", local(2026, 12, 3, 13), False),
        ("den tredje december kl. 13.30", local(2026, 12, 3, 13, 30), False),
        ("den 3:e december klockan 10", local(2026, 12, 3, 10), False),
        ("imorgon eftermiddag", local(2026, 11, 25, 13), False),
        ("i morgon eftermiddag", local(2026, 11, 25, 13), False),
        ("imorgon på förmiddagen", local(2026, 11, 25, 9), False),
        ("kl 3 på eftermiddagen i morgon", local(2026, 11, 25, 15), False),
        ("i övermorgon kl 11", local(2026, 11, 26, 11), False),
        ("fredag 13.30", local(2026, 11, 27, 13, 30), False),
        ("2026-12-03 09:30", local(2026, 12, 3, 9, 30), False),
        ("tomorrow at 14", local(2026, 11, 25, 14), False),
        ("tomorrow afternoon", local(2026, 11, 25, 13), False),
        ("the third of December at 10", local(2026, 12, 3, 10), False),
        # A bare weekday naming today: dateparser picks next week, the dialogue confirms.
        ("på tisdag", local(2026, 12, 1, 9), True),
        ("på tisdag kl 14", local(2026, 12, 1, 14), True),
        ("on tuesday at 14", local(2026, 12, 1, 14), True),
        # A date without a time of day defaults to 09:00 and must be confirmed.
        ("3 december", local(2026, 12, 3, 9), True),
        ("imorgon", local(2026, 11, 25, 9), True),
        ("tomorrow", local(2026, 11, 25, 9), True),
        # "nästa fredag" said on a Tuesday: this week's or next week's Friday?
        ("nästa fredag kl 10", local(2026, 11, 27, 10), True),
        # "<weekday> nästa vecka" is that day of the week after this one: never this week.
        ("fredag nästa vecka kl 10", local(2026, 12, 4, 10), False),
        ("onsdagen i nästa vecka klockan 13", local(2026, 12, 2, 13), False),
        ("nästa veckas måndag kl 9", local(2026, 11, 30, 9), False),
        ("wednesday next week at 10", local(2026, 12, 2, 10), False),
    ],
)
def test_parse_meeting_time(text: str, expected: datetime, ambiguous: bool) -> None:
    parsed = parse_meeting_time(text, NOW)
    assert parsed is not None
    assert parsed.start == expected
    assert parsed.start.tzinfo == STOCKHOLM
    assert parsed.ambiguous is ambiguous


@pytest.mark.parametrize(
    "text", ["", "   ", "hej hopp", "nonsense blah", "vad är en riskbedömning"]
)
def test_parse_meeting_time_nonsense(text: str) -> None:
    assert parse_meeting_time(text, NOW) is None


def test_parse_meeting_time_uses_stockholm_date_of_an_utc_now() -> None:
    # 23:30 UTC on Monday is already Tuesday 00:30 in Stockholm.
    now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    parsed = parse_meeting_time("imorgon kl 10", now)
    assert parsed is not None
    assert parsed.start == local(2026, 11, 25, 10)


def test_parse_meeting_time_requires_aware_now() -> None:
    with pytest.raises(ValueError):
        parse_meeting_time("imorgon kl 10", datetime(2026, 11, 24, 10))


@pytest.mark.parametrize(
    ("text", "now", "expected", "offset_hours"),
    [
        # DST starts at 02:00 on Sunday 28 March 2027.
        ("söndag 28 mars kl 10", local(2027, 3, 26, 12), local(2027, 3, 28, 10), 2),
        ("lördag 27 mars kl 10", local(2027, 3, 26, 12), local(2027, 3, 27, 10), 1),
        # DST ends at 03:00 on Sunday 25 October 2026.
        ("2026-10-24 10:00", local(2026, 10, 1, 12), local(2026, 10, 24, 10), 2),
        ("2026-10-26 10:00", local(2026, 10, 1, 12), local(2026, 10, 26, 10), 1),
    ],
)
def test_parse_meeting_time_across_dst(
    text: str, now: datetime, expected: datetime, offset_hours: int
) -> None:
    parsed = parse_meeting_time(text, now)
    assert parsed is not None
    assert parsed.start == expected
    assert (parsed.start.hour, parsed.start.minute) == (expected.hour, expected.minute)
    assert parsed.start.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    ("start", "duration", "reason", "suggestion"),
    [
        (local(2026, 11, 24, 9), HOUR, "Tiden har redan varit.", local(2026, 11, 25, 9)),
        (
            local(2026, 11, 25, 7, 30),
            HOUR,
            "Mötet (60 min) måste rymmas inom arbetstiden 08:00–17:00.",
            local(2026, 11, 25, 8),
        ),
        (
            local(2026, 11, 25, 16, 30),
            timedelta(minutes=45),
            "Mötet (45 min) måste rymmas inom arbetstiden 08:00–17:00.",
            local(2026, 11, 26, 8),
        ),
        (
            local(2026, 11, 28, 10),
            HOUR,
            "Lördag den 28 november 2026 är ingen arbetsdag.",
            local(2026, 11, 30, 10),
        ),
        # The package lists every Sunday as a holiday unless told not to.
        (
            local(2026, 11, 29, 10),
            HOUR,
            "Söndag den 29 november 2026 är ingen arbetsdag.",
            local(2026, 11, 30, 10),
        ),
        (
            local(2026, 12, 25, 10),
            HOUR,
            "Den 25 december 2026 är juldagen, en helgdag.",
            local(2026, 12, 28, 10),
        ),
        (
            local(2026, 12, 24, 10),
            HOUR,
            "Den 24 december 2026 är julafton, en dag som jämställs med helgdag.",
            local(2026, 12, 28, 10),
        ),
        (
            local(2027, 6, 25, 10),
            HOUR,
            "Den 25 juni 2027 är midsommarafton, en dag som jämställs med helgdag.",
            local(2027, 6, 28, 10),
        ),
    ],
)
def test_check_meeting_time_refuses(
    start: datetime, duration: timedelta, reason: str, suggestion: datetime
) -> None:
    assert check_meeting_time(start, duration, NOW, HOURS) == Refusal(reason, suggestion)


def test_midsommarafton_is_listed_by_the_holidays_package() -> None:
    # Not a public holiday by law; the package lists it in the de facto category.
    calendar = holidays.Sweden(years=2027, language="sv", categories=(holidays.DE_FACTO,))
    assert calendar.get(date(2027, 6, 25)) == "Midsommarafton"


@pytest.mark.parametrize(
    ("start", "duration"),
    [
        (local(2026, 11, 24, 10), HOUR),  # exactly now
        (local(2026, 11, 25, 8), HOUR),
        (local(2026, 11, 25, 16, 15), timedelta(minutes=45)),
        (datetime(2026, 11, 25, 9, tzinfo=UTC), HOUR),  # 10:00 in Stockholm
    ],
)
def test_check_meeting_time_allows(start: datetime, duration: timedelta) -> None:
    assert check_meeting_time(start, duration, NOW, HOURS) is None


def test_check_meeting_time_custom_hours() -> None:
    hours = WorkingHours(start=time(9), end=time(15), weekdays=frozenset({0, 1, 2, 3}))
    refusal = check_meeting_time(local(2026, 11, 27, 10), HOUR, NOW, hours)
    assert refusal == Refusal(
        "Fredag den 27 november 2026 är ingen arbetsdag.", local(2026, 11, 30, 10)
    )


def test_check_meeting_time_without_possible_suggestion() -> None:
    refusal = check_meeting_time(local(2026, 11, 25, 8), timedelta(hours=10), NOW, HOURS)
    assert refusal is not None
    assert refusal.suggestion is None


def test_check_meeting_time_requires_aware_start() -> None:
    with pytest.raises(ValueError):
        check_meeting_time(datetime(2026, 11, 25, 10), HOUR, NOW, HOURS)


@pytest.mark.parametrize(
    ("busy", "after", "count", "expected"),
    [
        # Busy 08:00-09:00 on Wednesday: the first slot starts when it ends.
        (
            [(local(2026, 11, 25, 8), local(2026, 11, 25, 9))],
            local(2026, 11, 25, 7, 50),
            3,
            [local(2026, 11, 25, 9), local(2026, 11, 25, 9, 30), local(2026, 11, 25, 10)],
        ),
        # Busy 10:00-11:00 given in UTC; "after" is rounded up to the half hour.
        (
            [(datetime(2026, 11, 25, 9, tzinfo=UTC), datetime(2026, 11, 25, 10, tzinfo=UTC))],
            local(2026, 11, 25, 9, 10),
            2,
            [local(2026, 11, 25, 11), local(2026, 11, 25, 11, 30)],
        ),
        # Friday afternoon: the rest of Friday is too short, then the weekend.
        (
            [],
            local(2026, 11, 27, 16, 10),
            2,
            [local(2026, 11, 30, 8), local(2026, 11, 30, 8, 30)],
        ),
        # Julafton, juldagen, annandag jul and the weekend.
        ([], local(2026, 12, 24, 8), 1, [local(2026, 12, 28, 8)]),
        # Långfredagen to annandag påsk, across the change to summer time.
        ([], local(2027, 3, 26, 10), 1, [local(2027, 3, 30, 8)]),
    ],
)
def test_free_slots(
    busy: list[tuple[datetime, datetime]],
    after: datetime,
    count: int,
    expected: list[datetime],
) -> None:
    assert free_slots(busy, after, HOUR, HOURS, count=count) == expected


def test_free_slots_across_dst_keep_local_clock_times() -> None:
    slots = free_slots([], local(2027, 3, 26, 10), HOUR, HOURS, count=1)
    assert slots[0].utcoffset() == timedelta(hours=2)
    assert slots[0].time() == time(8)


def test_free_slots_gives_up_when_nothing_fits() -> None:
    assert free_slots([], NOW, timedelta(hours=10), HOURS) == []


@pytest.mark.parametrize(
    ("text", "expected", "ambiguous"),
    [
        ("onsdag v. 3 kl 14", local(2027, 1, 20, 14), False),
        ("vecka 3 onsdag 13.30", local(2027, 1, 20, 13, 30), False),
        ("week 3 on wednesday at 2 pm", local(2027, 1, 20, 14), False),
        # Which day of the week is not said: its Monday, to be confirmed.
        ("vecka 3 kl 10", local(2027, 1, 18, 10), True),
        ("v. 49", local(2026, 11, 30, 9), True),
    ],
)
def test_a_numbered_week_in_a_meeting_time(text: str, expected: datetime, ambiguous: bool) -> None:
    """ "onsdag v. 3 kl 14" was not a time (batch 2026-12-04b)."""
    parsed = find_meeting_time(f"kan vi ses {text}", NOW)
    assert parsed is not None
    assert (parsed.start, parsed.ambiguous) == (expected, ambiguous)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nu har jag kollat, fredag 4 december kl 10 funkar", local(2026, 12, 4, 10)),
        ("tisdag kl 13 passar bra", local(2026, 12, 1, 13)),
        ("Friday at 10 works for me", local(2026, 11, 27, 10)),
        # Batch 2026-12-04c, at the summary: the time was asked for again.
        ("nej det blev fel dag, torsdag 10 december kl 13 ska det vara", local(2026, 12, 10, 13)),
        ("onsdag 16 december kl 10:30, vi ses i rum Hjälmaren", local(2026, 12, 16, 10, 30)),
        # Batch 2026-12-06b: "Jag förstod inte tiden".
        ("nej sorry, mån 14 dec kl 9 menar jag", local(2026, 12, 14, 9)),
        # Batch 2026-12-06c: a clock typed without its dot, "då" without å, weeks counted ahead.
        ("a de e ju helg. fredag 11 dec kl 1330 da", local(2026, 12, 11, 13, 30)),
        ("ok. flytta det till om två veckor kl 10", NOW.replace(hour=10) + timedelta(weeks=2)),
    ],
)
def test_words_after_the_time_that_only_agree(text: str, expected: datetime) -> None:
    """ "fredag 18 december kl 10 funkar" was not a time."""
    parsed = find_meeting_time(text, NOW)
    assert parsed is not None and parsed.start == expected


@pytest.mark.parametrize(
    ("text", "day", "hour"),
    [
        # Flows 2026-12-06t: the 9th is a Wednesday, so 9 is the hour ("Menar du onsdag 9
        # december?" before).
        ("ok tisdag 9 da, pa teams", 8, 9),
        ("tisdag 13", 8, 13),
        ("ok Tuesday at 9 then", 8, 9),
        # The 15th is a Tuesday: the date, at the default hour, to be confirmed.
        ("tisdag 15", 15, 9),
    ],
)
def test_a_weekday_and_a_bare_number_is_the_date_only_when_it_falls_on_it(
    text: str, day: int, hour: int
) -> None:
    parsed = find_meeting_time(text, local(2026, 12, 3, 9))
    assert parsed is not None
    assert (parsed.start.day, parsed.start.hour) == (day, hour)
    assert parsed.ambiguous == (text == "tisdag 15")


def test_a_better_clock_time_keeps_the_day_chosen() -> None:
    parsed = find_meeting_time("nej vänta, kl 14 blir bättre", NOW, on=date(2026, 12, 17))
    assert parsed is not None and parsed.start == local(2026, 12, 17, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("onsdag 16.12 kl 10.30", local(2026, 12, 16, 10, 30)),
        ("16.12 kl 10.30", local(2026, 12, 16, 10, 30)),
        ("16/12 10.30", local(2026, 12, 16, 10, 30)),
        ("den 16 dec 10:30", local(2026, 12, 16, 10, 30)),
        ("ons 16/12 kl. 10", local(2026, 12, 16, 10)),
        ("den 16.12 kl. 10.30", local(2026, 12, 16, 10, 30)),
        ("16.12 på eftermiddagen", local(2026, 12, 16, 13)),
        ("kan vi ta onsdag 16.12 kl 10.30, i rum Hjälmaren?", local(2026, 12, 16, 10, 30)),
        # Alone, a dotted pair is the time; after a weekday it does not fit, too.
        ("10.30", local(2026, 11, 24, 10, 30)),
        ("16.12", local(2026, 11, 24, 16, 12)),
        ("fredag 10.10", local(2026, 11, 27, 10, 10)),
    ],
)
def test_a_dotted_date_with_a_time_is_the_date(text: str, expected: datetime) -> None:
    """ "onsdag 16.12 kl 10.30" was no time: 16.12 became 16:12 (helper-29's brief)."""
    parsed = find_meeting_time(text, NOW)
    assert parsed is not None and parsed.start == expected
    assert parsed.written_weekday is None


@pytest.mark.parametrize(
    "text",
    ["tisdag 16.12 kl 10.30", "tis 16/12 kl 10", "tisdag den 16 december kl 10", "tisdag 16.12"],
)
def test_a_weekday_that_does_not_fit_the_date_is_kept_for_the_question(text: str) -> None:
    """16 December 2026 is a Wednesday: which day is meant is asked, never guessed."""
    parsed = find_meeting_time(text, NOW)
    assert parsed is not None and parsed.start.date() == date(2026, 12, 16)
    assert parsed.written_weekday == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The spoken clock; one to six is the afternoon.
        ("torsdag 10 december halv tre", local(2026, 12, 10, 14, 30)),
        ("kvart över nio på fredag", local(2026, 11, 27, 9, 15)),
        ("fredag kvart i tio", local(2026, 11, 27, 9, 45)),
        ("fredag halv 10", local(2026, 11, 27, 9, 30)),
        # Batch 2026-12-05d, at the summary: the day that does not suit is not the one meant.
        ("nej, onsdag passar inte, ta torsdag 10 december halv tre istället",
         local(2026, 12, 10, 14, 30)),
        ("Wednesday doesn't work, Friday at 10 instead", local(2026, 11, 27, 10)),
    ],
)  # fmt: skip
def test_the_spoken_clock_and_a_day_that_does_not_suit(text: str, expected: datetime) -> None:
    parsed = find_meeting_time(text, NOW)
    assert parsed is not None and parsed.start == expected


def test_only_a_time_that_does_not_suit_is_no_time() -> None:
    assert find_meeting_time("onsdag passar inte", NOW) is None


@pytest.mark.parametrize(
    ("text", "on", "expected"),
    [
        # Flow batch 2026-12-06e: ways of saying a time the parser did not know. NOW is
        # Tuesday 24 November 2026.
        ("på torsdag efter lunch, typ 13", None, local(2026, 11, 26, 13)),
        ("den 15:e kl 9", None, local(2026, 12, 15, 9)),
        ("Thursday at 2pm - next week, not today", None, local(2026, 12, 3, 14)),
        # Changing a booked time: an hour alone, a weekday alone, on that meeting's day or week.
        ("ändra tiden till 13 istället", date(2026, 12, 11), local(2026, 12, 11, 13)),
        ("nej onsdag ska det vara", date(2026, 12, 15), local(2026, 12, 16, 9)),
    ],
)
def test_loosely_said_times(text: str, on: date | None, expected: datetime) -> None:
    parsed = find_meeting_time(text, NOW, on)
    assert parsed is not None and parsed.start == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Without å/ä/ö, or one slip: "manadag" was today at 10 (batch 2026-12-06f).
        ("manadag kl 10", local(2026, 11, 30, 10)),
        ("mandagen kl 10", local(2026, 11, 30, 10)),
        ("nasta mandag kl 10", local(2026, 11, 30, 10)),
        # "menade jag" after the time, "say 1.30" after the part of the day.
        ("nej sorry, onsdag kl 10 menade jag", local(2026, 11, 25, 10)),
        ("Wednesday after lunch, say 1.30", local(2026, 11, 25, 13, 30)),
        # Every Monday is no time: "he's off on Mondays" kept "Thursday 9am" from being read.
        ("Thursday 9am, he's off on Mondays anyway", local(2026, 11, 26, 9)),
        ("fredag kl 10, hon jobbar hemma måndagar", local(2026, 11, 27, 10)),
    ],
)
def test_a_time_typed_loosely_is_the_time_meant(text: str, expected: datetime) -> None:
    parsed = find_meeting_time(text, NOW)
    assert parsed is not None and parsed.start == expected


def test_a_word_close_to_a_weekday_is_not_made_one() -> None:
    """ "mandat" is no Monday: only one slip in a word of six letters or more."""
    parsed = find_meeting_time("mandat kl 10", NOW)
    assert parsed is None or parsed.start.date() == NOW.date()


def test_a_time_said_without_a_ring_or_dots_is_read() -> None:
    """Typed without å, ä and ö (flow batch 2026-12-06s)."""
    parsed = find_meeting_time("fredag 11/12 istallet, samma tid", local(2026, 12, 3, 9))
    assert parsed is not None and parsed.start.date() == date(2026, 12, 11)
    opening = "vill boka riskbedomningen med maria tisdag 15/12 kl 13, pa teams"
    assert meeting_place_after_time(opening) == "Teams"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Flow v-12: "2:30" at the summary of a Wednesday 14:00 meeting was no time.
        ("actually can we make it 2:30? I have a call until 2", local(2026, 12, 9, 14, 30)),
        ("kl 2 då", local(2026, 12, 9, 14)),
        ("at 3", local(2026, 12, 9, 15)),
        # The morning named, or am/pm, says which.
        ("kl 6 på morgonen", local(2026, 12, 9, 6)),
        ("at 2 am", local(2026, 12, 9, 2)),
        ("kl 8", local(2026, 12, 9, 8)),
    ],
)
def test_an_hour_from_one_to_six_in_figures_is_the_afternoon(text: str, expected: datetime) -> None:
    parsed = find_meeting_time(text, local(2026, 12, 3, 9), on=date(2026, 12, 9))
    assert parsed is not None and parsed.start == expected


def test_a_question_before_an_english_date_and_a_month_before_its_day() -> None:
    """Flow v-12: the opening's "Wednesday Dec 9th at 2pm would suit me" was asked again."""
    opening = "hi, can I book my risk assessment meeting? Wednesday Dec 9th at 2pm would suit me"
    for on in (None, date(2026, 12, 15)):
        parsed = find_meeting_time(opening, local(2026, 12, 3, 9), on=on)
        assert parsed is not None and parsed.start == local(2026, 12, 9, 14)


def test_the_room_not_whose_it_is() -> None:
    """Flow v-09: "i mitt rum B412" in the opening message was asked for again."""
    opening = "boka riskbedomning m anna fre 18/12 halv elva, i mitt rum B412"
    assert meeting_place_after_time(opening) == "rum B412"
