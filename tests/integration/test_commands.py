"""A command at the start of a message starts its process whatever Rasa's intent, through
/api/chat against the real Rasa + app (actions/conversation/commands.py)."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.integration.test_agreement_flow import Conversation, fill_form

pytestmark = pytest.mark.slow
Chat = Callable[..., httpx.Response]


def test_a_rejection_with_its_reason_opens_the_decision_and_keeps_the_reason(
    chat: Chat, stack: Any
) -> None:
    """Two requests wait, so the form asks which; the reason written first is the one stored.
    Rasa may read the message as a rejection or, as after a retrain, as a question on costs or
    IT: the decision starts either way."""
    references = []
    for _ in range(2):
        employee = Conversation(chat)
        fill_form(employee)
        references.append(employee.say("/affirm").split("referensnummer ")[1][:13])
    manager = Conversation(chat, user="maria.berg")
    # Written in English, so answered in English, the button's choice included.
    asked = manager.say("reject it, the costs for internet at home are too high for us")
    assert "Which application is it about?" in asked, asked
    chosen = next(b for b in manager.buttons() if references[1] in b["title"])
    assert f"{references[1]} is rejected" in manager.say(chosen["payload"])
    mine = httpx.get(f"{stack.url}/api/agreements", headers={"X-Demo-User": "anna.andersson"})
    rejected = next(a for a in mine.json() if a["reference"] == references[1])
    assert rejected["decision_reason"] == "The costs for internet at home are too high for us"


def test_a_question_about_rejecting_is_answered(chat: Chat) -> None:
    manager = Conversation(chat, user="maria.berg")
    answer = manager.say("hur avslår man en ansökan?")
    assert "Vilken ansökan gäller det?" not in answer and "Vad är skälet" not in answer
