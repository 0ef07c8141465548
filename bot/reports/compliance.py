"""The compliance report for the annual follow-up of the systematic work-environment work (SAM):
per unit and year, what the audit response asks the board to follow (agreements, risk
assessments documented before the decision, yearly follow-ups, the action plans' open actions).

A year is counted from 1 January up to its report date: 31 December for a past year, today for
the current one. Counts only, no names; computed from ``ReportFacts`` alone.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, Field

from bot.errors import Refused
from bot.regions import Region
from bot.reports.facts import (
    ActionFacts,
    AgreementFacts,
    AssessmentFacts,
    FollowUpFacts,
    ReportFacts,
)

EARLIEST_YEAR = 2000
# "Riskbedömningen ska sedan regelbundet, minst en gång per år, följas upp" (the audit response).
FOLLOW_UP_WITHIN = relativedelta(years=1)
ALL_UNITS = "Alla enheter"

FollowUpState = Literal["within", "late", "missing"]


@dataclass(frozen=True)
class Period:
    year: int
    start: date
    end: date
    # The last day counted: the year's end, or today in the current year.
    report_date: date


def report_period(year: int, today: date) -> Period:
    """The year up to its report date; a year that has not begun is refused."""
    if year > today.year:
        raise Refused(
            422,
            "year_not_started",
            f"År {year} har inte börjat än. Välj ett år till och med {today.year}.",
            f"The year {year} has not begun yet. Choose a year up to {today.year}.",
        )
    if year < EARLIEST_YEAR:
        raise Refused(
            422,
            "year_too_early",
            f"Rapporterna börjar år {EARLIEST_YEAR}. Välj ett år från {EARLIEST_YEAR} till "
            f"{today.year}.",
            f"The reports begin in {EARLIEST_YEAR}. Choose a year from {EARLIEST_YEAR} to "
            f"{today.year}.",
        )
    end = date(year, 12, 31)
    return Period(year, date(year, 1, 1), end, min(end, today))


def known_unit(facts: ReportFacts, unit: str) -> str:
    """``unit`` as the store spells it (any case, spaces trimmed); 404 for a unit nobody is
    in."""
    wanted = " ".join(unit.split()).casefold()
    for known in facts.units:
        if known.casefold() == wanted:
            return known
    shown = unit if len(unit) <= 80 else unit[:80] + "…"
    raise Refused(
        404,
        "unit_not_found",
        f"Enheten '{shown}' finns inte. Välj en av regionens enheter.",
        f"There is no unit '{shown}'. Choose one of the region's units.",
    )


class AgreementFigures(BaseModel):
    in_force_during_year: int = Field(description="Approved and in force on some day of the year.")
    in_force_on_report_date: int
    expiring_within_reminder_window: int = Field(
        description="In force on the report date and ending within the region's reminder window."
    )


class DecisionFigures(BaseModel):
    """Agreements approved during the year, by when their risk assessment was documented."""

    approved: int
    assessment_before_decision: int = Field(
        description="The risk assessment was documented on or before the day of the decision."
    )
    assessment_after_decision: int
    without_documented_assessment: int
    share_assessment_before_decision: float | None = Field(
        description="assessment_before_decision / approved, 0 to 1; null when none was approved."
    )


class FollowUpFigures(BaseModel):
    """Risk assessments of agreements in force that were due for their yearly follow-up during
    the year (12 months after documentation or the previous follow-up)."""

    due: int
    within_12_months: int
    late: int = Field(description="Followed up, but more than 12 months after the previous one.")
    missing: int = Field(description="Not followed up by the report date.")
    share_within_12_months: float | None


class ActionFigures(BaseModel):
    """Actions of the unit's action plans open at some time during the year."""

    planned: int
    open: int = Field(description="Not done on the report date.")
    overdue: int = Field(description="Open past their due date on the report date.")
    done: int = Field(description="Done during the year.")


