"""Every code HR's page shows has a Swedish word: topics in use, statuses, queue reasons,
roles and every action the audit trail records (found in the source, so a new action without
a label fails here)."""

import ast
import re
import typing
from pathlib import Path

from bot.faq.content import load_faq
from bot.hr import recording
from bot.hr.delivery_errors import Channel
from bot.hr.labels import LABELS, all_labels, label
from bot.identity import Role
from bot.settings import PROJECT_ROOT
from bot.storage.models import AgreementStatus, NoticeKind, RiskAssessmentStatus


def recorded_actions() -> list[str]:
    """The ``action`` of every ``record_change`` call under ``bot/``: literals as they are, an
    f-string as a pattern with each placeholder standing for a word."""
    found = []
    for path in (PROJECT_ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record_change"):
                continue
            keyword = next((k.value for k in node.keywords if k.arg == "action"), None)
            action = keyword if keyword is not None else node.args[3]
            if isinstance(action, ast.Constant):
                found.append(re.escape(action.value))
            elif isinstance(action, ast.JoinedStr):
                found.append(
                    "".join(
                        re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z_]+"
                        for part in action.values
                    )
                )
            else:
                raise AssertionError(f"{path}:{node.lineno}: an action the test cannot read")
    return found


def test_every_action_the_audit_trail_records_has_a_swedish_label() -> None:
    actions = recorded_actions()
    assert len(actions) >= 4
    labelled = LABELS["audit_actions"]
    for pattern in actions:
        assert any(re.fullmatch(pattern, code) for code in labelled), pattern


def test_statuses_reasons_roles_and_the_topics_in_use_all_have_labels() -> None:
    assert set(AgreementStatus) <= set(LABELS["agreement_statuses"])
    assert set(RiskAssessmentStatus) <= set(LABELS["risk_assessment_statuses"])
    assert set(recording.QUEUE_REASONS) <= set(LABELS["queue_reasons"])
    assert set(typing.get_args(Role)) <= set(LABELS["roles"])
    assert set(NoticeKind) <= set(LABELS["notice_kinds"])
    assert set(typing.get_args(Channel)) <= set(LABELS["delivery_channels"])
    topics = {e.topic for e in load_faq(PROJECT_ROOT / "faq").entries}
    assert topics <= set(LABELS["topics"])


def test_labels_are_swedish_and_an_unknown_code_says_so_in_swedish() -> None:
    assert label("agreement_statuses", "submitted") == "Inskickad, väntar på beslut"
    assert label("roles", "hr_admin") == "HR-administratör"
    assert label("topics", "accident") == "Olyckor och tillbud"
    assert label("queue_reasons", "thumbs_down") == "Tummen ned"
    assert label("audit_actions", "made_up") == "Annan ändring (made_up)"
    served = all_labels()
    assert served["agreement_statuses"]["withdrawn"] == "Återtagen"
    # No label is its own code: the page would show English.
    for kind, mapping in served.items():
        for code, text in mapping.items():
            assert text != code and "_" not in text, (kind, code)


def test_the_label_module_is_the_only_place_the_page_gets_words_for_codes() -> None:
    for name in ("hr.js", "hr-queue.js", "hr-agreements.js"):
        script = Path(PROJECT_ROOT / "bot/static" / name).read_text(encoding="utf-8")
        for code in ("low_confidence", "hr_admin", "thumbs_down", "submitted", "accident"):
            assert code not in script, (name, code)
