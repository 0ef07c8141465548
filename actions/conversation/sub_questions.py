"""Answers to the questions a form's turn asks of its own, beside the form's question: "Vill du
avbryta ansökan?", "Ska jag skriva 60 %?", a choice between two days, "Vad vill du ändra?", and
taking back the change just made. The sub-question waits in the pending slot for one message."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from actions.conversation.commands import command_in
from actions.conversation.fields import PENDING_SLOT, Reading
from actions.conversation.reading import (
    UNTIL,
    Answer,
    Message,
    StopWish,
    has_correction_cue,
    is_bare_yes_or_no,
    is_chitchat,
    is_hedge,
    is_question,
    is_weak_yes,
    stop_wish,
    undoes_change,
    without_undo,
    yes_or_no,
)
from bot.agreements.dates import (
    CLOCK_TIME,
    DAY_OF_MONTH,
    WEEKDAY_NAMES,
    day_of_month,
    weekday_name,
)

if TYPE_CHECKING:
    from actions.conversation.repair import Turn


def resolve(turn: Turn) -> bool:
    kind = turn.pending.get("kind")
    answer = yes_or_no(turn.message)
    if kind == "stop":
        if answer is Answer.YES or stop_wish(turn.message) is StopWish.CLEAR:
            turn.stop()
            return True
        # "sådär, nu har jag dem. dokumentera riskbedömningen": the command in its own clause.
        clauses = re.split(r"[.,;!?]+\s*", turn.message.text) if answer is Answer.NONE else []
        commands = [c.process for clause in clauses if (c := command_in(clause)) is not None]
        if turn.form.process is not None and turn.form.process in commands:
            turn.start_over()
            return True
        if answer is Answer.NO:
            field = turn.form.field(turn.ctx, turn.pending.get("slot"))
            held = turn.pending.get("text")
            if field is not None and held:
                held_message = Message(text=str(held))
                if turn.answer(field, field.read(turn.ctx, held_message)):
                    return True
            turn.say("Bra, då fortsätter vi.")
            turn.reask()
            return True
    if kind == "confirm":
        slot = str(turn.pending.get("slot"))
        if answer is Answer.YES or is_weak_yes(turn.message):
            turn.store(slot, turn.pending.get("value"))
            return True
        if answer is Answer.NO and len(turn.message.words) <= 2:
            turn.reask()
            return True
        if answer in (Answer.NONE, Answer.UNSURE) and moves_on(turn, slot):
            return True
    if kind == "choose" and choose(turn, answer):
        return True
    if kind == "undo" and undoes_change(turn.message) and undo(turn):
        return True
    if kind == "change":
        named = turn.corrections.named_fields(turn.message)
        if len(named) == 1 and not turn.corrections.value_in(named[0], turn.message):
            turn.reopen(named[0].slot)
            return True
        if answer is Answer.YES and not turn.message.is_payload and is_bare_yes_or_no(turn.message):
            # "ja" to "Vad vill du ändra, eller vill du avbryta?" says neither: the summary
            # the user said no to is shown again, never sent on that "ja".
            turn.ctx.set(PENDING_SLOT, None)
            turn.reask()
            return True
    return turn.form.read_own_answer(turn)


def moves_on(turn: Turn, slot: str) -> bool:
    """ "Ska jag skriva 60 %?" answered with the next question's answer ("hemma", "hemma
    tror jag"): the user took the value and went on, so both are stored. A new value for
    the same question, a question, or words that answer nothing leave it unconfirmed."""
    field = turn.form.field(turn.ctx, slot)
    m = turn.message
    if field is None or is_question(m):
        return False
    # "sista juni" after "Ska jag skriva 17 december?" is a date for both questions, said as
    # an end: the next question's answer. "nej, 15 februari" or "15 februari" is a new one.
    both = field.read(turn.ctx, m).found
    if both and (not UNTIL.search(m.lowered) or has_correction_cue(m)):
        return False
    following = next(
        (f for f in turn.fields if f.slot != slot and turn.ctx.get(f.slot) is None), None
    )
    if following is None or is_chitchat(m) or stop_wish(m) is not StopWish.NONE:
        return False
    if both:
        # The end is read against the start offered.
        turn.ctx.set(slot, turn.pending.get("value"))
        reading = following.read(turn.ctx, m)
        if following.free_text or not reading.found or reading.problem:
            turn.ctx.set(slot, None)
            return False
    # A free-text question takes any words, so the answer must name its value ("hemma tror
    # jag" names the place; "hmm vet inte" names nothing).
    reading = following.read(turn.ctx, m)
    if following.free_text and following.any_words and not is_hedge(m):
        # "ekonomiadministration, mest avstämningar" after "Ska jag skriva 31 juli?": the
        # tasks, which name no value to look for; a yes, a no or a correction is no answer.
        taken = yes_or_no(m) is Answer.NONE and not has_correction_cue(m)
        if not (taken and len(m.words) >= 2 and reading.found):
            return False
        turn.store(slot, turn.pending.get("value"))
        turn.answer(following, reading)
        return True
    if following.free_text or is_hedge(m):
        named = following.find(turn.ctx, m.text) if following.find else Reading()
        # As typed when it is a plain answer ("hemma"); the value alone after a hedge.
        reading = named if is_hedge(m) or not named.found else reading
    if not reading.found:
        return False
    turn.store(slot, turn.pending.get("value"))
    turn.answer(following, reading)
    return True


def choose(turn: Turn, answer: Answer) -> bool:
    """The answer to a choice between days asked beside the form's question ("16 december
    2026 är en onsdag, inte en tisdag. Vilket datum menar du?"): one of the days, by button,
    by date or by its weekday ("onsdag"). Anything else goes on as usual."""
    field = turn.form.field(turn.ctx, turn.pending.get("slot"))
    options = [str(o) for o in turn.pending.get("options") or []]
    if field is None or answer is not Answer.NONE:
        return False
    reading = field.read(turn.ctx, turn.message)
    value = reading.value if reading.found and reading.value in options else None
    if value is None:
        # "torsdag den 17:e alltså", "den 17:e", "torsdag": every day cue must fit.
        words = turn.message.words
        text = CLOCK_TIME.sub(" ", turn.message.lowered)
        days = {int(d) for d in DAY_OF_MONTH.findall(text)}
        named = [
            o
            for o in options
            if (weekday_name(o) in words or days)
            and (not days or day_of_month(o) in days)
            and not (set(words) & set(WEEKDAY_NAMES) - {weekday_name(o)})
        ]
        value = named[0] if len(named) == 1 else None
    if value is None:
        return False
    # The chosen day is checked as a typed answer would be (a booking: is everyone free?).
    checked = field.read(turn.ctx, Message(text=value))
    if checked.problem:
        turn.say(checked.problem, checked.buttons)
        turn.after_problem(checked.problem)
        return True
    value = checked.value if checked.found else value
    turn.store(field.slot, value)
    turn.say(f"Noterat: {field.title.lower()} {field.show(value)}.")
    turn.reask()
    return True


def undo(turn: Turn) -> bool:
    """The changes just made are taken back, unless the message names yet another value
    ("ångra, 30 var rätt" after 20 became 40 is a new correction)."""
    rest = without_undo(turn.message)
    restored = []
    for slot, old in turn.pending.get("changes") or []:
        field = turn.form.field(turn.ctx, slot)
        if field is None:
            continue
        named = turn.corrections.value_in(field, rest) if rest.text else None
        if rest.text and named is None and not field.free_text:
            named = field.read(turn.ctx, rest)
        if named is not None and named.found and named.value != old:
            return False
        restored.append((field, Reading.of(old)))
    if not restored:
        return False
    turn.say(" ".join(turn.change(f, r) for f, r in restored))
    turn.keep_requested(brief=not turn.at_summary)
    return True
