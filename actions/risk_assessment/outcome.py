"""Documenting the outcome of a held risk-assessment dialogue: the risks seen, the action plan
("åtgärd – ansvarig – datum"), and when it is followed up (at least yearly). A summary is
confirmed before it is stored; documenting unlocks approval of the linked request."""

import logging
import re
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.agreement.decision import decision_payload
from actions.agreement.request import swedish_date
from actions.conversation.fields import (
    Field,
    FormContext,
    Prompt,
    Reading,
    reset,
)
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Message
from actions.conversation.steps import not_stored
from actions.risk_assessment.meeting import (
    RiskAssessmentCompletion,
    RiskAssessmentStep,
    assessment_payload,
    chosen_assessment,
    describe,
    held_on,
    when,
)
from bot.agreements.parsing import find_date, find_period, find_period_in, parse_date
from bot.errors import Refused
from bot.identity import User
from bot.risk_assessments.service import Action as PlannedAction
from bot.storage.models import AgreementStatus, RiskAssessment

log = logging.getLogger(__name__)

FORM = "outcome_form"
FIELD_SLOTS = ("ra_risks", "ra_actions", "ra_follow_up")
CONFIRM_SLOT = "ra_outcome_confirmed"
SLOTS = (*FIELD_SLOTS, CONFIRM_SLOT, "ra_assessment_id")
NONE = re.compile(r"^\s*(inga|ingen|inget|nej|none|no)\b", re.IGNORECASE)
ACTION_PARTS = re.compile(r"\s+[–—-]\s+|\s*;\s*|\s*\|\s*")
# Both answers in one message: "Risker: skärmen är för låg. Åtgärd: Höja skärmen – Anna – 18
# december".
RISKS_LABEL = re.compile(r"^\s*(risker|risk|risks)\s*:\s*", re.IGNORECASE)
ACTIONS_LABEL = re.compile(r"\b(åtgärder|åtgärd|actions?)\s*:\s*", re.IGNORECASE)


def parse_actions(text: str, today: date) -> tuple[list[dict[str, str]], list[str]]:
    """Lines of "action – owner – date": the actions, and what is wrong with the others."""
    actions: list[dict[str, str]] = []
    problems: list[str] = []
    for line in (line.strip(" •*-") for line in text.splitlines()):
        if not line:
            continue
        parts = [p.strip() for p in ACTION_PARTS.split(line) if p.strip()]
        due = parse_date(parts[-1], today) if len(parts) >= 3 else None
        if len(parts) < 3 or due is None:
            problems.append(f'"{line[:60]}"')
            continue
        actions.append(
            {"action": " ".join(parts[:-2])[:500], "owner": parts[-2][:120], "due": due.isoformat()}
        )
    return actions, problems


def follow_up_window(ctx: FormContext) -> tuple[date, date]:
    """From the day of the dialogue to a year later: the routine requires yearly follow-up."""
    held = held_on(ctx.services, ctx.user, chosen_assessment(ctx))
    return held, held + relativedelta(years=1)


def labelled_parts(text: str) -> tuple[str, str | None]:
    """The risks, and the actions when the message labels them ("Åtgärd: ...")."""
    label = ACTIONS_LABEL.search(text)
    risks = text[: label.start()] if label else text
    actions = text[label.end() :].strip() if label else None
    return " ".join(RISKS_LABEL.sub("", risks).split()).strip(" .;"), actions or None


def read_risks(ctx: FormContext, message: Message) -> Reading:
    text, _ = labelled_parts(message.text)
    if len(text) < 2 or not re.search(r"[a-zåäöA-ZÅÄÖ]{2}", text):
        return Reading()
    return Reading.of(text[:5000])


def read_actions(ctx: FormContext, message: Message) -> Reading:
    if isinstance(message.entities.get("actions"), list):
        return Reading.of(message.entities["actions"])
    text = message.text.strip()
    if NONE.match(text):
        return Reading.of([])
    if not ACTION_PARTS.search(text):
        return Reading()
    actions, problems = parse_actions(text, ctx.today())
    if problems:
        return Reading.refused(
            "Jag behöver åtgärd, ansvarig och datum för varje åtgärd, en per rad, t.ex. "
            '"Beställa bildskärm – Maria Berg – 2026-12-15". Kontrollera: ' + "; ".join(problems)
        )
    return Reading.of(actions)


