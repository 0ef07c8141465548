"""Shares and dates as people type them, and the region's policy rules."""

from datetime import date

import pytest

from bot.agreements.parsing import parse_date, parse_share
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
        ("vet inte", None),
        ("", None),
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
        ("1:a april", date(2027, 4, 1)),
        ("2027-03-01", date(2027, 3, 1)),
        ("31/12 2027", date(2027, 12, 31)),
        ("nästa måndag", date(2026, 11, 23)),
        ("på fredag", date(2026, 11, 27)),
        ("i morgon", date(2026, 11, 23)),
        ("January 15 2027", date(2027, 1, 15)),
        ("december", None),
        ("blä", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected


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
