"""Follow-up reminders, sent by the daily job (``bot.jobs.daily``):

- a risk assessment's follow-up date has come (its manager);
- an action of an action plan is due (the assessment's manager, and the action's owner when
  the owner is a person in the directory);
- an active agreement has gone the region's interval (``follow_up_interval_months``, 12) since
  its decision or its last follow-up without one (its manager).

A reminder is a chat notice, which the Teams notifier also brings to Teams, and an e-mail
through the outbox when the region has an SMTP server. Each is sent once: the reminder is
written to ``sent_reminders`` under a unique key (kind, subject, date reminded about) in the
same transaction as its notices and e-mail, so a second run, the same day or on another replica
at the same moment, finds it sent or fails on the key and sends nothing, and a run that fails
half-way has sent nothing either. A moved due date or a recorded follow-up is a new date, and is
reminded about again when it comes.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Exists

from bot.identity import Directory
from bot.outbox import queue_email
from bot.regions import Region
from bot.risk_assessments.action_plans import resolve_owner
from bot.risk_assessments.follow_ups import last_follow_up_on
from bot.storage.database import Database
from bot.storage.models import (
    ActionEvent,
    ActionItem,
    ActionStatus,
    Agreement,
    AgreementEvent,
    AgreementStatus,
    NoticeKind,
    Notification,
    RiskAssessment,
    RiskAssessmentStatus,
    SentReminder,
)

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
RISK_ASSESSMENT_FOLLOW_UP = "risk_assessment_follow_up"
ACTION_DUE = "action_due"
AGREEMENT_FOLLOW_UP = "agreement_follow_up"
# A reminder whose transaction lost a lock to another run (SQLite's "database is locked",
# PostgreSQL's deadlock) is tried again at once; the check then finds it sent by the other.
ATTEMPTS = 3


@dataclass
class ReminderResult:
    """What one run sent: reminders per kind, chat notices, e-mails queued, failures."""

    follow_ups: int = 0
    actions: int = 0
    agreements: int = 0
    notices: int = 0
    emails_queued: int = 0
    errors: int = 0

    def add(self, other: "ReminderResult") -> None:
        """Adds ``other``'s counts to these; returns nothing."""
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def summary(self) -> str:
        """A one-line Swedish summary for the job's log."""
        return (
            f"Uppföljning: {self.follow_ups} riskbedömningar att följa upp, {self.actions} "
            f"åtgärder som ska vara klara, {self.agreements} överenskommelser utan uppföljning "
            f"på ett år; {self.notices} meddelanden, {self.emails_queued} e-post att skicka, "
            f"{self.errors} fel."
        )


@dataclass(frozen=True)
class Letter:
    """One person's reminder: the chat notice's text, and the e-mail's subject."""

    recipient_id: str
    text: str
    subject: str
    kind: NoticeKind


# What to write in the chat (actions/follow_up/): the reminder says how to act on it.
ACTIONS_HINT = "Skriv ”visa åtgärder” i chatten med Distansguiden, så får du knappar för det."


def follow_up_hint(employee: str) -> str:
    """How to start the follow-up dialogue, which goes through HR's supporting questions and
    records the follow-up; the full name finds the one employee meant."""
    return (
        f"Skriv ”följ upp distansarbetet med {employee}” i chatten med Distansguiden när ni "
        "ses, så går vi igenom HR:s stödfrågor och registrerar uppföljningen."
    )


class AlreadySent(Exception):
    """Another run sent this reminder while this one was writing it."""


def send_follow_up_reminders(
    db: Database, region: Region, directory: Directory, today: date, by_email: bool = False
) -> ReminderResult:
    """Sends every follow-up reminder due on ``today``; safe to run more than once a day and
    on several replicas at once. ``by_email``: e-mail too, queued in the outbox."""
    link_action_owners(db, directory)
    result = ReminderResult()
    reminders = Reminders(region, directory, today, by_email)
    with db.session() as session:
        assessments = session.scalars(
            select(RiskAssessment.id)
            .where(
                RiskAssessment.status == RiskAssessmentStatus.DOCUMENTED,
                RiskAssessment.follow_up_on <= today,
                ~_sent(RISK_ASSESSMENT_FOLLOW_UP, RiskAssessment.id, RiskAssessment.follow_up_on),
            )
            .order_by(RiskAssessment.id)
        ).all()
        actions = session.scalars(
            select(ActionItem.id)
            .where(
                ActionItem.status == ActionStatus.OPEN,
                ActionItem.due_on <= today,
                ActionItem.reminded_on.is_(None),
            )
            .order_by(ActionItem.id)
        ).all()
        # Read without locks; only the ones found due are locked and checked again.
        agreements = [
            agreement.id
            for agreement in session.scalars(
                select(Agreement)
                .where(Agreement.region == region.id, Agreement.status == AgreementStatus.ACTIVE)
                .order_by(Agreement.id)
            )
            if reminders.agreement_due(session, agreement) is not None
        ]
    for kind, ids, step in (
        ("risk assessment", assessments, reminders.risk_assessment),
        ("action", actions, reminders.action),
        ("agreement", agreements, reminders.agreement),
    ):
        for subject_id in ids:
            result.add(_one(db, kind, subject_id, step))
    return result


