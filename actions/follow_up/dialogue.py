"""The follow-up dialogue (its questions and how answers are read: ``fields.py``): a manager (or
HR) writes "följ upp distansarbetet med Anna"; the employee is found among their staff as for
booking, the latest documented risk assessment and the agreement in force are linked, and HR's
supporting questions on arbetsmiljö and informationssäkerhet (``faq/_follow_up_questions.md``)
are asked one at a time. Then new risks, new actions ("åtgärd – ansvarig – datum") and whether
the agreement continues, changes or ends; a summary is confirmed before
``FollowUpService.record`` stores it and tells the employee.

HR's list has any length, so one slot, ``fu_answers``, holds all the answers: it stays empty
while ``fu_progress`` collects them, so the form keeps asking it, each time with the next
question, and it is filled with the whole list after the last one. Every other step (stop,
"tack", "vet inte", a question in the middle, corrections, the summary) is the shared
conversation layer's.
"""

import logging
import re
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.agreement.fields import swedish_date
from actions.conversation.fields import Field, FormContext, Prompt, reset
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Message
from actions.conversation.steps import (
    Completion,
    ProcessStep,
    back_to_summary,
    not_stored,
)
from actions.faq import faq_reply, utter
from actions.follow_up.fields import (
    SKIPPED,
    answers_the_next,
    current,
    describe_subject,
    first_name,
    follow_up_fields,
    follow_ups,
    has_assessment,
    may_follow_up,
    name_of,
    nothing_to_follow_up,
    progress,
    questions,
    show_answers,
    show_decision,
    show_risks,
    subject_ids,
)
from actions.risk_assessment.action_lines import split_actions
from actions.risk_assessment.outcome_fields import me, show_actions
from actions.risk_assessment.people import bookable_for, named_person
from actions.services import Services
from bot.errors import Refused
from bot.identity import User
from bot.risk_assessments.follow_up_questions import load_questions
from bot.risk_assessments.follow_ups import (
    OUTCOME_TEXTS,
    FollowUpAnswer,
)
from bot.risk_assessments.service import Action as PlannedAction
from bot.storage.models import FollowUpOutcome

log = logging.getLogger(__name__)

FORM = "follow_up_form"
FIELD_SLOTS = ("fu_employee", "fu_answers", "fu_risks", "fu_actions", "fu_decision")
CONFIRM_SLOT = "fu_confirmed"
# HR's questions as the dialogue started ([{"area", "question"}]), the answers so far
# ({"given": [...], "earlier": [...]}) and what is followed up ({"assessment_id",
# "agreement_id"}).
STATE_SLOTS = ("fu_questions", "fu_progress", "fu_subject")
SLOTS = (*FIELD_SLOTS, CONFIRM_SLOT, *STATE_SLOTS)
UNAVAILABLE = "Uppföljningar går inte att registrera just nu. Försök igen om en stund."


class FollowUpStep(ProcessStep):
    """A step of the follow-up: it needs the follow-up service (the database)."""

    needs = "follow_ups"
    unavailable = UNAVAILABLE


# A risk or an action remembered late, labelled: "jag glömde en risk: …", "åtgärd: …".
FORGOTTEN_RISK = re.compile(
    r"\b(?:ny|en ny|en|new|a new|another)?\s*risk(?: till)?\s*:\s*(?P<risk>.+?)(?=\s*(?:\.|$|"
    r"\b(?:åtgärd|atgard|action)\s*:))",
    re.IGNORECASE,
)
LABELLED_ACTION = re.compile(r"\b(?:åtgärd|atgard|action)\s*:\s*(?P<action>.+)$", re.IGNORECASE)


class ValidateFollowUpForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    confirm_slot = CONFIRM_SLOT
    noun = "uppföljningen"
    process = "follow_up"
    # Whose follow-up it is was settled when it opened.
    start_over_slots = tuple(s for s in FIELD_SLOTS if s != "fu_employee")
    stopped = "Jag har avbrutit uppföljningen. Inget har sparats."
    change_intent = "change_follow_up"

    def fields(self, ctx: FormContext) -> list[Field]:
        return follow_up_fields(ctx)

    def after_change(self, ctx: FormContext, slot: str) -> str | None:
        if slot == "fu_employee" and ctx.get("fu_employee") and ctx.user is not None:
            subject = follow_ups(self.services).subject_for(ctx.user, str(ctx.get("fu_employee")))
            if subject is not None:
                ctx.set("fu_subject", subject_ids(subject))
                return describe_subject(self.services, subject)
        if slot == "fu_answers" and isinstance(ctx.get("fu_answers"), str):
            return self.collect(ctx, str(ctx.get("fu_answers")))
        return None

    def also_answered(self, ctx: FormContext, slot: str, text: str) -> list[str]:
        """ "det fortsätter. fast vänta, jag glömde en risk: hon jobbar ofta kvällar. åtgärd: gå
        igenom arbetstiderna – Maria – 14/1": a labelled risk and action after the decision are
        added to those given. An action without its owner or date is not guessed."""
        if slot != "fu_decision":
            return []
        noted = []
        if said := FORGOTTEN_RISK.search(text):
            risk = said.group("risk").strip(" .")
            given = str(ctx.get("fu_risks") or "")
            ctx.set("fu_risks", f"{given}; {risk}" if given else risk)
            noted.append(f"risk {risk}")
        if (said := LABELLED_ACTION.search(text)) and has_assessment(ctx):
            actions, held = split_actions(said.group("action"), ctx.today(), me(ctx))
            if actions and not held:
                ctx.set("fu_actions", [*(ctx.get("fu_actions") or []), *actions])
                noted.append(f"åtgärder {show_actions(actions)}")
        return noted

    @staticmethod
    def collect(ctx: FormContext, answer: str) -> str | None:
        """Keeps the answer to the question asked; the slot is filled once all are answered.
        An answer to the next question instead is kept for that one, this one marked skipped
        and the user told (the message before answered both)."""
        found = current(ctx)
        state = progress(ctx)
        note = None
        if found is not None:
            number, question = found
            asked = questions(ctx)
            following = asked[number + 1] if number + 1 < len(asked) else None
            if following is not None and answers_the_next(
                answer, question["question"], following["question"]
            ):
                state["given"].append({**question, "answer": SKIPPED})
                question, note = (
                    following,
                    (
                        f'Det låter som ett svar på nästa fråga ("{following["question"]}"), så '
                        f'jag noterar det där och hoppar över "{found[1]["question"]}". Du kan '
                        "ändra svaren vid sammanfattningen."
                    ),
                )
            state["given"].append({**question, "answer": answer})
        ctx.set("fu_progress", state)
        complete = len(state["given"]) >= len(questions(ctx))
        ctx.set("fu_answers", state["given"] if complete else None)
        return note

    def settle(self, ctx: FormContext) -> None:
        state = progress(ctx)
        if ctx.get("fu_answers") is None and state["given"] and current(ctx) is None:
            # "Ändra svaren" at the summary: asked again, each earlier answer offered.
            ctx.set("fu_progress", {"given": [], "earlier": state["given"]})
        if ctx.get("fu_subject") and not has_assessment(ctx) and ctx.get("fu_actions") is None:
            # No action plan to add to: a new risk is met by booking a risk assessment.
            ctx.set("fu_actions", [])

    def summary(self, ctx: FormContext) -> Prompt:
        employee = ctx.get("fu_employee")
        decision = ctx.get("fu_decision")
        service = follow_ups(self.services)
        today = ctx.today()
        lines = [
            f"Uppföljning av distansarbetet för {name_of(self.services, employee)}, "
            f"{swedish_date(today)}",
            "",
            show_answers(ctx.get("fu_answers")),
            "",
            f"Nya risker: {show_risks(ctx.get('fu_risks'))}",
            f"Nya åtgärder: {show_actions(ctx.get('fu_actions'))}",
            f"Distansarbetet: {show_decision(decision)}",
        ]
        if has_assessment(ctx) and decision != FollowUpOutcome.END:
            lines.append(f"Nästa uppföljning: senast {swedish_date(service.next_follow_up(today))}")
        return Prompt(
            "Stämmer det här?\n\n" + "\n".join(lines) + "\n\nSka jag spara uppföljningen?",
            [
                {"title": "Ja, spara", "payload": "/affirm"},
                {"title": "Ändra något", "payload": f"/{self.change_intent}"},
                {"title": "Avbryt", "payload": "/stop"},
            ],
        )


