"""Held follow-ups of an employee's remote work: the risk assessment "ska sedan regelbundet,
minst en gång per år, följas upp och kompletteras om nya risker uppstår", and the agreement is
followed up yearly at the individual level.

A follow-up is recorded for a risk assessment, an agreement, or both (an assessment's own
agreement is linked by itself). Recording one moves the assessment's next follow-up on, and
restarts the agreement's year, so the daily job's reminders (``bot.risk_assessments.reminders``)
wait for the next one. The manager or HR records it, never the employee.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.errors import Refused
from bot.identity import User
from bot.regions import Region
from bot.storage.database import Database
from bot.storage.models import (
    Agreement,
    AgreementEvent,
    FollowUp,
    FollowUpOutcome,
    RiskAssessment,
    RiskAssessmentStatus,
)

NOTES_MAX_LENGTH = 5000


class FollowUpService:
    def __init__(self, db: Database, region: Region, clock: Clock | None = None) -> None:
        self.db = db
        self.region = region
        self.clock = clock or Clock()

    def record(
        self,
        user: User,
        held_on: date,
        outcome: FollowUpOutcome | str,
        risk_assessment_id: int | None = None,
        agreement_id: int | None = None,
        notes: str = "",
        next_follow_up_on: date | None = None,
    ) -> FollowUp:
        """Records a held follow-up; returns it. ``next_follow_up_on``: the assessment's next
        follow-up (default: the region's interval, at most a year after ``held_on``); none
        once the remote work ends."""
        if risk_assessment_id is None and agreement_id is None:
            raise Refused(
                422,
                "follow_up_subject_missing",
                "Ange vilken riskbedömning eller överenskommelse uppföljningen gäller.",
                "Say which risk assessment or agreement the follow-up is for.",
            )
        chosen = _outcome(outcome)
        notes = notes.strip()
        if len(notes) > NOTES_MAX_LENGTH:
            raise Refused(
                422,
                "notes_too_long",
                f"Anteckningarna får vara högst {NOTES_MAX_LENGTH} tecken.",
                f"The notes may be at most {NOTES_MAX_LENGTH} characters.",
            )
        today = self.clock.today()
        if held_on > today:
            raise Refused(
                422,
                "held_in_the_future",
                f"Uppföljningen kan registreras först när den har hållits; {held_on.isoformat()} "
                "har inte kommit än.",
                f"The follow-up can be recorded only once held; {held_on.isoformat()} has not "
                "come yet.",
            )
        if chosen == FollowUpOutcome.END and next_follow_up_on is not None:
            raise Refused(
                422,
                "no_follow_up_after_end",
                "Distansarbetet avslutas, så ingen ny uppföljning planeras.",
                "The remote work ends, so no further follow-up is planned.",
            )
        with self.db.session() as session:
            assessment = (
                _assessment(session, user, risk_assessment_id) if risk_assessment_id else None
            )
            agreement = _agreement(session, user, agreement_id) if agreement_id else None
            if agreement is None and assessment is not None:
                agreement = _agreement_of(session, assessment)
            if (
                agreement is not None
                and assessment is not None
                and agreement.employee_id != assessment.employee_id
            ):
                raise Refused(
                    422,
                    "follow_up_mismatch",
                    "Riskbedömningen och överenskommelsen gäller inte samma medarbetare.",
                    "The risk assessment and the agreement are not the same employee's.",
                )
            if assessment is not None:
                assessment.follow_up_on = (
                    None
                    if chosen == FollowUpOutcome.END
                    else self._next_follow_up(held_on, next_follow_up_on)
                )
            if agreement is not None:
                session.add(
                    AgreementEvent(
                        agreement_id=agreement.id,
                        actor_id=user.id,
                        action="followed_up",
                        detail=f"uppföljning {held_on.isoformat()}: {chosen.value}",
                    )
                )
            follow_up = FollowUp(
                risk_assessment_id=assessment.id if assessment else None,
                agreement_id=agreement.id if agreement else None,
                held_on=held_on,
                outcome=chosen.value,
                notes=notes or None,
                recorded_by=user.id,
            )
            session.add(follow_up)
            session.flush()
            return follow_up

    def _next_follow_up(self, held_on: date, wanted: date | None) -> date:
        latest = held_on + relativedelta(years=1)
        if wanted is None:
            interval = relativedelta(months=self.region.agreement.follow_up_interval_months)
            return min(held_on + interval, latest)
        if not held_on <= wanted <= latest:
            raise Refused(
                422,
                "follow_up_too_late",
                f"Riskbedömningen ska följas upp minst en gång per år: välj ett datum mellan "
                f"{held_on.isoformat()} och {latest.isoformat()}.",
                f"The assessment must be followed up at least yearly: choose a date between "
                f"{held_on.isoformat()} and {latest.isoformat()}.",
            )
        return wanted


def last_follow_up_on(session: Session, agreement: Agreement) -> date | None:
    """The day of the agreement's latest follow-up, its own or its risk assessment's."""
    about = [FollowUp.agreement_id == agreement.id]
    if agreement.risk_assessment_id is not None:
        about.append(FollowUp.risk_assessment_id == agreement.risk_assessment_id)
    latest: date | None = session.scalar(select(func.max(FollowUp.held_on)).where(or_(*about)))
    return latest


def _outcome(value: FollowUpOutcome | str) -> FollowUpOutcome:
    try:
        return FollowUpOutcome(value)
    except ValueError:
        choices = ", ".join(o.value for o in FollowUpOutcome)
        raise Refused(
            422,
            "invalid_outcome",
            f"Uppföljningens utfall ska vara ett av: {choices}.",
            f"The follow-up's outcome must be one of: {choices}.",
        ) from None


def _assessment(session: Session, user: User, assessment_id: int) -> RiskAssessment:
    assessment = session.get(RiskAssessment, assessment_id, with_for_update=True)
    if assessment is None or not (
        user.is_hr
        or user.id
        in (assessment.employee_id, assessment.manager_id, assessment.safety_representative_id)
    ):
        raise Refused(
            404,
            "risk_assessment_not_found",
            "Riskbedömningen finns inte.",
            "No such risk assessment.",
        )
    _check_recorder(user, assessment.employee_id, assessment.manager_id)
    if assessment.status != RiskAssessmentStatus.DOCUMENTED:
        raise Refused(
            409,
            "not_documented",
            "Riskbedömningen är inte dokumenterad än; dokumentera den innan den följs upp.",
            "The risk assessment is not documented yet; document it before following it up.",
        )
    return assessment


def _agreement(session: Session, user: User, agreement_id: int) -> Agreement:
    agreement = session.get(Agreement, agreement_id, with_for_update=True)
    if agreement is None or not (
        user.is_hr or user.id in (agreement.employee_id, agreement.manager_id)
    ):
        raise Refused(
            404, "agreement_not_found", "Överenskommelsen finns inte.", "No such agreement."
        )
    _check_recorder(user, agreement.employee_id, agreement.manager_id)
    return agreement


def _check_recorder(user: User, employee_id: str, manager_id: str) -> None:
    """Four eyes, as for documenting: the manager or HR, never the employee."""
    if user.id == employee_id or not (user.is_hr or user.id == manager_id):
        raise Refused(
            403,
            "not_the_manager",
            "Bara chefen eller HR registrerar en uppföljning, aldrig medarbetaren själv.",
            "Only the manager or HR records a follow-up, never the employee.",
        )


def _agreement_of(session: Session, assessment: RiskAssessment) -> Agreement | None:
    """The agreement the assessment was made for: the one it names, else the newest one that
    names it."""
    if assessment.agreement_id is not None:
        named = session.get(Agreement, assessment.agreement_id)
        if named is not None:
            return named
    return session.scalar(
        select(Agreement)
        .where(Agreement.risk_assessment_id == assessment.id)
        .order_by(Agreement.id.desc())
        .limit(1)
    )