def link_action_owners(db: Database, directory: Directory) -> int:
    """Links open actions whose owner was not found in the directory when they were written
    (moved from the old JSON list, or a person added since) to the person the owner names.
    Returns how many were linked; a failure is logged and left to the next run."""
    linked = 0
    try:
        with db.session() as session:
            for item in session.scalars(
                select(ActionItem).where(
                    ActionItem.status == ActionStatus.OPEN, ActionItem.owner_id.is_(None)
                )
            ):
                owner_id = resolve_owner(directory, item.owner, item.risk_assessment)
                if owner_id is not None:
                    item.owner_id = owner_id
                    linked += 1
    except SQLAlchemyError as error:
        logger.warning("Could not link action owners to the directory: %s", error)
        return 0
    return linked


def _one(
    db: Database,
    kind: str,
    subject_id: int,
    step: Callable[[Session, int, ReminderResult], None],
) -> ReminderResult:
    """One reminder in one transaction: a broken row must not hold back the others. Counted
    apart and returned only after the commit, so a rolled-back reminder is not reported."""
    for attempt in range(1, ATTEMPTS + 1):
        counted = ReminderResult()
        try:
            with db.session() as session:
                step(session, subject_id, counted)
        except AlreadySent:
            return ReminderResult()
        except OperationalError as error:
            if attempt < ATTEMPTS:
                logger.warning(
                    "Follow-up reminder for %s id %s tried again: %s", kind, subject_id, error
                )
                continue
            logger.exception("Follow-up reminder failed for %s id %s", kind, subject_id)
            return ReminderResult(errors=1)
        except Exception:
            logger.exception("Follow-up reminder failed for %s id %s", kind, subject_id)
            return ReminderResult(errors=1)
        return counted
    return ReminderResult(errors=1)


