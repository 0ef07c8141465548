"""HR's compliance report for the SAM follow-up and the unit summary for the verksamhetsråd,
from a real store (SQLite, and PostgreSQL when it runs) with a frozen "today", 2026-06-15.

The seeded region (``seed``), Ekonomienheten, employee by employee:

| who | agreement (decided) | assessment documented | actions | follow-ups |
|---|---|---|---|---|
| e1 | active 2026-01-01–12-31 (2025-12-10) | 2025-12-01 | one done 01-20, one due 05-01 | – |
| e2 | expiring 2025-09-01–2026-07-10 (2025-08-20) | 2025-08-15, no risks | – | – |
| e3 | approved 2026-04-01–2027-03-31 (2026-03-01) | 2026-03-05, after the decision | – | – |
| e4 | active 2024-05-01–2026-12-31 (2024-04-20) | 2024-04-10 | done | 2025-03-01, 2026-04-01 late |
| e5 | active 2025-02-01–2026-12-31 (2025-01-25) | 2025-01-20 | due 09-01 | none (missing) |
| e6 | expired 2024-01-01–2025-12-31 (2023-12-10) | 2023-12-01 | open since 2024 | none |
| e7 | rejected | – | – | – |
| e9 | active 2025-03-01–2027-02-28 (2025-02-20) | 2025-02-10 | – | 2026-01-15, by the agreement |
| e10 | active 2026-06-01–2027-05-31 (2026-05-02) | 2026-05-01 | – | – |
| e11 | active 2026-03-01–2027-02-28 (2026-02-01) | none | – | – |

IT-enheten: i1's agreement 2025-01-01–2026-12-31 (assessment 2024-11-20, never followed up) was
renewed by one from 2026-05-01 (decided 2026-04-20, assessment 2026-04-10, one open action).
"""

import csv
import io
from datetime import date, datetime, time
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.identity import demo_directory
from bot.regions import Region, ReportPolicy, load_region
from bot.reports.compliance import (
    ComplianceReport,
    compliance_csv,
    compliance_report,
    known_unit,
    report_period,
)
from bot.reports.facts import (
    ActionFacts,
    AgreementFacts,
    AssessmentFacts,
    FollowUpFacts,
    ReportFacts,
    load_facts,
)
from bot.reports.pdf import compliance_pdf, unit_summary_pdf
from bot.reports.risk_areas import risk_area, risk_items
from bot.reports.unit_summary import UnitSummary, unit_summary
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import ActionItem, FollowUp, RiskAssessment
from tests.conftest import postgres_schema
from tests.unit.test_agreement_document import make_agreement

TODAY = date(2026, 6, 15)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
ECONOMY, IT = "Ekonomienheten", "IT-enheten"
numbers = count(1)


def moment(day: date) -> datetime:
    return datetime.combine(day, time(10), STOCKHOLM)


def remote_work(
    session: Session,
    employee: str,
    unit: str,
    status: str,
    start: date,
    end: date,
    decided: date | None = None,
    documented: date | None = None,
    outcome: str = "",
    actions: tuple[tuple[str, date, date | None], ...] = (),
) -> tuple[int, int | None]:
    """An agreement, and its documented risk assessment when ``documented``: (ids). Each action
    is (text, due, done on), owned by the manager by name."""
    assessment = None
    if documented is not None:
        assessment = RiskAssessment(
            employee_id=employee,
            manager_id="maria.berg",
            status="documented",
            outcome=outcome,
            documented_on=documented,
            created_at=moment(documented),
            action_items=[
                ActionItem(
                    text=text,
                    owner="Maria Berg",
                    due_on=due,
                    status="done" if done else "open",
                    done_at=moment(done) if done else None,
                    created_at=moment(documented),
                )
                for text, due, done in actions
            ],
        )
        session.add(assessment)
        session.flush()
    n = next(numbers)
    agreement = make_agreement(
        reference=f"DA-2026-{n:05d}",
        submission_key=f"key-{n}",
        employee_id=employee,
        unit=unit,
        status=status,
        start_date=start,
        end_date=end,
        decided_at=moment(decided) if decided else None,
        decided_by="maria.berg" if decided else None,
        risk_assessment_id=assessment.id if assessment else None,
    )
    session.add(agreement)
    session.flush()
    if assessment is not None:
        assessment.agreement_id = agreement.id
    return agreement.id, assessment.id if assessment else None


