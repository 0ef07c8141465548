"""Rasa checks every action server's response against its response schema with
``jsonschema.validate``, which first checks the schema itself against JSON Schema's meta-schema,
on every call, although Rasa's schema never changes. That second check was 13 % of Rasa's CPU
per FAQ turn (py-spy, 2026-12-04). Here the schema is checked once, at start-up, and the
responses still on every call.

Runs inside the Rasa process (Python 3.10), called by the signed channel as Rasa starts.
"""

import copy
from typing import Any


def check_response_schema_once() -> None:
    """Let jsonschema remember that Rasa's action-response schema is valid. Any other schema is
    still checked each time."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator = validator_for(schema)
    check_every_time = validator.check_schema
    if getattr(check_every_time, "remembers", False):
        return
    check_every_time(schema)
    checked = copy.deepcopy(schema)

    def check_schema(candidate: Any) -> None:
        if candidate != checked:
            check_every_time(candidate)

    check_schema.remembers = True  # type: ignore[attr-defined]
    validator.check_schema = staticmethod(check_schema)
