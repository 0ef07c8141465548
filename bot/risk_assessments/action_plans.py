"""Action plans (handlingsplaner): the actions a documented risk assessment planned, each with
an owner and a due date, are "planerade, genomförda och uppföljda" (the region's routine).

Who sees an action: HR, the assessment's employee, manager and safety representative, and the
action's owner. Who marks it done or moves it: the assessment's manager, the owner, HR. Anyone
else gets "not found". Every change is an ``ActionEvent``: who, what, when, and for a move the
old and new dates and the reason.
"""

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.errors import Refused
from bot.identity import Directory, User
from bot.storage.database import Database
from bot.storage.models import (
    ActionEvent,
    ActionItem,
    ActionStatus,
    RiskAssessment,
)

NOT_FOUND = Refused(404, "action_not_found", "Åtgärden finns inte.", "No such action.")
REASON_MAX_LENGTH = 500
# Owners written as a role rather than a name.
MANAGER_WORDS = frozenset({"chef", "chefen", "närmaste chef", "manager", "the manager"})
EMPLOYEE_WORDS = frozenset({"medarbetaren", "medarbetare", "employee", "the employee"})


def resolve_owner(directory: Directory, owner: str, assessment: RiskAssessment) -> str | None:
    """The directory id of the person ``owner`` names: "chefen" / "medarbetaren", or exactly
    one user by id, e-mail or full name (any case). None for a unit, a function or a name that
    fits nobody or more than one person."""
    wanted = " ".join(owner.split()).casefold()
    if wanted in MANAGER_WORDS:
        return assessment.manager_id
    if wanted in EMPLOYEE_WORDS:
        return assessment.employee_id
    found = {
        user.id
        for user in directory.all()
        if wanted in (user.id.casefold(), (user.email or "").casefold(), user.name.casefold())
    }
    return found.pop() if len(found) == 1 else None


def new_item(
    directory: Directory | None,
    assessment: RiskAssessment,
    text: str,
    owner: str,
    due_on: date,
    actor_id: str,
    detail: str | None = None,
) -> ActionItem:
    """A new open action of ``assessment``'s plan, its owner linked to the directory when the
    text names one person there (else the daily job links it later), with its "created"
    event; ``detail`` says where it came from ("vid uppföljningen 2027-12-01")."""
    return ActionItem(
        text=text.strip(),
        owner=owner.strip(),
        owner_id=resolve_owner(directory, owner, assessment) if directory else None,
        due_on=due_on,
        status=ActionStatus.OPEN,
        moved_count=0,
        events=[ActionEvent(actor_id=actor_id, event="created", due_on=due_on, detail=detail)],
    )


def can_see(user: User, item: ActionItem) -> bool:
    assessment = item.risk_assessment
    return user.is_hr or user.id in (
        assessment.employee_id,
        assessment.manager_id,
        assessment.safety_representative_id,
        item.owner_id,
    )


def can_change(user: User, item: ActionItem) -> bool:
    """The assessment's manager, the action's owner, HR."""
    return user.is_hr or user.id in (item.risk_assessment.manager_id, item.owner_id)


def is_overdue(item: ActionItem, today: date) -> bool:
    return item.status == ActionStatus.OPEN and item.due_on < today


class ActionPlanService:
    def __init__(self, db: Database, directory: Directory, clock: Clock | None = None) -> None:
        self.db = db
        self.directory = directory
        self.clock = clock or Clock()

    def visible_to(
        self, user: User, overdue: bool = False, status: ActionStatus | None = None
    ) -> list[ActionItem]:
        """The actions ``user`` may see, by due date: HR all; a manager those of their
        employees' assessments; anyone those they own or whose assessment they took part in.
        ``overdue``: only open actions whose due date has passed."""
        query = select(ActionItem).join(ActionItem.risk_assessment)
        if not user.is_hr:
            query = query.where(
                or_(
                    RiskAssessment.manager_id == user.id,
                    RiskAssessment.employee_id == user.id,
                    RiskAssessment.safety_representative_id == user.id,
                    ActionItem.owner_id == user.id,
                )
            )
        if overdue:
            query = query.where(
                ActionItem.status == ActionStatus.OPEN, ActionItem.due_on < self.clock.today()
            )
        if status is not None:
            query = query.where(ActionItem.status == status)
        with self.db.session() as session:
            return list(session.scalars(query.order_by(ActionItem.due_on, ActionItem.id)))

    def get(self, user: User, action_id: int) -> ActionItem:
        with self.db.session() as session:
            item = session.get(ActionItem, action_id)
            if item is None or not can_see(user, item):
                raise NOT_FOUND
            return item

    def mark_done(self, user: User, action_id: int) -> ActionItem:
        with self.db.session() as session:
            item = self._changeable(session, user, action_id)
            item.status = ActionStatus.DONE
            item.done_at = self.clock.now()
            item.done_by = user.id
            item.events.append(ActionEvent(actor_id=user.id, event="done", due_on=item.due_on))
            return item

    def move(self, user: User, action_id: int, due_on: date, reason: str) -> ActionItem:
        """A new due date, with the reason; the reminder is sent again on the new date."""
        reason = " ".join(reason.split())
        if not reason:
            raise Refused(
                422,
                "reason_required",
                "Ange varför åtgärden flyttas.",
                "Give the reason for moving the action.",
            )
        if len(reason) > REASON_MAX_LENGTH:
            raise Refused(
                422,
                "reason_too_long",
                f"Skälet får vara högst {REASON_MAX_LENGTH} tecken.",
                f"The reason may be at most {REASON_MAX_LENGTH} characters.",
            )
        today = self.clock.today()
        if due_on < today:
            raise Refused(
                422,
                "due_in_the_past",
                f"Det nya datumet {due_on.isoformat()} har redan passerat. Välj i dag "
                f"({today.isoformat()}) eller ett senare datum.",
                f"The new date {due_on.isoformat()} has passed. Choose today "
                f"({today.isoformat()}) or a later date.",
            )
        with self.db.session() as session:
            item = self._changeable(session, user, action_id)
            if due_on == item.due_on:
                raise Refused(
                    422,
                    "same_due_date",
                    f"Åtgärden ska redan vara klar {due_on.isoformat()}. Välj ett annat datum.",
                    f"The action is already due on {due_on.isoformat()}. Choose another date.",
                )
            item.events.append(
                ActionEvent(
                    actor_id=user.id,
                    event="moved",
                    previous_due_on=item.due_on,
                    due_on=due_on,
                    detail=reason,
                )
            )
            item.due_on = due_on
            item.moved_count += 1
            item.reminded_on = None
            return item

    @staticmethod
    def _changeable(session: Session, user: User, action_id: int) -> ActionItem:
        """The open action, locked for the change, if ``user`` may change it."""
        item = session.scalar(
            select(ActionItem).where(ActionItem.id == action_id).with_for_update(of=ActionItem)
        )
        if item is None or not can_see(user, item):
            raise NOT_FOUND
        if not can_change(user, item):
            raise Refused(
                403,
                "not_allowed_to_change_action",
                "Bara chefen, den som är ansvarig för åtgärden eller HR kan markera den som "
                "klar eller flytta den.",
                "Only the manager, the action's owner or HR can mark it done or move it.",
            )
        if item.status == ActionStatus.DONE:
            when = item.done_at.date().isoformat() if item.done_at else ""
            raise Refused(
                409,
                "action_already_done",
                f"Åtgärden är redan klar ({when}).",
                f"The action is already done ({when}).",
            )
        return item


def moves(item: ActionItem) -> list[ActionEvent]:
    """The action's moves, oldest first."""
    return [event for event in item.events if event.event == "moved"]
