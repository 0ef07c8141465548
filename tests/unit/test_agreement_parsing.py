"""Shares and dates as people type them, and the region's policy rules."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from bot.agreements.dates import (
    end_after,
    find_date,
    find_period,
    find_period_in,
    parse_date,
    week_days,
    weekday_conflict,
)
from bot.agreements.parsing import (
    equipment_items,
    find_share,
    names_only_the_kind,
    parse_share,
    place_kind,
    place_phrase,
    share_options,
)
from bot.agreements.policy import check_end, check_share, check_start, latest_end
from bot.regions import AgreementPolicy

TODAY = date(2026, 11, 22)  # a Sunday
VASTERNORRLAND = AgreementPolicy(
    source="Västernorrlands riktlinje", max_share_percent=49, max_duration_months=24
)
VASTMANLAND = AgreementPolicy(source="Västmanlands riktlinje")


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("40%", 40.0),
        ("40 procent", 40.0),
        ("50,5 %", 50.5),
        ("hälften", 50.0),
        ("ungefär hälften av tiden", 50.0),
        ("två dagar i veckan", 40.0),
        ("2 dagar/vecka", 40.0),
        ("one day a week", 20.0),
        ("30", 30.0),
        ("-10%", -10.0),
        ("120 procent", 120.0),
        # Misspelt units (batch 2026-12-04: "40 procnet" was asked again eight times).
        ("40 procnet", 40.0),
        ("40 precent", 40.0),
        ("40 prosent", 40.0),
        ("vet inte", None),
        ("", None),
        # Batch 2026-12-04c: one day in two weeks.
        ("varannan fredag", 10.0),
        ("every other Friday", 10.0),
        ("två dagar varannan vecka", 20.0),
        # Whole weeks or one day every other week? Asked, not guessed.
        ("varannan vecka", None),
        # Half days: "2.5 dagar" was five days.
        ("2,5 dagar i veckan", 50.0),
        ("2.5 dagar", 50.0),
    ],
)
def test_parse_share(text: str, share: float | None) -> None:
    assert parse_share(text) == share


def test_days_are_converted_against_the_working_week() -> None:
    assert parse_share("två dagar i veckan", working_days_per_week=4) == 50.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 januari", date(2027, 1, 1)),
        ("den 3 december", date(2026, 12, 3)),
        ("första februari", date(2027, 2, 1)),
        # Batch 2026-12-04c: the older masculine ordinal was no date.
        ("den förste mars", date(2027, 3, 1)),
        ("1/3", date(2027, 3, 1)),
        ("1:a april", date(2027, 4, 1)),
        ("2027-03-01", date(2027, 3, 1)),
        ("31/12 2027", date(2027, 12, 31)),
        ("nästa måndag", date(2026, 11, 23)),
        ("på fredag", date(2026, 11, 27)),
        ("i morgon", date(2026, 11, 23)),
        ("January 15 2027", date(2027, 1, 15)),
        ("december", None),
        ("blä", None),
        # The edge of a month, the next one from today (batch 2026-12-04).
        ("slutet av juni", date(2027, 6, 30)),
        ("sista februari 2028", date(2028, 2, 29)),
        ("the end of june", date(2027, 6, 30)),
        ("i början av december", date(2026, 12, 1)),
        ("slutet av november", date(2026, 11, 30)),
        # Day and month with dots, as Swedes write them.
        ("16.12", date(2026, 12, 16)),
        ("1.3.2027", date(2027, 3, 1)),
        ("den 1.3", date(2027, 3, 1)),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected


def test_a_month_edge_is_found_in_a_longer_message() -> None:
    assert find_date("until the end of june", TODAY) == date(2027, 6, 30)
    assert find_date("ända till slutet av augusti 2027", TODAY) == date(2027, 8, 31)


def test_a_number_near_the_unit_is_a_share_but_other_words_are_not() -> None:
    assert find_share("nej vänta, 60 procnet", 5) == 60.0
    assert find_share("vi är 40 personer på enheten", 5) is None


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("om ett år", relativedelta(years=1)),
        ("i sex månader", relativedelta(months=6)),
        ("ett halvår", relativedelta(months=6)),
        ("in 6 months", relativedelta(months=6)),
        ("for a year", relativedelta(years=1)),
        ("om två veckor", relativedelta(weeks=2)),
        # "i år" is this year, "om ett tag" is no length at all, and a date is not a period.
        ("i år", None),
        ("om ett tag", None),
        ("1 februari", None),
        # Words around the length (batch 2026-12-06f: "ok six months then" was no answer).
        ("ok six months then", relativedelta(months=6)),
        ("säg sex månader då", relativedelta(months=6)),
        # Without å (batch 2026-12-06g).
        ("om sex manader", relativedelta(months=6)),
        ("ett ar till", relativedelta(years=1)),
        ("i ar", None),
    ],
)
def test_find_period(text: str, period: relativedelta | None) -> None:
    assert find_period(text) == period


def test_a_period_ends_the_day_before_its_anniversary() -> None:
    assert end_after(date(2027, 2, 1), relativedelta(years=1)) == date(2028, 1, 31)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("nej tack, inget", []),
        ("inget, tack", []),
        ("nej tack", []),
        ("nej tack, bara headset", ["Headset"]),
        ("tack", None),
        # Nothing new besides what the user has (batch 2026-12-06f).
        ("ingen ny utrustning", []),
        ("no new equipment", []),
        ("ny skärm", None),
        # Flow v-17: a "nä" before it was no answer, asked three times.
        ("nä inget", []),
        ("nope, nothing", []),
        ("nä men headset", ["Headset"]),
    ],
)
def test_no_equipment_with_a_thank_you(text: str, items: list[str] | None) -> None:
    assert equipment_items(text, ["Bärbar dator", "Headset"]) == items


def test_share_rules() -> None:
    assert check_share(49, VASTERNORRLAND) is None
    problem = check_share(60, VASTERNORRLAND)
    assert problem is not None
    assert "högst 49 %" in problem.text and "Västernorrlands riktlinje" in problem.text
    assert check_share(100, VASTMANLAND) is None, "Västmanland sets no maximum"
    for impossible in (0, -10, 120):
        problem = check_share(impossible, VASTMANLAND)
        assert problem is not None and "mer än 0 och högst 100 procent" in problem.text
    assert "två dagar i veckan" in check_share(None, VASTMANLAND).text  # type: ignore[union-attr]


def test_start_may_not_be_in_the_past() -> None:
    assert check_start(TODAY, TODAY) is None
    assert "har redan varit" in check_start(date(2026, 11, 1), TODAY).text  # type: ignore[union-attr]


def test_end_rules() -> None:
    start = date(2027, 1, 1)
    assert check_end(start, date(2028, 12, 31), VASTERNORRLAND) is None
    too_long = check_end(start, date(2029, 1, 1), VASTERNORRLAND)
    assert too_long is not None and "senast 2028-12-31" in too_long.text
    assert check_end(start, date(2035, 1, 1), VASTMANLAND) is None
    assert "efter startdatumet" in check_end(start, start, VASTMANLAND).text  # type: ignore[union-attr]
    assert latest_end(date(2027, 3, 15), 24) == date(2029, 3, 14)


# --- batch 2026-12-04b: what the third batch of conversations found ------------------------


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("från vecka 7", date(2027, 2, 15)),
        ("v. 7", date(2027, 2, 15)),
        ("v7", date(2027, 2, 15)),
        ("week 7", date(2027, 2, 15)),
        # The week of today has not ended; one that has is next year's.
        ("vecka 47", date(2026, 11, 16)),
        ("vecka 46", date(2027, 11, 15)),
        ("v. 26 2028", date(2028, 6, 26)),
    ],
)
def test_a_numbered_week_is_its_monday(text: str, monday: date) -> None:
    """ "från vecka 7" was not a date, so the start question was asked again and again."""
    assert parse_date(text, TODAY) == monday
    assert find_date(f"jag börjar {text}", TODAY) == monday
    days = week_days(text, TODAY)
    assert days is not None and days[1] == monday + relativedelta(days=6)


def test_a_week_that_does_not_exist_is_no_date() -> None:
    assert week_days("vecka 60", TODAY) is None
    assert week_days("två dagar i veckan", TODAY) is None


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("1-2 dagar i veckan", [20.0, 40.0]),
        ("en eller två dagar", [20.0, 40.0]),
        ("two or three days a week", [40.0, 60.0]),
        ("mellan 40 och 60 procent", [40.0, 60.0]),
        ("två dagar i veckan", []),
    ],
)
def test_a_range_of_days_is_two_shares(text: str, options: list[float]) -> None:
    """ "1-2 dagar i veckan" was stored as 40 %: the user had not chosen."""
    assert share_options(text) == options


def test_a_range_inside_a_correction_is_no_share() -> None:
    assert find_share("nej, 1-2 dagar i veckan") is None
    assert find_share("nej, två dagar i veckan") == 40.0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hemam", "home"),
        ("hemifårn", "home"),
        ("stguan i Sälen", "holiday_home"),
        ("Köping", "other"),
        ("Hemmesta", "other"),
        ("kontoret", "other"),
    ],
)
def test_one_typo_in_a_place_word_is_that_place(text: str, kind: str) -> None:
    """ "hemam" was filed as another place than home."""
    assert place_kind(text) == kind


def test_a_misspelt_place_word_names_only_the_kind() -> None:
    assert names_only_the_kind("home", "hemam")
    assert not names_only_the_kind("home", "hemma i Köping")


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("nej förresten, uppföljning om ett år", relativedelta(years=1)),
        ("kan vi ta det om sex månader istället", relativedelta(months=6)),
        ("follow up in 6 months", relativedelta(months=6)),
        ("i år", None),
        ("en gång om året", None),
    ],
)
def test_a_length_inside_a_sentence(text: str, period: relativedelta | None) -> None:
    """ "nej förresten, uppföljning om ett år" at the summary asked what to change, and the
    next "spara" stored the old date."""
    assert find_period_in(text) == period


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("oj vänta, platsen blir inte hemma utan sommarstugan i Sälen", "sommarstugan i Sälen"),
        ("från stugan på Gotland från 1 mars", "stugan på Gotland"),
        ("hemma i Västerås", "hemma i Västerås"),
        # Only the kind: the form's own name for it is stored.
        ("jobba hemifrån två dagar i veckan", None),
        ("hemma i januari", None),
        ("hos min sambo i Göteborg", None),
    ],
)
def test_a_place_keeps_where_it_is(text: str, phrase: str | None) -> None:
    """ "platsen blir inte hemma utan sommarstugan i Sälen" was stored as "Fritidsbostaden",
    without Sälen (batch 2026-12-04c)."""
    assert place_phrase(text) == phrase


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("från 16.12 till 30.6.2027", date(2026, 12, 16)),
        # The weekday written with the date is not "the coming Monday".
        ("från måndag 1 mars", date(2027, 3, 1)),
        ("från tisdag 1.3", date(2027, 3, 1)),
        # Not dates: a time, a share, a decimal.
        ("kl 10.10", None),
        ("2.5 dagar i veckan", None),
        ("0.5", None),
    ],
)
def test_a_dotted_date_in_a_longer_message(text: str, expected: date | None) -> None:
    assert find_date(text, TODAY) == expected


def test_a_weekday_that_does_not_fit_its_date_is_a_conflict() -> None:
    assert weekday_conflict("tisdag 1.3", date(2027, 3, 1)) == 1, "tuesday"
    assert weekday_conflict("måndag 1.3", date(2027, 3, 1)) is None
    assert weekday_conflict("1.3", date(2027, 3, 1)) is None


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("fyrtio procent", 40.0),
        ("sextio procent", 60.0),
        ("sextio", 60.0),
        ("fyrtiofem procent", 45.0),
        ("fem procent", 5.0),
        ("forty percent", 40.0),
        ("en och en halv dag i veckan", 30.0),
        ("två och en halv dag", 50.0),
        ("one and a half days a week", 30.0),
        ("en halv dag i veckan", 10.0),
        ("fyra dagar i veckan", 80.0),
        ("en fjärdedel", 25.0),
        ("en", None),
    ],
)
def test_a_share_in_words(text: str, share: float | None) -> None:
    """ "fyrtio procent" and "en och en halv dag i veckan" were not understood at all."""
    assert parse_share(text) == share


def test_a_share_in_words_inside_a_longer_message() -> None:
    assert find_share("oj, det skulle stå fyrtio procent, inte fyra") == 40.0
    assert find_share("jag vill söka distans sextio procent hemifrån från 1 februari") == 60.0
    # A unit word without its unit is a word: "inte fyra" alone names no share.
    assert find_share("inte fyra") is None
    assert share_options("en och en halv till två dagar") == [30.0, 40.0]


@pytest.mark.parametrize(
    "text",
    [
        "no equipment needed",
        "No equipment needed.",
        "none",
        "nothing",
        "I don't need any equipment",
        "jag behöver ingen utrustning",
    ],
)
def test_no_equipment_in_english_and_as_a_sentence(text: str) -> None:
    assert equipment_items(text, ["Bärbar dator", "Headset"]) == []
    assert equipment_items("I need a headset", ["Bärbar dator", "Headset"]) == ["Headset"]


# --- flows 2026-12-04d, the known gaps -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("med start om två veckor", date(2026, 12, 17)),
        ("in three weeks", date(2026, 12, 24)),
        ("om en vecka", date(2026, 12, 10)),
        ("starting Monday January 11th until the end of June", date(2027, 1, 11)),
        ("from January 11th", date(2027, 1, 11)),
    ],
)
def test_weeks_ahead_and_an_english_date_after_its_weekday(text: str, expected: date) -> None:
    """ "Monday January 11th" was read as the coming Monday, 7 December."""
    assert find_date(text, date(2026, 12, 3)) == expected


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("on Mondays and Fridays", 40.0),
        ("på måndagar och fredagar", 40.0),
        ("hemma varje fredag", 20.0),
        ("every Tuesday", 20.0),
        ("40 % på måndagar", 40.0),
        ("måndag 4 januari", None),
    ],
)
def test_weekdays_each_week_are_a_share(text: str, share: float | None) -> None:
    assert find_share(text) == share


# --- flows 2026-12-05b ------------------------------------------------------------------------

FORM_EQUIPMENT = ["Bärbar dator", "Bildskärm", "Headset", "Mobiltelefon"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1st of April", date(2027, 4, 1)),
        ("from the first of April", date(2027, 4, 1)),
        ("starting the 2nd of March 2027", date(2027, 3, 2)),
        ("the first week", None),
        # Flows 2026-12-05c: a month as a start is its first day; with a day it is that date.
        ("förresten skulle det vara från mars", date(2027, 3, 1)),
        ("from January 11th", date(2027, 1, 11)),
    ],
)
def test_an_english_ordinal_before_of_and_a_month(text: str, expected: date | None) -> None:
    """ "1st of April" was no date, so "end of September" became the start."""
    assert find_date(text, date(2026, 12, 3)) == expected


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("bildskräm", ["Bildskärm"]),
        ("hedset och mobil", ["Headset", "Mobiltelefon"]),
        ("inget, jag har allt jag behöver", []),
        # Batch 2026-12-06b: a no, then why; but a no, then an item, is that item.
        ("ingen utrustning behövs, jag har allt", []),
        ("ingen, har egen dator", []),
        ("inget, men ett headset", ["Headset"]),
        # The answer to the next question ("Har du läst reglerna?"), not to this one.
        ("nej, inte än", None),
        ("har redan dator, behöver inget", []),
        ("nothing, I have everything I need", []),
        ("jag har egen dator men behöver skärm", ["Bildskärm"]),
        ("ingen aning", None),
        ("sorry, headset behövs inte, bara skärmen", ["Bildskärm"]),
        ("I don't need a headset, only a laptop", ["Bärbar dator"]),
        ("datorn och mobilen", ["Bärbar dator", "Mobiltelefon"]),
        # Flows 2026-12-06t: typed without å/ä/ö, the screen was lost.
        ("barbar dator o skarm", ["Bärbar dator", "Bildskärm"]),
        ("horlurar", ["Headset"]),
    ],
)
def test_equipment_with_a_typo_a_reason_or_ones_own(text: str, items: list[str] | None) -> None:
    assert equipment_items(text, FORM_EQUIPMENT) == items


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 februri", date(2027, 2, 1)),
        ("31 agusti", date(2027, 8, 31)),
        ("den 1 septmber 2027", date(2027, 9, 1)),
        ("1 februari", date(2027, 2, 1)),
        # Not a month one slip away: no date.
        ("1 fredrik", None),
    ],
)
def test_a_month_name_with_one_slip_is_that_month(text: str, expected: date | None) -> None:
    assert parse_date(text, date(2026, 12, 3)) == expected
    assert find_date(f"jag börjar {text} tror jag", date(2026, 12, 3)) == expected


@pytest.mark.parametrize(
    ("text", "share"), [("40proc", 40.0), ("40 pct", 40.0), ("60 procen", 60.0), ("40 pers", None)]
)
def test_a_unit_cut_short_is_percent(text: str, share: float | None) -> None:
    assert parse_share(text) == share


def test_an_item_one_has_already_is_not_borrowed() -> None:
    """2026-12-06d: "inget, jag har en egen skärm där" stored a screen."""
    options = ["Bärbar dator", "Bildskärm", "Headset"]
    assert equipment_items("inget, jag har en egen skärm där", options) == []
    assert equipment_items("jag har en egen skärm men behöver headset", options) == ["Headset"]


def test_a_date_next_year_is_next_year() -> None:
    """Flow batch 2026-12-06e: "15 december nästa år" was read as this 15 December."""
    today = date(2026, 12, 3)
    assert parse_date("15 december nästa år", today) == date(2027, 12, 15)
    assert find_date("ok, 15 december next year då", today) == date(2027, 12, 15)
    assert parse_date("15 december", today) == date(2026, 12, 15)


def test_equipment_joined_by_the_sms_o_is_two_items() -> None:
    """ "dockningsstation o skärm" (flow batch 2026-12-06s) kept only the monitor."""
    options = ["Bärbar dator", "Bildskärm", "Tangentbord och mus", "Headset", "Dockningsstation"]
    assert equipment_items("dockningsstation o skärm", options) == ["Dockningsstation", "Bildskärm"]
    assert equipment_items("tangetbord o mus", options) == ["Tangentbord och mus"]


def test_days_a_week_typed_short_and_the_share_preferred() -> None:
    """Flows v-01 and v-14: "3 dgr/v" was no share, and "inne på 40% men vill hellre ha 60%"
    prefilled the 40 % the user had."""
    assert parse_share("3 dgr/v") == 60.0
    assert parse_share("2 d/v") == 40.0
    assert find_share("hej, 3 dgr/v hemifrån") == 60.0
    assert find_share("jag har en ansökan inne på 40% men vill hellre ha 60%. hemma") == 60.0
    assert find_share("jag vill ha 60 % istället för 40 %") == 60.0
    assert find_share("ta 60% istället, inte 40%") == 60.0
    assert find_share("I have 40% but would rather have 60%") == 60.0
    # Without a preference the first share said is read, as before.
    assert find_share("40 procent, som förra året") == 40.0
