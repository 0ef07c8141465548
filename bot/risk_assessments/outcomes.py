"""Documenting the risk-assessment dialogue once it has been held: the risks seen, the action
plan, and the follow-up date (at least yearly, as the region's routine requires); and asking
each manager, once, to document a dialogue whose time has passed."""

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.identity import Directory, User
from bot.risk_assessments.action_plans import resolve_owner
from bot.risk_assessments.scheduling import STOCKHOLM, swedish_time
from bot.storage.models import (
    ActionEvent,
    ActionItem,
    ActionStatus,
    NoticeKind,
    Notification,
    RiskAssessment,
    RiskAssessmentStatus,
)


@dataclass(frozen=True)
class Action:
    action: str
    owner: str
    due: date


def record_outcome(
    assessment: RiskAssessment,
    user: User,
    risks: str,
    actions: list[Action],
    follow_up_on: date,
    now: datetime,
    directory: Directory,
) -> None:
    """Records the outcome on ``assessment`` (locked, and visible to ``user``), or raises
    Refused: only its manager or HR, not for one's own, not before it has been held."""
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
    if assessment.start_at and assessment.end_at and assessment.end_at > now:
        raise Refused(
            409,
            "not_held_yet",
            "Riskbedömningen kan dokumenteras först när mötet har hållits "
            f"({swedish_time(assessment.start_at)}).",
            "The risk assessment can be documented only once the meeting has been held.",
        )
    held_on = (assessment.start_at or now).astimezone(STOCKHOLM).date()
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
    _plan(assessment, actions, user.id, directory)
    assessment.follow_up_on = follow_up_on
    assessment.documented_on = now.astimezone(STOCKHOLM).date()
    assessment.status = RiskAssessmentStatus.DOCUMENTED


def _plan(
    assessment: RiskAssessment, actions: list[Action], actor_id: str, directory: Directory
) -> None:
    """The assessment's action plan becomes ``actions``: open actions of an earlier
    documentation are replaced, done ones stay as history."""
    for item in [i for i in assessment.action_items if i.status == ActionStatus.OPEN]:
        assessment.action_items.remove(item)
    for action in actions:
        assessment.action_items.append(
            ActionItem(
                text=action.action.strip(),
                owner=action.owner.strip(),
                owner_id=resolve_owner(directory, action.owner, assessment),
                due_on=action.due,
                status=ActionStatus.OPEN,
                moved_count=0,
                events=[ActionEvent(actor_id=actor_id, event="created", due_on=action.due)],
            )
        )


def ask_managers(session: Session, directory: Directory, now: datetime) -> int:
    """Marks dialogues whose time has passed as held and asks each manager, once, in chat to
    document the outcome. Returns how many managers were asked."""
    passed = session.scalars(
        select(RiskAssessment)
        .where(
            RiskAssessment.status.in_([RiskAssessmentStatus.BOOKED, RiskAssessmentStatus.HELD]),
            RiskAssessment.end_at <= now,
            RiskAssessment.outcome_requested_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    ).all()
    for assessment in passed:
        assessment.status = RiskAssessmentStatus.HELD
        assessment.outcome_requested_at = now
        session.add(
            Notification(
                recipient_id=assessment.manager_id,
                agreement_id=assessment.agreement_id,
                kind=NoticeKind.OUTCOME_REQUESTED,
                text=outcome_request_text(assessment, directory.get(assessment.employee_id)),
            )
        )
    return len(passed)


def outcome_request_text(assessment: RiskAssessment, employee: User | None) -> str:
    held = swedish_time(assessment.start_at) if assessment.start_at else ""
    name = employee.name if employee else assessment.employee_id
    return (
        f"Riskbedömningen med {name} hölls {held}. Dokumentera resultatet: vilka risker ni såg, "
        "åtgärder med ansvarig och datum, och när den ska följas upp. Skriv "
        '"dokumentera riskbedömningen" så går vi igenom det.'
    )
