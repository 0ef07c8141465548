"""When the risk-assessment dialogue can take place: the times offered to the participants and
the checks of a chosen time.

A time must follow the region's rules (working day and hours, holidays, the minimum notice) and
find every participant free: in the app's own store (booked dialogues, entered busy times) and,
where one is configured, in the region's calendar system with its working hours. The calendar is
asked outside any transaction (a network call); the store is checked again inside the booking's.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.calendars import Calendar, CalendarUnavailable, Participant, Schedule
from bot.errors import Refused
from bot.identity import Directory, User
from bot.risk_assessments.availability import add_busy_time, busy_intervals
from bot.risk_assessments.scheduling import (
    STOCKHOLM,
    WorkingHours,
    check_meeting_time,
    earliest_start,
    free_slots,
    outside_hours,
    search_end,
    spread_slots,
    swedish_time,
)
from bot.storage.database import Database
from bot.storage.models import BusyTime, RiskAssessment

DEFAULT_DURATION = timedelta(minutes=45)
# How far ahead free slots are looked for and busy times read.
SLOT_HORIZON = timedelta(days=60)
BUSY_TEXT = "Någon av deltagarna är upptagen då. Välj en annan tid."


@dataclass(frozen=True)
class BookingRules:
    """Which times are offered: not before ``notice_working_days`` working days from today
    (1: the next working day), from the next ``search_working_days`` working days, ``offers`` of
    them, each on a day of its own."""

    notice_working_days: int = 1
    search_working_days: int = 10
    offers: int = 3


@dataclass(frozen=True)
class SlotOffer:
    """The times offered for the dialogue, and what they were checked against."""

    starts: list[datetime]
    # True: against the participants' calendars too; False: the calendar could not be reached,
    # so only the app's own store; None: no calendar system is configured.
    calendars_checked: bool | None
    searched_from: datetime
    searched_until: datetime
    working_days: int

    @property
    def widen_from(self) -> date:
        """Where a wider search goes on: the day after this one ended."""
        return self.searched_until.astimezone(STOCKHOLM).date() + timedelta(days=1)


@dataclass(frozen=True)
class Busy:
    """A time one or more participants cannot meet; ``off_hours`` names the participant whose
    calendar says they do not work then."""

    start: datetime
    end: datetime
    off_hours: User | None = None


def _overlapping(busy: Sequence[Busy], start: datetime, end: datetime) -> list[Busy]:
    return [b for b in busy if b.start < end and start < b.end]


class MeetingTimes:
    """The participants' free times for the dialogue, and whether a chosen time suits them all."""

    def __init__(
        self,
        db: Database,
        directory: Directory,
        hours: WorkingHours,
        now: Callable[[], datetime],
        calendar: Calendar | None,
        rules: BookingRules,
    ) -> None:
        """``calendar``: the region's calendar system (``bot.calendars``), read for free/busy and
        working hours; None: only the app's own store, which is read in any case."""
        self.db = db
        self.directory = directory
        self.hours = hours
        self.now = now
        self.calendar = calendar
        self.rules = rules

    def earliest(self) -> datetime:
        """The first start the booking offers or accepts: the minimum notice from now."""
        return earliest_start(self.now(), self.hours, self.rules.notice_working_days)

    def offer(
        self,
        employee: User,
        representative: User | None,
        duration: timedelta = DEFAULT_DURATION,
        after: date | None = None,
        moving_id: int | None = None,
    ) -> SlotOffer:
        """Times when everybody is free, each on a day of its own, from the next
        ``rules.search_working_days`` working days after the minimum notice (or from ``after``,
        to look further ahead). Empty ``starts``: nothing free in that window."""
        first = self.earliest()
        if after is not None:
            first = max(first, datetime.combine(after, time(0), tzinfo=STOCKHOLM))
        until = search_end(first, self.rules.search_working_days, self.hours)
        busy, checked = self._busy(employee, representative, first, until, moving_id)
        starts = spread_slots(
            [(b.start, b.end) for b in busy],
            first,
            until,
            duration,
            self.hours,
            self.rules.offers,
        )
        return SlotOffer(starts, checked, first, until, self.rules.search_working_days)

    def free_starts(
        self,
        employee: User,
        representative: User | None,
        duration: timedelta = DEFAULT_DURATION,
        after: datetime | None = None,
        count: int = 3,
        moving_id: int | None = None,
    ) -> list[datetime]:
        """The first ``count`` allowed starts when none of the participants is busy."""
        after = max(after or self.now(), self.earliest())
        busy, _ = self._busy(employee, representative, after, after + SLOT_HORIZON, moving_id)
        return free_slots([(b.start, b.end) for b in busy], after, duration, self.hours, count)

    def check_time(
        self,
        start: datetime,
        duration: timedelta,
        employee: User | None,
        representative: User | None,
        moving_id: int | None = None,
    ) -> Refused | None:
        """Why the dialogue cannot take place then (with a suggestion), or None: the working
        day, holidays, the minimum notice, and everybody's calendars and bookings."""
        start = start.astimezone(STOCKHOLM)
        refusal = self._time_refusal(start, duration)
        if refusal is not None or employee is None:
            return refusal
        busy, _ = self._busy(employee, representative, start, start + duration, moving_id)
        return self._busy_refusal(busy, start, duration, employee, representative, moving_id)

    def add_busy_time(self, user: User, start: datetime, end: datetime) -> BusyTime:
        """Records that ``user`` cannot meet between ``start`` and ``end``."""
        if end <= start or end - start > timedelta(days=31):
            raise Refused(
                422,
                "invalid_busy_time",
                "En upptagen tid ska sluta efter att den börjar och vara högst 31 dagar.",
                "A busy time must end after it starts and last at most 31 days.",
            )
        with self.db.session() as session:
            return add_busy_time(session, user.id, start, end)

    def busy_times(self, user: User) -> list[BusyTime]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(BusyTime)
                    .where(BusyTime.user_id == user.id, BusyTime.end_at > self.now())
                    .order_by(BusyTime.start_at)
                )
            )

    def participants(self, employee: User, representative: User | None) -> set[str]:
        return {employee.id, *([employee.manager] if employee.manager else [])} | (
            {representative.id} if representative else set()
        )

    def _people(self, employee: User, representative: User | None) -> list[User]:
        """The participants, the manager (who organises the dialogue) first: a calendar asks
        everybody's free/busy from the organiser's mailbox."""
        manager = self.directory.get(employee.manager) if employee.manager else None
        return [p for p in (manager, employee, representative) if p is not None]

    def _busy(
        self,
        employee: User,
        representative: User | None,
        start: datetime,
        end: datetime,
        moving_id: int | None,
    ) -> tuple[list[Busy], bool | None]:
        """Everything that keeps a participant from meeting between ``start`` and ``end``: the
        app's own store, the calendar system's free/busy when it answers, and the times outside
        their working hours. The second value says whether the calendars were checked (None:
        none configured)."""
        with self.db.session() as session:
            moving = session.get(RiskAssessment, moving_id) if moving_id else None
            stored = busy_intervals(
                session, self.participants(employee, representative), start, end, moving_id
            )
        busy = [Busy(s, e) for s, e in stored]
        outside, checked = self._calendar_busy(employee, representative, start, end, moving)
        return sorted(busy + outside, key=lambda b: (b.start, b.end)), checked

    def _calendar_busy(
        self,
        employee: User,
        representative: User | None,
        start: datetime,
        end: datetime,
        moving: RiskAssessment | None,
    ) -> tuple[list[Busy], bool | None]:
        """The calendar system's busy times, and the times outside each participant's working
        hours: the calendar's, or else the directory's. The second value says whether the
        calendars were checked (None: none configured)."""
        people = self._people(employee, representative)
        schedules, checked = self._schedules(people, start, end, moving)
        own = (moving.start_at, moving.end_at) if moving is not None else None
        busy: list[Busy] = []
        for person in people:
            schedule = schedules.get(person.id, Schedule())
            busy += [Busy(s, e) for s, e in schedule.busy if (s, e) != own]
            hours = schedule.working_hours or person.weekly_hours()
            if hours is not None:
                busy += [Busy(s, e, off_hours=person) for s, e in outside_hours(hours, start, end)]
        return busy, checked

    def _schedules(
        self, people: list[User], start: datetime, end: datetime, moving: RiskAssessment | None
    ) -> tuple[dict[str, Schedule], bool | None]:
        if self.calendar is None:
            return {}, None
        # The dialogue being moved is in the calendar at its old time: that is no conflict. The
        # server cuts busy periods at the edges of the query, so the query covers the old time
        # whole, and its period is recognised by its exact start and end.
        own = (moving.start_at, moving.end_at) if moving is not None else None
        first, last = start, end
        if own is not None and own[0] is not None and own[1] is not None:
            first, last = min(start, own[0]), max(end, own[1])
        try:
            schedules = self.calendar.schedules(
                [Participant(p.id, p.name, p.email) for p in people], first, last
            )
        except CalendarUnavailable:
            return {}, False
        # A mailbox the calendar system gave no schedule for (none there, or outside the app's
        # access policy) was not checked either: the user is told so.
        return schedules, all(p.id in schedules for p in people)

    def _time_refusal(self, start: datetime, duration: timedelta) -> Refused | None:
        """The region's rules for any meeting time: working day and hours, holidays, and the
        minimum notice."""
        refusal = check_meeting_time(start, duration, self.now(), self.hours)
        if refusal is not None:
            suggestion = (
                f" Förslag: {swedish_time(refusal.suggestion)}." if refusal.suggestion else ""
            )
            return Refused(422, "time_not_allowed", refusal.reason + suggestion, refusal.reason)
        earliest = self.earliest()
        if start < earliest:
            days = self.rules.notice_working_days
            notice = "en arbetsdag" if days == 1 else f"{days} arbetsdagar"
            later = next(
                (
                    candidate
                    for candidate in (
                        datetime.combine(earliest.date(), start.time(), tzinfo=STOCKHOLM),
                        earliest,
                    )
                    if candidate >= earliest
                    and check_meeting_time(candidate, duration, self.now(), self.hours) is None
                ),
                None,
            )
            suggestion = f" Förslag: {swedish_time(later)}." if later else ""
            return Refused(
                422,
                "too_short_notice",
                f"Mötet behöver bokas minst {notice} i förväg, så att alla hinner förbereda "
                f"sig.{suggestion}",
                f"The meeting must be booked at least {days} working day(s) ahead.",
            )
        return None

    def _busy_refusal(
        self,
        busy: Sequence[Busy],
        start: datetime,
        duration: timedelta,
        employee: User,
        representative: User | None,
        moving_id: int | None,
    ) -> Refused | None:
        conflicts = _overlapping(busy, start, start + duration)
        if not conflicts:
            return None
        later = self.free_starts(
            employee, representative, duration, after=start, count=1, moving_id=moving_id
        )
        hint = f" Första lediga tid: {swedish_time(later[0])}." if later else ""
        off = next((b.off_hours for b in conflicts if b.off_hours is not None), None)
        if off is not None and len({b.off_hours is None for b in conflicts}) == 1:
            return Refused(
                409,
                "outside_working_hours",
                f"Tiden ligger utanför arbetstiden för {off.name}. Välj en annan tid.{hint}",
                "The time is outside a participant's working hours. Please choose another time.",
            )
        return Refused(
            409,
            "double_booked",
            BUSY_TEXT + hint,
            "One of the participants is busy then. Please choose another time.",
        )

    def check_outside(
        self,
        start: datetime,
        duration: timedelta,
        employee: User,
        representative: User | None,
        moving: RiskAssessment | None,
    ) -> bool | None:
        """Before the transaction: the rules, and the calendar system's free/busy (a network
        call, so no row is locked meanwhile). Raises Refused; returns whether the calendars could
        be checked (None: none configured)."""
        refusal = self._time_refusal(start, duration)
        if refusal is not None:
            raise refusal
        outside, checked = self._calendar_busy(
            employee, representative, start, start + duration, moving
        )
        refusal = self._busy_refusal(
            outside, start, duration, employee, representative, moving.id if moving else None
        )
        if refusal is not None:
            raise refusal
        return checked

    def check_store(
        self,
        session: Session,
        start: datetime,
        duration: timedelta,
        employee: User,
        representative: User | None,
        moving_id: int | None,
    ) -> None:
        """Inside the transaction: nobody taking part has another booking or an entered busy
        time then (the calendar system was asked just before)."""
        people = self.participants(employee, representative)
        if not busy_intervals(session, people, start, start + duration, moving_id):
            return
        later = free_slots(
            busy_intervals(session, people, start, start + SLOT_HORIZON, moving_id),
            max(start, self.earliest()),
            duration,
            self.hours,
            count=1,
        )
        hint = f" Första lediga tid: {swedish_time(later[0])}." if later else ""
        raise Refused(
            409,
            "double_booked",
            BUSY_TEXT + hint,
            "One of the participants is busy then. Please choose another time.",
        )
