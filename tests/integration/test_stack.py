"""The whole path with both real processes: /api/chat -> Rasa -> action -> FAQ index -> back."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.faq.answering import choose_payload
from bot.faq.content import load_faq
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

ENTRIES = load_faq(PROJECT_ROOT / "faq").for_region("vastmanland")
Chat = Callable[..., httpx.Response]


def messages(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["messages"]
    return result


def test_health_is_ready(stack: Any) -> None:
    body = httpx.get(f"{stack.url}/health").json()
    assert body["status"] == "ok"
    assert body["faq_entries"] == 14


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_each_source_question_gets_its_own_answer(chat: Chat, entry: Any) -> None:
    (answer,) = messages(chat(entry.question, conversation_id=f"source-{entry.id}"))
    assert answer["faq_id"] == entry.id
    assert answer["text"].startswith(entry.answer[:60])
    assert answer["text"].endswith(f"Källa: {entry.source}")


def test_the_summer_house_question_from_the_readme(chat: Chat) -> None:
    (answer,) = messages(chat("Får jag jobba från sommarstugan?", conversation_id="readme"))
    assert answer["faq_id"] == "fritidsbostad"
    assert answer["text"].startswith("Ja, förutsatt att chef och medarbetare kommer överens")
    assert "Källa: Frågor och svar – distansarbete inom Region Västmanland" in answer["text"]


@pytest.mark.parametrize(
    "question", ["Vad blir det för väder i helgen?", "Hur bokar jag en tvättstuga i Göteborg?"]
)
def test_unrelated_question_is_told_what_is_covered_and_whom_to_ask(
    chat: Chat, question: str
) -> None:
    (reply,) = messages(chat(question, conversation_id="unrelated"))
    assert reply["faq_id"] is None
    assert reply["kind"] == "out_of_scope"
    assert "Jag svarar på frågor om distansarbete" in reply["text"]
    assert "chef" in reply["text"]


def test_greeting_and_help(chat: Chat) -> None:
    (greeting,) = messages(chat("hej", conversation_id="small-talk"))
    assert greeting["text"].startswith("Hej! Jag är Distansguiden")
    (help_reply,) = messages(chat("vad kan du hjälpa till med?", conversation_id="small-talk"))
    assert "distansöverenskommelse" in help_reply["text"]
    assert len(help_reply["buttons"]) == 3


def test_choice_button_answers_the_chosen_entry(chat: Chat) -> None:
    (answer,) = messages(chat(choose_payload("krav-chef"), conversation_id="buttons"))
    assert answer["faq_id"] == "krav-chef"


def test_english_question_gets_the_english_text_too(chat: Chat) -> None:
    (answer,) = messages(
        chat(
            "Who is responsible for my work environment when I work from home?",
            conversation_id="english",
        )
    )
    assert answer["faq_id"] == "arbetsmiljoansvar"
    assert "In English:" in answer["text"]


def test_bad_input_is_refused_before_rasa(chat: Chat) -> None:
    response = chat("", conversation_id="bad")
    assert response.status_code == 422
    assert response.json()["detail"] == "Meddelandet är tomt."
    assert chat("x" * 2001, conversation_id="bad").status_code == 422
