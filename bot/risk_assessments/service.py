"""Booking the risk-assessment dialogue and documenting its outcome.

The employee, their manager and the unit's safety representative (proposed from the directory,
changeable) take part. They and HR can see a booking; the employee or the manager books and
moves it; the manager or HR documents the outcome, which unlocks the linked agreement's approval.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.calendars import Calendar
from bot.errors import Refused
from bot.identity import Directory, User
from bot.risk_assessments.change_notices import ChangeNotices, agreement_reference
from bot.risk_assessments.links import PublicLinks
from bot.risk_assessments.meeting_times import (
    DEFAULT_DURATION,
    BookingRules,
    MeetingTimes,
    SlotOffer,
)
from bot.risk_assessments.notices import InvitationMail
from bot.risk_assessments.outcomes import Action, ask_managers, record_outcome
from bot.risk_assessments.scheduling import (
    STOCKHOLM,
    WorkingHours,
)
from bot.storage.database import Database
from bot.storage.models import (
    Agreement,
    AgreementStatus,
    RiskAssessment,
    RiskAssessmentStatus,
)

SHORTEST = timedelta(minutes=15)
LONGEST = timedelta(minutes=240)
NOT_FOUND = Refused(
    404, "risk_assessment_not_found", "Riskbedömningen finns inte.", "No such risk assessment."
)

log = logging.getLogger(__name__)


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
        self.now = now
        self.calendar = calendar
        self.links = links or PublicLinks()
        self.notices = ChangeNotices(db, directory, calendar, invitations, self.links)
        self.meeting_times = MeetingTimes(
            db, directory, hours or WorkingHours(), now, calendar, rules or BookingRules()
        )

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
        checked = self.meeting_times.check_outside(start, duration, employee, representative, None)
        with self.db.session() as session:
            self.meeting_times.check_store(session, start, duration, employee, representative, None)
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
            write, held = self.notices.tell(session, booker, assessment, "har bokat", checked)
        self.notices.write_now(write, checked)
        return self.notices.with_online_meeting(assessment, held)

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
        checked = self.meeting_times.check_outside(start, length, employee, representative, current)
        with self.db.session() as session:
            assessment = self._changeable(session, user, assessment_id)
            self.meeting_times.check_store(
                session, start, length, employee, representative, assessment.id
            )
            assessment.start_at = start
            assessment.end_at = start + length
            assessment.calendar_sequence += 1
            assessment.calendar_checked = checked
            write, held = self.notices.tell(session, user, assessment, "har flyttat", checked)
        self.notices.write_now(write, checked)
        return self.notices.with_online_meeting(assessment, held)

    def cancel(self, user: User, assessment_id: int) -> RiskAssessment:
        """Cancels the dialogue: its calendar event is marked cancelled (same UID, higher
        sequence), and the invitation becomes a cancellation."""
        with self.db.session() as session:
            assessment = self._changeable(session, user, assessment_id)
            assessment.status = RiskAssessmentStatus.CANCELLED
            assessment.calendar_sequence += 1
            write, _ = self.notices.tell(session, user, assessment, "har avbokat")
        self.notices.write_now(write, None if self.calendar is None else not self.calendar_paused)
        return assessment

    @property
    def invitations(self) -> InvitationMail | None:
        """How the app mails the invitation (``ChangeNotices.invitations``)."""
        return self.notices.invitations

    @invitations.setter
    def invitations(self, mail: InvitationMail | None) -> None:
        self.notices.invitations = mail

    @property
    def calendar_paused(self) -> bool:
        """True while the outside calendar rests after a failure (``bot.calendars.guard``)."""
        return self.notices.calendar_paused

    def agreement_reference(self, assessment: RiskAssessment) -> str | None:
        """The reference of the agreement the dialogue belongs to (DA-2026-00012), if any."""
        with self.db.session() as session:
            return agreement_reference(session, assessment)

    def document(
        self,
        user: User,
        assessment_id: int,
        risks: str,
        actions: list[Action],
        follow_up_on: date,
    ) -> RiskAssessment:
        """Records the outcome (``bot.risk_assessments.outcomes``)."""
        with self.db.session() as session:
            assessment = session.get(RiskAssessment, assessment_id, with_for_update=True)
            if assessment is None or not can_see(user, assessment):
                raise NOT_FOUND
            record_outcome(
                assessment, user, risks, actions, follow_up_on, self.now(), self.directory
            )
            return assessment

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
        return self.meeting_times.offer(employee, representative, duration, after)

    def offer(
        self,
        employee: User,
        representative: User | None,
        duration: timedelta = DEFAULT_DURATION,
        after: date | None = None,
        moving_id: int | None = None,
    ) -> SlotOffer:
        """Free times for everybody, each on a day of its own (``MeetingTimes.offer``)."""
        return self.meeting_times.offer(employee, representative, duration, after, moving_id)

    def check_time(
        self,
        start: datetime,
        duration: timedelta,
        employee: User | None,
        representative: User | None,
        moving_id: int | None = None,
    ) -> Refused | None:
        """Why the dialogue cannot take place then, or None (``MeetingTimes.check_time``)."""
        return self.meeting_times.check_time(start, duration, employee, representative, moving_id)

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
        """Asks each manager, once, to document a dialogue whose time has passed; returns how
        many were asked. Run by the daily job."""
        with self.db.session() as session:
            return ask_managers(session, self.directory, self.now())

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
