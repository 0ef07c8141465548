"""The follow-up dialogue: a manager (or HR) writes "följ upp distansarbetet med Anna"; the
employee is found among their staff as for booking, the latest documented risk assessment and
the agreement in force are linked, and HR's supporting questions on arbetsmiljö and
informationssäkerhet (``faq/_follow_up_questions.md``) are asked one at a time. Then new risks,
new actions ("åtgärd – ansvarig – datum") and whether the agreement continues, changes or ends;
a summary is confirmed before ``FollowUpService.record`` stores it and tells the employee.

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
from actions.conversation.fields import NOTHING, Field, FormContext, Prompt, Reading, reset
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Message, is_chitchat, is_hedge
from actions.conversation.repair import PROCESS_INTENTS
from actions.conversation.steps import (
    SAVE_FAILED,
    Completion,
    ProcessStep,
    back_to_summary,
    not_stored,
)
from actions.faq import faq_reply, utter
from actions.risk_assessment.booking import bookable_for, named_person
from actions.risk_assessment.outcome import read_actions, show_actions
from actions.services import Services
from bot.errors import Refused
from bot.identity import User
from bot.risk_assessments.action_plans import is_overdue
from bot.risk_assessments.follow_up_questions import load_questions
from bot.risk_assessments.follow_ups import (
    OUTCOME_TEXTS,
    FollowUpAnswer,
    FollowUpService,
    FollowUpSubject,
)
from bot.risk_assessments.service import Action as PlannedAction
from bot.storage.models import ActionStatus, FollowUpOutcome

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
NO_REMARKS = "Inget att anmärka"
# Short answers that are answers here, though elsewhere they only keep the conversation going.
SHORT_ANSWERS = {
    "ok", "okej", "okey", "okay", "bra", "fint", "toppen", "perfekt", "super", "ja", "nej",
    "inget", "inga", "ingen", "funkar", "fungerar", "fungerar bra", "funkar bra",
}  # fmt: skip
DASHES = {"-", "–", "—", "--"}
NO_RISKS = re.compile(
    r"^(nej|nä|no|none|inga|ingen|inget)(\s+(nya|fler|ytterligare|new))?"
    r"(\s+(risker|risk|risks))?(\s+(alls|här|har (kommit fram|uppstått)))?$"
    r"|^inget att anmärka$|^no new risks$"
)
CONTINUE = re.compile(
    r"\b(fortsätt\w*|fortsatt|oförändrad\w*|som (förut|tidigare|den är)|behåll\w*|continue\w*|"
    r"keep|unchanged)\b"
)
CHANGE = re.compile(r"\b(ändras|ändrad\w*|förändr\w*|juster\w*|changed?|modif\w*)\b")
END = re.compile(r"\b(avslut\w*|upphör\w*|avbryts|slutar|ends?|ended|terminat\w*|stop(s|ped)?)\b")
DECISION_NAMES = {
    FollowUpOutcome.CONTINUE: "fortsätter som tidigare",
    FollowUpOutcome.CHANGE: "ändras",
    FollowUpOutcome.END: "avslutas",
}
# A question to the assistant rather than an answer: "?" at the end, or a question's opening.
# A bare verb first is no question here: "Kan inte sitta länge vid köksbordet" is an answer.
QUESTION_OPENING = re.compile(
    r"^(vad|vem|vilka|vilken|vilket|hur|varför|när|what|who|how|why|when)\b"
    r"|^(får|måste|kan|ska|behöver|gäller|finns|är|har)\s+(jag|man|vi|du|hon|han|det|den|"
    r"medarbetaren|chefen)\b"
)


class FollowUpStep(ProcessStep):
    """A step of the follow-up: it needs the follow-up service (the database)."""

    needs = "follow_ups"
    unavailable = UNAVAILABLE


def follow_ups(services: Services) -> FollowUpService:
    service = services.follow_ups
    assert service is not None
    return service


def may_follow_up(user: User) -> bool:
    """The manager or HR records a follow-up, never the employee."""
    return user.role == "manager" or user.is_hr


def name_of(services: Services, user_id: Any) -> str:
    directory = services.directory
    person = directory.get(str(user_id)) if directory is not None and user_id else None
    return person.name if person else str(user_id)


def first_name(services: Services, user_id: Any) -> str:
    return name_of(services, user_id).split()[0]


# --- the questions -----------------------------------------------------------------------------


def questions(ctx: FormContext) -> list[dict[str, str]]:
    return list(ctx.get("fu_questions") or [])


def progress(ctx: FormContext) -> dict[str, list[dict[str, str]]]:
    value = ctx.get("fu_progress") or {}
    return {"given": list(value.get("given") or []), "earlier": list(value.get("earlier") or [])}


def current(ctx: FormContext) -> tuple[int, dict[str, str]] | None:
    """The number and the question being asked, or None once all are answered."""
    asked = questions(ctx)
    given = len(progress(ctx)["given"])
    return (given, asked[given]) if given < len(asked) else None


def question_line(ctx: FormContext) -> str:
    found = current(ctx)
    if found is None:
        return ""
    number, question = found
    count = len(questions(ctx))
    return f"{question['area']}, fråga {number + 1} av {count}: {question['question']}"


def answers_prompt(ctx: FormContext) -> Prompt:
    found = current(ctx)
    if found is None:
        return Prompt("Vad kom ni fram till?")
    number, _ = found
    text = question_line(ctx)
    if number == 0:
        text += f' Svara kort med det ni kom fram till, eller "{NO_REMARKS.lower()}".'
    buttons = [{"title": NO_REMARKS, "payload": NO_REMARKS.lower()}]
    earlier = progress(ctx)["earlier"]
    if number < len(earlier) and earlier[number].get("answer"):
        before = str(earlier[number]["answer"])
        title = before if len(before) <= 40 else before[:39] + "…"
        buttons.insert(0, {"title": f"Som förut: {title}", "payload": before})
    return Prompt(text, buttons)


def read_answer(ctx: FormContext, message: Message) -> Reading:
    """A short free-text answer; "ok", "-" and "inget att anmärka" are answers too. Questions,
    thanks, greetings, a bare "vet inte" and a request for another process are left to the
    conversation layer."""
    text = " ".join(message.text.split())
    lowered = message.lowered
    if message.is_payload or not text:
        return NOTHING
    if text in DASHES:
        return Reading.of(NO_REMARKS)
    if lowered in SHORT_ANSWERS or lowered.startswith("inget att anmärka"):
        return Reading.of(text[:1000])
    if text.endswith("?") or QUESTION_OPENING.match(lowered):
        return NOTHING
    if is_chitchat(message) or (is_hedge(message) and len(message.words) <= 4):
        return NOTHING
    few_words = len(message.words) <= 6
    if message.intent in PROCESS_INTENTS and message.confidence >= 0.9 and few_words:
        return NOTHING
    if not re.search(r"[0-9a-zåäöéü]", lowered):
        return NOTHING
    return Reading.of(text[:1000])


def show_answers(value: Any) -> str:
    """The answers by area, one line each."""
    lines: list[str] = []
    area = None
    for answer in value or []:
        if answer["area"] != area:
            area = answer["area"]
            lines.append(f"{area}:")
        lines.append(f"- {answer['question']} **{answer['answer']}**")
    return "\n".join(lines)


# --- risks, actions, the decision --------------------------------------------------------------


def read_risks(ctx: FormContext, message: Message) -> Reading:
    text = " ".join(message.text.split())
    if NO_RISKS.match(message.lowered):
        return Reading.of("")
    if len(text) < 2 or not re.search(r"[a-zåäöA-ZÅÄÖ]{2}", text):
        return NOTHING
    return Reading.of(text[:5000])


def show_risks(value: Any) -> str:
    return str(value) if value else "inga"


def risks_prompt(ctx: FormContext) -> Prompt:
    return Prompt(
        "Har nya risker kommit fram sedan riskbedömningen, i arbetsmiljön eller för "
        'informationssäkerheten? Beskriv dem kort, eller skriv "inga".',
        [{"title": "Inga nya risker", "payload": "inga nya risker"}],
    )


def actions_prompt(ctx: FormContext) -> Prompt:
    ask = (
        "Vilka åtgärder behövs för de nya riskerna?"
        if ctx.get("fu_risks")
        else "Behövs några nya åtgärder i handlingsplanen?"
    )
    return Prompt(
        f'{ask} Skriv en per rad: åtgärd – ansvarig – datum, till exempel "Beställa '
        'headset – Anna Andersson – 15 januari". Skriv "inga" om inga nya åtgärder behövs.',
        [{"title": "Inga nya åtgärder", "payload": "inga"}],
    )


def find_decision(ctx: FormContext, text: str) -> Reading:
    lowered = text.lower()
    for outcome, pattern in (
        (FollowUpOutcome.END, END),
        (FollowUpOutcome.CHANGE, CHANGE),
        (FollowUpOutcome.CONTINUE, CONTINUE),
    ):
        if pattern.search(lowered):
            return Reading.of(outcome.value)
    return NOTHING


def read_decision(ctx: FormContext, message: Message) -> Reading:
    return find_decision(ctx, message.text)


def show_decision(value: Any) -> str:
    return DECISION_NAMES.get(FollowUpOutcome(value), str(value)) if value else ""


def decision_prompt(ctx: FormContext) -> Prompt:
    return Prompt(
        "Ska distansarbetet fortsätta som det är, ska överenskommelsen ändras, eller ska "
        "distansarbetet avslutas?",
        [
            {"title": "Fortsätter", "payload": "fortsätter"},
            {"title": "Ändras", "payload": "ändras"},
            {"title": "Avslutas", "payload": "avslutas"},
        ],
    )


# --- the employee and what is followed up ------------------------------------------------------


def subject_ids(subject: FollowUpSubject) -> dict[str, int | None]:
    return {
        "assessment_id": subject.assessment.id if subject.assessment else None,
        "agreement_id": subject.agreement.id if subject.agreement else None,
    }


def has_assessment(ctx: FormContext) -> bool:
    return bool((ctx.get("fu_subject") or {}).get("assessment_id"))


def describe_subject(services: Services, subject: FollowUpSubject) -> str:
    """What the follow-up builds on: the earlier risk assessment with its open actions, and
    the agreement."""
    today = services.clock.today()
    parts: list[str] = []
    assessment = subject.assessment
    if assessment is not None:
        line = "Senaste riskbedömningen"
        if assessment.documented_on:
            line += f" dokumenterades {swedish_date(assessment.documented_on)}"
        if assessment.outcome:
            outcome = " ".join(assessment.outcome.split())
            line += f" (risker då: {outcome if len(outcome) <= 120 else outcome[:119] + '…'})"
        open_items = [i for i in assessment.action_items if i.status == ActionStatus.OPEN]
        late = sum(is_overdue(i, today) for i in open_items)
        line += f". Handlingsplanen har {len(open_items)} öppna åtgärder"
        line += f", varav {late} försenade." if late else "."
        parts.append(line)
    else:
        parts.append(
            "Det finns ingen dokumenterad riskbedömning, så nya åtgärder kan inte föras in i en "
            "handlingsplan förrän en riskbedömning är gjord."
        )
    agreement = subject.agreement
    if agreement is not None:
        parts.append(
            f"Distansöverenskommelsen {agreement.reference} gäller "
            f"{swedish_date(agreement.start_date)}–{swedish_date(agreement.end_date)}, "
            f"{agreement.share_percent} % på distans."
        )
    else:
        parts.append("Det finns ingen gällande distansöverenskommelse.")
    return " ".join(parts)


def read_employee(ctx: FormContext, message: Message) -> Reading:
    if ctx.user is None:
        return NOTHING
    staff = bookable_for(ctx.services, ctx.user)
    chosen = next((p for p in staff if p.id == message.text), None) or named_person(
        message.text, staff
    )
    if chosen is None:
        return NOTHING
    if follow_ups(ctx.services).subject_for(ctx.user, chosen.id) is None:
        return Reading.refused(nothing_to_follow_up(chosen.name))
    return Reading.of(chosen.id)


def nothing_to_follow_up(name: str) -> str:
    return (
        f"Jag hittar ingen dokumenterad riskbedömning eller gällande distansöverenskommelse för "
        f"{name} som du kan följa upp."
    )


def employee_prompt(ctx: FormContext) -> Prompt:
    due = follow_ups(ctx.services).employees_to_follow_up(ctx.user) if ctx.user else []
    return Prompt(
        "Vems distansarbete vill du följa upp?",
        [{"title": name_of(ctx.services, e), "payload": e} for e in due[:10]],
    )


def follow_up_fields(ctx: FormContext) -> list[Field]:
    return [
        Field(
            slot="fu_employee",
            title="Medarbetare",
            prompt=employee_prompt,
            read=read_employee,
            not_understood="Jag hittar ingen av dina medarbetare med det namnet.",
            changeable=False,
        ),
        Field(
            slot="fu_answers",
            title="Svaren på stödfrågorna",
            prompt=answers_prompt,
            reprompt=question_line(ctx),
            read=read_answer,
            show=show_answers,
            hedge_help="Skriv kort vad ni kom fram till, även om det bara är en del av svaret, "
            f'eller "{NO_REMARKS.lower()}" om ni inte har något att ta upp.',
            not_understood=f'Skriv kort vad ni kom fram till, eller "{NO_REMARKS.lower()}".',
        ),
        Field(
            slot="fu_risks",
            title="Nya risker",
            prompt=risks_prompt,
            reprompt='har nya risker kommit fram? Beskriv dem kort, eller skriv "inga".',
            read=read_risks,
            free_text=True,
            words=("nya risker", "riskerna", "new risks"),
            show=show_risks,
            hedge_help='Beskriv det ni ser som en risk nu, eller skriv "inga". En ny '
            "riskbedömning kan bokas efteråt.",
            not_understood='Beskriv kort de nya riskerna, eller skriv "inga".',
        ),
        Field(
            slot="fu_actions",
            title="Nya åtgärder",
            prompt=actions_prompt,
            reprompt="vilka nya åtgärder behövs (åtgärd – ansvarig – datum), eller inga?",
            read=read_actions,
            words=("åtgärd", "actions"),
            show=show_actions,
            hedge_help='Skriv de åtgärder ni är överens om, eller "inga".',
            not_understood='Skriv åtgärd – ansvarig – datum, en per rad, eller "inga".',
            changeable=has_assessment(ctx),
        ),
        Field(
            slot="fu_decision",
            title="Överenskommelsen",
            prompt=decision_prompt,
            reprompt="ska distansarbetet fortsätta, ändras eller avslutas?",
            read=read_decision,
            find=find_decision,
            words=("överenskommelse", "distansarbetet ska", "agreement"),
            show=show_decision,
            hedge_help="Välj fortsätter om allt är som förut, ändras om till exempel andelen "
            "eller platsen behöver ändras, eller avslutas.",
            not_understood='Svara "fortsätter", "ändras" eller "avslutas".',
        ),
    ]


class ValidateFollowUpForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    confirm_slot = CONFIRM_SLOT
    noun = "uppföljningen"
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
            self.collect(ctx, str(ctx.get("fu_answers")))
        return None

    @staticmethod
    def collect(ctx: FormContext, answer: str) -> None:
        """Keeps the answer to the question asked; the slot is filled once all are answered."""
        found = current(ctx)
        state = progress(ctx)
        if found is not None:
            _, question = found
            state["given"].append({**question, "answer": answer})
        ctx.set("fu_progress", state)
        complete = len(state["given"]) >= len(questions(ctx))
        ctx.set("fu_answers", state["given"] if complete else None)

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
            return not_stored(dispatcher, ValidateFollowUpForm, error, "a follow-up", SAVE_FAILED)
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
