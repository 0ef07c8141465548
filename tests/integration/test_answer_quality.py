"""A floor under answer quality on the held-out test split, so a regression fails CI.

The figures themselves come from ``make eval``; this only guards against a large drop.
"""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from benchmarks.evaluate import load_questions
from bot.faq.answering import CHOOSE_FAQ_INTENT

pytestmark = pytest.mark.slow

# Measured on 2026-12-04 (make eval, these batches, Västmanland): 85.2 % right first (the
# sibling pair is asked back rather than guessed, which counts as not right here), 1.4 % wrong,
# 98.6 % out of scope refused. The floors leave room for a retrain's ±2 points.
RIGHT_FIRST_FLOOR = 0.80
OUT_OF_SCOPE_REJECTED_FLOOR = 0.90
WRONG_ANSWER_CEILING = 0.04
# A batch joins the floor once its test figures have been reported in the README.
FLOOR_BATCHES = {
    "2026-11",
    "2026-12",
    "2026-12b",
    "2026-12c",
    "2026-12d",
    "2026-12e",
    "2026-12f",
    "2026-12g",
    "2026-12h",
    "2026-12i",
    "2026-12j",
    "2026-12k",
    "2026-12l",
    "2026-12m",
    "2026-12n",
    "2026-12o",
    "2026-12p",
    "2026-12q",
}


def test_held_out_questions_meet_the_floor(chat: Callable[..., httpx.Response]) -> None:
    questions = [
        q
        for q in load_questions()
        if q.split == "test" and q.region == "vastmanland" and q.batch in FLOOR_BATCHES
    ]
    right = wrong = rejected = 0
    in_scope = [q for q in questions if q.expected]
    out_of_scope = [q for q in questions if not q.expected]
    for number, question in enumerate(questions):
        response = chat(question.text, conversation_id=f"quality-{number}")
        assert response.status_code == 200
        messages = response.json()["messages"]
        answered = next((m["faq_id"] for m in messages if m["faq_id"]), None)
        # As make eval counts it: a "Menade du …?" choice of FAQ entries is not a rejection,
        # the help menu that chit-chat gets is.
        offered = any(
            b["payload"].startswith(f"/{CHOOSE_FAQ_INTENT}") for m in messages for b in m["buttons"]
        )
        if question.expected:
            right += answered == question.expected
            wrong += answered is not None and answered != question.expected
        else:
            rejected += answered is None and not offered
    assert right / len(in_scope) >= RIGHT_FIRST_FLOOR
    assert wrong / len(in_scope) <= WRONG_ANSWER_CEILING
    assert rejected / len(out_of_scope) >= OUT_OF_SCOPE_REJECTED_FLOOR


# Written for this test: not in the evaluation set, the alternates or the NLU examples.
ONE_PATH_QUESTIONS = [
    "Får jag jobba från sommarstugan?",
    "Vem betalar min internetuppkoppling?",
    "Vilken hemförsäkring är billigast för en villa?",
    "kan chefen tvinga mig att jobba hemma",
    "Hej! Jag är undersköterska och undrar hur många dagar jag får jobba hemifrån?",
]


@pytest.mark.parametrize("question", ONE_PATH_QUESTIONS)
def test_hr_sees_the_reply_the_chat_gives(
    stack: Any, chat: Callable[..., httpx.Response], question: str
) -> None:
    """HR's "Prova en fråga" goes through Rasa's reading of the question and the same
    decision as the chat, so HR sees what the user gets."""
    messages = chat(question, conversation_id=f"one-path-{hash(question)}").json()["messages"]
    faq_reply = next(m for m in messages if m.get("kind"))
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        tried = client.post(
            "/api/hr/try", json={"question": question}, headers={"X-Demo-User": "henrik.hall"}
        ).json()
    assert tried["rasa_reachable"] is True
    assert (tried["kind"], tried["faq_id"]) == (faq_reply["kind"], faq_reply["faq_id"])
    assert tried["text"] == faq_reply["text"]


def test_rasa_reads_a_question_only_for_the_app(stack: Any) -> None:
    unsigned = httpx.post(
        f"http://127.0.0.1:{stack.rasa_port}/webhooks/signed/parse",
        json={"text": "får jag jobba hemma"},
        timeout=10,
    )
    assert unsigned.status_code == 401
