"""When participants are busy in the app's own store: entered busy times plus their booked
risk-assessment dialogues. The region's calendar system, where one is configured, is read
beside it through ``bot.calendars``."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.storage.models import BusyTime, RiskAssessment, RiskAssessmentStatus

Interval = tuple[datetime, datetime]


def busy_intervals(
    session: Session,
    user_ids: Iterable[str],
    after: datetime,
    until: datetime,
    ignoring_assessment: int | None = None,
) -> list[Interval]:
    """Every interval between ``after`` and ``until`` when one of ``user_ids`` is busy."""
    people = sorted(set(user_ids))
    entered = session.scalars(
        select(BusyTime).where(
            BusyTime.user_id.in_(people), BusyTime.end_at > after, BusyTime.start_at < until
        )
    )
    booked = session.scalars(
        select(RiskAssessment).where(
            RiskAssessment.status == RiskAssessmentStatus.BOOKED,
            RiskAssessment.id != (ignoring_assessment or -1),
            RiskAssessment.end_at > after,
            RiskAssessment.start_at < until,
            or_(
                RiskAssessment.employee_id.in_(people),
                RiskAssessment.manager_id.in_(people),
                RiskAssessment.safety_representative_id.in_(people),
            ),
        )
    )
    intervals = [(b.start_at, b.end_at) for b in entered]
    intervals += [(a.start_at, a.end_at) for a in booked if a.start_at and a.end_at]
    return sorted(intervals)


def add_busy_time(session: Session, user_id: str, start: datetime, end: datetime) -> BusyTime:
    if end <= start:
        raise ValueError("a busy time must end after it starts")
    busy = BusyTime(user_id=user_id, start_at=start, end_at=end, source="manual")
    session.add(busy)
    session.flush()
    return busy
