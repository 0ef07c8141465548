"""An agreement's life cycle over time: approved -> active on the start date, active ->
expiring inside the region's reminder window (the manager is reminded in chat, and by e-mail
when the region has an SMTP server), then expired. The daily job (``bot.jobs.daily``) runs it
once a day.
"""

import logging
from dataclasses import dataclass, fields
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.identity import Directory
from bot.outbox import queue_email
from bot.regions import Region
from bot.storage.database import Database
from bot.storage.models import (
    Agreement,
    AgreementEvent,
    AgreementStatus,
    NoticeKind,
    Notification,
    utc_now,
)

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
IN_FORCE = (AgreementStatus.APPROVED, AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)


@dataclass
class DailyResult:
    """What one run changed: status moves, reminders stored, e-mails queued in the outbox."""

    activated: int = 0
    expiring: int = 0
    expired: int = 0
    reminders: int = 0
    emails_queued: int = 0
    errors: int = 0

    def add(self, other: "DailyResult") -> None:
        """Adds ``other``'s counts to these; returns nothing."""
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def summary(self, today: date) -> str:
        """Returns a one-line Swedish summary for the job's log."""
        return (
            f"Daglig körning {today.isoformat()}: {self.activated} aktiverade, "
            f"{self.expiring} löper snart ut, {self.expired} upphörda, "
            f"{self.reminders} påminnelser till chef, {self.emails_queued} e-post att skicka, "
            f"{self.errors} fel."
        )


def run_daily(
    db: Database, region: Region, directory: Directory, today: date, by_email: bool = False
) -> DailyResult:
    """Returns the counts of one day's run for ``region``; safe to run more than once a day.
    ``by_email``: managers are reminded by e-mail too, queued in the outbox (``bot.outbox``)
    with the reminder, so a rolled-back reminder never reaches anyone's inbox."""
    window_end = today + timedelta(days=region.agreement.reminder_days_before_expiry)
    in_force = Agreement.status.in_([status.value for status in IN_FORCE])
    with db.session() as session:
        ids = session.scalars(
            select(Agreement.id)
            .where(
                Agreement.region == region.id,
                in_force,
                or_(
                    and_(
                        Agreement.status == AgreementStatus.APPROVED,
                        Agreement.start_date <= today,
                    ),
                    Agreement.end_date <= window_end,
                    and_(
                        Agreement.status == AgreementStatus.EXPIRING,
                        Agreement.reminded_at.is_(None),
                    ),
                ),
            )
            .order_by(Agreement.id)
        ).all()

    result = DailyResult()
    for agreement_id in ids:
        # Counted apart and added only after commit, so a rolled-back change is not reported.
        step = DailyResult()
        try:
            # One transaction per agreement: one broken row must not hold back the others.
            with db.session() as session:
                _advance(session, agreement_id, region, directory, today, by_email, step)
        except Exception:
            logger.exception("Daily job failed for agreement id %s", agreement_id)
            result.errors += 1
            continue
        result.add(step)
    return result


def _advance(
    session: Session,
    agreement_id: int,
    region: Region,
    directory: Directory,
    today: date,
    by_email: bool,
    result: DailyResult,
) -> None:
    # Locks the row on PostgreSQL, so two overlapping runs cannot both remind.
    agreement = session.scalar(
        select(Agreement).where(Agreement.id == agreement_id).with_for_update()
    )
    if agreement is None or agreement.status not in IN_FORCE:
        return

    if agreement.end_date < today:
        _move(session, agreement, AgreementStatus.EXPIRED, "expired")
        result.expired += 1
        return
    if agreement.status == AgreementStatus.APPROVED and agreement.start_date <= today:
        _move(session, agreement, AgreementStatus.ACTIVE, "activated")
        result.activated += 1
    window_end = today + timedelta(days=region.agreement.reminder_days_before_expiry)
    if agreement.status == AgreementStatus.ACTIVE and agreement.end_date <= window_end:
        _move(session, agreement, AgreementStatus.EXPIRING, "expiring")
        result.expiring += 1
    if agreement.status != AgreementStatus.EXPIRING or agreement.reminded_at is not None:
        return

    employee = directory.get(agreement.employee_id)
    manager = directory.get(agreement.manager_id)
    employee_name = employee.name if employee else agreement.employee_id
    text = reminder_text(agreement, employee_name)
    session.add(
        Notification(
            recipient_id=agreement.manager_id,
            agreement_id=agreement.id,
            kind=NoticeKind.AGREEMENT_EXPIRING,
            text=text,
        )
    )
    agreement.reminded_at = utc_now()
    _record(session, agreement, "reminder_sent", f"till {agreement.manager_id}")
    result.reminders += 1
    if not by_email or manager is None or not manager.email:
        return
    queue_email(
        session,
        manager.email,
        f"Distansöverenskommelse {agreement.reference} för {employee_name} "
        f"upphör {agreement.end_date.isoformat()}",
        f"Hej {manager.name}!\n\n{text}\n\nHälsningar\nDistansguiden, {region.name}\n",
        reference=f"agreement:{agreement.reference}",
    )
    result.emails_queued += 1


def reminder_text(agreement: Agreement, employee_name: str) -> str:
    """Returns the manager's reminder, in Swedish, about an agreement that runs out soon."""
    return (
        f"Distansöverenskommelsen {agreement.reference} för {employee_name} upphör "
        f"{agreement.end_date.isoformat()}. Boka gärna ett uppföljningssamtal med "
        f"{employee_name} om hur distansarbetet har fungerat och om överenskommelsen ska "
        "förnyas. En förnyad överenskommelse behöver en ny ansökan."
    )


def _move(session: Session, agreement: Agreement, status: AgreementStatus, action: str) -> None:
    previous = agreement.status
    agreement.status = status
    _record(session, agreement, action, f"{previous} -> {status.value}")


def _record(session: Session, agreement: Agreement, action: str, detail: str) -> None:
    session.add(
        AgreementEvent(
            agreement_id=agreement.id,
            actor_id=SYSTEM_ACTOR,
            action=action,
            detail=detail,
        )
    )
