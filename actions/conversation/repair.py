"""The conversation patterns of a form (after Rasa CALM's): for one user message inside a form,
whether it stops the form, corrects an earlier answer, answers the question, asks a question of
its own, or only keeps the conversation going; and what that does to the form's slots."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any

from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import sub_questions
from actions.conversation.commands import command_in
from actions.conversation.corrections import LONG_ANSWER_WORDS, Corrections
from actions.conversation.fields import (
    CANCELLED,
    OUTCOME_SLOT,
    PENDING_SLOT,
    QUIET,
    REASK_SLOT,
    REQUESTED_SLOT,
    Field,
    FormContext,
    Reading,
)
from actions.conversation.reading import (
    ABOUT_THE_QUESTION,
    CORRECTION_OPENING,
    ONLY_A_VALUE,
    Answer,
    Message,
    StopWish,
    asks_the_assistant,
    asks_where_we_were,
    decided_part,
    is_change_only,
    is_chitchat,
    is_hedge,
    is_question,
    is_skip,
    is_thanks,
    is_weak_yes,
    steps_away,
    stop_wish,
    without_chitchat_opening,
    without_hedge_tag,
    without_hedged_part,
    yes_or_no,
)
from actions.faq import faq_reply, utter
from bot.agreements.dates import DATE_IN_TEXT

if TYPE_CHECKING:
    from actions.conversation.form import GuidedForm

# A process named this briefly inside a free-text answer is a wish to start it, not an answer.
SHORT_COMMAND_WORDS = 3
CONFIRM_WORDS = ("skicka", "boka", "spara", "kör", "ser bra ut", "send", "book", "save", "submit")
PROCESS_INTENTS = (
    "request_agreement", "book_risk_assessment", "reschedule_risk_assessment",
    "cancel_risk_assessment", "document_risk_assessment", "show_my_requests",
    "decide_agreement", "approve_agreement", "reject_agreement", "follow_up_remote_work",
    "show_actions", "mark_action_done", "move_action", "withdraw_agreement",
)  # fmt: skip


def says_confirm(m: Message) -> bool:
    """ "skicka", "ja spara", and typed in a hurry: "skika", "skcika"."""
    if any(w in m.lowered for w in CONFIRM_WORDS):
        return True
    single = [w for w in CONFIRM_WORDS if " " not in w]
    return len(m.words) <= 2 and any(
        get_close_matches(w, single, n=1, cutoff=0.8) for w in m.words if len(w) >= 4
    )


class Turn:
    """One user message inside a form, and what it does to the form's slots."""

    def __init__(
        self, form: GuidedForm, ctx: FormContext, message: Message, dispatcher: CollectingDispatcher
    ) -> None:
        self.form = form
        self.ctx = ctx
        self.message = without_chitchat_opening(message)
        self.dispatcher = dispatcher
        self.requested = ctx.requested
        self.fields = form.fields(ctx)
        self.pending = ctx.pending
        at_summary = self.requested == form.confirm_slot and form.confirm_slot is not None
        self.at_summary = at_summary
        self.corrections = Corrections(form, ctx, self.fields, self.requested, at_summary)
        # rasa-sdk filled the requested slot with the raw text; it stays empty unless read.
        if self.requested:
            ctx.set(self.requested, None)
        # A sub-question marked "keep" (an action's missing owner) waits through digressions.
        ctx.set(PENDING_SLOT, self.pending if self.pending.get("keep") else None)

    # --- the patterns, in the order they are tried -------------------------------------------

    def handle(self) -> None:
        m = self.message
        if sub_questions.resolve(self):
            return
        wish = stop_wish(m) if self.form.stop_words_end_it or m.is_payload else StopWish.NONE
        if wish is StopWish.CLEAR:
            return self.stop()
        if wish is StopWish.UNSURE:
            return self.ask_to_stop()
        if steps_away(m):
            return self.wait()
        if asks_where_we_were(m):
            return self.where_we_were()
        if field_slot := m.entities.get("field"):
            return self.reopen(str(field_slot))
        if is_change_only(m) or (m.is_payload and m.intent == self.form.change_intent):
            return self.ask_what_to_change()
        if self.correct():
            return
        if self.at_summary:
            return self.answer_summary()
        field = self.form.field(self.ctx, self.requested)
        if field is None:
            return
        if is_skip(m) and not field.skippable:
            return self.refuse_skip(field)
        if asks_the_assistant(m) and self.screen(field):
            # "who owns the laptop if I quit?" at the equipment question: answered, not stored.
            return
        if self.faq_answers_long_question(m):
            return
        decided = decided_part(m)
        if decided is not None and not field.free_text:
            reading = field.read(self.ctx, decided)
            if reading.found and self.answer(field, reading):
                return
        if not field.free_text and self.answer(field, field.read(self.ctx, m)):
            self.note_also_answered(field)
            return
        if self.screen(field):
            return
        if self.message is not m:
            # The part the user is unsure of was taken off ("…, vet inte vem än"): read the rest.
            m = self.message
            if not field.free_text and self.answer(field, field.read(self.ctx, m)):
                self.note_also_answered(field)
                return
        if field.free_text and self.only_another_answer(field):
            return
        if field.free_text and self.names_another_answer(field):
            # "nej vänta, kl 14 blir bättre" at the place question: not a place.
            return self.ask_what_to_change("Vad vill du ändra?")
        if field.free_text and self.answer(field, field.read(self.ctx, m)):
            self.note_also_answered(field)
            return
        if self.answers_a_later_question(field):
            return
        self.say(field.not_understood)
        self.reask()

    def stop(self) -> None:
        self.say(self.form.stopped)
        self.ctx.set(OUTCOME_SLOT, CANCELLED)
        self.ctx.set(REQUESTED_SLOT, None)

    def start_over(self) -> None:
        """ "sådär, nu har jag dem. dokumentera riskbedömningen" to "Vill du avbryta …?": the
        answers so far are dropped and the first question is asked again."""
        slots = self.form.start_over_slots or self.form.field_slots
        for slot in (*slots, *([self.form.confirm_slot] if self.form.confirm_slot else [])):
            self.ctx.set(slot, None)
        self.ctx.set(PENDING_SLOT, None)
        self.say(f"Då börjar vi om med {self.form.noun}.")

    def ask_to_stop(self) -> None:
        field = self.form.field(self.ctx, self.requested)
        self.ctx.set(
            PENDING_SLOT,
            {
                "kind": "stop",
                "slot": self.requested,
                # A long answer that mentioned stopping is kept, in case it was an answer.
                "text": self.message.text if field is not None and field.free_text else None,
            },
        )
        self.dispatcher.utter_message(
            text=f"Vill du avbryta {self.form.noun}?",
            buttons=[
                {"title": f"Ja, avbryt {self.form.noun}", "payload": "/stop"},
                {"title": "Nej, fortsätt", "payload": "/deny"},
            ],
        )
        self.keep_quiet()

    def wait(self) -> None:
        """The user steps away: nothing is read or asked until they write again."""
        self.say("Inga problem, jag väntar. Skriv när du vill fortsätta, så tar vi det därifrån.")
        self.keep_quiet()

    def where_we_were(self) -> None:
        """The question, whole; at the summary, the summary."""
        if not self.at_summary:
            self.say(f"Vi håller på med {self.form.noun}.")

    def ask_what_to_change(self, intro: str = "Vad vill du ändra?") -> None:
        changeable = [f for f in self.fields if f.changeable]
        self.ctx.set(PENDING_SLOT, {"kind": "change"})
        self.dispatcher.utter_message(
            text=intro,
            buttons=[
                {"title": f.title, "payload": f'/{self.form.change_intent}{{"field":"{f.slot}"}}'}
                for f in changeable
            ]
            + [{"title": f"Avbryt {self.form.noun}", "payload": "/stop"}],
        )
        self.keep_quiet()

    def reopen(self, slot: str) -> None:
        """Clears one answer; the form asks for it again, then goes on to the summary."""
        field = self.form.field(self.ctx, slot)
        if field is None or not field.changeable:
            self.ask_what_to_change()
            return
        self.ctx.set(slot, None)

    def correct(self) -> bool:
        """A new value for a field other than the one asked for (at the summary: any field);
        a message whose parts change several answers changes each."""
        if settled := self.corrections.settled(self.message):
            self.say(self.changes([settled]))
            self.keep_requested(brief=True)
            return True
        found = self.corrections.find(self.message)
        if found is None:
            return False
        field, reading = found
        if reading.reopen:
            self.reopen(field.slot)
            return True
        if reading.problem:
            self.say(reading.problem, reading.buttons)
            self.after_problem(reading.problem)
            return True
        changes = [found, *self.corrections.further(self.message, found)]
        line = self.changes(changes)
        changed = [f for f, _ in changes]
        if beside := self.corrections.answer_beside(self.message, changed):
            asked, answer = beside
            self.store(asked.slot, answer.value)
            line += f" Noterat: {asked.title.lower()} {asked.show(answer.value)}."
        self.say(line)
        self.keep_requested(brief=not self.at_summary)
        return True

    def changes(self, changes: Iterable[tuple[Field, Reading]]) -> str:
        """Makes each change in turn; the earlier answers are kept for one turn, so "ångra" or
        "nej, 20 var rätt" can take them back."""
        lines, earlier = [], []
        for field, reading in changes:
            old = self.ctx.get(field.slot)
            lines.append(self.change(field, reading))
            if old not in (None, "") and old != reading.value:
                earlier.append([field.slot, old])
        if earlier and self.ctx.get(PENDING_SLOT) is None:
            self.ctx.set(PENDING_SLOT, {"kind": "undo", "changes": earlier})
        return " ".join(lines)

    def change(self, field: Field, reading: Reading) -> str:
        """Sets a corrected answer; the line that confirms it."""
        value = reading.value
        old = self.ctx.get(field.slot)
        self.ctx.set(field.slot, value)
        line = f"Ändrat: {field.title.lower()} {field.show(value)}"
        if old == value:
            line = f"Noterat: {field.title.lower()} {field.show(value)}"
        elif old not in (None, ""):
            line += f" i stället för {field.show(old)}"
        if reading.change_line:
            line = reading.change_line.rstrip(".")
        note = self.form.after_change(self.ctx, field.slot)
        return line + "." + (f" {note}" if note else "")

    def names_another_answer(self, field: Field) -> bool:
        """A free-text answer that opens as a correction and names another answer given before
        ("nej vänta, kl 14 blir bättre") changes that answer; it is not this one."""
        m = self.message
        if not CORRECTION_OPENING.match(m.lowered):
            return False
        named = self.corrections.named_fields(m)
        return any(f.slot != field.slot and self.ctx.get(f.slot) for f in named)

    def only_another_answer(self, field: Field) -> bool:
        """ "från 1 feb" at the place question: nothing but a date or a number, which answers
        another question, never this free-text one. Kept for that question when only one takes
        it; this one is asked again."""
        m = self.message
        if not ONLY_A_VALUE.fullmatch(m.lowered.strip(" .!?")):
            return False
        if field.find is not None and field.find(self.ctx, m.text).found:
            return False
        others = [
            (f, reading)
            for f in self.fields
            if f.slot != field.slot and not f.free_text and f.find is not None
            and self.ctx.get(f.slot) is None
            and (reading := f.find(self.ctx, m.text)).found
        ]  # fmt: skip
        if len(others) == 1:
            other, reading = others[0]
            self.store(other.slot, reading.value)
            self.say(f"Jag har noterat {other.title.lower()} {other.show(reading.value)}.")
        else:
            self.say(field.not_understood)
        self.reask()
        return True

    def answers_a_later_question(self, field: Field) -> bool:
        """ "jag vill börja v 5" at the share question: the answer to a later question, named
        by its word, is noted, and this question asked again."""
        m = self.message
        later = [
            (f, reading)
            for f in self.fields
            if f.slot != field.slot and f.find is not None
            and self.ctx.get(f.slot) is None
            and (f.free_text or any(w in m.lowered for w in f.words))
            # "till sista december 2028" at the share question is a date, not the tasks.
            and not (f.free_text and DATE_IN_TEXT.search(m.lowered))
            and (reading := f.find(self.ctx, m.text)).found
            and not (reading.problem or reading.confirm)
        ]  # fmt: skip
        if len(later) != 1:
            return False
        other, reading = later[0]
        self.store(other.slot, reading.value)
        self.say(f"Jag har noterat {other.title.lower()} {other.show(reading.value)}.")
        self.reask()
        return True

    def refuse_skip(self, field: Field) -> None:
        """ "hoppa över" to a question the process needs answered: said why, asked again."""
        help_text = f" {field.hedge_help}" if field.hedge_help else ""
        self.say(f"Den frågan behöver ett svar, så den kan jag inte hoppa över.{help_text}")
        self.reask()

    def answer(self, field: Field, reading: Reading) -> bool:
        if reading.pending is not None:
            self.ctx.set(PENDING_SLOT, reading.pending)
        if reading.problem:
            self.say(reading.problem, reading.buttons)
            self.after_problem(reading.problem)
            return True
        if reading.reopen:
            self.reask()
            return True
        if not reading.found:
            return False
        if reading.pending is None:
            self.ctx.set(PENDING_SLOT, None)
        if reading.confirm:
            self.ctx.set(
                PENDING_SLOT, {"kind": "confirm", "slot": field.slot, "value": reading.value}
            )
            self.say(
                reading.confirm,
                [{"title": "Ja", "payload": "/affirm"}, {"title": "Nej", "payload": "/deny"}],
            )
            self.keep_quiet()
            return True
        self.store(field.slot, reading.value)
        return True

    def note_also_answered(self, field: Field) -> None:
        """Two answers in one message: the rest is noted rather than asked for again."""
        if self.ctx.get(field.slot) is None:
            return
        noted = self.form.also_answered(self.ctx, field.slot, self.message.text)
        if noted:
            self.say(f"Jag har också noterat: {', '.join(noted)}.")

    def store(self, slot: str, value: Any) -> None:
        self.ctx.set(slot, value)
        note = self.form.after_change(self.ctx, slot)
        if note:
            self.say(note)

    def faq_answers_long_question(self, m: Message) -> bool:
        """A question of five words or more that the FAQ answers ("står arbetsgivaren för en
        kontorsstol hemma?") is answered, never read as a value. One it does not answer is read:
        "Can we meet on Tuesday the 15th at 1 pm?" proposes a time; "bärbar dator?" is a
        hesitant value."""
        if not m.text.rstrip().endswith("?") or len(m.words) < 5 or is_hedge(m):
            return False
        reply = faq_reply(self.ctx.services.answerer(), m)
        if reply.kind != "answer":
            return False
        utter(self.dispatcher, reply)
        self.reask()
        return True

    def screen(self, field: Field) -> bool:
        """Questions, chitchat and hedges: answered or acknowledged, never stored."""
        m = self.message
        if is_question(m) and ABOUT_THE_QUESTION.search(m.lowered) and field.hedge_help:
            self.say(field.hedge_help)
            self.reask()
            return True
        reply = faq_reply(self.ctx.services.answerer(), m) if is_question(m) else None
        # "vet inte, nån gång nästa vecka kanske?" wavers; it asks nothing the FAQ answers.
        wavers = reply is not None and reply.kind != "answer" and is_hedge(m)
        if (
            reply is not None
            and not wavers
            and (m.text.rstrip().endswith("?") or reply.kind == "answer")
        ):
            utter(self.dispatcher, reply)
            self.reask()
            return True
        if is_chitchat(m):
            if is_thanks(m):
                self.say("Varsågod!")
            self.reask()
            return True
        if field.free_text and is_hedge(m) and (answer := without_hedge_tag(m)) is not None:
            # "the late emails I guess, nothing else" answers; the tag only softens it.
            self.message = answer
            return False
        if (answer := without_hedged_part(m)) is not None:
            # Unsure only of a part ("…, vet inte vem än"), or leaving it open ("…, vem som gör
            # det spelar ingen roll"): the rest is read, the part asked.
            self.message = answer
            return False
        if is_hedge(m) and not (field.free_text and len(m.words) > LONG_ANSWER_WORDS):
            # "… Hon arbetar ungefär 40 procent hemifrån …" describes; it does not hesitate.
            self.say(field.hedge_help or "Ta den tid du behöver.")
            self.reask()
            return True
        # In a free-text answer only a short command counts ("boka riskbedömning" at the place
        # question); "Boka möten med kunder" is a task.
        short = len(m.words) <= SHORT_COMMAND_WORDS
        # "uppföljning av läkemedelsstatistik" at the tasks question is a task, not a command.
        commands = short and command_in(m.text) is not None
        # "jag vill börja v 5" read as a wish to apply, inside the application: an answer.
        answers_this = m.intent in self.form.start_intents and any(c.isdigit() for c in m.text)
        if (
            m.intent in PROCESS_INTENTS
            and m.confidence >= 0.9
            and (commands or not field.free_text)
            and not answers_this
        ):
            self.say(
                f'Vi håller på med {self.form.noun}. Gör klart den eller skriv "avbryt", så '
                "hjälper jag dig med det sedan."
            )
            self.reask()
            return True
        return False

    def answer_summary(self) -> None:
        m = self.message
        if self.form.read_at_summary(self):
            return
        answer = yes_or_no(m)
        if answer is Answer.UNSURE:
            # "kanske... jo, skicka": the wavering ends in a decision; its last words count.
            last = Message(text=re.split(r"\.{2,}|…|[,;]", m.text)[-1])
            if last.text.strip() and last.text.strip() != m.text.strip() and not is_hedge(last):
                answer, m = yes_or_no(last), last
        confirm = says_confirm(m) or (m.is_payload and m.intent in self.form.confirm_intents)
        if answer is Answer.YES or (answer is Answer.NONE and (confirm or is_weak_yes(m))):
            assert self.form.confirm_slot is not None
            self.ctx.set(self.form.confirm_slot, True)
            return
        if answer is Answer.NO:
            self.form.no_at_summary(self)
            return
        if is_question(m):
            reply = faq_reply(self.ctx.services.answerer(), m)
            if reply is not None:
                utter(self.dispatcher, reply)
        elif is_chitchat(m):
            # "perfekt, tack så mycket": neither a yes nor a misunderstanding; asked again.
            if is_thanks(m):
                self.say("Varsågod!")
        elif answer is not Answer.UNSURE:
            self.say(
                'Jag förstod inte riktigt. Svara "ja" om allt stämmer, säg vad du vill ändra, '
                'eller skriv "avbryt".'
            )

    # --- saying things --------------------------------------------------------------------------

    def say(self, text: str, buttons: Sequence[dict[str, str]] = ()) -> None:
        self.dispatcher.utter_message(text=text, buttons=list(buttons))

    def reask(self) -> None:
        self.keep_requested(brief=True)

    def keep_requested(self, brief: bool = False) -> None:
        """The field asked for stays empty, so the form asks it again (briefly, if ``brief``)."""
        if brief and self.requested and not self.at_summary:
            self.ctx.set(REASK_SLOT, self.requested)

    def keep_quiet(self) -> None:
        """The turn has asked its own question; the form does not ask its field on top."""
        self.ctx.set(REASK_SLOT, QUIET)

    def after_problem(self, problem: str) -> None:
        """A problem that is itself a question ("40 eller 60 procent?") is not followed by the
        field's question; an explanation is, briefly."""
        if problem.rstrip().endswith("?"):
            self.keep_quiet()
        else:
            self.keep_requested(brief=True)
