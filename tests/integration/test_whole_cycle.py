"""The whole remote-work cycle of issue #16 through /api/chat against the real Rasa + app, with
the app's clock frozen and moved by rewriting its clock file (``DG_CLOCK_FILE``), and the daily
job run as cron runs it:

request → booking → held → documented → approved → action due → follow-up a year later →
HR's compliance report.

One stack for the module and one test per stage: **the tests run in file order and each builds
on the one before** (pytest keeps a module's order); run alone, a later stage fails at its first
step. ``CYCLE`` carries what one stage leaves the next.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from dateutil.relativedelta import relativedelta

from bot.clock import STOCKHOLM
from tests.conftest import chat_client, start_stack
from tests.integration.test_agreement_flow import Conversation

pytestmark = pytest.mark.slow

# Monday 11 January 2027, 09:00 in Stockholm: Anna asks for remote work from 1 February.
START = datetime(2027, 1, 11, 9, 0, tzinfo=STOCKHOLM)
AGREEMENT_START = date(2027, 2, 1)
AGREEMENT_END = date(2028, 6, 30)
UNIT = "Ekonomienheten"
ACTION = "Låna ut bildskärm"
QUESTIONS = 9
ARCHIVED = "Chefen arkiverar den i din personalakt."

CYCLE: dict[str, Any] = {}


class Cycle:
    """The stack, its clock file and the daily job."""

    def __init__(self, stack: Any, clock_file: Path) -> None:
        self.stack = stack
        self.clock_file = clock_file
        self.chat = chat_client(stack)

    def set_clock(self, moment: datetime) -> None:
        self.clock_file.write_text(moment.isoformat(), encoding="utf-8")

    def daily_job(self, today: date) -> str:
        """``python -m bot.jobs.daily --today`` with the stack's settings; returns its output."""
        ran = subprocess.run(
            [sys.executable, "-m", "bot.jobs.daily", "--today", today.isoformat()],
            env={**os.environ, **self.stack.app_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        return ran.stdout

    def get(self, path: str, user: str, **params: Any) -> Any:
        response = httpx.get(
            f"{self.stack.url}{path}", headers={"X-Demo-User": user}, params=params, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def notifications(self, user: str) -> list[str]:
        return [n["text"] for n in self.get("/api/notifications", user)]

    def assessment(self, user: str = "maria.berg") -> dict[str, Any]:
        [found] = [a for a in self.get("/api/risk-assessments", user) if a["id"] == CYCLE["ra"]]
        return dict(found)

    def agreement(self, user: str = "anna.andersson") -> dict[str, Any]:
        [found] = [a for a in self.get("/api/agreements", user) if a["id"] == CYCLE["agreement"]]
        return dict(found)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cycle]:
    run_dir: Path = tmp_path_factory.mktemp("whole-cycle")
    clock_file = run_dir / "now.txt"
    clock_file.write_text(START.isoformat(), encoding="utf-8")
    # No periodic check in the app: the daily job is what marks the meeting held.
    stack = start_stack(
        "vastmanland",
        run_dir,
        {"DG_CLOCK_FILE": str(clock_file), "DG_OUTCOME_CHECK_SECONDS": "0"},
    )
    yield Cycle(stack, clock_file)
    stack.stop()


def test_1_anna_requests_an_agreement_and_books_the_risk_assessment(cycle: Cycle) -> None:
    anna = Conversation(cycle.chat)
    asked = anna.say("Jag vill ansöka om att jobba hemifrån 40 % från 1 februari")
    assert "Till och med vilket datum" in asked, asked
    assert "Vilka arbetsuppgifter" in anna.say(AGREEMENT_END.isoformat())
    assert "Vilken utrustning" in anna.say("Utredningar och rapportskrivning")
    assert "IT-användare" in anna.say("bildskärm och headset")
    summary = anna.say("ja")
    assert "Andel på distans: 40 % av arbetstiden" in summary
    assert f"Period: {AGREEMENT_START.isoformat()} – {AGREEMENT_END.isoformat()}" in summary
    submitted = anna.say("/affirm")
    assert "referensnummer DA-2027-" in submitted and "Vill du boka det mötet nu?" in submitted

    assert "När vill ni ses?" in anna.say("/book_risk_assessment")
    offered = anna.buttons()
    assert len(offered) == 3, "the first three free slots are offered"
    assert "Var ses ni" in anna.say(offered[0]["payload"])
    assert "Chef: Maria Berg" in anna.say("Teams")
    assert "Mötet är bokat och kopplat till din ansökan" in anna.say("/affirm")

    [booked] = cycle.get("/api/risk-assessments", "anna.andersson")
    assert booked["status"] == "booked" and booked["agreement_id"] is not None
    CYCLE["ra"], CYCLE["agreement"] = booked["id"], booked["agreement_id"]
    CYCLE["end"] = datetime.fromisoformat(booked["end"]).astimezone(STOCKHOLM)
    assert CYCLE["end"].date() > START.date(), "booked from the next working day"
    assert cycle.agreement()["status"] == "submitted"


def test_2_after_the_meeting_the_daily_job_marks_it_held_and_asks_maria(cycle: Cycle) -> None:
    day = CYCLE["end"].date()
    cycle.set_clock(datetime.combine(day, time(17, 30), STOCKHOLM))
    assert "1 chefer ombedda att dokumentera" in cycle.daily_job(day)
    assert "0 chefer ombedda att dokumentera" in cycle.daily_job(day), "asked once"
    assert cycle.assessment()["status"] == "held"
    maria = Conversation(cycle.chat, user="maria.berg")
    greeted = maria.say("hej")
    assert greeted.count("Dokumentera resultatet") == 1, greeted


def test_3_maria_documents_the_risk_assessment_and_approves(cycle: Cycle) -> None:
    day = CYCLE["end"].date()
    CYCLE["due"] = due = day + relativedelta(months=1)
    # Within a year, and before the agreement's year since its decision has passed.
    CYCLE["follow_up"] = follow_up = day + relativedelta(years=1) - timedelta(days=3)
    maria = Conversation(cycle.chat, user="maria.berg")
    assert "Vilka risker" in maria.say("dokumentera riskbedömningen")
    assert "Vilka åtgärder" in maria.say("Bildskärmen är för liten; risk för nackbesvär.")
    assert "Minst en gång per år" in maria.say(f"{ACTION} – Maria Berg – {due.isoformat()}")
    assert "Ska jag spara dokumentationen?" in maria.say(follow_up.isoformat())
    documented = maria.say("ja")
    assert "Riskbedömningen är dokumenterad, med 1 åtgärd och" in documented
    assert "kan nu beslutas" in documented
    approve = next(
        b["payload"]
        for b in maria.buttons()
        if b["title"].startswith("Godkänn") and f'"{CYCLE["agreement"]}"' in b["payload"]
    )
    assert "är godkänd" in maria.say(approve)

    assessment = cycle.assessment()
    assert assessment["status"] == "documented"
    assert assessment["follow_up_on"] == follow_up.isoformat()
    assert cycle.agreement()["status"] == "approved"
    reference = cycle.agreement()["reference"]
    told = [t for t in cycle.notifications("anna.andersson") if "är godkänd" in t]
    assert told == [f"Din distansöverenskommelse {reference} är godkänd. " + ARCHIVED]


def test_4_on_the_due_date_maria_is_reminded_once_and_marks_the_action_done(
    cycle: Cycle,
) -> None:
    due: date = CYCLE["due"]
    cycle.set_clock(datetime.combine(due, time(8, 0), STOCKHOLM))
    first = cycle.daily_job(due)
    assert "1 åtgärder som ska vara klara" in first, first
    second = cycle.daily_job(due)
    assert "0 åtgärder som ska vara klara" in second, second
    assert cycle.agreement()["status"] == "active", "started on 1 February"

    reminders = [t for t in cycle.notifications("maria.berg") if f"Åtgärden ”{ACTION}”" in t]
    assert len(reminders) == 1, reminders
    assert "visa åtgärder" in reminders[0]
    assert cycle.notifications("maria.berg") == [], "each notification is returned once"

    maria = Conversation(cycle.chat, user="maria.berg")
    maria.say("visa åtgärder")
    [item] = [m for m in maria.last if ACTION in m["text"]]
    done, _move = (b["payload"] for b in item["buttons"])
    assert f"Klart: ”{ACTION}” är markerad som klar" in maria.say(done)
    [action] = cycle.get("/api/action-plans", "maria.berg")
    assert action["text"] == ACTION and action["status"] == "done"
    next_day = cycle.daily_job(due + timedelta(days=1))
    assert "0 åtgärder som ska vara klara" in next_day, "a done action is not reminded again"


def test_5_a_year_later_maria_is_reminded_once_and_holds_the_follow_up(cycle: Cycle) -> None:
    follow_up: date = CYCLE["follow_up"]
    cycle.set_clock(datetime.combine(follow_up, time(9, 0), STOCKHOLM))
    first = cycle.daily_job(follow_up)
    assert "1 riskbedömningar att följa upp" in first, first
    second = cycle.daily_job(follow_up)
    assert "0 riskbedömningar att följa upp" in second, second
    texts = cycle.notifications("maria.berg")
    reminders = [t for t in texts if "Det är dags att följa upp riskbedömningen" in t]
    assert len(reminders) == 1, texts
    assert "följ upp distansarbetet med Anna Andersson" in reminders[0]

    maria = Conversation(cycle.chat, user="maria.berg")
    opened = maria.say("följ upp distansarbetet med Anna Andersson")
    assert "Då följer vi upp distansarbetet med Anna Andersson" in opened
    assert f"Arbetsmiljö, fråga 1 av {QUESTIONS}" in opened
    for answer in ("Fungerar bra", "ok", "-", "inget att anmärka", "Inga besvär"):
        maria.say(answer)
    assert f"Informationssäkerhet, fråga 6 av {QUESTIONS}" in maria.last[-1]["text"]
    for answer in ("Ja", "Eget rum med stängd dörr", "Fungerar"):
        maria.say(answer)
    assert "Har nya risker kommit fram" in maria.say("Ja, i ett låst skåp")
    assert "Behövs några nya åtgärder" in maria.say("inga nya risker")
    assert "fortsätta som det är" in maria.say("inga")
    summary = maria.say("fortsätter")
    assert "Stämmer det här?" in summary
    recorded = maria.say("ja")
    assert "Uppföljningen av distansarbetet med Anna Andersson är registrerad" in recorded
    assert cycle.assessment()["follow_up_on"] > follow_up.isoformat()
    assert "Maria Berg har registrerat uppföljningen" in Conversation(cycle.chat).say("hej")
    assert "0 riskbedömningar att följa upp" in cycle.daily_job(follow_up)


def unit_figures(cycle: Cycle, year: int) -> dict[str, Any]:
    report = cycle.get(
        "/api/hr/reports/compliance", "hanna.holm", year=year, unit=UNIT, format="json"
    )
    [figures] = report["units"]
    assert figures["unit"] == UNIT
    return {**figures, "report_date": report["report_date"]}


def test_6_hr_reports_the_cycle_for_the_sam_follow_up(cycle: Cycle) -> None:
    decided = unit_figures(cycle, 2027)
    assert decided["agreements"]["in_force_during_year"] == 1
    assert decided["decisions"] == {
        "approved": 1,
        "assessment_before_decision": 1,
        "assessment_after_decision": 0,
        "without_documented_assessment": 0,
        "share_assessment_before_decision": 1.0,
    }
    assert decided["actions"] == {"planned": 1, "open": 0, "overdue": 0, "done": 1}
    assert decided["follow_up_dialogues_held"] == 0

    # Asked in March 2028: by then the assessment's 12 months have run out, so it counts as due
    # for its follow-up, and the one held in January is within them.
    cycle.set_clock(datetime(2028, 3, 1, 9, 0, tzinfo=STOCKHOLM))
    followed = unit_figures(cycle, 2028)
    assert followed["report_date"] == "2028-03-01"
    assert followed["agreements"]["in_force_on_report_date"] == 1
    assert followed["follow_up_dialogues_held"] == 1
    assert followed["risk_assessment_follow_up"] == {
        "due": 1,
        "within_12_months": 1,
        "late": 0,
        "missing": 0,
        "share_within_12_months": 1.0,
    }
    assert followed["actions"]["open"] == 0