def followed_up(session: Session, held_on: date, **subject: Any) -> None:
    session.add(FollowUp(held_on=held_on, outcome="continue", recorded_by="maria.berg", **subject))


def seed(session: Session) -> None:
    """The region described at the top of this file."""
    d = date
    remote_work(
        session,
        "e1",
        ECONOMY,
        "active",
        d(2026, 1, 1),
        d(2026, 12, 31),
        decided=d(2025, 12, 10),
        documented=d(2025, 12, 1),
        outcome="Bildskärmen är för liten; Anna Andersson har ont i nacken. Datorn saknar "
        "skärmskydd",
        actions=(
            ("Beställa bildskärm", d(2026, 2, 1), d(2026, 1, 20)),
            ("Installera skärmskydd åt Anna", d(2026, 5, 1), None),
        ),
    )
    remote_work(
        session,
        "e2",
        ECONOMY,
        "expiring",
        d(2025, 9, 1),
        d(2026, 7, 10),
        decided=d(2025, 8, 20),
        documented=d(2025, 8, 15),
        outcome="Inga risker identifierades.",
    )
    remote_work(
        session,
        "e3",
        ECONOMY,
        "approved",
        d(2026, 4, 1),
        d(2027, 3, 31),
        decided=d(2026, 3, 1),
        documented=d(2026, 3, 5),
        outcome="Risk för ensamhet",
    )
    _, e4 = remote_work(
        session,
        "e4",
        ECONOMY,
        "active",
        d(2024, 5, 1),
        d(2026, 12, 31),
        decided=d(2024, 4, 20),
        documented=d(2024, 4, 10),
        outcome="Sladdar på golvet",
        actions=(("Sladdkanal", d(2024, 6, 1), d(2024, 5, 20)),),
    )
    followed_up(session, d(2025, 3, 1), risk_assessment_id=e4)
    followed_up(session, d(2026, 4, 1), risk_assessment_id=e4)
    remote_work(
        session,
        "e5",
        ECONOMY,
        "active",
        d(2025, 2, 1),
        d(2026, 12, 31),
        decided=d(2025, 1, 25),
        documented=d(2025, 1, 20),
        outcome="Dålig arbetsstol; ont i ryggen. Risk för stress när kollegorna inte svarar",
        actions=(("Ergonomigenomgång", d(2026, 9, 1), None),),
    )
    remote_work(
        session,
        "e6",
        ECONOMY,
        "expired",
        d(2024, 1, 1),
        d(2025, 12, 31),
        decided=d(2023, 12, 10),
        documented=d(2023, 12, 1),
        outcome="Stolen är dålig",
        actions=(("Ny stol", d(2024, 2, 1), None),),
    )
    remote_work(session, "e7", ECONOMY, "rejected", d(2026, 3, 1), d(2026, 12, 31))
    a9, _ = remote_work(
        session,
        "e9",
        ECONOMY,
        "active",
        d(2025, 3, 1),
        d(2027, 2, 28),
        decided=d(2025, 2, 20),
        documented=d(2025, 2, 10),
        outcome="Stolen är dålig",
    )
    followed_up(session, d(2026, 1, 15), agreement_id=a9)
    remote_work(
        session,
        "e10",
        ECONOMY,
        "active",
        d(2026, 6, 1),
        d(2027, 5, 31),
        decided=d(2026, 5, 2),
        documented=d(2026, 5, 1),
        outcome="Ensamhet när arbetsgruppen är på kontoret",
    )
    remote_work(
        session, "e11", ECONOMY, "active", d(2026, 3, 1), d(2027, 2, 28), decided=d(2026, 2, 1)
    )
    remote_work(
        session,
        "i1",
        IT,
        "renewed",
        d(2025, 1, 1),
        d(2026, 12, 31),
        decided=d(2024, 12, 1),
        documented=d(2024, 11, 20),
        outcome="Inga risker",
    )
    remote_work(
        session,
        "i1",
        IT,
        "active",
        d(2026, 5, 1),
        d(2027, 4, 30),
        decided=d(2026, 4, 20),
        documented=d(2026, 4, 10),
        outcome="VPN-anslutningen är instabil",
        actions=(("Byta router", d(2026, 7, 1), None),),
    )


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region(PROJECT_ROOT / "regions", "vastmanland")