class Reminders:
    """Each kind's step: checks again under a lock that the reminder is still due, claims it,
    and writes the notices and e-mail."""

    def __init__(self, region: Region, directory: Directory, today: date, by_email: bool) -> None:
        self.region = region
        self.directory = directory
        self.today = today
        self.by_email = by_email

    def risk_assessment(self, session: Session, assessment_id: int, result: ReminderResult) -> None:
        assessment = session.scalar(
            select(RiskAssessment)
            .where(RiskAssessment.id == assessment_id)
            .with_for_update(of=RiskAssessment)
        )
        if (
            assessment is None
            or assessment.status != RiskAssessmentStatus.DOCUMENTED
            or assessment.follow_up_on is None
            or assessment.follow_up_on > self.today
        ):
            return
        employee = self._name(assessment.employee_id)
        letter = Letter(
            assessment.manager_id,
            f"Det är dags att följa upp riskbedömningen av distansarbetet med {employee} "
            f"(uppföljningen planerades till {assessment.follow_up_on.isoformat()}). Gå igenom "
            "riskerna och handlingsplanen tillsammans, och komplettera riskbedömningen om nya "
            "risker har uppstått. Riskbedömningen ska följas upp minst en gång per år. "
            f"{follow_up_hint(employee)}",
            f"Dags att följa upp riskbedömningen av distansarbetet med {employee}",
            NoticeKind.RISK_ASSESSMENT_FOLLOW_UP,
        )
        _claim(session, RISK_ASSESSMENT_FOLLOW_UP, assessment.id, assessment.follow_up_on, [letter])
        self._send(
            session, [letter], assessment.agreement_id, f"risk_assessment:{assessment.id}", result
        )
        result.follow_ups += 1

    def action(self, session: Session, action_id: int, result: ReminderResult) -> None:
        item = session.scalar(
            select(ActionItem).where(ActionItem.id == action_id).with_for_update(of=ActionItem)
        )
        if (
            item is None
            or item.status != ActionStatus.OPEN
            or item.due_on > self.today
            or item.reminded_on is not None
        ):
            return
        assessment = item.risk_assessment
        employee = self._name(assessment.employee_id)
        when = (
            "ska vara klar i dag"
            if item.due_on == self.today
            else f"skulle ha varit klar {item.due_on.isoformat()}"
        )
        what = f"Åtgärden ”{item.text}” i handlingsplanen för {employee} {when}"
        letters = [
            Letter(
                assessment.manager_id,
                f"{what} (ansvarig: {item.owner}). Markera den som klar, eller flytta den till "
                f"ett nytt datum och skriv varför. {ACTIONS_HINT}",
                f"Åtgärd i handlingsplanen: {item.text[:120]}",
                NoticeKind.ACTION_DUE,
            )
        ]
        if item.owner_id is not None and item.owner_id != assessment.manager_id:
            letters.append(
                Letter(
                    item.owner_id,
                    f"{what}. Du är ansvarig för den. Markera den som klar när den är gjord, "
                    f"eller kom överens med chefen om ett nytt datum. {ACTIONS_HINT}",
                    f"Din åtgärd i handlingsplanen: {item.text[:120]}",
                    NoticeKind.ACTION_DUE,
                )
            )
        _claim(session, ACTION_DUE, item.id, item.due_on, letters)
        item.reminded_on = self.today
        item.events.append(
            ActionEvent(
                actor_id=SYSTEM_ACTOR,
                event="reminder_sent",
                due_on=item.due_on,
                detail="till " + ", ".join(letter.recipient_id for letter in letters),
            )
        )
        self._send(session, letters, assessment.agreement_id, f"action:{item.id}", result)
        result.actions += 1

    def agreement(self, session: Session, agreement_id: int, result: ReminderResult) -> None:
        agreement = session.scalar(
            select(Agreement).where(Agreement.id == agreement_id).with_for_update()
        )
        if agreement is None or agreement.status != AgreementStatus.ACTIVE:
            return
        found = self.agreement_due(session, agreement)
        if found is None:
            return
        due, since, last = found
        employee = self._name(agreement.employee_id)
        how_long = (
            f"senaste uppföljningen hölls {last.isoformat()}"
            if last
            else f"den beslutades {since.isoformat()}"
        )
        letter = Letter(
            agreement.manager_id,
            f"Distansöverenskommelsen {agreement.reference} för {employee} har inte följts upp "
            f"sedan {how_long}. Distansarbetet följs upp minst en gång per år: boka ett "
            f"uppföljningssamtal med {employee} om arbetsmiljö och informationssäkerhet. "
            f"{follow_up_hint(employee)}",
            f"Dags att följa upp distansöverenskommelsen {agreement.reference} för {employee}",
            NoticeKind.AGREEMENT_FOLLOW_UP,
        )
        _claim(session, AGREEMENT_FOLLOW_UP, agreement.id, due, [letter])
        session.add(
            AgreementEvent(
                agreement_id=agreement.id,
                actor_id=SYSTEM_ACTOR,
                action="follow_up_reminder_sent",
                detail=f"till {agreement.manager_id}",
            )
        )
        self._send(session, [letter], agreement.id, f"agreement:{agreement.reference}", result)
        result.agreements += 1

    def agreement_due(
        self, session: Session, agreement: Agreement
    ) -> tuple[date, date, date | None] | None:
        """When the agreement's reminder fell due, the day its year is counted from, and its
        last follow-up; None if it is not due or was sent."""
        last = last_follow_up_on(session, agreement)
        since = last or self._decided_on(agreement)
        due = since + relativedelta(months=self.region.agreement.follow_up_interval_months)
        if due > self.today or _was_sent(session, AGREEMENT_FOLLOW_UP, agreement.id, due):
            return None
        return due, since, last

    def _decided_on(self, agreement: Agreement) -> date:
        """The region's date of the decision; the start date for an agreement from before
        decisions were recorded."""
        if agreement.decided_at is None:
            return agreement.start_date
        return agreement.decided_at.astimezone(ZoneInfo(self.region.time_zone)).date()

    def _name(self, user_id: str) -> str:
        person = self.directory.get(user_id)
        return person.name if person else user_id

    def _send(
        self,
        session: Session,
        letters: Iterable[Letter],
        agreement_id: int | None,
        reference: str,
        result: ReminderResult,
    ) -> None:
        for letter in letters:
            session.add(
                Notification(
                    recipient_id=letter.recipient_id,
                    agreement_id=agreement_id,
                    kind=letter.kind,
                    text=letter.text,
                )
            )
            result.notices += 1
            person = self.directory.get(letter.recipient_id)
            if not self.by_email or person is None or not person.email:
                continue
            queue_email(
                session,
                person.email,
                letter.subject,
                f"Hej {person.name}!\n\n{letter.text}\n\nHälsningar\nDistansguiden, "
                f"{self.region.name}\n",
                reference=reference,
            )
            result.emails_queued += 1


def _sent(kind: str, subject_id: Any, occasion: Any) -> Exists:
    return exists().where(
        SentReminder.kind == kind,
        SentReminder.subject_id == subject_id,
        SentReminder.occasion == occasion,
    )


def _was_sent(session: Session, kind: str, subject_id: int, occasion: date) -> bool:
    return session.scalar(select(_sent(kind, subject_id, occasion))) is True


def _claim(
    session: Session, kind: str, subject_id: int, occasion: date, letters: list[Letter]
) -> None:
    """Writes the reminder's once-only key before anything else of it; raises ``AlreadySent``
    when another run has written (or is writing) the same key."""
    if _was_sent(session, kind, subject_id, occasion):
        raise AlreadySent
    recipients = ",".join(letter.recipient_id for letter in letters)[:300]
    session.add(
        SentReminder(kind=kind, subject_id=subject_id, occasion=occasion, recipients=recipients)
    )
    try:
        session.flush()
    except IntegrityError:
        raise AlreadySent from None
