"""Documenting the outcome of a held risk-assessment dialogue (the questions are in
outcome_fields): a summary is confirmed before it is stored, and documenting unlocks approval of
the linked request."""

from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.agreement.decision_fields import decision_payload
from actions.conversation.fields import Field, FormContext, Prompt, Reading, reset
from actions.conversation.form import GuidedForm
from actions.conversation.repair import Turn
from actions.conversation.steps import not_stored
from actions.risk_assessment.meeting import (
    RiskAssessmentCompletion,
    RiskAssessmentStep,
    assessment_payload,
    chosen_assessment,
    describe,
    when,
)
from actions.risk_assessment.outcome_fields import (
    FIELD_SLOTS,
    labelled_actions,
    labelled_parts,
    opening_answers,
    outcome_fields,
    restated_at_summary,
    show_actions,
)
from bot.errors import Refused
from bot.identity import User
from bot.risk_assessments.service import Action as PlannedAction
from bot.storage.models import AgreementStatus, RiskAssessment

FORM = "outcome_form"
CONFIRM_SLOT = "ra_outcome_confirmed"
SLOTS = (*FIELD_SLOTS, CONFIRM_SLOT, "ra_assessment_id")


class ValidateOutcomeForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    confirm_slot = CONFIRM_SLOT
    noun = "dokumentationen"
    process = "document"
    stopped = "Jag har avbrutit. Inget har dokumenterats ännu."
    change_intent = "change_outcome"

    def fields(self, ctx: FormContext) -> list[Field]:
        return outcome_fields(ctx)

    def also_answered(self, ctx: FormContext, slot: str, text: str) -> list[str]:
        """ "Risker: ... Åtgärd: Höja skärmen – Anna – 18 december": the actions with the
        risks; an action without its owner or date is kept, and they are asked for."""
        _, actions = labelled_parts(text) if slot == "ra_risks" else ("", None)
        return labelled_actions(ctx, actions) if actions is not None else []

    def read_at_summary(self, turn: Turn) -> bool:
        """ "nej vänta, jag glömde stolen. Riskerna är … Och jag lånar ut en kontorsstol till 15
        januari": the risks said again replace those given, a whole action in a sentence of its
        own is added, and the summary is shown again (h-correction-01)."""
        if turn.message.is_payload:
            return False
        risks, added = restated_at_summary(turn.ctx, turn.message.text)
        fields = {f.slot: f for f in self.fields(turn.ctx)}
        changes = []
        if risks is not None:
            changes.append((fields["ra_risks"], Reading.of(risks)))
        if added:
            actions = [*(turn.ctx.get("ra_actions") or []), *added]
            line = f"Tillagt bland åtgärderna: {show_actions(added)}"
            changes.append((fields["ra_actions"], Reading.added(actions, line)))
        if not changes:
            return False
        turn.say(turn.changes(changes))
        return True

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

    form_class = ValidateOutcomeForm

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
        ctx = self.context(tracker)
        for slot in SLOTS:
            ctx.set(slot, None)
        ctx.set("ra_assessment_id", str(chosen.id))
        noted = opening_answers(ctx, str(tracker.latest_message.get("text") or ""))
        dispatcher.utter_message(
            text=f"Då dokumenterar vi riskbedömningen med {describe(self.services, chosen)} "
            f"({when(chosen)}). Tre frågor: risker, åtgärder och uppföljning."
            + (f" Jag har noterat: {', '.join(noted)}." if noted else "")
        )
        return [*reset(SLOTS), *ctx.events(), FollowupAction(FORM)]


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
        counted = "1 åtgärd" if len(actions) == 1 else f"{len(actions)} åtgärder"
        text = (
            f"Riskbedömningen är dokumenterad, med {counted} och uppföljning "
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