class UnitCompliance(BaseModel):
    unit: str
    agreements: AgreementFigures
    decisions: DecisionFigures
    risk_assessment_follow_up: FollowUpFigures
    actions: ActionFigures
    follow_up_dialogues_held: int = Field(
        description="Follow-ups of remote work recorded as held during the year."
    )


class ComplianceReport(BaseModel):
    region: str
    region_name: str
    year: int
    period_start: date
    period_end: date
    report_date: date
    # The unit asked for; null for every unit.
    unit: str | None
    reminder_days_before_expiry: int
    units: list[UnitCompliance]
    total: UnitCompliance


def compliance_report(
    facts: ReportFacts, region: Region, period: Period, unit: str | None = None
) -> ComplianceReport:
    """The figures of ``unit``, or of every unit with anything to report, and their total."""
    window = timedelta(days=region.agreement.reminder_days_before_expiry)
    links = _Links(
        {a.id: a for a in facts.agreements}, {a.id: a.documented_on for a in facts.assessments}
    )
    by_unit = _by_unit(facts)
    names = [unit] if unit is not None else list(facts.units)
    rows = []
    for name in names:
        figures = _unit_compliance(by_unit.get(name, _Slice()), links, period, window, name)
        if unit is not None or _reported(figures):
            rows.append(figures)
    everything = _Slice(list(facts.agreements), list(facts.assessments), list(facts.follow_ups))
    return ComplianceReport(
        region=region.id,
        region_name=region.name,
        year=period.year,
        period_start=period.start,
        period_end=period.end,
        report_date=period.report_date,
        unit=unit,
        reminder_days_before_expiry=region.agreement.reminder_days_before_expiry,
        units=rows,
        total=rows[0]
        if unit is not None
        else _unit_compliance(everything, links, period, window, ALL_UNITS),
    )


@dataclass(frozen=True)
class _Links:
    """Every agreement by id, and the day every assessment was documented: the links between
    the facts, which may cross units."""

    agreements: dict[int, AgreementFacts]
    documented: dict[int, date]


@dataclass
class _Slice:
    """One unit's share of the facts."""

    agreements: list[AgreementFacts] = field(default_factory=list)
    assessments: list[AssessmentFacts] = field(default_factory=list)
    follow_ups: list[FollowUpFacts] = field(default_factory=list)


def _by_unit(facts: ReportFacts) -> dict[str, _Slice]:
    slices: dict[str, _Slice] = defaultdict(_Slice)
    for agreement in facts.agreements:
        slices[agreement.unit].agreements.append(agreement)
    for assessment in facts.assessments:
        slices[assessment.unit].assessments.append(assessment)
    for follow_up in facts.follow_ups:
        slices[follow_up.unit].follow_ups.append(follow_up)
    return slices


def _unit_compliance(
    part: _Slice, links: _Links, period: Period, window: timedelta, unit: str
) -> UnitCompliance:
    """The figures of the facts in ``part``, labelled ``unit``."""
    by_id = links.agreements
    day = period.report_date
    in_force_today = [a for a in part.agreements if a.in_force_on(day)]

    approved = [
        a
        for a in part.agreements
        if a.approved and a.decided_on is not None and period.start <= a.decided_on <= day
    ]
    timing = [_assessment_timing(a, links.documented) for a in approved]
    before = timing.count("before")

    states = follow_up_states(part.assessments, part.follow_ups, by_id, period)
    within = sum(1 for s in states.values() if s == "within")
    actions = actions_in_year(in_scope(part.assessments, by_id, period), period)
    return UnitCompliance(
        unit=unit,
        agreements=AgreementFigures(
            in_force_during_year=sum(
                1 for a in part.agreements if a.in_force_between(period.start, day)
            ),
            in_force_on_report_date=len(in_force_today),
            expiring_within_reminder_window=sum(1 for a in in_force_today if a.end <= day + window),
        ),
        decisions=DecisionFigures(
            approved=len(approved),
            assessment_before_decision=before,
            assessment_after_decision=timing.count("after"),
            without_documented_assessment=timing.count("none"),
            share_assessment_before_decision=_share(before, len(approved)),
        ),
        risk_assessment_follow_up=FollowUpFigures(
            due=len(states),
            within_12_months=within,
            late=sum(1 for s in states.values() if s == "late"),
            missing=sum(1 for s in states.values() if s == "missing"),
            share_within_12_months=_share(within, len(states)),
        ),
        actions=ActionFigures(
            planned=len(actions),
            open=sum(1 for _, a in actions if a.open_on(day)),
            overdue=sum(1 for _, a in actions if a.overdue_on(day)),
            done=sum(1 for _, a in actions if not a.open_on(day)),
        ),
        follow_up_dialogues_held=sum(
            1 for f in part.follow_ups if period.start <= f.held_on <= day
        ),
    )