@pytest.fixture
def facts(db: Database, region: Region) -> ReportFacts:
    with db.session() as session:
        seed(session)
    with db.session() as session:
        return load_facts(session, region, demo_directory())


def figures(report: ComplianceReport, unit: str) -> dict[str, Any]:
    row = report.total if unit == "total" else next(u for u in report.units if u.unit == unit)
    return row.model_dump(exclude={"unit"})


ECONOMY_2026 = {
    "agreements": {
        "in_force_during_year": 8,
        "in_force_on_report_date": 8,
        "expiring_within_reminder_window": 1,
    },
    "decisions": {
        "approved": 3,
        "assessment_before_decision": 1,
        "assessment_after_decision": 1,
        "without_documented_assessment": 1,
        "share_assessment_before_decision": 0.3333,
    },
    "risk_assessment_follow_up": {
        "due": 3,
        "within_12_months": 1,
        "late": 1,
        "missing": 1,
        "share_within_12_months": 0.3333,
    },
    "actions": {"planned": 3, "open": 2, "overdue": 1, "done": 1},
    "follow_up_dialogues_held": 2,
}


def test_the_units_figures_for_the_current_year(facts: ReportFacts, region: Region) -> None:
    report = compliance_report(facts, region, report_period(2026, TODAY))

    assert (report.period_start, report.report_date) == (date(2026, 1, 1), TODAY)
    assert [u.unit for u in report.units] == [ECONOMY, IT]  # HR-avdelningen has nothing
    assert figures(report, ECONOMY) == ECONOMY_2026
    it = figures(report, IT)
    # The renewed agreement counts for the year until its successor started, not on the day.
    assert it["agreements"] == {
        "in_force_during_year": 2,
        "in_force_on_report_date": 1,
        "expiring_within_reminder_window": 0,
    }
    assert it["decisions"]["share_assessment_before_decision"] == 1.0
    # Its old assessment's follow-up, missed in November 2025, was still due when 2026 began.
    assert it["risk_assessment_follow_up"]["missing"] == 1
    assert it["actions"] == {"planned": 1, "open": 1, "overdue": 0, "done": 0}
    total = figures(report, "total")
    assert total["agreements"]["in_force_during_year"] == 10
    assert total["decisions"]["approved"] == 4
    assert total["decisions"]["share_assessment_before_decision"] == 0.5
    assert total["risk_assessment_follow_up"] == {
        "due": 4,
        "within_12_months": 1,
        "late": 1,
        "missing": 2,
        "share_within_12_months": 0.25,
    }
    assert total["actions"] == {"planned": 4, "open": 3, "overdue": 1, "done": 1}
    assert report.total.unit == "Alla enheter"


def test_a_past_year_is_counted_to_its_last_day(facts: ReportFacts, region: Region) -> None:
    report = compliance_report(facts, region, report_period(2025, TODAY), ECONOMY)

    assert report.report_date == date(2025, 12, 31)
    economy = figures(report, ECONOMY)
    assert economy["agreements"] == {
        "in_force_during_year": 5,  # e2, e4, e5, e6, e9
        "in_force_on_report_date": 5,
        "expiring_within_reminder_window": 1,  # e6, ending that day
    }
    assert economy["decisions"]["approved"] == 4
    assert economy["decisions"]["share_assessment_before_decision"] == 1.0
    # e4 followed up in time; e6 missed its deadline of December 2024 and was still in force.
    assert economy["risk_assessment_follow_up"]["within_12_months"] == 1
    assert economy["risk_assessment_follow_up"]["missing"] == 1
    assert economy["follow_up_dialogues_held"] == 1
    assert report.units == [report.total]


