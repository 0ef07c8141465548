"""Finding corrections inside a form: which earlier answers a message changes, and to what.
The turn (`repair.py`) applies what is found and says so."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from actions.conversation.fields import Field, FormContext, Reading
from actions.conversation.reading import (
    CHANGE_VERB,
    CHANGED_TO,
    CLAUSES,
    CORRECTION_OPENING,
    Answer,
    Message,
    adds_to_answer,
    decided_part,
    has_correction_cue,
    instead_parts,
    is_bare_yes_or_no,
    yes_or_no,
)

if TYPE_CHECKING:
    from actions.conversation.form import GuidedForm

# More words than this to a free-text question is an answer, whatever it mentions.
LONG_ANSWER_WORDS = 8
# Two changes in one clause: "60 procent och slutdatum 31 augusti".
AND = re.compile(r"\s+(?:och|samt|and)\s+")

# A clause this short inside a long message may still be a bare correction ("nej, 60 procent").
SHORT_CLAUSE_WORDS = 6

Change = tuple[Field, Reading]


def clauses(m: Message) -> list[Message]:
    return [Message(text=c) for c in CLAUSES.split(m.text) if c.strip()]


BARE_NUMBER = re.compile(r"\d{1,3}")


@dataclass
class Corrections:
    """The answers of one form at one turn, and the question asked."""

    form: GuidedForm
    ctx: FormContext
    fields: list[Field]
    requested: str | None
    at_summary: bool
    # Changes read together with the one ``find`` returns (a period's end), for ``further``.
    with_first: list[Change] = dataclasses.field(default_factory=list)

    def find(self, m: Message) -> Change | None:
        """The one earlier answer the message gives a new value for (at the summary: any)."""
        if m.is_payload or is_bare_yes_or_no(m):
            # "nej" answers the question asked; it never empties the equipment given before.
            return None
        if m.text.rstrip().endswith("?") and not has_correction_cue(m) and not self.at_summary:
            # "vad händer om jag halkar i trappan hemma?" asks; it moves no answer to "hemma".
            return None
        if self.long_free_text_answer(m):
            # A long answer to a free-text question that does not open as a correction is that
            # answer: the tasks may well mention days, places and dates.
            return None
        parts = instead_parts(m.text)
        # "lägg till headset" at a later question adds to an earlier list answer.
        cue = self.corrects(m) or self.at_summary or adds_to_answer(m.text)
        named = self.named_fields(m)
        if parts is not None:
            old, new = parts
            for f in self.correctable():
                if f.find is None:
                    continue
                replaced = f.find(self.ctx, old)
                instead = f.find(self.ctx, new)
                usable = instead.found or instead.reopen or instead.problem
                if replaced.found and replaced.value == self.ctx.get(f.slot) and usable:
                    # "tiden passar inte Sven" names Sven, but no one instead of him.
                    return f, instead
        for f in named:
            if f.slot != self.requested or self.at_summary:
                reading = self.value_in(f, m) or self.value_after_to(f, m)
                # "ingen, jag har allt hemma redan" names the place given, and changes nothing.
                if reading is not None and not self.already(f, reading):
                    return f, reading
        if len(named) == 1 and CHANGE_VERB.search(m.lowered):
            # "ändra startdatum", "jag skrev fel slutdatum": asked again.
            return named[0], Reading(reopen=True)
        if self.at_summary and (kept := self.free_text_said_again(m)) is not None:
            # "ekonomiarbete" at the summary when the tasks say so: noted, nothing changes.
            return kept
        if not cue:
            return None
        # In a long message that names no answer, a value counts only in a short clause: "Och
        # jag lånar ut en kontorsstol till 15 januari" at the summary is an action's date, not
        # the follow-up's.
        said = [m]
        if self.at_summary and len(m.words) > LONG_ANSWER_WORDS:
            # A clause that opens as a correction counts at any length: "actually can we make
            # it 2:30? I have a call until 2".
            said = [
                c
                for c in clauses(m)
                if len(c.words) <= SHORT_CLAUSE_WORDS or CORRECTION_OPENING.match(c.lowered)
            ]
        readings = [
            (f, r)
            for f in self.correctable()
            if f.slot != self.requested
            and not f.free_text
            and (r := self.value_in_any(f, said)) is not None
        ]
        # The value already given is no correction ("nej vänta, ... Sven" names him again), and
        # "oj, 1 februari 2028 menar jag" when the end date is that day only says it again.
        same = [(f, r) for f, r in readings if r.found and r.value == self.ctx.get(f.slot)]
        found = [(f, r) for f, r in readings if (f, r) not in same]
        # Only against another field's change: a value named again alone changes nothing, and
        # "nej vänta, tiden passar inte Sven" asks what to change.
        if same and len(found) == 1:
            return same[0]
        if len(same) == 1 and not found and self.at_summary and yes_or_no(m) is not Answer.YES:
            # "ok, 1 december 2027 då" at the summary: the value shown, said again; noted.
            return same[0]
        if not found:
            return self.bare_value(m)
        if len(found) > 1 and (period := self.form.period_said(self.ctx, m.text)):
            # Start and end each read the period's first date; the form reads it whole.
            self.with_first = period[1:]
            return period[0]
        return found[0] if len(found) == 1 else None

    def free_text_said_again(self, m: Message) -> Change | None:
        said = " ".join(m.text.split()).strip(" .!").lower()
        for f in self.correctable():
            given = self.ctx.get(f.slot)
            if f.free_text and isinstance(given, str) and given.strip().lower() == said:
                return f, Reading.of(given)
        return None

    def bare_value(self, m: Message) -> Change | None:
        """ "nej vänta, 80" at the summary: a bare number after the cue, when only one answer
        can be that number (the share; not a date or a place)."""
        rest = m.lowered
        while opening := CORRECTION_OPENING.match(rest):
            # "nej vänta, 80": every cue word off.
            rest = rest[opening.end() :].strip(" ,.!")
        if not self.at_summary or rest == m.lowered or not BARE_NUMBER.fullmatch(rest):
            return None
        readings = [
            (f, r)
            for f in self.correctable()
            if not f.free_text
            and (r := f.read(self.ctx, Message(text=rest))).found
            and not r.confirm
            and r.value != self.ctx.get(f.slot)
        ]
        return readings[0] if len(readings) == 1 else None

    def further(self, m: Message, first: Change) -> Iterator[Change]:
        """ "ändra till 60 procent och slutdatum 31 augusti": the changes in the message's other
        parts. Lazy, so each change is made before the next part is read. After an addition
        ("lägg till en åtgärd: …, säg 31 maj") the rest may be the addition's own words, so
        another change must name its field."""
        changed = [first[0]]
        for together in self.with_first:
            changed.append(together[0])
            yield together
        named_only = not self.at_summary or first[1].change_line is not None
        parts = (p for c in CLAUSES.split(m.text) for p in AND.split(c))
        for clause in (Message(text=p) for p in parts if p.strip()):
            if any(self.value_in(f, clause) for f in changed):
                # "jag skrev fel slutdatum, det ska vara 31 augusti": the same change, said on.
                continue
            if named_only and not self.named_fields(clause):
                continue
            more = self.find(clause)
            if more is None or more[0] in changed or not more[1].found:
                continue
            changed.append(more[0])
            yield more

    def settled(self, m: Message) -> Change | None:
        """ "nej 60… nej förresten 50" at the place question: the answer given before becomes
        the value the wavering settles on, when exactly one earlier answer reads it."""
        decided = decided_part(m)
        if decided is None or self.at_summary or not has_correction_cue(m):
            return None
        found = [
            (f, r)
            for f in self.correctable()
            if f.slot != self.requested
            and not f.free_text
            and (r := f.read(self.ctx, decided)).found
            and not r.confirm
            and not r.problem
        ]
        return found[0] if len(found) == 1 else None

    def answer_beside(self, m: Message, changed: list[Field]) -> Change | None:
        """ "torsdag 17 december 13:00, vi behöver en timme" at the time question: the length
        changed, and the clause that answers the question asked is its answer."""
        asked = None if self.at_summary else self.form.field(self.ctx, self.requested)
        if asked is None or asked.free_text or asked in changed or self.ctx.get(asked.slot):
            return None
        for clause in (Message(text=c) for c in CLAUSES.split(m.text) if c.strip()):
            if any(self.value_in(f, clause) for f in changed):
                continue
            reading = asked.read(self.ctx, clause)
            if reading.found and not reading.confirm and not reading.problem:
                return asked, reading
        return None

    def corrects(self, m: Message) -> bool:
        """A correction cue, but not in a long free-text answer: in "Sammanställa rapporter som
        ska vara klara till 31 mars" the "ska vara" belongs to the tasks, while "det ska vara 60
        procent" corrects the share."""
        return not self.long_free_text_answer(m) and has_correction_cue(m)

    def long_free_text_answer(self, m: Message) -> bool:
        """More than eight words to a free-text question, not opening as a correction."""
        asked = self.form.field(self.ctx, self.requested)
        return (
            not self.at_summary
            and asked is not None
            and asked.free_text
            and len(m.words) > LONG_ANSWER_WORDS
            and not CORRECTION_OPENING.match(m.lowered)
        )

    def already(self, field: Field, reading: Reading) -> bool:
        """The value is the one given before (as written, whatever its case)."""
        given = self.ctx.get(field.slot)
        if not reading.found or given is None:
            return False
        if isinstance(given, str) and isinstance(reading.value, str):
            return given.strip().lower() == reading.value.strip().lower()
        return bool(given == reading.value)

    def value_in(self, field: Field, m: Message) -> Reading | None:
        if field.find is None:
            return None
        reading = field.find(self.ctx, m.text)
        return reading if reading.found or reading.reopen or reading.problem else None

    def value_in_any(self, field: Field, said: list[Message]) -> Reading | None:
        return next((r for m in said if (r := self.value_in(field, m)) is not None), None)

    def value_after_to(self, field: Field, m: Message) -> Reading | None:
        """ "ändra procenten till tjugo": the words after "till" read as an answer to the field
        named, for what its in-text search does not find ("tjugo" alone is a share)."""
        match = CHANGED_TO.search(m.text.strip().rstrip("?.!"))
        if field.free_text or match is None:
            return None
        reading = field.read(self.ctx, Message(text=match.group("value")))
        return reading if reading.found or reading.problem else None

    def correctable(self) -> list[Field]:
        """Fields already answered, and the one being asked."""
        return [
            f
            for f in self.fields
            if f.changeable and (self.ctx.get(f.slot) is not None or f.slot == self.requested)
        ]

    def named_fields(self, m: Message) -> list[Field]:
        return [f for f in self.correctable() if any(w in m.lowered for w in f.words)]
