"""Booking the risk-assessment dialogue and documenting its outcome.

The employee, their manager and the unit's safety representative (proposed from the directory,
changeable) take part. They and HR can see a booking; the employee or the manager books and
moves it; the manager or HR documents the outcome, which unlocks the linked agreement's approval.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.identity import Directory, User
from bot.risk_assessments.action_plans import resolve_owner
from bot.risk_assessments.availability import add_busy_time, busy_intervals
from bot.risk_assessments.notices import InvitationMail, tell_participants
from bot.risk_assessments.scheduling import (
    STOCKHOLM,
    WorkingHours,
    check_meeting_time,
    free_slots,
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
    ) -> None:
        """``invitations``: e-mail the participants the invitation, when SMTP is configured."""
        self.db = db
        self.directory = directory
        self.hours = hours or WorkingHours()
        self.now = now
        self.invitations = invitations

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
        self.check_duration(duration)
        representative = (
            self.directory.get(safety_representative_id)
            if safety_representative_id
            else self.proposed_safety_representative(employee)
        )
        with self.db.session() as session:
            start = self._checked_time(session, start, duration, employee, representative, None)
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
            tell_participants(
                session, self.directory, booker, assessment, "har bokat", self.invitations
            )
            return assessment

    def reschedule(
        self, user: User, assessment_id: int, start: datetime, duration: timedelta | None = None
    ) -> RiskAssessment:
        """Moves the dialogue: the same record and calendar UID, a higher sequence."""
        with self.db.session() as session:
            assessment = self._changeable(session, user, assessment_id)
            length = duration or (assessment.end_at - assessment.start_at)  # type: ignore[operator]
            self.check_duration(length)
            employee = self.directory.get(assessment.employee_id)
            representative = (
                self.directory.get(assessment.safety_representative_id)
                if assessment.safety_representative_id
                else None
            )
            assert employee is not None
            start = self._checked_time(
                session, start, length, employee, representative, assessment.id
            )
            assessment.start_at = start
            assessment.end_at = start + length
            assessment.calendar_sequence += 1
            tell_participants(
                session, self.directory, user, assessment, "har flyttat", self.invitations
            )
            return assessment

    def cancel(self, user: User, assessment_id: int) -> RiskAssessment:
        with self.db.session() as session:
            assessment = self._changeable(session, user, assessment_id)
            assessment.status = RiskAssessmentStatus.CANCELLED
            assessment.calendar_sequence += 1
            tell_participants(
                session, self.directory, user, assessment, "har avbokat", self.invitations
            )
            return assessment

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
        after = max(after or self.now(), self.now())
        with self.db.session() as session:
            busy = busy_intervals(
                session,
                self.participants(employee, representative),
                after,
                after + SLOT_HORIZON,
                moving_id,
            )
        return free_slots(busy, after, duration, self.hours, count)

    def is_free(
        self,
        employee: User,
        representative: User | None,
        start: datetime,
        duration: timedelta,
        moving_id: int | None = None,
    ) -> bool:
        """True when none of the participants is busy at any time of the meeting."""
        with self.db.session() as session:
            people = self.participants(employee, representative)
            return not busy_intervals(session, people, start, start + duration, moving_id)

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

    def _changeable(self, session: Session, user: User, assessment_id: int) -> RiskAssessment:
        assessment = session.get(RiskAssessment, assessment_id, with_for_update=True)
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

    def _checked_time(
        self,
        session: Session,
        start: datetime,
        duration: timedelta,
        employee: User,
        representative: User | None,
        moving_id: int | None,
    ) -> datetime:
        """The start in Stockholm time, if it is allowed and nobody taking part is busy then."""
        start = start.astimezone(STOCKHOLM)
        refusal = check_meeting_time(start, duration, self.now(), self.hours)
        if refusal is not None:
            suggestion = (
                f" Förslag: {refusal.suggestion:%Y-%m-%d %H:%M}." if refusal.suggestion else ""
            )
            raise Refused(422, "time_not_allowed", refusal.reason + suggestion, refusal.reason)
        people = self.participants(employee, representative)
        busy = busy_intervals(session, people, start, start + duration, moving_id)
        if busy:
            later = free_slots(
                busy_intervals(session, people, start, start + SLOT_HORIZON, moving_id),
                start,
                duration,
                self.hours,
                count=1,
            )
            hint = f" Första lediga tid: {swedish_time(later[0])}." if later else ""
            raise Refused(
                409,
                "double_booked",
                "Någon av deltagarna är upptagen då. Välj en annan tid." + hint,
                "One of the participants is busy then. Please choose another time.",
            )
        return start


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