def actions_in_year(
    assessments: Iterable[AssessmentFacts], period: Period
) -> list[tuple[AssessmentFacts, ActionFacts]]:
    """The actions planned by the report date and not done before the year began, each with
    its assessment."""
    return [
        (assessment, action)
        for assessment in assessments
        for action in assessment.actions
        if action.created_on <= period.report_date
        and (action.done_on is None or action.done_on >= period.start)
    ]


def in_scope(
    assessments: Iterable[AssessmentFacts], agreements: dict[int, AgreementFacts], period: Period
) -> list[AssessmentFacts]:
    """The assessments that matter for the year: documented during it, or made for an agreement
    in force during it."""
    return [
        a
        for a in assessments
        if a.documented_on <= period.report_date
        and (
            a.documented_on >= period.start
            or any(
                agreements[i].in_force_between(period.start, period.report_date)
                for i in a.agreement_ids
                if i in agreements
            )
        )
    ]


def follow_up_states(
    assessments: Iterable[AssessmentFacts],
    follow_ups: Iterable[FollowUpFacts],
    agreements: dict[int, AgreementFacts],
    period: Period,
) -> dict[int, FollowUpState]:
    """Each assessment due for a follow-up during the year: ``within`` when every follow-up it
    was due in the year was held at most 12 months after the documentation or the previous
    follow-up, ``late`` when one was held later, ``missing`` when one is not held by the report
    date. A follow-up missed in an earlier year is due until it is held. An assessment is due
    only while an agreement made on it is in force."""
    held: dict[int, list[FollowUpFacts]] = {}
    for follow_up in follow_ups:
        if follow_up.risk_assessment_id is not None:
            held.setdefault(follow_up.risk_assessment_id, []).append(follow_up)
    states: dict[int, FollowUpState] = {}
    for assessment in assessments:
        linked = [agreements[i] for i in assessment.agreement_ids if i in agreements]
        state = _follow_up_state(
            assessment.documented_on,
            sorted(held.get(assessment.id, []), key=lambda f: f.held_on),
            linked,
            period,
        )
        if state is not None:
            states[assessment.id] = state
    return states


def _follow_up_state(
    documented_on: date,
    held: list[FollowUpFacts],
    agreements: list[AgreementFacts],
    period: Period,
) -> FollowUpState | None:
    order: dict[FollowUpState, int] = {"within": 0, "late": 1, "missing": 2}
    state: FollowUpState | None = None
    previous = documented_on
    while True:
        deadline = previous + FOLLOW_UP_WITHIN
        if deadline > period.report_date:
            return state
        after = next((f for f in held if f.held_on > previous), None)
        # A follow-up missed last year is still due this year until it is held.
        overdue_into_year = deadline < period.start and (
            after is None or after.held_on >= period.start
        )
        counted_on = max(deadline, period.start)
        if (deadline >= period.start or overdue_into_year) and any(
            a.in_force_on(counted_on) for a in agreements
        ):
            this: FollowUpState = (
                "within"
                if after is not None and after.held_on <= deadline
                else "late"
                if after is not None and after.held_on <= period.report_date
                else "missing"
            )
            state = this if state is None or order[this] > order[state] else state
        if after is None or after.held_on > period.report_date or after.ends_remote_work:
            return state
        previous = after.held_on


