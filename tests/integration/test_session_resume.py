"""Coming back to a form after the Rasa session ran out (an hour without a message): Rasa's form
is gone, its answers are carried over. Through /api/chat against the real Rasa + app; the hour
passes in Rasa's tracker store (its events moved two hours back), so Rasa starts the new session
itself on the next message."""

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.identity_seal import IdentitySeal
from bot.settings import Settings, shared_secret

pytestmark = pytest.mark.slow
Chat = Callable[..., httpx.Response]


class Conversation:
    def __init__(self, chat: Chat, stack: Any, user: str = "anna.andersson") -> None:
        self.chat = chat
        self.stack = stack
        self.user = user
        self.id = f"resume-{uuid.uuid4().hex[:10]}"

    def say(self, text: str) -> str:
        response = self.chat(text, conversation_id=self.id, user=self.user)
        assert response.status_code == 200, response.text
        return "\n".join(m["text"] for m in response.json()["messages"])

    def away_for_an_hour(self) -> None:
        """Two hours pass for this conversation: Rasa's session (60 minutes) runs out."""
        settings = Settings()
        sender = IdentitySeal(shared_secret(settings, self.stack.run_dir)).sender_id(
            self.user, self.id
        )
        with sqlite3.connect(Path(self.stack.run_dir) / "rasa_tracker.db") as tracker:
            moved = tracker.execute(
                "UPDATE events SET timestamp = timestamp - 7200, data = json_set(data, "
                "'$.timestamp', json_extract(data, '$.timestamp') - 7200) WHERE sender_id = ?",
                (sender,),
            ).rowcount
        assert moved > 0


def left_at_the_place_question(chat: Chat, stack: Any) -> Conversation:
    c = Conversation(chat, stack)
    assert "Hur stor del av arbetstiden" in c.say("jag vill ansöka om distansarbete")
    assert "Var ska du arbeta" in c.say("40 procent")
    c.away_for_an_hour()
    return c


def test_after_var_var_vi_the_answer_fills_the_question(chat: Chat, stack: Any) -> None:
    c = left_at_the_place_question(chat, stack)
    resumed = c.say("var var vi?")
    assert "Vi höll på med ansökan" in resumed and "Var ska du arbeta" in resumed
    assert "Från vilket datum" in c.say("hemma")


def test_the_last_question_answered_straight_away_fills_it(chat: Chat, stack: Any) -> None:
    c = left_at_the_place_question(chat, stack)
    answered = c.say("hemma")
    assert "Från vilket datum" in answered, answered
    assert "Källa" not in answered, "no FAQ answer about the place"
    assert "Till och med vilket datum" in c.say("1 februari")


def test_starting_again_after_the_session_ran_out_stores_nothing_from_the_opening(
    chat: Chat, stack: Any
) -> None:
    """The form left at the place question: Rasa filled the place with the new opening message
    when the new form opened, as the question was still the requested one."""
    c = left_at_the_place_question(chat, stack)
    assert "Hur stor del av arbetstiden" in c.say("jag vill ansöka om distansarbete")
    assert "Var ska du arbeta" in c.say("40 procent")


def test_a_yes_an_hour_after_the_summary_shows_the_summary_again(chat: Chat, stack: Any) -> None:
    """ "ja" typed after the session ran out at "Stämmer detta?": nothing is sent on an
    hour-old yes; the summary comes back, and the next yes sends the request."""
    c = Conversation(chat, stack)
    c.say("jag vill ansöka om distansarbete")
    c.say("40 procent")
    c.say("hemma")
    c.say("1 februari 2027")
    c.say("31 juli 2027")
    summary = c.say("utredningar och rapporter")
    # Other tests may already have given Anna an agreement or a request for the same months.
    answers = {
        "utrustning": "bildskärm",
        "IT-användare": "ja",
        "redan en överenskommelse": "ja",
        "redan en ansökan": "ersätt",
    }
    for _ in range(5):
        asked = next((a for q, a in answers.items() if q in summary), None)
        if asked is None:
            break
        summary = c.say(asked)
    assert "Stämmer" in summary, summary
    c.away_for_an_hour()
    again = c.say("ja")
    assert "Vi höll på med ansökan" in again and "Stämmer" in again, again
    assert "skickad" not in again.lower()
    sent = c.say("ja")
    assert "DIST-" in sent or "skickad" in sent.lower(), sent
