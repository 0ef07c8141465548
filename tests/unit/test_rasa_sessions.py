"""Rest points: a long conversation gets a new Rasa session only where nothing is half done."""

from typing import Any

from bot.rasa_sessions import FAQ_ACTION, RestPoints


def call(
    action: str = FAQ_ACTION, events: int = 20, active_loop: str | None = None
) -> dict[str, Any]:
    return {
        "next_action": action,
        "tracker": {
            "sender_id": "s1",
            "events": [{"event": "user"}] * events,
            "active_loop": {"name": active_loop} if active_loop else {},
        },
    }


def answer(kind: str = "answer", *events: dict[str, Any]) -> dict[str, Any]:
    return {"events": list(events), "responses": [{"custom": {"text": "Svar", "kind": kind}}]}


def test_a_long_conversation_after_an_faq_answer_is_at_rest_once() -> None:
    rest = RestPoints(max_session_events=10)
    rest.observe(call(), answer())
    assert rest.take("s1")
    assert not rest.take("s1"), "one new session per rest point"


def test_a_short_session_an_open_form_or_an_open_choice_is_not_at_rest() -> None:
    rest = RestPoints(max_session_events=10)
    rest.observe(call(events=5), answer())
    rest.observe(call(active_loop="agreement_form"), answer())
    rest.observe(call(), answer("answer", {"event": "active_loop", "name": "risk_assessment_form"}))
    rest.observe(call(), answer("clarify"))
    rest.observe(call(action="action_submit_agreement"), answer())
    # The FAQ action started a process instead (a command, or a form taken up again).
    rest.observe(call(), answer("answer", {"event": "followup", "name": "decision_form"}))
    assert not rest.take("s1")


def test_zero_turns_new_sessions_off() -> None:
    rest = RestPoints(max_session_events=0)
    rest.observe(call(events=500), answer())
    assert not rest.take("s1")
