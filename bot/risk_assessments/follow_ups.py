"""Held follow-ups of an employee's remote work: the risk assessment "ska sedan regelbundet,
minst en gång per år, följas upp och kompletteras om nya risker uppstår", and the agreement is
followed up yearly at the individual level.

A follow-up is recorded for a risk assessment, an agreement, or both (an assessment's own
agreement is linked by itself). Recording one moves the assessment's next follow-up on, and
restarts the agreement's year, so the daily job's reminders (``bot.risk_assessments.reminders``)
wait for the next one. The manager or HR records it, never the employee, who is told in chat.

What was said is kept with it: the answers to HR's supporting questions
(``bot.risk_assessments.follow_up_questions``) and any new risks, as the record's text, and new
actions as rows of the assessment's action plan, reminded and followed like the first ones.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.errors import Refused
from bot.identity import Directory, User
from bot.regions import Region
from bot.risk_assessments.action_plans import new_item
from bot.risk_assessments.service import Action
from bot.storage.database import Database
from bot.storage.models import (
    Agreement,
    AgreementEvent,
    AgreementStatus,
    FollowUp,
    FollowUpOutcome,
    NoticeKind,
    Notification,
    RiskAssessment,
    RiskAssessmentStatus,
)

NOTES_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 1000
RISKS_MAX_LENGTH = 5000
MAX_ANSWERS = 50
MAX_ACTIONS = 50
# Agreements a follow-up is about: decided and not yet over.
IN_FORCE = (AgreementStatus.APPROVED, AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)
# What the employee is told the follow-up decided.
OUTCOME_TEXTS = {
    FollowUpOutcome.CONTINUE: "distansarbetet fortsätter som tidigare",
    FollowUpOutcome.CHANGE: "överenskommelsen om distansarbete ska ändras",
    FollowUpOutcome.END: "distansarbetet avslutas",
}


@dataclass(frozen=True)
class FollowUpAnswer:
    """The answer to one of HR's supporting questions, with the question as it was asked."""

    area: str
    question: str
    answer: str


@dataclass(frozen=True)
class FollowUpSubject:
    """What a follow-up of one employee's remote work is about: their latest documented risk
    assessment and their agreement in force, either of which may be missing (not both)."""

    employee_id: str
    assessment: RiskAssessment | None
    agreement: Agreement | None


