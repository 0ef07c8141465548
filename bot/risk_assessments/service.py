"""Booking the risk-assessment dialogue and documenting its outcome.

The employee, their manager and the unit's safety representative (proposed from the directory,
changeable) take part. They and HR can see a booking; the employee or the manager books and
moves it; the manager or HR documents the outcome, which unlocks the linked agreement's approval.
"""

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.calendars import Calendar, CalendarUnavailable, Participant
from bot.errors import Refused
from bot.identity import Directory, User
from bot.outbox import drain_calendar_writes, queue_calendar_write
from bot.risk_assessments.action_plans import resolve_owner
from bot.risk_assessments.availability import add_busy_time, busy_intervals
from bot.risk_assessments.invitation import meeting_event
from bot.risk_assessments.links import PublicLinks
from bot.risk_assessments.notices import InvitationMail, tell_participants
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
from bot.storage.models import (
    ActionEvent,
    ActionItem,
    ActionStatus,
    Agreement,
    AgreementStatus,
    BusyTime,
    Notification,
    RiskAssessment,
    RiskAssessmentStatus,
)

DEFAULT_DURATION = timedelta(minutes=45)
SHORTEST = timedelta(minutes=15)
LONGEST = timedelta(minutes=240)
# How far ahead free slots are looked for and busy times read.
SLOT_HORIZON = timedelta(days=60)
NOT_FOUND = Refused(
    404, "risk_assessment_not_found", "Riskbedömningen finns inte.", "No such risk assessment."
)
BUSY_TEXT = "Någon av deltagarna är upptagen då. Välj en annan tid."

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Action:
    action: str
    owner: str
    due: date


