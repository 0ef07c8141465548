"""Rasa custom actions. They run inside the app, which hands them the services they need.

``conversation/`` holds what every guided form shares (reading a message, repair patterns);
each process has its own package: ``agreement/`` (request, withdrawal, decision),
``risk_assessment/`` (booking, moving and cancelling, outcome) and ``follow_up/`` (the yearly
follow-up dialogue, the action plans' actions).
"""

from rasa_sdk import Action

from actions.agreement.decision import (
    ActionDecideAgreement,
    ActionShowAgreements,
    ActionStartDecision,
    ValidateDecisionForm,
)
from actions.agreement.request import (
    ActionStartAgreement,
    ActionSubmitAgreement,
    ValidateAgreementForm,
)
from actions.agreement.withdrawal import (
    ActionStartWithdrawal,
    ActionWithdrawAgreement,
    ValidateWithdrawForm,
)
from actions.conversation.form import GuidedForm
from actions.conversation.handoff import Handoff
from actions.conversation.resume import (
    SMALL_TALK,
    ActionSmallTalk,
    ActionWhereWereWe,
    ActionYesOrNoOutsideForm,
)
from actions.conversation.steps import ProcessStep
from actions.faq import ActionAnswerFaq
from actions.follow_up.action_plans import (
    ActionMarkActionDone,
    ActionMoveAction,
    ActionShowActions,
    ActionStartMoveAction,
    ValidateMoveActionForm,
)
from actions.follow_up.dialogue import (
    ActionRecordFollowUp,
    ActionStartFollowUp,
    ValidateFollowUpForm,
)
from actions.risk_assessment.booking import (
    ActionBookRiskAssessment,
    ActionStartRiskAssessment,
    ValidateRiskAssessmentForm,
)
from actions.risk_assessment.changes import (
    ActionCancelRiskAssessment,
    ActionRescheduleRiskAssessment,
    ActionStartCancelBooking,
    ActionStartReschedule,
    ValidateCancelBookingForm,
    ValidateRescheduleForm,
)
from actions.risk_assessment.outcome import (
    ActionDocumentRiskAssessment,
    ActionStartOutcome,
    ValidateOutcomeForm,
)
from actions.services import Services

FORMS: tuple[type[GuidedForm], ...] = (
    ValidateAgreementForm,
    ValidateWithdrawForm,
    ValidateDecisionForm,
    ValidateRiskAssessmentForm,
    ValidateRescheduleForm,
    ValidateCancelBookingForm,
    ValidateOutcomeForm,
    ValidateFollowUpForm,
    ValidateMoveActionForm,
)
ACTIONS: tuple[type[Action], ...] = (
    ActionStartAgreement,
    ActionSubmitAgreement,
    ActionShowAgreements,
    ActionStartWithdrawal,
    ActionWithdrawAgreement,
    ActionStartDecision,
    ActionDecideAgreement,
    ActionStartRiskAssessment,
    ActionBookRiskAssessment,
    ActionStartReschedule,
    ActionRescheduleRiskAssessment,
    ActionStartCancelBooking,
    ActionCancelRiskAssessment,
    ActionStartOutcome,
    ActionDocumentRiskAssessment,
    ActionStartFollowUp,
    ActionRecordFollowUp,
    ActionShowActions,
    ActionMarkActionDone,
    ActionStartMoveAction,
    ActionMoveAction,
)


def build_actions(services: Services) -> list[Action]:
    """Every action Rasa may call, each with the services it needs."""
    forms = [form(services) for form in FORMS]
    asks = [ask for form in forms for ask in form.ask_actions()]
    processes = [action(services) for action in ACTIONS]
    steps = [p for p in processes if isinstance(p, ProcessStep)]
    handoff = Handoff(services, steps)
    for step in steps:
        step.handoff = handoff
    resume = ActionWhereWereWe(services, forms)
    faq = ActionAnswerFaq(services.answerer, resume, handoff)
    return [
        faq,
        *forms,
        *asks,
        *processes,
        resume,
        ActionYesOrNoOutsideForm(resume),
        *(ActionSmallTalk(intent, resume, handoff) for intent in SMALL_TALK),
    ]


__all__ = ["Services", "build_actions"]
