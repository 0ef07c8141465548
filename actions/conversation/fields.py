"""The parts every guided form is made of: a field (one question), what a message says about it
(a reading), the question as shown (a prompt), and the form's slots as a turn leaves them."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.conversation.reading import Message
from actions.services import Services
from bot.identity import User

REQUESTED_SLOT = "requested_slot"
# A sub-question waiting for its answer: {"kind": "stop" | "confirm" | "change" | "picks", ...}
PENDING_SLOT = "flow_pending"
# The slot to ask again briefly after an interruption, or QUIET when the turn has just asked
# a question of its own ("Vill du avbryta ansökan?").
REASK_SLOT = "flow_reask"
QUIET = "-"
# "cancelled" when the user stopped the form; the completing action then stores nothing.
OUTCOME_SLOT = "flow_outcome"
CANCELLED = "cancelled"
FLOW_SLOTS = (PENDING_SLOT, REASK_SLOT, OUTCOME_SLOT)
# The pending slot's kind for a form just stopped.
STOPPED = "stopped"


@dataclass(frozen=True)
class Prompt:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """What a message says about one field."""

    value: Any = None
    # True when ``value`` is an answer (``[]`` and ``False`` are answers, nothing is not).
    found: bool = False
    # Understood but not allowed, or a choice to make: said, then the field is asked again.
    problem: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    # Given with a hedge ("kanske hälften"): confirmed before it is stored.
    confirm: str | None = None
    # The field was named without a usable value ("det ska vara i ett mötesrum"): ask it again.
    reopen: bool = False
    # A sub-question to remember (a multi-select's picks so far).
    pending: dict[str, Any] | None = None
    # How a correction that adds to the earlier answer is confirmed ("Tillagt bland riskerna:
    # …"): "Ändrat: … i stället för …" would repeat the old answer whole.
    change_line: str | None = None

    @classmethod
    def of(cls, value: Any, confirm: str | None = None) -> "Reading":
        return cls(value=value, found=True, confirm=confirm)

    @classmethod
    def added(cls, value: Any, change_line: str) -> "Reading":
        """The earlier answer with more added to it; ``change_line`` says what was added."""
        return cls(value=value, found=True, change_line=change_line)

    @classmethod
    def refused(cls, problem: str, buttons: Sequence[dict[str, str]] = ()) -> "Reading":
        return cls(problem=problem, buttons=list(buttons))


NOTHING = Reading()


@dataclass(frozen=True)
class Field:
    """One question of a form."""

    slot: str
    # How the field is named in "Vad vill du ändra?" and in "Ändrat: ...".
    title: str
    prompt: Callable[["FormContext"], Prompt]
    read: Callable[["FormContext", Message], Reading]
    # Asked after an interruption, after "Vi fortsätter med ...": empty: the whole prompt again.
    # A function when the question depends on the answers so far (an action's missing owner).
    reprompt: str | Callable[["FormContext"], str] = ""
    # Any text answers it (a place, tasks, a reason): questions, chitchat and hedges are
    # screened out first, and a value for it is never looked for inside other answers.
    free_text: bool = False
    # A value for this field inside a correction ("nej, 60 procent"); None: not correctable so.
    find: Callable[["FormContext", str], Reading] | None = None
    # Words that name the field in a correction: "startdatum", "andel", "plats".
    words: tuple[str, ...] = ()
    # The value as the user reads it ("60 %").
    show: Callable[[Any], str] = str
    # The reply to "vet inte" and other hedges.
    hedge_help: str = ""
    # When nothing in the message could be used.
    not_understood: str = "Det förstod jag inte riktigt."
    # Offered under "Vad vill du ändra?".
    changeable: bool = True
    # "hoppa över" is an answer the field reads itself; otherwise it is explained and asked again.
    skippable: bool = False
    # Any words describe it (the tasks): after "Ska jag skriva 31 juli?" such an answer takes
    # the value offered and goes on, though it names nothing the field could look for.
    any_words: bool = False


class FormContext:
    """The form's slots as this turn has left them, and what the actions need."""

    def __init__(self, services: Services, tracker: Tracker) -> None:
        self.tracker = tracker
        self.services = services
        self.user: User | None = services.user(tracker)
        self.changes: dict[str, Any] = {}
        # The sub-question the previous turn left open, as it was before this turn.
        self.pending: dict[str, Any] = dict(tracker.get_slot(PENDING_SLOT) or {})

    def get(self, slot: str) -> Any:
        return self.changes[slot] if slot in self.changes else self.tracker.get_slot(slot)

    def set(self, slot: str, value: Any) -> None:
        self.changes[slot] = value

    @property
    def requested(self) -> str | None:
        value = self.tracker.get_slot(REQUESTED_SLOT)
        return str(value) if value else None

    def today(self) -> date:
        return self.services.clock.today()

    def now(self) -> datetime:
        return self.services.clock.now()

    def events(self) -> list[EventType]:
        return [SlotSet(slot, value) for slot, value in self.changes.items()]


def fresh_message(tracker: Tracker, form: str) -> bool:
    """True when the form runs on the user's latest message; False when it is (re)activated by
    an action, whose message the form must not read again."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action" and event.get("name") not in (form, "action_listen", None):
            return False
    return False


def opening_message(tracker: Tracker, form: str) -> str | None:
    """The user's message that last opened ``form`` ("boka riskbedömning onsdag kl 13"), for
    what it said before the form could take it; None when the form was not opened by one."""
    opened = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "active_loop" and event.get("name") == form:
            opened = True
        elif opened and kind == "user":
            return str(event.get("text") or "")
    return None


def reset(slots: Sequence[str]) -> list[EventType]:
    """A process's slots cleared, as it starts or ends. The requested slot too: one left by a
    form whose session ran out would be filled with the opening message when a form opens
    (Rasa extracts it on activation)."""
    return [SlotSet(slot, None) for slot in (*slots, *FLOW_SLOTS, REQUESTED_SLOT)]


def user_messages(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


def stopped_form(tracker: Tracker, slots: Sequence[str]) -> EventType:
    """The answers of a form just stopped, and which form it was, kept in the pending slot
    until the next message."""
    form = next(
        (
            str(event["name"])
            for event in reversed(tracker.events)
            if event.get("event") == "active_loop" and event.get("name")
        ),
        None,
    )
    answers = {
        slot: tracker.get_slot(slot) for slot in slots if slot not in (*FLOW_SLOTS, REQUESTED_SLOT)
    }
    return SlotSet(
        PENDING_SLOT,
        {
            "kind": STOPPED,
            "form": form,
            "slots": {slot: value for slot, value in answers.items() if value is not None},
            "after": user_messages(tracker),
        },
    )


def was_cancelled(tracker: Tracker) -> bool:
    return bool(tracker.get_slot(OUTCOME_SLOT) == CANCELLED)