def _assessment_timing(agreement: AgreementFacts, documented: dict[int, date]) -> str:
    documented_on = (
        documented.get(agreement.risk_assessment_id) if agreement.risk_assessment_id else None
    )
    if documented_on is None or agreement.decided_on is None:
        return "none"
    return "before" if documented_on <= agreement.decided_on else "after"


def _reported(figures: UnitCompliance) -> bool:
    """A unit is listed when any of its figures is not zero."""
    return any(
        value
        for section in figures.model_dump(exclude={"unit"}).values()
        for value in (section.values() if isinstance(section, dict) else [section])
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# The CSV's columns: Swedish headings for Excel, one row per unit and one for all units.
CSV_COLUMNS: tuple[tuple[str, Callable[[UnitCompliance], object]], ...] = (
    ("Gällande under året", lambda u: u.agreements.in_force_during_year),
    ("Gällande på rapportdagen", lambda u: u.agreements.in_force_on_report_date),
    ("Löper ut inom påminnelsetiden", lambda u: u.agreements.expiring_within_reminder_window),
    ("Godkända under året", lambda u: u.decisions.approved),
    ("Riskbedömning dokumenterad före beslut", lambda u: u.decisions.assessment_before_decision),
    ("Riskbedömning dokumenterad efter beslut", lambda u: u.decisions.assessment_after_decision),
    ("Utan dokumenterad riskbedömning", lambda u: u.decisions.without_documented_assessment),
    (
        "Andel med riskbedömning före beslut (%)",
        lambda u: _percent(u.decisions.share_assessment_before_decision),
    ),
    ("Riskbedömningar att följa upp", lambda u: u.risk_assessment_follow_up.due),
    ("Uppföljda inom 12 månader", lambda u: u.risk_assessment_follow_up.within_12_months),
    ("Uppföljda senare än 12 månader", lambda u: u.risk_assessment_follow_up.late),
    ("Inte uppföljda", lambda u: u.risk_assessment_follow_up.missing),
    (
        "Andel uppföljda inom 12 månader (%)",
        lambda u: _percent(u.risk_assessment_follow_up.share_within_12_months),
    ),
    ("Åtgärder i handlingsplaner", lambda u: u.actions.planned),
    ("Öppna åtgärder", lambda u: u.actions.open),
    ("Försenade åtgärder", lambda u: u.actions.overdue),
    ("Genomförda åtgärder", lambda u: u.actions.done),
    ("Uppföljningssamtal hållna", lambda u: u.follow_up_dialogues_held),
)


def compliance_csv(report: ComplianceReport) -> str:
    """The report as CSV text: a header, one row per unit, then the total when several units
    are listed. Semicolons and decimal commas for Swedish Excel, as ``statistics_csv``; encode
    it as ``utf-8-sig`` when serving it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Enhet", "År", "Rapportdag", *(heading for heading, _ in CSV_COLUMNS)])
    rows = report.units if report.unit is not None else [*report.units, report.total]
    for row in rows:
        writer.writerow(
            [
                _spreadsheet_safe(row.unit),
                report.year,
                report.report_date.isoformat(),
                *(value(row) for _, value in CSV_COLUMNS),
            ]
        )
    return buffer.getvalue()


def _percent(share: float | None) -> str:
    """ "83,3" for 0.8333; empty when there is nothing to divide."""
    return "" if share is None else f"{share * 100:.1f}".replace(".", ",")


def _spreadsheet_safe(text: str) -> str:
    """A unit name that Excel would run as a formula (=, +, -, @) is kept as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
