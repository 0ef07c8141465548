"""Whole agreement conversations through /api/chat against the real Rasa + app."""

import itertools
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.identity_seal import IdentitySeal
from bot.settings import Settings, shared_secret
from tests.conftest import chat_client, start_stack

pytestmark = pytest.mark.slow
Chat = Callable[..., httpx.Response]

START = date.today() + timedelta(days=30)
END = START + timedelta(days=300)
# Each request an employee sends in this session gets a period of its own: a request that
# overlaps one still waiting for a decision is asked about, not stored beside it.
PERIODS = itertools.count()


@pytest.fixture(scope="module")
def vasternorrland(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    running = start_stack("vasternorrland", tmp_path_factory.mktemp("vasternorrland"))
    yield running
    running.stop()


class Conversation:
    def __init__(self, chat: Chat, user: str = "anna.andersson") -> None:
        self.chat = chat
        self.user = user
        self.id = f"flow-{uuid.uuid4().hex[:10]}"
        shift = timedelta(days=400 * next(PERIODS))
        self.start, self.end = START + shift, END + shift

    def say(self, text: str) -> str:
        response = self.chat(text, conversation_id=self.id, user=self.user)
        assert response.status_code == 200, response.text
        self.last = response.json()["messages"]
        return "\n".join(m["text"] for m in self.last)

    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.last for b in m["buttons"]]


def fill_form(c: Conversation, share: str = "40%") -> str:
    assert "Hur stor del av arbetstiden" in c.say("jag vill ansöka om distansarbete")
    assert "Var ska du arbeta" in c.say(share)
    assert "Från vilket datum" in c.say("Hemma")
    assert "Till och med vilket datum" in c.say(c.start.isoformat())
    assert "Vilka arbetsuppgifter" in c.say(c.end.isoformat())
    assert "Vilken utrustning" in c.say("Utredningar och rapportskrivning")
    assert "IT-användare" in c.say("bildskärm och headset")
    return c.say("ja")


def test_happy_path_vastmanland_then_the_manager_decides_in_chat(chat: Chat, stack: Any) -> None:
    employee = Conversation(chat)
    summary = fill_form(employee)
    assert "Andel på distans: 40 % av arbetstiden" in summary
    assert "Bildskärm, Headset" in summary
    assert [b["payload"] for b in employee.buttons()] == ["/affirm", "/change_agreement", "/stop"]
    done = employee.say("/affirm")
    assert "referensnummer DA-" in done and "Maria Berg beslutar" in done

    manager = Conversation(chat, user="maria.berg")
    assert "Anna Andersson" in manager.say("visa mina ansökningar")
    approve = next(b["payload"] for b in manager.buttons() if b["title"].startswith("Godkänn"))
    assert "riskbedömningen" in manager.say(approve)

    agreement_id = approve.split('"agreement_id":"')[1].split('"')[0]
    registered = httpx.post(
        f"{stack.url}/api/agreements/{agreement_id}/risk-assessment",
        headers={"X-Demo-User": "maria.berg"},
        json={
            "outcome": "Ergonomin ses över, bildskärm lånas ut.",
            "documented_on": date.today().isoformat(),
        },
    )
    assert registered.status_code == 200
    assert "är godkänd" in manager.say(approve)
    mine = httpx.get(
        f"{stack.url}/api/agreements", headers={"X-Demo-User": "anna.andersson"}
    ).json()
    assert any(a["id"] == int(agreement_id) and a["status"] == "approved" for a in mine)


def test_another_manager_cannot_decide_in_chat(chat: Chat) -> None:
    employee = Conversation(chat)
    fill_form(employee)
    employee.say("/affirm")
    manager = Conversation(chat, user="maria.berg")
    manager.say("visa mina ansökningar")
    approve = next(b["payload"] for b in manager.buttons() if b["title"].startswith("Godkänn"))
    assert "finns inte" in Conversation(chat, user="johan.lind").say(approve)


def test_faq_question_in_the_middle_then_the_form_continues(chat: Chat) -> None:
    c = Conversation(chat)
    c.say("jag vill ansöka om distansarbete")
    c.say("hälften")
    answer = c.say("Vilka kostnader står arbetsgivaren för?")
    assert "Arbetsgivaren står inte för kostnader" in answer
    assert "Var ska du arbeta" in answer
    assert "Från vilket datum" in c.say("Hemma")