class ActionStartFollowUp(FollowUpStep):
    """Opens the dialogue for a manager or HR, with the employee from the opening message when
    it names one of their staff; an employee asking gets the FAQ's answer on follow-up."""

    step_name = "action_start_follow_up"
    form_class = ValidateFollowUpForm

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        message = Message.from_tracker(tracker)
        if not may_follow_up(user):
            # Most likely a question about follow-up: the FAQ answers it when it can.
            reply = faq_reply(self.services.answerer(), message)
            if reply.kind == "answer":
                utter(dispatcher, reply)
            else:
                dispatcher.utter_message(
                    text="Uppföljningen av distansarbetet görs av chefen tillsammans med dig, "
                    "minst en gång per år, till exempel vid medarbetarsamtalet. Chefen "
                    "registrerar den."
                )
            return []
        service = follow_ups(self.services)
        ctx = self.context(tracker)
        for slot in SLOTS:
            ctx.set(slot, None)
        asked = load_questions(self.services.faq_dir)
        ctx.set("fu_questions", [q.as_slot() for q in asked])
        ctx.set("fu_progress", {"given": [], "earlier": []})
        employee = named_person(message.text, bookable_for(self.services, user))
        subject = service.subject_for(user, employee.id) if employee else None
        if employee is not None and subject is None:
            dispatcher.utter_message(
                text=nothing_to_follow_up(employee.name)
                + " Riskbedömningen behöver göras och dokumenteras först.",
                buttons=[book_button(self.services, employee.id)],
            )
            return reset(SLOTS)
        if employee is None and not service.employees_to_follow_up(user):
            dispatcher.utter_message(
                text="Du har inga medarbetare med en dokumenterad riskbedömning eller en "
                "gällande distansöverenskommelse att följa upp."
            )
            return reset(SLOTS)
        whom = f" med {employee.name}" if employee else ""
        dispatcher.utter_message(
            text=f"Då följer vi upp distansarbetet{whom}. Jag ställer HR:s {len(asked)} "
            "stödfrågor om arbetsmiljö och informationssäkerhet en i taget. Sedan frågar jag om "
            "nya risker och åtgärder och om distansarbetet ska fortsätta, och visar en "
            'sammanfattning innan något sparas. Du kan skriva "avbryt" när som helst.'
        )
        if employee is not None and subject is not None:
            ctx.set("fu_employee", employee.id)
            ctx.set("fu_subject", subject_ids(subject))
            dispatcher.utter_message(text=describe_subject(self.services, subject))
        return [*reset(SLOTS), *ctx.events(), FollowupAction(FORM)]


def book_button(services: Services, employee_id: str) -> dict[str, str]:
    """Starts the booking flow for this employee (the booking finds them by the id)."""
    return {
        "title": f"Boka riskbedömning med {first_name(services, employee_id)}",
        "payload": f'/book_risk_assessment{{"employee":"{employee_id}"}}',
    }


class ActionRecordFollowUp(Completion, FollowUpStep):
    """Records the confirmed follow-up; offers a new risk assessment when new risks came up."""

    step_name = "action_record_follow_up"
    slots = SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        done = reset(SLOTS)
        employee = tracker.get_slot("fu_employee")
        subject = tracker.get_slot("fu_subject") or {}
        decision = tracker.get_slot("fu_decision")
        if not employee or not subject or decision is None:
            dispatcher.utter_message(
                text='Uppföljningen är inte komplett. Skriv "följ upp distansarbetet med" och '
                "medarbetarens namn för att börja om."
            )
            return done
        risks = str(tracker.get_slot("fu_risks") or "")
        actions = [
            PlannedAction(a["action"], a["owner"], date.fromisoformat(a["due"]))
            for a in tracker.get_slot("fu_actions") or []
        ]
        held_on = self.services.clock.today()
        try:
            follow_ups(self.services).record(
                user,
                held_on,
                str(decision),
                risk_assessment_id=subject.get("assessment_id"),
                agreement_id=subject.get("agreement_id"),
                answers=[
                    FollowUpAnswer(a["area"], a["question"], a["answer"])
                    for a in tracker.get_slot("fu_answers") or []
                ],
                risks=risks,
                actions=actions,
            )
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            if error.code == "due_in_the_past":
                return back_to_summary(ValidateFollowUpForm, "fu_actions")
            return done
        except SQLAlchemyError as error:
            return not_stored(dispatcher, tracker, ValidateFollowUpForm, error, "a follow-up")
        self.tell(dispatcher, str(employee), subject, FollowUpOutcome(decision), held_on, actions)
        if risks:
            dispatcher.utter_message(
                text="Nya risker kom fram, så riskbedömningen ska kompletteras. Vill du boka en "
                f"ny riskbedömningsdialog med {first_name(self.services, employee)}?",
                buttons=[book_button(self.services, str(employee))],
            )
        return done

    def tell(
        self,
        dispatcher: CollectingDispatcher,
        employee: str,
        subject: dict[str, Any],
        decision: FollowUpOutcome,
        held_on: date,
        actions: list[PlannedAction],
    ) -> None:
        name = name_of(self.services, employee)
        first = first_name(self.services, employee)
        text = (
            f"Uppföljningen av distansarbetet med {name} är registrerad "
            f"({swedish_date(held_on)}): {OUTCOME_TEXTS[decision]}."
        )
        if actions:
            text += f" {len(actions)} nya åtgärder finns nu i handlingsplanen."
        if subject.get("assessment_id") and decision != FollowUpOutcome.END:
            next_on = follow_ups(self.services).next_follow_up(held_on)
            text += f" Nästa uppföljning senast {swedish_date(next_on)}."
        text += f" {first} får besked här i chatten."
        if decision == FollowUpOutcome.CHANGE:
            text += (
                f" Ändringen görs med en ny ansökan: be {first} skriva ”jag vill ansöka om "
                "distansarbete” här, så beslutar du om den som vanligt."
            )
        if decision == FollowUpOutcome.END and self.services.agreements is not None:
            terms = self.services.agreements.region.agreement
            text += f"\n\n{terms.ending_terms}\n\n{terms.equipment_return_terms}"
        dispatcher.utter_message(text=text)