def test_one_unit_only(facts: ReportFacts, region: Region) -> None:
    report = compliance_report(facts, region, report_period(2026, TODAY), IT)

    assert report.unit == IT
    assert [u.unit for u in report.units] == [IT]


def test_a_unit_is_found_in_any_case(facts: ReportFacts) -> None:
    assert known_unit(facts, " ekonomienheten ") == ECONOMY
    with pytest.raises(Refused) as unknown:
        known_unit(facts, "Ekonomi")
    assert unknown.value.status == 404 and unknown.value.code == "unit_not_found"


def test_a_year_not_begun_or_too_early_is_refused() -> None:
    with pytest.raises(Refused) as future:
        report_period(2027, TODAY)
    assert future.value.code == "year_not_started"
    assert "2027" in future.value.text and "2026" in future.value.text_en
    with pytest.raises(Refused) as early:
        report_period(1999, TODAY)
    assert early.value.code == "year_too_early"


def test_csv_has_one_row_per_unit_and_the_total(facts: ReportFacts, region: Region) -> None:
    text = compliance_csv(compliance_report(facts, region, report_period(2026, TODAY)))
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))

    assert list(rows[0])[:4] == ["Enhet", "År", "Rapportdag", "Gällande under året"]
    assert [r["Enhet"] for r in rows] == [ECONOMY, IT, "Alla enheter"]
    economy = rows[0]
    assert economy["Rapportdag"] == "2026-06-15"
    assert economy["Gällande under året"] == "8"
    assert economy["Löper ut inom påminnelsetiden"] == "1"
    assert economy["Andel med riskbedömning före beslut (%)"] == "33,3"
    assert economy["Försenade åtgärder"] == "1"
    assert economy["Uppföljningssamtal hållna"] == "2"
    assert rows[2]["Andel uppföljda inom 12 månader (%)"] == "25,0"


def test_pdf_shows_the_table_and_what_the_figures_mean(facts: ReportFacts, region: Region) -> None:
    data = compliance_pdf(compliance_report(facts, region, report_period(2026, TODAY)))

    assert data.startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    for expected in [
        "uppföljning 2026",
        "Region Västmanland",
        "Ekonomienheten 8 8 1 3 1 av 3 (33 %) 1 av 3 (33 %) 2 1 2",
        "IT-enheten",
        "Alla enheter 10 9 1 4 2 av 4 (50 %) 1 av 4 (25 %) 3 1 2",
        "Så räknas siffrorna",
    ]:
        assert expected in text, expected


def summary_region(region: Region, smallest: int) -> Region:
    return region.model_copy(update={"reports": ReportPolicy(min_group_size=smallest)})


def values(summary: UnitSummary) -> dict[str, int | None]:
    return {area.area: area.risks.value for area in summary.risks_by_area}


def test_the_summary_counts_risks_by_area_and_hides_small_groups(
    facts: ReportFacts, region: Region
) -> None:
    """Seven employees have an assessment that matters for 2026; with a group size of 3, a count
    only one or two employees stand behind is hidden."""
    summary = unit_summary(facts, summary_region(region, 3), report_period(2026, TODAY), ECONOMY)

    assert not summary.withheld
    assert summary.employees.value == 7
    assert summary.assessments.documented.value == 7
    # 6 with risks, 1 without (e2): the one employee without must not be shown, and then
    # neither may the 6, or 7 - 6 would give it away.
    assert summary.assessments.with_risks.suppressed
    assert summary.assessments.without_risks.suppressed
    assert summary.risks.value == 10
    assert values(summary) == {
        "Ergonomi och distansarbetsplatsens utformning": 5,  # e1 ×2, e5 ×2, e9
        "Psykosocial arbetsmiljö": 3,  # e3, e5, e10
        "Informationssäkerhet": None,  # e1 only
        "Olyckor och tillbud": None,  # e4 only
        "Övrigt": 0,
    }
    assert summary.actions.planned.suppressed  # e1 and e5 only
    assert summary.follow_up.due.value == 3
    assert summary.follow_up.dialogues_held.suppressed  # e4 and e9
    assert not summary.free_text_included and summary.outcomes == []