def session_starts(stack: Any, user: str, conversation_id: str) -> int:
    """New sessions in Rasa's tracker store for one conversation."""
    sender = IdentitySeal(shared_secret(Settings(), stack.run_dir)).sender_id(user, conversation_id)
    with sqlite3.connect(Path(stack.run_dir) / "rasa_tracker.db") as tracker:
        (count,) = tracker.execute(
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'session_started'",
            (sender,),
        ).fetchone()
    return int(count)


def test_a_long_conversation_gets_new_sessions_only_at_rest_points(chat: Chat, stack: Any) -> None:
    """New Rasa sessions keep late turns cheap; they come between FAQ answers, never inside a
    form, and the conversation goes on as if nothing happened."""
    c = Conversation(chat)
    for question in [
        "Får jag jobba från sommarstugan?",
        "Vem betalar min internetuppkoppling?",
    ] * 3:
        assert "Källa:" in c.say(question)
    assert session_starts(stack, c.user, c.id) >= 2
    assert "Hur stor del av arbetstiden" in c.say("jag vill ansöka om distansarbete")
    in_form = session_starts(stack, c.user, c.id)
    c.say("40%")
    for _ in range(3):
        answer = c.say("Vilka kostnader står arbetsgivaren för?")
        assert "Arbetsgivaren står inte för kostnader" in answer
        assert "Var ska du arbeta" in answer
    assert "Från vilket datum" in c.say("Hemma")
    assert "Till och med vilket datum" in c.say(c.start.isoformat())
    assert "Vilka arbetsuppgifter" in c.say(c.end.isoformat())
    assert "Vilken utrustning" in c.say("Utredningar och rapportskrivning")
    assert "IT-användare" in c.say("bildskärm och headset")
    assert "Andel på distans: 40 % av arbetstiden" in c.say("ja")
    assert "referensnummer DA-" in c.say("/affirm")
    assert session_starts(stack, c.user, c.id) == in_form


def test_cancel_stores_nothing(chat: Chat, stack: Any) -> None:
    before = httpx.get(f"{stack.url}/api/agreements", headers={"X-Demo-User": "hanna.holm"}).json()
    c = Conversation(chat)
    c.say("jag vill ansöka om distansarbete")
    c.say("40%")
    assert "avbrutit ansökan" in c.say("avbryt")
    after = httpx.get(f"{stack.url}/api/agreements", headers={"X-Demo-User": "hanna.holm"}).json()
    assert after == before
    assert "Hej!" in c.say("hej"), "the conversation goes on normally after cancelling"


def test_bad_answers_are_explained_and_asked_again(chat: Chat) -> None:
    c = Conversation(chat)
    c.say("jag vill ansöka om distansarbete")
    assert "mer än 0 och högst 100" in c.say("150 procent")
    assert "Var ska du arbeta" in c.say("två dagar i veckan")
    c.say("hemma")
    assert "har redan varit" in c.say("2020-01-01")
    assert "Till och med" in c.say(START.isoformat())
    assert "efter startdatumet" in c.say(START.isoformat())


def test_vasternorrland_caps_the_share_at_49_percent(vasternorrland: Any) -> None:
    c = Conversation(chat_client(vasternorrland))
    intro = c.say("jag vill ansöka om distansarbete")
    assert "högst 49 %" in intro and "24 månader" in intro
    refused = c.say("60%")
    assert "högst 49 %" in refused and "Granskning av distansarbete" in refused
    assert "Var ska du arbeta" in c.say("49%")
    c.say("i stugan")
    c.say(START.isoformat())
    assert "högst 24 månader" in c.say((START + timedelta(days=800)).isoformat())
    c.say(END.isoformat())
    c.say("Handläggning")
    c.say("ingen")
    assert "Fritidsbostaden" in c.say("ja")
    assert "referensnummer" in c.say("/affirm")


def test_correcting_an_answer_from_the_summary(chat: Chat) -> None:
    c = Conversation(chat)
    fill_form(c)
    assert "/change_agreement" in [b["payload"] for b in c.buttons()]
    assert "Från vilket datum" in c.say("ändra startdatum")
    later = c.start + timedelta(days=7)
    summary = c.say(later.isoformat())
    assert f"Period: {later.isoformat()} – {c.end.isoformat()}" in summary
    assert "referensnummer" in c.say("/affirm")