class RiskAssessmentService:
    def __init__(
        self,
        db: Database,
        directory: Directory,
        hours: WorkingHours | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        invitations: InvitationMail | None = None,
        calendar: Calendar | None = None,
        rules: BookingRules | None = None,
        links: PublicLinks | None = None,
    ) -> None:
        """``invitations``: e-mail the participants the invitation, when SMTP is configured.
        ``calendar``: the region's calendar system (``bot.calendars``), read for free/busy and
        written with the event; None: only the app's own store (booked dialogues and entered busy
        times), which is read in any case. ``links``: the app's public address for links."""
        self.db = db
        self.directory = directory
        self.hours = hours or WorkingHours()
        self.now = now
        self._invitations = invitations
        self.calendar = calendar
        self.rules = rules or BookingRules()
        self.links = links or PublicLinks()

    def proposed_safety_representative(self, employee: User) -> User | None:
        """The safety representative of the employee's unit, if the directory has one."""
        return next(
            (
                u
                for u in self.directory.all()
                if u.role == "safety_representative" and u.unit == employee.unit
            ),
            None,
        )

    @staticmethod
    def check_duration(duration: timedelta) -> None:
        """A dialogue of 15 minutes to four hours: long enough to go through the checklist, short
        enough to fit a working day."""
        if not SHORTEST <= duration <= LONGEST:
            shortest, longest = SHORTEST // timedelta(minutes=1), LONGEST // timedelta(minutes=1)
            raise Refused(
                422,
                "duration_not_allowed",
                f"Mötet ska vara mellan {shortest} och {longest} minuter.",
                f"The meeting must last between {shortest} and {longest} minutes.",
            )

    def book(
        self,
        booker: User,
        employee_id: str,
        start: datetime,
        duration: timedelta = DEFAULT_DURATION,
        place: str = "Teams",
        safety_representative_id: str | None = None,
        agreement_id: int | None = None,
    ) -> RiskAssessment:
        """Books the dialogue. The calendar system is asked before the transaction (so no row
        waits on the network), the store is checked inside it, and the calendar's copy is
        queued with the booking and saved right after it commits."""
        employee = self._bookable(booker, employee_id)
        self.check_duration(duration)
        representative = (
            self.directory.get(safety_representative_id)
            if safety_representative_id
            else self.proposed_safety_representative(employee)
        )
        start = start.astimezone(STOCKHOLM)
        checked = self._check_outside(start, duration, employee, representative, None)
        with self.db.session() as session:
            self._check_store(session, start, duration, employee, representative, None)
            if agreement_id is None:
                agreement_id = self._linkable_agreement(session, employee.id)
            assessment = RiskAssessment(
                employee_id=employee.id,
                manager_id=employee.manager,
                safety_representative_id=representative.id if representative else None,
                status=RiskAssessmentStatus.BOOKED,
                start_at=start,
                end_at=start + duration,
                place=place,
                calendar_uid=f"{uuid.uuid4()}@distansguiden",
                calendar_sequence=0,
                calendar_checked=checked,
                agreement_id=agreement_id,
            )
            session.add(assessment)
            session.flush()
            if agreement_id is not None:
                agreement = session.get(Agreement, agreement_id)
                if agreement is None or agreement.employee_id != employee.id:
                    raise Refused(
                        422,
                        "agreement_mismatch",
                        "Överenskommelsen hör inte till medarbetaren.",
                        "The agreement does not belong to the employee.",
                    )
                agreement.risk_assessment_id = assessment.id
            write = self._tell(session, booker, assessment, "har bokat")
        self._write_now(write, checked)
        return assessment

    def reschedule(
        self, user: User, assessment_id: int, start: datetime, duration: timedelta | None = None
    ) -> RiskAssessment:
        """Moves the dialogue: the same record and calendar UID, a higher sequence."""
        start = start.astimezone(STOCKHOLM)
        # Read first, outside the transaction, so no row stays locked while the calendar
        # server is asked; the checks are made again under the lock below.
        current = self._changeable_now(user, assessment_id)
        length = duration or (current.end_at - current.start_at)  # type: ignore[operator]
        self.check_duration(length)
        employee, representative = self._people_of(current)
        checked = self._check_outside(start, length, employee, representative, current)
        with self.db.session() as session:
            assessment = self._changeable(session, user, assessment_id)
            self._check_store(session, start, length, employee, representative, assessment.id)
            assessment.start_at = start
            assessment.end_at = start + length
            assessment.calendar_sequence += 1
            assessment.calendar_checked = checked
            write = self._tell(session, user, assessment, "har flyttat")
        self._write_now(write, checked)
        return assessment

    def cancel(self, user: User, assessment_id: int) -> RiskAssessment:
        """Cancels the dialogue: its calendar event is marked cancelled (same UID, higher
        sequence), and the invitation becomes a cancellation."""
        with self.db.session() as session:
            assessment = self._changeable(session, user, assessment_id)
            assessment.status = RiskAssessmentStatus.CANCELLED
            assessment.calendar_sequence += 1
            write = self._tell(session, user, assessment, "har avbokat")
        self._write_now(write, None if self.calendar is None else not self.calendar_paused)
        return assessment

    @property
    def invitations(self) -> InvitationMail | None:
        """How the app mails the invitation; None when SMTP is off or when the calendar system
        sends the attendees the invitation itself (then nobody gets two)."""
        if self.calendar is not None and self.calendar.sends_invitations:
            return None
        return self._invitations

    @invitations.setter
    def invitations(self, mail: InvitationMail | None) -> None:
        self._invitations = mail

    @property
    def calendar_paused(self) -> bool:
        """True while the outside calendar rests after a failure (``bot.calendars.guard``)."""
        return bool(getattr(self.calendar, "paused", False))

    def _tell(
        self, session: Session, actor: User, assessment: RiskAssessment, what: str
    ) -> int | None:
        """Tells the participants (chat notice, e-mail) and queues the calendar's copy of the
        change, in the change's transaction; returns the calendar write's outbox id."""
        reference = self._agreement_reference(session, assessment)
        tell_participants(
            session,
            self.directory,
            actor,
            assessment,
            what,
            self.invitations,
            self.links,
            reference,
        )
        if self.calendar is None:
            return None
        try:
            event = meeting_event(assessment, self.directory, self.links, reference)
        except LookupError:
            log.warning("No calendar event for risk assessment %s: manager unknown", assessment.id)
            return None
        return queue_calendar_write(session, event).id

    def _write_now(self, message_id: int | None, reachable: bool | None) -> None:
        """Saves the change in the calendar right after it is stored, when the calendar answered
        just before; otherwise, or if this fails, the outbox's drain does it later."""
        if self.calendar is None or message_id is None or not reachable:
            return
        try:
            drain_calendar_writes(self.db, self.calendar, only=[message_id])
        except SQLAlchemyError as error:
            # The change is stored; its calendar write waits in the outbox for the drain.
            log.warning("Calendar write %s left to the outbox: %s", message_id, error)

    def agreement_reference(self, assessment: RiskAssessment) -> str | None:
        """The reference of the agreement the dialogue belongs to (DA-2026-00012), if any."""
        with self.db.session() as session:
            return self._agreement_reference(session, assessment)

    @staticmethod
    def _agreement_reference(session: Session, assessment: RiskAssessment) -> str | None:
        if assessment.agreement_id is None:
            return None
        agreement = session.get(Agreement, assessment.agreement_id)
        return agreement.reference if agreement else None

    def document(
        self,
        user: User,
        assessment_id: int,
        risks: str,
        actions: list[Action],
        follow_up_on: date,
    ) -> RiskAssessment:
        """Records the outcome; follow-up at least yearly, as the region's routine requires."""
        with self.db.session() as session:
            assessment = session.get(RiskAssessment, assessment_id, with_for_update=True)
            if assessment is None or not can_see(user, assessment):
                raise NOT_FOUND
            if not user.is_hr and user.id != assessment.manager_id:
                raise Refused(
                    403,
                    "not_the_manager",
                    "Bara chefen eller HR dokumenterar riskbedömningen.",
                    "Only the manager or HR documents the risk assessment.",
                )
            if assessment.status == RiskAssessmentStatus.CANCELLED:
                raise Refused(
                    409,
                    "cancelled",
                    "Riskbedömningen är avbokad.",
                    "The risk assessment was cancelled.",
                )
            if user.id == assessment.employee_id:
                raise Refused(
                    403,
                    "own_assessment",
                    "Du kan inte dokumentera riskbedömningen av ditt eget distansarbete.",
                    "You cannot document the risk assessment of your own remote work.",
                )
            if assessment.start_at and assessment.end_at and assessment.end_at > self.now():
                raise Refused(
                    409,
                    "not_held_yet",
                    "Riskbedömningen kan dokumenteras först när mötet har hållits "
                    f"({swedish_time(assessment.start_at)}).",
                    "The risk assessment can be documented only once the meeting has been held.",
                )
            held_on = (assessment.start_at or self.now()).astimezone(STOCKHOLM).date()
            latest = held_on + relativedelta(years=1)
            if follow_up_on > latest or follow_up_on < held_on:
                raise Refused(
                    422,
                    "follow_up_too_late",
                    f"Riskbedömningen ska följas upp minst en gång per år: välj ett datum "
                    f"mellan {held_on.isoformat()} och {latest.isoformat()}.",
                    f"The assessment must be followed up at least yearly: choose a date "
                    f"between {held_on.isoformat()} and {latest.isoformat()}.",
                )
            assessment.outcome = risks.strip()
            self._plan(assessment, actions, user.id)
            assessment.follow_up_on = follow_up_on
            assessment.documented_on = self.now().astimezone(STOCKHOLM).date()
            assessment.status = RiskAssessmentStatus.DOCUMENTED
            return assessment

    def _plan(self, assessment: RiskAssessment, actions: list[Action], actor_id: str) -> None:
        """The assessment's action plan becomes ``actions``: open actions of an earlier
        documentation are replaced, done ones stay as history."""
        for item in [i for i in assessment.action_items if i.status == ActionStatus.OPEN]:
            assessment.action_items.remove(item)
        for action in actions:
            assessment.action_items.append(
                ActionItem(
                    text=action.action.strip(),
                    owner=action.owner.strip(),
                    owner_id=resolve_owner(self.directory, action.owner, assessment),
                    due_on=action.due,
                    status=ActionStatus.OPEN,
                    moved_count=0,
                    events=[ActionEvent(actor_id=actor_id, event="created", due_on=action.due)],
                )
            )

    def participants(self, employee: User, representative: User | None) -> set[str]:
        return {employee.id, *([employee.manager] if employee.manager else [])} | (
            {representative.id} if representative else set()
        )

    def _bookable(self, booker: User, employee_id: str) -> User:
        """The employee whose dialogue ``booker`` may book: their own, their staff's, or
        anyone's for HR."""
        employee = self.directory.get(employee_id)
        if employee is None or not (booker.is_hr or booker.id in (employee.id, employee.manager)):
            raise Refused(
                403,
                "not_allowed_to_book",
                "Bara medarbetaren, medarbetarens chef eller HR kan boka riskbedömningen.",
                "Only the employee, their manager or HR can book the risk assessment.",
            )
        if employee.manager is None:
            raise Refused(
                422,
                "no_manager",
                "Medarbetaren har ingen chef i personalkatalogen. Kontakta HR.",
                "The employee has no manager in the directory. Please contact HR.",
            )
        return employee

    def free_times(
        self,
        booker: User,
        employee_id: str,
        duration: timedelta = DEFAULT_DURATION,
        safety_representative_id: str | None = None,
        after: date | None = None,
    ) -> SlotOffer:
        """``offer`` for whoever may book the employee's dialogue; the safety representative is
        the unit's unless another is named."""
        employee = self._bookable(booker, employee_id)
        self.check_duration(duration)
        representative = (
            self.directory.get(safety_representative_id)
            if safety_representative_id
            else self.proposed_safety_representative(employee)
        )
        return self.offer(employee, representative, duration, after)

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

    def is_free(
        self,
        employee: User,
        representative: User | None,
        start: datetime,
        duration: timedelta,
        moving_id: int | None = None,
    ) -> bool:
        """True when none of the participants is busy at any time of the meeting."""
        busy, _ = self._busy(employee, representative, start, start + duration, moving_id)
        return not busy

    def _people(self, employee: User, representative: User | None) -> list[User]:
        manager = self.directory.get(employee.manager) if employee.manager else None
        return [p for p in (employee, manager, representative) if p is not None]

    def _people_of(self, assessment: RiskAssessment) -> tuple[User, User | None]:
        employee = self.directory.get(assessment.employee_id)
        if employee is None:
            raise Refused(
                422,
                "person_not_in_directory",
                "Medarbetaren finns inte i personalkatalogen. Kontakta HR.",
                "The employee is not in the directory. Please contact HR.",
            )
        representative = (
            self.directory.get(assessment.safety_representative_id)
            if assessment.safety_representative_id
            else None
        )
        return employee, representative

    def _busy(
        self,
        employee: User,
        representative: User | None,
        start: datetime,
        end: datetime,
        moving_id: int | None,
    ) -> tuple[list[Busy], bool | None]:
        """Everything that keeps a participant from meeting between ``start`` and ``end``: the
        app's own store, and the calendar system's free/busy and working hours when it answers.
        The second value says whether the calendars were checked (None: none configured)."""
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
        if self.calendar is None:
            return [], None
        people = self._people(employee, representative)
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
            return [], False
        busy: list[Busy] = []
        for person in people:
            schedule = schedules.get(person.id)
            if schedule is None:
                continue
            busy += [Busy(s, e) for s, e in schedule.busy if (s, e) != own]
            if schedule.working_hours is not None:
                busy += [
                    Busy(s, e, off_hours=person)
                    for s, e in outside_hours(schedule.working_hours, start, end)
                ]
        return busy, True

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
                f"Tiden ligger utanför arbetstiden för {off.name} enligt kalendern. "
                f"Välj en annan tid.{hint}",
                "The time is outside a participant's working hours. Please choose another time.",
            )
        return Refused(
            409,
            "double_booked",
            BUSY_TEXT + hint,
            "One of the participants is busy then. Please choose another time.",
        )

    def _check_outside(
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

    def _check_store(
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

    def upcoming(self, user: User) -> list[RiskAssessment]:
        """Booked dialogues not yet started that ``user`` may move or cancel."""
        with self.db.session() as session:
            query = select(RiskAssessment).where(
                RiskAssessment.status == RiskAssessmentStatus.BOOKED,
                RiskAssessment.start_at > self.now(),
            )
            if not user.is_hr:
                query = query.where(
                    or_(RiskAssessment.employee_id == user.id, RiskAssessment.manager_id == user.id)
                )
            return list(session.scalars(query.order_by(RiskAssessment.start_at)))

    def awaiting_outcome(self, user: User) -> list[RiskAssessment]:
        """Dialogues that have taken place and that ``user`` (their manager) should document."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(RiskAssessment)
                    .where(
                        RiskAssessment.manager_id == user.id,
                        RiskAssessment.status.in_(
                            [RiskAssessmentStatus.BOOKED, RiskAssessmentStatus.HELD]
                        ),
                        RiskAssessment.end_at <= self.now(),
                    )
                    .order_by(RiskAssessment.start_at)
                )
            )

    def ask_for_outcomes(self) -> int:
        """Marks dialogues whose time has passed as held and asks each manager, once, in chat
        to document the outcome. Returns how many managers were asked. Run by the daily job."""
        with self.db.session() as session:
            passed = session.scalars(
                select(RiskAssessment)
                .where(
                    RiskAssessment.status.in_(
                        [RiskAssessmentStatus.BOOKED, RiskAssessmentStatus.HELD]
                    ),
                    RiskAssessment.end_at <= self.now(),
                    RiskAssessment.outcome_requested_at.is_(None),
                )
                .with_for_update(skip_locked=True)
            ).all()
            for assessment in passed:
                assessment.status = RiskAssessmentStatus.HELD
                assessment.outcome_requested_at = self.now()
                employee = self.directory.get(assessment.employee_id)
                session.add(
                    Notification(
                        recipient_id=assessment.manager_id,
                        agreement_id=assessment.agreement_id,
                        text=outcome_request_text(assessment, employee),
                    )
                )
            return len(passed)

    def visible_to(self, user: User) -> list[RiskAssessment]:
        with self.db.session() as session:
            query = select(RiskAssessment).order_by(RiskAssessment.id)
            if not user.is_hr:
                query = query.where(
                    or_(
                        RiskAssessment.employee_id == user.id,
                        RiskAssessment.manager_id == user.id,
                        RiskAssessment.safety_representative_id == user.id,
                    )
                )
            return list(session.scalars(query))

    def by_signed_link(self, assessment_id: int) -> RiskAssessment | None:
        """The dialogue a signed link names (``PublicLinks.opens`` has checked it): the link is
        the permission, so no user's access is checked here."""
        with self.db.session() as session:
            return session.get(RiskAssessment, assessment_id)

    def get(self, user: User, assessment_id: int) -> RiskAssessment:
        with self.db.session() as session:
            assessment = session.get(RiskAssessment, assessment_id)
            if assessment is None or not can_see(user, assessment):
                raise NOT_FOUND
            return assessment

    @staticmethod
    def _linkable_agreement(session: Session, employee_id: str) -> int | None:
        """The employee's newest request still waiting for a risk assessment, if any."""
        waiting = session.scalars(
            select(Agreement)
            .where(
                Agreement.employee_id == employee_id,
                Agreement.status == AgreementStatus.SUBMITTED,
            )
            .order_by(Agreement.id.desc())
        )
        for agreement in waiting:
            linked = (
                session.get(RiskAssessment, agreement.risk_assessment_id)
                if agreement.risk_assessment_id
                else None
            )
            if linked is None or linked.status == RiskAssessmentStatus.CANCELLED:
                return agreement.id
        return None

    def _changeable_now(self, user: User, assessment_id: int) -> RiskAssessment:
        """The booking as it stands, if ``user`` may change it; read without a lock."""
        with self.db.session() as session:
            return self._changeable(session, user, assessment_id, lock=False)

    def _changeable(
        self, session: Session, user: User, assessment_id: int, lock: bool = True
    ) -> RiskAssessment:
        assessment = session.get(RiskAssessment, assessment_id, with_for_update=lock)
        if assessment is None or not can_see(user, assessment):
            raise NOT_FOUND
        if not user.is_hr and user.id not in (assessment.employee_id, assessment.manager_id):
            raise Refused(
                403,
                "not_allowed_to_book",
                "Bara medarbetaren, chefen eller HR kan flytta eller avboka riskbedömningen.",
                "Only the employee, the manager or HR can move or cancel the risk assessment.",
            )
        if assessment.status != RiskAssessmentStatus.BOOKED:
            raise Refused(
                409,
                "not_booked",
                "Riskbedömningen är inte bokad längre och kan inte ändras.",
                "The risk assessment is no longer booked and cannot be changed.",
            )
        return assessment


def can_see(user: User, assessment: RiskAssessment) -> bool:
    return user.is_hr or user.id in (
        assessment.employee_id,
        assessment.manager_id,
        assessment.safety_representative_id,
    )


def outcome_request_text(assessment: RiskAssessment, employee: User | None) -> str:
    held = swedish_time(assessment.start_at) if assessment.start_at else ""
    name = employee.name if employee else assessment.employee_id
    return (
        f"Riskbedömningen med {name} hölls {held}. Dokumentera resultatet: vilka risker ni såg, "
        "åtgärder med ansvarig och datum, och när den ska följas upp. Skriv "
        '"dokumentera riskbedömningen" så går vi igenom det.'
    )