def test_below_the_minimum_group_size_nothing_is_shown(facts: ReportFacts, region: Region) -> None:
    summary = unit_summary(facts, summary_region(region, 8), report_period(2026, TODAY), ECONOMY)

    assert summary.withheld
    assert summary.employees == summary.risks == summary.actions.open
    assert summary.employees.model_dump() == {"value": None, "suppressed": True}
    assert all(area.risks.suppressed for area in summary.risks_by_area)
    assert summary.outcomes == summary.planned_actions == []


def test_hr_may_raise_the_group_size_but_not_lower_it(facts: ReportFacts, region: Region) -> None:
    period = report_period(2026, TODAY)
    raised = unit_summary(facts, summary_region(region, 3), period, ECONOMY, min_group_size=8)
    assert raised.withheld and raised.min_group_size == 8

    with pytest.raises(Refused) as lowered:
        unit_summary(facts, summary_region(region, 3), period, ECONOMY, min_group_size=2)
    assert lowered.value.code == "group_size_below_region_minimum"
    assert "3" in lowered.value.text


def test_free_text_only_on_request_without_names_or_owners(
    facts: ReportFacts, region: Region
) -> None:
    names = [user.name for user in demo_directory().all()]
    summary = unit_summary(
        facts,
        summary_region(region, 3),
        report_period(2026, TODAY),
        ECONOMY,
        include_free_text=True,
        names=names,
    )

    assert summary.free_text_included
    assert "Bildskärmen är för liten; [namn] har ont i nacken. Datorn saknar skärmskydd" in (
        summary.outcomes
    )
    assert "Inga risker identifierades." not in summary.outcomes
    assert summary.outcomes == sorted(summary.outcomes, key=str.casefold)
    assert [(a.text, a.status) for a in summary.planned_actions] == [
        ("Installera skärmskydd åt [namn]", "overdue"),
        ("Ergonomigenomgång", "open"),
        ("Beställa bildskärm", "done"),
    ]
    dumped = summary.model_dump_json()
    for personal in ["Anna", "Maria Berg", "e1", "e5", "maria.berg"]:
        assert personal not in dumped


def test_free_text_loses_ids_and_employee_numbers_too(region: Region) -> None:
    outcome = "anna.andersson (anst.nr 104512) saknar stol; Berget syns från fönstret"
    facts = ReportFacts((), (AssessmentFacts(1, ECONOMY, "e1", date(2026, 2, 1), outcome),), (), ())
    summary = unit_summary(
        facts,
        summary_region(region, 1),
        report_period(2026, TODAY),
        ECONOMY,
        include_free_text=True,
        names=["Anna Andersson", "Maria Berg"],
        ids=["anna.andersson", "104512"],
    )

    # "Berget" is a word, not Maria Berg's name.
    assert summary.outcomes == ["[id] (anst.nr [id]) saknar stol; Berget syns från fönstret"]


def test_summary_pdf_reads_back(facts: ReportFacts, region: Region) -> None:
    shown = unit_summary(
        facts,
        summary_region(region, 3),
        report_period(2026, TODAY),
        ECONOMY,
        include_free_text=True,
        names=["Anna Andersson"],
    )
    hidden = unit_summary(facts, summary_region(region, 8), report_period(2026, TODAY), ECONOMY)

    text = pdf_text(unit_summary_pdf(shown))
    assert "sammanställning för verksamhetsrådet" in text
    assert "Enhet: Ekonomienheten" in text
    assert "Ergonomi och distansarbetsplatsens utformning 5" in text
    assert "Informationssäkerhet färre än 3" in text
    assert "Installera skärmskydd åt [namn] (försenad)" in text
    assert "Anna" not in text
    withheld = pdf_text(unit_summary_pdf(hidden))
    assert "Färre än 8 medarbetare" in withheld
    assert "Risker per område" not in withheld


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_a_hidden_part_cannot_be_worked_out_from_the_total(region: Region) -> None:
    """Four employees with an ergonomic risk each and one with a security risk: the security
    count is hidden, and so is the ergonomic one, since 5 - 4 would give it away."""
    assessments = tuple(
        AssessmentFacts(n, ECONOMY, f"e{n}", date(2026, 2, 1), outcome)
        for n, outcome in enumerate(["Dålig stol"] * 4 + ["Lösenord på lapp"], start=1)
    )
    facts = ReportFacts((), assessments, (), (ECONOMY,))
    summary = unit_summary(facts, summary_region(region, 2), report_period(2026, TODAY), ECONOMY)

    assert summary.risks.value == 5
    assert values(summary) == {
        "Ergonomi och distansarbetsplatsens utformning": None,
        "Psykosocial arbetsmiljö": 0,
        "Informationssäkerhet": None,
        "Olyckor och tillbud": 0,
        "Övrigt": 0,
    }