class FollowUpService:
    def __init__(
        self,
        db: Database,
        region: Region,
        clock: Clock | None = None,
        directory: Directory | None = None,
    ) -> None:
        """``directory``: links the owners of new actions to people at once (without it, the
        daily job links them)."""
        self.db = db
        self.region = region
        self.clock = clock or Clock()
        self.directory = directory

    def subject_for(self, user: User, employee_id: str) -> FollowUpSubject | None:
        """The newest documented risk assessment and the newest agreement in force of
        ``employee_id`` that ``user`` (their manager, or HR) may follow up; None when there is
        neither."""
        with self.db.session() as session:
            assessments = select(RiskAssessment).where(
                RiskAssessment.employee_id == employee_id,
                RiskAssessment.status == RiskAssessmentStatus.DOCUMENTED,
            )
            agreements = select(Agreement).where(
                Agreement.employee_id == employee_id, Agreement.status.in_(IN_FORCE)
            )
            if not user.is_hr:
                assessments = assessments.where(RiskAssessment.manager_id == user.id)
                agreements = agreements.where(Agreement.manager_id == user.id)
            assessment = session.scalar(
                assessments.order_by(
                    RiskAssessment.documented_on.desc(), RiskAssessment.id.desc()
                ).limit(1)
            )
            agreement = session.scalar(agreements.order_by(Agreement.id.desc()).limit(1))
        if user.id == employee_id or (assessment is None and agreement is None):
            return None
        return FollowUpSubject(employee_id, assessment, agreement)

    def employees_to_follow_up(self, user: User) -> list[str]:
        """The employees whose remote work ``user`` may follow up (their manager, or HR): those
        with a documented risk assessment, the earliest planned follow-up first, then those
        with only an agreement in force."""
        with self.db.session() as session:
            assessments = select(RiskAssessment.employee_id).where(
                RiskAssessment.status == RiskAssessmentStatus.DOCUMENTED
            )
            agreements = select(Agreement.employee_id).where(Agreement.status.in_(IN_FORCE))
            if not user.is_hr:
                assessments = assessments.where(RiskAssessment.manager_id == user.id)
                agreements = agreements.where(Agreement.manager_id == user.id)
            found = [
                *session.scalars(
                    assessments.order_by(RiskAssessment.follow_up_on, RiskAssessment.id)
                ),
                *session.scalars(agreements.order_by(Agreement.end_date, Agreement.id)),
            ]
        return [employee for employee in dict.fromkeys(found) if employee != user.id]

    def next_follow_up(self, held_on: date) -> date:
        """The assessment's next follow-up after one held on ``held_on``: the region's interval,
        at most a year."""
        return self._next_follow_up(held_on, None)

    def record(
        self,
        user: User,
        held_on: date,
        outcome: FollowUpOutcome | str,
        risk_assessment_id: int | None = None,
        agreement_id: int | None = None,
        notes: str = "",
        next_follow_up_on: date | None = None,
        answers: Sequence[FollowUpAnswer] = (),
        risks: str = "",
        actions: Sequence[Action] = (),
    ) -> FollowUp:
        """Records a held follow-up; returns it. ``next_follow_up_on``: the assessment's next
        follow-up (default: the region's interval, at most a year after ``held_on``); none
        once the remote work ends. ``answers`` and new ``risks`` are kept in the record's
        text; new ``actions`` join the assessment's action plan. The employee is told in chat
        (and the manager, when HR records it)."""
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
        self._check_content(answers, risks, actions)
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
            if actions and assessment is None:
                raise Refused(
                    409,
                    "no_action_plan",
                    "Åtgärder förs in i riskbedömningens handlingsplan, men ingen dokumenterad "
                    "riskbedömning hör till uppföljningen. Boka och dokumentera en riskbedömning "
                    "för de nya riskerna.",
                    "Actions go into the risk assessment's action plan, but no documented risk "
                    "assessment belongs to this follow-up. Book and document a risk assessment "
                    "for the new risks.",
                )
            for action in actions:
                if action.due < today:
                    raise Refused(
                        422,
                        "due_in_the_past",
                        f"Åtgärden ”{action.action[:60]}” har ett datum som redan har passerat "
                        f"({action.due.isoformat()}). Välj i dag eller ett senare datum.",
                        f"The action ”{action.action[:60]}” has a date that has passed "
                        f"({action.due.isoformat()}). Choose today or a later date.",
                    )
            if assessment is not None:
                assessment.follow_up_on = (
                    None
                    if chosen == FollowUpOutcome.END
                    else self._next_follow_up(held_on, next_follow_up_on)
                )
                for action in actions:
                    assessment.action_items.append(
                        new_item(
                            self.directory,
                            assessment,
                            action.action,
                            action.owner,
                            action.due,
                            user.id,
                            f"vid uppföljningen {held_on.isoformat()}",
                        )
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
            text = follow_up_text(answers, risks, notes)
            follow_up = FollowUp(
                risk_assessment_id=assessment.id if assessment else None,
                agreement_id=agreement.id if agreement else None,
                held_on=held_on,
                outcome=chosen.value,
                notes=text or None,
                recorded_by=user.id,
            )
            session.add(follow_up)
            self._tell(session, user, held_on, chosen, assessment, agreement, len(actions))
            session.flush()
            return follow_up

    @staticmethod
    def _check_content(
        answers: Sequence[FollowUpAnswer], risks: str, actions: Sequence[Action]
    ) -> None:
        if len(answers) > MAX_ANSWERS or any(
            len(a.answer) > ANSWER_MAX_LENGTH or not a.question.strip() for a in answers
        ):
            raise Refused(
                422,
                "invalid_answers",
                f"Högst {MAX_ANSWERS} svar, var och ett med sin fråga och högst "
                f"{ANSWER_MAX_LENGTH} tecken.",
                f"At most {MAX_ANSWERS} answers, each with its question and at most "
                f"{ANSWER_MAX_LENGTH} characters.",
            )
        if len(risks.strip()) > RISKS_MAX_LENGTH:
            raise Refused(
                422,
                "risks_too_long",
                f"De nya riskerna får beskrivas med högst {RISKS_MAX_LENGTH} tecken.",
                f"The new risks may be described in at most {RISKS_MAX_LENGTH} characters.",
            )
        if len(actions) > MAX_ACTIONS or any(
            not a.action.strip() or not a.owner.strip() for a in actions
        ):
            raise Refused(
                422,
                "invalid_actions",
                f"Högst {MAX_ACTIONS} åtgärder, var och en med åtgärd, ansvarig och datum.",
                f"At most {MAX_ACTIONS} actions, each with the action, an owner and a date.",
            )

    def _tell(
        self,
        session: Session,
        user: User,
        held_on: date,
        outcome: FollowUpOutcome,
        assessment: RiskAssessment | None,
        agreement: Agreement | None,
        new_actions: int,
    ) -> None:
        """A chat notice to the employee (and to the manager when someone else recorded it)."""
        subject = assessment or agreement
        assert subject is not None
        text = (
            f"{user.name} har registrerat uppföljningen av distansarbetet den "
            f"{held_on.isoformat()}: {OUTCOME_TEXTS[outcome]}."
        )
        if new_actions:
            text += f" {new_actions} nya åtgärder har förts in i handlingsplanen."
        if assessment is not None and assessment.follow_up_on is not None:
            text += f" Nästa uppföljning senast {assessment.follow_up_on.isoformat()}."
        for recipient in dict.fromkeys((subject.employee_id, subject.manager_id)):
            if recipient != user.id:
                session.add(
                    Notification(
                        recipient_id=recipient,
                        agreement_id=agreement.id if agreement else None,
                        kind=NoticeKind.FOLLOW_UP_RECORDED,
                        text=text,
                    )
                )

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


def follow_up_text(answers: Sequence[FollowUpAnswer], risks: str, notes: str) -> str:
    """The record's text: the answers by area, the new risks, then the notes."""
    parts: list[str] = []
    areas: dict[str, list[FollowUpAnswer]] = {}
    for answer in answers:
        areas.setdefault(answer.area.strip(), []).append(answer)
    for area, given in areas.items():
        lines = [f"- {a.question.strip()} {' '.join(a.answer.split())}" for a in given]
        parts.append(f"{area}:\n" + "\n".join(lines))
    if risks.strip():
        parts.append(f"Nya risker: {risks.strip()}")
    if notes:
        parts.append(notes if not parts else f"Anteckningar: {notes}")
    return "\n\n".join(parts)


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
