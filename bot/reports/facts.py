"""What the reports count, read from the store once into plain records: the region's agreements,
the documented risk assessments with their action plans, and the follow-ups held, each placed
in a unit.

A risk assessment holds no unit of its own: it takes the unit of the agreement it was made for,
else its employee's unit in the directory. A follow-up takes the unit of its agreement, else of
its assessment. Nothing here holds a name: people are directory ids, used only to count how many
employees stand behind a figure.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.agreements.statistics import IN_FORCE
from bot.identity import Directory
from bot.regions import Region
from bot.storage.models import (
    ActionStatus,
    Agreement,
    AgreementStatus,
    FollowUp,
    FollowUpOutcome,
    RiskAssessment,
    RiskAssessmentStatus,
)

# Statuses of an agreement that was approved: in force now, or in force until it ran out or a
# renewal replaced it.
EVER_IN_FORCE = frozenset({*IN_FORCE, AgreementStatus.EXPIRED, AgreementStatus.RENEWED})


@dataclass(frozen=True)
class AgreementFacts:
    id: int
    unit: str
    employee_id: str
    status: str
    start: date
    end: date
    # The day it was approved, in the region's time zone; None unless approved.
    decided_on: date | None
    risk_assessment_id: int | None
    # The last day in force: the end date, or the day before the agreement that renewed it
    # started.
    in_force_until: date

    @property
    def approved(self) -> bool:
        return self.status in EVER_IN_FORCE

    def in_force_on(self, day: date) -> bool:
        return self.approved and self.start <= day <= self.in_force_until

    def in_force_between(self, first: date, last: date) -> bool:
        return self.approved and self.start <= last and self.in_force_until >= first


@dataclass(frozen=True)
class ActionFacts:
    text: str
    due: date
    created_on: date
    done_on: date | None = None

    def open_on(self, day: date) -> bool:
        return self.done_on is None or self.done_on > day

    def overdue_on(self, day: date) -> bool:
        """Open after its due date."""
        return self.open_on(day) and self.due < day


@dataclass(frozen=True)
class AssessmentFacts:
    id: int
    unit: str
    employee_id: str
    documented_on: date
    outcome: str
    actions: tuple[ActionFacts, ...] = ()
    # The agreements made on this assessment.
    agreement_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class FollowUpFacts:
    held_on: date
    unit: str
    employee_id: str
    # The assessment followed up: named by the follow-up, or the one its agreement was made on.
    risk_assessment_id: int | None
    # The follow-up ended the remote work: no further follow-up is due.
    ends_remote_work: bool = False


@dataclass(frozen=True)
class ReportFacts:
    agreements: tuple[AgreementFacts, ...]
    assessments: tuple[AssessmentFacts, ...]
    follow_ups: tuple[FollowUpFacts, ...]
    # Every unit the region's agreements, assessments or directory name, sorted.
    units: tuple[str, ...]

    def first_year(self, today: date) -> int:
        """The earliest year with anything to report (this year when there is nothing)."""
        days = [a.start for a in self.agreements if a.approved]
        days += [a.decided_on for a in self.agreements if a.decided_on]
        days += [a.documented_on for a in self.assessments]
        return min([today, *days]).year


def load_facts(session: Session, region: Region, directory: Directory) -> ReportFacts:
    """Reads what the reports need about ``region`` from the store."""
    zone = ZoneInfo(region.time_zone)
    rows = session.execute(
        select(
            Agreement.id,
            Agreement.unit,
            Agreement.employee_id,
            Agreement.status,
            Agreement.start_date,
            Agreement.end_date,
            Agreement.decided_at,
            Agreement.risk_assessment_id,
        )
        .where(Agreement.region == region.id)
        .order_by(Agreement.id)
    ).all()
    agreements = _with_renewals(
        [
            AgreementFacts(
                id=row.id,
                unit=row.unit,
                employee_id=row.employee_id,
                status=str(row.status),
                start=row.start_date,
                end=row.end_date,
                decided_on=(
                    _local_day(row.decided_at, zone)
                    if row.decided_at and row.status in EVER_IN_FORCE
                    else None
                ),
                risk_assessment_id=row.risk_assessment_id,
                in_force_until=row.end_date,
            )
            for row in rows
        ]
    )
    by_id = {a.id: a for a in agreements}
    made_on: dict[int, list[int]] = defaultdict(list)
    for agreement in agreements:
        if agreement.risk_assessment_id is not None:
            made_on[agreement.risk_assessment_id].append(agreement.id)

    assessments: list[AssessmentFacts] = []
    for assessment in session.scalars(
        select(RiskAssessment)
        .where(
            RiskAssessment.status == RiskAssessmentStatus.DOCUMENTED,
            RiskAssessment.documented_on.is_not(None),
        )
        .order_by(RiskAssessment.id)
    ):
        linked = list(made_on.get(assessment.id, []))
        if assessment.agreement_id in by_id and assessment.agreement_id not in linked:
            linked.append(assessment.agreement_id)
        unit = by_id[linked[0]].unit if linked else _directory_unit(directory, assessment)
        if unit is None or assessment.documented_on is None:
            continue
        assessments.append(
            AssessmentFacts(
                id=assessment.id,
                unit=unit,
                employee_id=assessment.employee_id,
                documented_on=assessment.documented_on,
                outcome=assessment.outcome or "",
                actions=tuple(
                    ActionFacts(
                        text=item.text,
                        due=item.due_on,
                        created_on=_local_day(item.created_at, zone),
                        done_on=(
                            _local_day(item.done_at or item.created_at, zone)
                            if item.status == ActionStatus.DONE
                            else None
                        ),
                    )
                    for item in assessment.action_items
                ),
                agreement_ids=tuple(sorted(linked)),
            )
        )

    assessment_by_id = {a.id: a for a in assessments}
    follow_ups: list[FollowUpFacts] = []
    for follow_up in session.scalars(select(FollowUp).order_by(FollowUp.id)):
        followed = by_id.get(follow_up.agreement_id) if follow_up.agreement_id else None
        assessment_id = follow_up.risk_assessment_id or (
            followed.risk_assessment_id if followed else None
        )
        subject = followed or (assessment_by_id.get(assessment_id) if assessment_id else None)
        if subject is None:
            continue  # another region's
        follow_ups.append(
            FollowUpFacts(
                held_on=follow_up.held_on,
                unit=subject.unit,
                employee_id=subject.employee_id,
                risk_assessment_id=assessment_id,
                ends_remote_work=follow_up.outcome == FollowUpOutcome.END,
            )
        )

    units = {a.unit for a in agreements} | {a.unit for a in assessments}
    units |= {user.unit for user in directory.all()}
    return ReportFacts(
        tuple(agreements), tuple(assessments), tuple(follow_ups), tuple(sorted(units))
    )


def _with_renewals(agreements: list[AgreementFacts]) -> list[AgreementFacts]:
    """A renewed agreement stopped being in force when the one that replaced it (the same
    employee's next approved agreement) started."""
    result = []
    for agreement in agreements:
        if agreement.status == AgreementStatus.RENEWED:
            later_starts = [
                other.start
                for other in agreements
                if other.employee_id == agreement.employee_id
                and other.approved
                and other.start > agreement.start
            ]
            if later_starts:
                until = min(agreement.end, min(later_starts) - timedelta(days=1))
                agreement = replace(agreement, in_force_until=until)
        result.append(agreement)
    return result


def _directory_unit(directory: Directory, assessment: RiskAssessment) -> str | None:
    employee = directory.get(assessment.employee_id)
    return employee.unit if employee else None


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