def test_an_action_done_on_the_report_date_is_done() -> None:
    action = ActionFacts("Beställa stol", date(2026, 6, 1), date(2026, 1, 1), TODAY)
    assert not action.open_on(TODAY) and not action.overdue_on(TODAY)
    assert action.open_on(date(2026, 6, 14)) and action.overdue_on(date(2026, 6, 14))


def test_a_follow_up_that_ends_the_remote_work_is_the_last_one_due(region: Region) -> None:
    agreement = AgreementFacts(
        id=1,
        unit=ECONOMY,
        employee_id="e1",
        status="active",
        start=date(2024, 1, 1),
        end=date(2027, 12, 31),
        decided_on=date(2023, 12, 1),
        risk_assessment_id=1,
        in_force_until=date(2027, 12, 31),
    )
    assessment = AssessmentFacts(1, ECONOMY, "e1", date(2023, 12, 1), "Stol", agreement_ids=(1,))
    ended = FollowUpFacts(date(2024, 11, 1), ECONOMY, "e1", 1, ends_remote_work=True)
    facts = ReportFacts((agreement,), (assessment,), (ended,), (ECONOMY,))
    follow_up = compliance_report(facts, region, report_period(2026, TODAY)).total

    assert follow_up.risk_assessment_follow_up.due == 0


@pytest.mark.parametrize(
    ("outcome", "items"),
    [
        ("Inga risker identifierades.", []),
        ("Inga särskilda risker", []),
        ("Nej", []),
        ("Ingen bildskärm hemma", ["Ingen bildskärm hemma"]),
        ("Dålig stol; ensamhet.\nVPN saknas", ["Dålig stol", "ensamhet", "VPN saknas"]),
        ("• Sladdar på golvet\n• Stress", ["Sladdar på golvet", "Stress"]),
    ],
)
def test_risk_items(outcome: str, items: list[str]) -> None:
    assert risk_items(outcome) == items


@pytest.mark.parametrize(
    ("risk", "area"),
    [
        ("Bildskärmen är för liten", "Ergonomi och distansarbetsplatsens utformning"),
        ("Datorn saknar skärmskydd", "Informationssäkerhet"),
        ("Risk att snubbla på sladdar", "Olyckor och tillbud"),
        ("Känner sig ensam", "Psykosocial arbetsmiljö"),
        ("Grannens hund skäller", "Övrigt"),
    ],
)
def test_risk_areas(risk: str, area: str) -> None:
    assert risk_area(risk) == area


def test_the_same_figures_on_postgresql(region: Region) -> None:
    with postgres_schema() as db:
        with db.session() as session:
            seed(session)
        with db.session() as session:
            facts = load_facts(session, region, demo_directory())
    report = compliance_report(facts, region, report_period(2026, TODAY))
    assert figures(report, ECONOMY) == ECONOMY_2026


def test_an_empty_store_gives_zeros(db: Database, region: Region) -> None:
    with db.session() as session:
        facts = load_facts(session, region, demo_directory())
    report = compliance_report(facts, region, report_period(2026, TODAY))

    assert report.units == []
    assert report.total.decisions.share_assessment_before_decision is None
    assert facts.units == (ECONOMY, "HR-avdelningen", IT)
    assert facts.first_year(TODAY) == 2026
