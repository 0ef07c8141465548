"""``rasa data validate`` passes, and every warning it prints is one we have justified."""

import os
import re
import subprocess

import pytest

from actions.conversation.resume import SMALL_TALK
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

# Reached only by buttons: the "Menade du …?" answers (/choose_faq{...}), the manager's decisions
# (/decide_agreement{...}), the forms' "Ändra ..." buttons (/change_<form>{"field": ...}) and
# picking several items one at a time (/choose_item{"item": ...}). Training examples would make
# the classifier guess them for typed text.
PAYLOAD_ONLY = ("choose_faq", "decide_agreement", "change_decision", "change_outcome",
                "change_risk_assessment", "choose_item", "change_follow_up",
                "change_move_action")  # fmt: skip
# Read inside the forms by their validation actions (actions/conversation/), never by a rule:
# inside a form every message goes to the form.
READ_BY_FORMS = ("affirm", "deny", "change_agreement", "change_decision", "change_outcome",
                 "change_risk_assessment", "choose_item", "change_follow_up",
                 "change_move_action")  # fmt: skip
JUSTIFIED_WARNINGS = {
    *(
        f"The intent '{intent}' is listed in the domain file, but is not found in the NLU "
        "training data."
        for intent in PAYLOAD_ONLY
    ),
    *(f"The intent '{intent}' is not used in any story or rule." for intent in READ_BY_FORMS),
    # Spoken by Rasa's built-in action_default_fallback (RulePolicy core fallback), not by a rule.
    "The utterance 'utter_default' is not used in any story or rule.",
    # Spoken by the small-talk actions, which first hand a command in the message over and
    # offer the message to an interrupted form (resume.py: ActionSmallTalk).
    *(f"The utterance 'utter_{intent}' is not used in any story or rule." for intent in SMALL_TALK),
}
# Forms speak utter_ask_<slot> themselves when they request a slot.
FORM_PROMPT = re.compile(r"The utterance 'utter_ask_\w+' is not used in any story or rule\.")


def test_rasa_data_validates_with_only_justified_warnings() -> None:
    result = subprocess.run(
        [
            str(PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"),
            "data",
            "validate",
            "--domain",
            "domain",
            "--data",
            "data",
            "--config",
            "config.yml",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    warnings = set(re.findall(r"UserWarning: (.+?)\s*(?:\x1b\[0m|$)", output, flags=re.M))
    unjustified = {w for w in warnings - JUSTIFIED_WARNINGS if not FORM_PROMPT.fullmatch(w)}
    assert unjustified == set()