def read_follow_up(ctx: FormContext, message: Message) -> Reading:
    return find_follow_up(ctx, message.text)


def find_follow_up(ctx: FormContext, text: str) -> Reading:
    earliest, latest = follow_up_window(ctx)
    # "om ett år" counts from the dialogue, as the buttons do, also inside a sentence
    # ("nej förresten, uppföljning om ett år").
    period = find_period(text) or find_period_in(text)
    follow_up = earliest + period if period is not None else find_date(text, earliest)
    if follow_up is None:
        return Reading()
    if not earliest <= follow_up <= latest:
        return Reading.refused(
            "Riskbedömningen ska följas upp minst en gång per år: skriv ett datum mellan "
            f"{earliest.isoformat()} och {latest.isoformat()}."
        )
    return Reading.of(follow_up.isoformat())


def follow_up_prompt(ctx: FormContext) -> Prompt:
    earliest, latest = follow_up_window(ctx)
    half = earliest + relativedelta(months=6)
    return Prompt(
        "När ska riskbedömningen följas upp? Minst en gång per år, alltså senast "
        f"{latest.isoformat()}.",
        [
            {"title": f"Om ett år ({latest.isoformat()})", "payload": latest.isoformat()},
            {"title": f"Om sex månader ({half.isoformat()})", "payload": half.isoformat()},
        ],
    )


def show_actions(actions: Any) -> str:
    if not actions:
        return "inga"
    return "; ".join(f"{a['action']} – {a['owner']} – {a['due']}" for a in actions)


def outcome_fields(ctx: FormContext) -> list[Field]:
    return [
        Field(
            slot="ra_risks",
            title="Risker",
            prompt=lambda _: Prompt(
                "Vilka risker kom fram i dialogen? Tänk på ergonomi, den psykosociala "
                "arbetsmiljön (ensamhet, tillgänglighet, återhämtning), informationssäkerhet och "
                "olycksrisker."
            ),
            reprompt="vilka risker kom fram i dialogen?",
            read=read_risks,
            free_text=True,
            words=("risker", "risken", "risks"),
            hedge_help='Beskriv kort vad ni såg, eller skriv "inga" om dialogen inte visade '
            "några risker.",
            not_understood='Beskriv kort vilka risker ni såg, eller skriv "inga".',
        ),
        Field(
            slot="ra_actions",
            title="Åtgärder",
            prompt=lambda _: Prompt(
                "Vilka åtgärder bestämde ni? Skriv en per rad: åtgärd – ansvarig – datum, till "
                'exempel "Beställa bildskärm – Maria Berg – 15 december". Skriv "inga" om inga '
                "åtgärder behövs."
            ),
            reprompt="vilka åtgärder bestämde ni (åtgärd – ansvarig – datum), eller inga?",
            read=read_actions,
            words=("åtgärd", "actions"),
            show=show_actions,
            hedge_help='Skriv de åtgärder ni är överens om, eller "inga". Fler åtgärder kan '
            "läggas till vid uppföljningen.",
            not_understood='Skriv åtgärd – ansvarig – datum, en per rad, eller "inga".',
        ),
        Field(
            slot="ra_follow_up",
            title="Uppföljning",
            prompt=follow_up_prompt,
            reprompt="när ska riskbedömningen följas upp?",
            read=read_follow_up,
            find=find_follow_up,
            words=("uppföljning", "följas upp", "follow-up", "follow up"),
            show=swedish_date,
            not_understood="Skriv ett datum för uppföljningen, till exempel 1 december 2027.",
        ),
    ]


class ValidateOutcomeForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    confirm_slot = CONFIRM_SLOT
    noun = "dokumentationen"
    stopped = "Jag har avbrutit. Inget har dokumenterats ännu."
    change_intent = "change_outcome"

    def fields(self, ctx: FormContext) -> list[Field]:
        return outcome_fields(ctx)

    def also_answered(self, ctx: FormContext, slot: str, text: str) -> list[str]:
        """ "Risker: ... Åtgärd: Höja skärmen – Anna – 18 december": the actions with the
        risks, when they are written as the actions question asks."""
        _, actions = labelled_parts(text) if slot == "ra_risks" else ("", None)
        if actions is None or ctx.get("ra_actions") is not None:
            return []
        found = read_actions(ctx, Message(text=actions))
        if not found.found:
            return []
        ctx.set("ra_actions", found.value)
        return [f"åtgärder {show_actions(found.value)}"]

    def summary(self, ctx: FormContext) -> Prompt:
        return Prompt(
            "Stämmer det här?\n\n"
            f"Risker: {ctx.get('ra_risks')}\n"
            f"Åtgärder: {show_actions(ctx.get('ra_actions'))}\n"
            f"Uppföljning: {ctx.get('ra_follow_up')}\n\nSka jag spara dokumentationen?",
            [
                {"title": "Ja, spara", "payload": "/affirm"},
                {"title": "Ändra något", "payload": f"/{self.change_intent}"},
                {"title": "Avbryt", "payload": "/stop"},
            ],
        )


class ActionStartOutcome(RiskAssessmentStep):
    """The manager documents a dialogue that has taken place."""

    step_name = "action_start_outcome"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        service = self.services.risk_assessments
        assert service is not None
        waiting = service.awaiting_outcome(user)
        named = next(tracker.get_latest_entity_values("assessment_id"), None)
        if named:
            waiting = [a for a in waiting if str(a.id) == str(named)]
        if not waiting:
            dispatcher.utter_message(
                text="Du har ingen genomförd riskbedömning som väntar på dokumentation. "
                "Resultatet dokumenteras av chefen efter mötet."
            )
            return []
        if len(waiting) > 1:
            dispatcher.utter_message(
                text="Vilken riskbedömning vill du dokumentera?",
                buttons=[
                    {
                        "title": f"{describe(self.services, a)} {when(a)}",
                        "payload": assessment_payload("document_risk_assessment", a.id),
                    }
                    for a in waiting[:10]
                ],
            )
            return []
        chosen = waiting[0]
        dispatcher.utter_message(
            text=f"Då dokumenterar vi riskbedömningen med {describe(self.services, chosen)} "
            f"({when(chosen)}). Tre frågor: risker, åtgärder och uppföljning."
        )
        return [*reset(SLOTS), SlotSet("ra_assessment_id", str(chosen.id)), FollowupAction(FORM)]


class ActionDocumentRiskAssessment(RiskAssessmentCompletion):
    step_name = "action_document_risk_assessment"
    slots = SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        done = reset(SLOTS)
        assessment_id = chosen_assessment(tracker)
        service = self.services.risk_assessments
        assert service is not None
        if assessment_id is None:
            return done
        actions = [
            PlannedAction(a["action"], a["owner"], date.fromisoformat(a["due"]))
            for a in tracker.get_slot("ra_actions") or []
        ]
        try:
            documented = service.document(
                user,
                assessment_id,
                str(tracker.get_slot("ra_risks")),
                actions,
                date.fromisoformat(str(tracker.get_slot("ra_follow_up"))),
            )
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return done
        except SQLAlchemyError as error:
            return not_stored(
                dispatcher, tracker, ValidateOutcomeForm, error, "a risk assessment's outcome"
            )
        text = (
            f"Riskbedömningen är dokumenterad, med {len(actions)} åtgärder och uppföljning "
            f"{documented.follow_up_on}."
        )
        buttons: list[dict[str, str]] = []
        agreement = self.linked_submitted_agreement(user, documented)
        if agreement is not None:
            text += f" Ansökan {agreement[1]} kan nu beslutas."
            buttons = [
                {"title": f"{verb} {agreement[1]}", "payload": decision_payload(agreement[0], d)}
                for verb, d in (("Godkänn", "approve"), ("Avslå", "reject"))
            ]
        dispatcher.utter_message(text=text, buttons=buttons)
        return done

    def linked_submitted_agreement(
        self, user: User, assessment: RiskAssessment
    ) -> tuple[int, str] | None:
        if self.services.agreements is None or assessment.agreement_id is None:
            return None
        try:
            agreement = self.services.agreements.get(user, assessment.agreement_id)
        except Refused:
            return None
        if agreement.status != AgreementStatus.SUBMITTED:
            return None
        return agreement.id, agreement.reference
