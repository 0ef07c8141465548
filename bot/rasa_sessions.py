"""Rest points: where the app may start a new Rasa session without anyone noticing.

Rasa loads, replays and featurizes every event of the current session on every turn, so a turn
late in a long conversation costs it several times the first (make bench: turn 150 took five
times turn 1). A new session (Rasa's ``/session_start``, slots carried over by the domain's
``session_config``) makes the next turn as cheap as the first. It is safe only where nothing is
half done: right after an FAQ answer, with no form active and no "Menade du …?" choice open.

The action endpoint sees every action call, so it marks rest points. The chat path forgets any
mark when a turn starts and, once Rasa has answered the turn, starts the new session if that
turn ended at a rest point. A mark is thus only ever used by the turn that made it: with several
replicas, a mark left on a replica the conversation moved away from could otherwise start a new
session inside a form opened on another replica since.
"""

from collections import OrderedDict
from typing import Any

SESSION_START = "/session_start"
FAQ_ACTION = "action_answer_faq"
# About a dozen FAQ turns: long enough to rarely cost an extra call, short enough to stay flat.
DEFAULT_MAX_SESSION_EVENTS = 100
REMEMBERED_CONVERSATIONS = 10_000


class RestPoints:
    def __init__(self, max_session_events: int = DEFAULT_MAX_SESSION_EVENTS) -> None:
        self._max_session_events = max_session_events
        self._due: OrderedDict[str, None] = OrderedDict()

    def observe(self, action_call: dict[str, Any], result: dict[str, Any] | None) -> None:
        """Marks the conversation when this action call ends a turn at a rest point."""
        tracker = action_call.get("tracker") or {}
        sender = tracker.get("sender_id")
        if action_call.get("next_action") != FAQ_ACTION or not isinstance(sender, str):
            return
        if self._max_session_events <= 0:
            return
        if len(tracker.get("events") or []) < self._max_session_events:
            return
        if (tracker.get("active_loop") or {}).get("name"):
            return
        result = result or {}
        events = result.get("events") or []
        if any(e.get("event") == "active_loop" and e.get("name") for e in events):
            return
        if any(e.get("event") == "followup" for e in events):
            # The FAQ action handed the message on: a form opens ("avslå, …", "var var vi?").
            return
        if any(_kind(r) == "clarify" for r in result.get("responses") or []):
            return
        self._due[sender] = None
        self._due.move_to_end(sender)
        while len(self._due) > REMEMBERED_CONVERSATIONS:
            self._due.popitem(last=False)

    def forget(self, sender: str) -> None:
        """A new turn starts: an older mark no longer says anything about the conversation."""
        self._due.pop(sender, None)

    def take(self, sender: str) -> bool:
        """True once when ``sender``'s conversation is at a rest point past the session size."""
        if sender not in self._due:
            return False
        del self._due[sender]
        return True


def _kind(response: dict[str, Any]) -> str | None:
    custom = response.get("custom")
    return custom.get("kind") if isinstance(custom, dict) else None
