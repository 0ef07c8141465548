"""The unit summary for the verksamhetsråd: what the unit's risk assessments showed (risks by
area of HR's checklist) and how the risks are handled (the action plans, the yearly follow-up),
anonymised to the level HR chose.

- A count is shown only when at least ``min_group_size`` employees stand behind it (the region's
  ``reports.min_group_size``, which HR may raise for one summary), or when it is 0. When a total
  is shown and exactly one of its parts is hidden, the smallest other part is hidden too, so
  that the hidden one cannot be worked out by subtraction.
- A unit with fewer such employees than that gets no figures at all.
- No names and no ids: action owners are never included; the free text (the outcomes and the
  actions' wording) only when HR asks for it, with the directory's names, user ids and employee
  numbers taken out, in alphabetical order so that it cannot be matched to a date or to each
  other.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from bot.errors import Refused
from bot.privacy import mask_personal_data
from bot.regions import Region
from bot.reports.compliance import Period, actions_in_year, follow_up_states, in_scope
from bot.reports.facts import ReportFacts
from bot.reports.risk_areas import AREA_NAMES, risk_area, risk_items

NAME_MASK = "[namn]"
ID_MASK = "[id]"
ActionState = Literal["overdue", "open", "done"]
STATUS_ORDER: dict[ActionState, int] = {"overdue": 0, "open": 1, "done": 2}


class Count(BaseModel):
    """A count, or ``value: null`` with ``suppressed: true`` when fewer employees than the
    minimum group size stand behind it."""

    value: int | None
    suppressed: bool


class AssessmentCounts(BaseModel):
    documented: Count
    with_risks: Count
    without_risks: Count


class AreaRisks(BaseModel):
    area: str
    risks: Count


class ActionCounts(BaseModel):
    planned: Count
    done: Count = Field(description="Done during the year.")
    open: Count
    overdue: Count = Field(description="Open past their due date on the report date.")


class FollowUpCounts(BaseModel):
    due: Count = Field(description="Assessments due for their yearly follow-up during the year.")
    within_12_months: Count
    not_within_12_months: Count
    dialogues_held: Count


class SummaryAction(BaseModel):
    text: str
    status: ActionState


class UnitSummary(BaseModel):
    region_name: str
    unit: str
    year: int
    period_start: date
    period_end: date
    report_date: date
    min_group_size: int
    # Employees with a risk assessment that matters for the year.
    employees: Count
    # Fewer employees than min_group_size: no figure is shown.
    withheld: bool
    assessments: AssessmentCounts
    risks: Count
    risks_by_area: list[AreaRisks]
    actions: ActionCounts
    follow_up: FollowUpCounts
    free_text_included: bool
    # The outcomes that name risks, and the actions' wording with their status, when
    # free_text_included; names taken out, in alphabetical order.
    outcomes: list[str]
    planned_actions: list[SummaryAction]


@dataclass
class _Tally:
    """A count kept per employee, so that how many employees stand behind it is known."""

    per_employee: Counter[str] = field(default_factory=Counter)

    def add(self, employee_id: str, amount: int = 1) -> None:
        self.per_employee[employee_id] += amount

    @property
    def value(self) -> int:
        return sum(self.per_employee.values())

    @property
    def employees(self) -> int:
        return sum(1 for amount in self.per_employee.values() if amount > 0)


@dataclass(frozen=True)
class _Anonymiser:
    min_group_size: int
    withhold_all: bool

    def _hidden(self, tally: _Tally) -> bool:
        return self.withhold_all or 0 < tally.employees < self.min_group_size

    def count(self, tally: _Tally) -> Count:
        return self.parts([tally])[0]

    def parts(self, tallies: list[_Tally]) -> list[Count]:
        """Counts that add up to a total: with one of them hidden, the smallest other non-zero
        one is hidden too."""
        hidden = [self._hidden(t) for t in tallies]
        if len(tallies) > 1 and hidden.count(True) == 1:
            others = [i for i, t in enumerate(tallies) if not hidden[i] and t.value > 0]
            if others:
                hidden[min(others, key=lambda i: (tallies[i].employees, tallies[i].value))] = True
        return [
            Count(value=None if h else t.value, suppressed=h)
            for t, h in zip(tallies, hidden, strict=True)
        ]


def unit_summary(
    facts: ReportFacts,
    region: Region,
    period: Period,
    unit: str,
    min_group_size: int | None = None,
    include_free_text: bool = False,
    names: Iterable[str] = (),
    ids: Iterable[str] = (),
) -> UnitSummary:
    """``unit``'s summary for ``period``. ``min_group_size``: HR's choice for this summary, at
    least the region's; ``names`` and ``ids``: the directory's names, and its user ids and
    employee numbers, taken out of any free text."""
    smallest = region.reports.min_group_size
    if min_group_size is not None and min_group_size < smallest:
        raise Refused(
            422,
            "group_size_below_region_minimum",
            f"Minsta gruppstorlek kan inte vara lägre än regionens {smallest}.",
            f"The minimum group size cannot be lower than the region's {smallest}.",
        )
    k = min_group_size or smallest
    agreements = {a.id: a for a in facts.agreements}
    assessments = in_scope([a for a in facts.assessments if a.unit == unit], agreements, period)
    employees = _Tally(Counter(a.employee_id for a in assessments))
    withheld = employees.employees < k
    anonymiser = _Anonymiser(k, withheld)

    documented, with_risks, without_risks, risks = _Tally(), _Tally(), _Tally(), _Tally()
    by_area = {area: _Tally() for area in AREA_NAMES}
    outcomes = []
    for assessment in assessments:
        items = risk_items(assessment.outcome)
        documented.add(assessment.employee_id)
        (with_risks if items else without_risks).add(assessment.employee_id)
        for item in items:
            risks.add(assessment.employee_id)
            by_area[risk_area(item)].add(assessment.employee_id)
        if items:
            outcomes.append(assessment.outcome)

    planned, done, still_open, overdue = _Tally(), _Tally(), _Tally(), _Tally()
    planned_actions = []
    for assessment, action in actions_in_year(assessments, period):
        planned.add(assessment.employee_id)
        if action.open_on(period.report_date):
            still_open.add(assessment.employee_id)
        else:
            done.add(assessment.employee_id)
        if action.overdue_on(period.report_date):
            overdue.add(assessment.employee_id)
        status: ActionState = (
            "overdue"
            if action.overdue_on(period.report_date)
            else "open"
            if action.open_on(period.report_date)
            else "done"
        )
        planned_actions.append((action.text, status))

    follow_ups = [f for f in facts.follow_ups if f.unit == unit]
    states = follow_up_states(assessments, follow_ups, agreements, period)
    employee_of = {a.id: a.employee_id for a in assessments}
    due, within, not_within, held = _Tally(), _Tally(), _Tally(), _Tally()
    for assessment_id, state in states.items():
        due.add(employee_of[assessment_id])
        (within if state == "within" else not_within).add(employee_of[assessment_id])
    for follow_up in follow_ups:
        if period.start <= follow_up.held_on <= period.report_date:
            held.add(follow_up.employee_id)

    with_text = include_free_text and not withheld
    # Built only when needed: a region's directory makes a long pattern.
    hide = _NameMask(names, ids) if with_text else str
    shown_documented, shown_with, shown_without = (
        anonymiser.count(documented),
        *anonymiser.parts([with_risks, without_risks]),
    )
    shown_done, shown_open = anonymiser.parts([done, still_open])
    shown_within, shown_not_within = anonymiser.parts([within, not_within])
    return UnitSummary(
        region_name=region.name,
        unit=unit,
        year=period.year,
        period_start=period.start,
        period_end=period.end,
        report_date=period.report_date,
        min_group_size=k,
        employees=anonymiser.count(employees),
        withheld=withheld,
        assessments=AssessmentCounts(
            documented=shown_documented, with_risks=shown_with, without_risks=shown_without
        ),
        risks=anonymiser.count(risks),
        risks_by_area=[
            AreaRisks(area=area, risks=count)
            for area, count in zip(
                AREA_NAMES, anonymiser.parts([by_area[a] for a in AREA_NAMES]), strict=True
            )
        ],
        actions=ActionCounts(
            planned=anonymiser.count(planned),
            done=shown_done,
            open=shown_open,
            overdue=anonymiser.count(overdue),
        ),
        follow_up=FollowUpCounts(
            due=anonymiser.count(due),
            within_12_months=shown_within,
            not_within_12_months=shown_not_within,
            dialogues_held=anonymiser.count(held),
        ),
        free_text_included=with_text,
        outcomes=sorted((hide(text) for text in outcomes), key=str.casefold) if with_text else [],
        planned_actions=sorted(
            (SummaryAction(text=hide(text), status=status) for text, status in planned_actions),
            key=lambda a: (STATUS_ORDER[a.status], a.text.casefold()),
        )
        if with_text
        else [],
    )


class _NameMask:
    """Takes the directory's people out of free text: a whole name in any case, each part of a
    name as written with its capital ("Berg", not the word "berg"), and ids as written."""

    def __init__(self, names: Iterable[str], ids: Iterable[str]) -> None:
        full = sorted({" ".join(n.split()) for n in names if n.strip()}, key=len, reverse=True)
        parts = sorted({p for n in full for p in n.split() if len(p) >= 2}, key=len, reverse=True)
        self._rules = [
            (pattern, mask)
            for pattern, mask in (
                (_words(full, re.IGNORECASE), NAME_MASK),
                (_words(parts, 0), NAME_MASK),
                (_words(sorted({i for i in ids if i}, key=len, reverse=True), 0), ID_MASK),
            )
            if pattern is not None
        ]

    def __call__(self, text: str) -> str:
        text = mask_personal_data(" ".join(text.split())).text
        for pattern, mask in self._rules:
            text = pattern.sub(mask, text)
        return text


def _words(words: list[str], flags: int) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", flags)
