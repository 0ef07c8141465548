"""Rasa still refuses a malformed action-server response after its response schema is checked
once instead of on every call (bot/rasa_schema_check.py), in Rasa's own environment."""

import pytest

from tests.rasa_python import run_in_rasa

pytestmark = pytest.mark.slow

SCRIPT = """
import json
import jsonschema
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from bot.rasa_schema_check import check_response_schema_once

check_response_schema_once()
check_response_schema_once()
schema = RemoteAction.action_response_format_spec()
metaschema_checks = []
validator = validator_for(schema)
original_iter_errors = validator.iter_errors
def counting(self, instance, _schema=None):
    if self.schema is validator.META_SCHEMA:
        metaschema_checks.append(1)
    return original_iter_errors(self, instance, _schema)
validator.iter_errors = counting

def outcome(response, against=None):
    try:
        jsonschema.validate(response, against or RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return "refused"
    except jsonschema.SchemaError:
        return "bad schema"
    return "accepted"

print(json.dumps({
    "good": outcome({"events": [{"event": "slot", "name": "x", "value": 1}],
                     "responses": [{"text": "Hej"}]}),
    "events_not_a_list": outcome({"events": "nope", "responses": []}),
    "event_without_type": outcome({"events": [{"name": "x"}], "responses": []}),
    "metaschema_checks_for_rasa": len(metaschema_checks),
    "other_bad_schema": outcome({}, {"type": 12}),
}))
"""


def test_malformed_responses_are_still_refused_and_only_other_schemas_are_rechecked() -> None:
    assert run_in_rasa(SCRIPT) == {
        "good": "accepted",
        "events_not_a_list": "refused",
        "event_without_type": "refused",
        "metaschema_checks_for_rasa": 0,
        "other_bad_schema": "bad schema",
    }
