"""Which times the risk-assessment booking offers, with the service's clock frozen: not before
the next working day, one offer a day (morning and afternoon in turn) on the half hour, inside
every participant's working hours, and an honest "nothing free" with a wider search after it."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import Refused
from bot.identity import User, demo_directory
from bot.risk_assessments.availability import add_busy_time
from bot.risk_assessments.scheduling import (
    WorkingHours,
    earliest_start,
    outside_hours,
    search_end,
    spread_slots,
    working_day,
)
from bot.risk_assessments.service import BookingRules, RiskAssessmentService
from bot.storage.database import Database

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HOURS = WorkingHours()
# Tuesday 24 November 2026.
TUESDAY = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=STOCKHOLM)


def person(user_id: str) -> User:
    user = demo_directory().get(user_id)
    assert user is not None
    return user


def service(
    db: Database, now: datetime, rules: BookingRules | None = None
) -> RiskAssessmentService:
    return RiskAssessmentService(db, demo_directory(), now=lambda: now, rules=rules)


def busy(db: Database, user_id: str, start: datetime, end: datetime) -> None:
    with db.session() as session:
        add_busy_time(session, user_id, start, end)


@pytest.mark.parametrize(
    ("now", "first"),
    [
        (TUESDAY, at(25, 8)),
        # Late on a Tuesday is still Tuesday: Wednesday morning.
        (at(24, 23, 30), at(25, 8)),
        # Friday: Monday.
        (datetime(2026, 12, 4, 10, tzinfo=STOCKHOLM), datetime(2026, 12, 7, 8, tzinfo=STOCKHOLM)),
        # 23 December: julafton, juldagen and a weekend go by; Monday 28 December.
        (datetime(2026, 12, 23, 10, tzinfo=STOCKHOLM), datetime(2026, 12, 28, 8, tzinfo=STOCKHOLM)),
    ],
)
def test_the_earliest_start_is_the_next_working_day(now: datetime, first: datetime) -> None:
    assert earliest_start(now, HOURS, 1) == first


def test_notice_in_working_days_and_none() -> None:
    assert earliest_start(TUESDAY, HOURS, 3) == datetime(2026, 11, 27, 8, tzinfo=STOCKHOLM)
    assert earliest_start(TUESDAY, HOURS, 0) == TUESDAY
    assert working_day(date(2026, 11, 28), 0, HOURS) == date(2026, 11, 30), "Saturday: Monday"
    assert working_day(date(2026, 11, 24), 0, HOURS) == date(2026, 11, 24)


def test_the_search_window_counts_working_days() -> None:
    # Ten working days from Wednesday 25 November: to Tuesday 8 December, end of the day.
    assert search_end(at(25, 8), 10, HOURS) == datetime(2026, 12, 8, 17, tzinfo=STOCKHOLM)
    # Starting on a Saturday counts from Monday.
    assert search_end(at(28, 8), 1, HOURS) == at(30, 17)


def test_offers_are_on_different_days_morning_and_afternoon_in_turn(db: Database) -> None:
    offer = service(db, TUESDAY).offer(person("anna.andersson"), person("sven.skog"))
    assert offer.starts == [at(25, 8), at(26, 13), at(27, 8)]
    assert offer.calendars_checked is None, "no calendar system is configured"
    assert len({s.date() for s in offer.starts}) == 3


def test_offers_skip_every_participants_busy_times_and_stay_on_the_half_hour(
    db: Database,
) -> None:
    # The manager's meeting ends 09:48: the next offer is 10:00, not 18 minutes into the hour.
    busy(db, "maria.berg", at(25, 8), at(25, 9, 48))
    busy(db, "sven.skog", at(26, 12), at(26, 17))
    busy(db, "anna.andersson", at(27, 0), at(28, 0))
    offer = service(db, TUESDAY).offer(person("anna.andersson"), person("sven.skog"))
    assert offer.starts == [at(25, 10), at(26, 8), at(30, 8)]
    assert all(s.minute in (0, 30) for s in offer.starts)


def test_nothing_free_in_the_window_says_so_and_a_wider_search_finds_times(db: Database) -> None:
    busy(db, "sven.skog", at(25, 0), datetime(2026, 12, 9, 0, tzinfo=STOCKHOLM))
    booking = service(db, TUESDAY)
    offer = booking.offer(person("anna.andersson"), person("sven.skog"))
    assert offer.starts == []
    assert offer.working_days == 10
    assert offer.searched_until == datetime(2026, 12, 8, 17, tzinfo=STOCKHOLM)
    assert offer.widen_from == date(2026, 12, 9)
    wider = booking.offer(person("anna.andersson"), person("sven.skog"), after=offer.widen_from)
    assert wider.starts[0] == datetime(2026, 12, 9, 8, tzinfo=STOCKHOLM)
    # Without the safety representative the first days are free again.
    assert booking.offer(person("anna.andersson"), None).starts[0] == at(25, 8)


def test_the_window_and_the_number_of_offers_come_from_the_rules(db: Database) -> None:
    rules = BookingRules(notice_working_days=2, search_working_days=2, offers=5)
    offer = service(db, TUESDAY, rules).offer(person("anna.andersson"), None)
    assert offer.starts == [at(26, 8), at(27, 13)], "two working days, one offer each"


def test_a_time_before_the_notice_is_refused_with_the_next_working_day(db: Database) -> None:
    booking = service(db, TUESDAY)
    refusal = booking.check_time(at(24, 15), timedelta(minutes=45), person("anna.andersson"), None)
    assert isinstance(refusal, Refused) and refusal.code == "too_short_notice"
    assert "minst en arbetsdag i förväg" in refusal.text
    assert "onsdag 25 november 2026 kl. 15.00" in refusal.text
    with pytest.raises(Refused) as booked:
        booking.book(person("anna.andersson"), "anna.andersson", at(24, 15))
    assert booked.value.code == "too_short_notice"
    assert (
        booking.check_time(at(25, 15), timedelta(minutes=45), person("anna.andersson"), None)
        is None
    )
    # The region's own rules come first: a Saturday is no working day, whatever the notice.
    saturday = booking.check_time(at(28, 10), timedelta(minutes=45), None, None)
    assert saturday is not None and saturday.code == "time_not_allowed"


def test_without_notice_today_is_allowed(db: Database) -> None:
    booking = service(db, TUESDAY, BookingRules(notice_working_days=0))
    assert booking.check_time(at(24, 15), timedelta(minutes=45), None, None) is None
    assert booking.offer(person("anna.andersson"), None).starts[0] == at(24, 9)


def test_working_hours_from_a_calendar_are_busy_outside_them() -> None:
    # Monday to Thursday 09-15, a lunch break on Wednesday; Friday off.
    weekly = {
        0: [(time(9), time(15))],
        1: [(time(9), time(15))],
        2: [(time(9), time(12)), (time(13), time(15))],
        3: [(time(9), time(15))],
    }
    off = outside_hours(weekly, at(25, 0), at(28, 0))
    assert (at(25, 12), at(25, 13)) in off
    assert (at(27, 0), at(28, 0)) in off, "Friday is not a working day for them"
    offers = spread_slots(off, at(25, 8), at(27, 17), timedelta(minutes=45), HOURS)
    assert offers == [at(25, 9), at(26, 13)]
    for start in offers:
        day = weekly[start.weekday()]
        assert any(
            s <= start.time() and (start + timedelta(minutes=45)).time() <= e for s, e in day
        )
