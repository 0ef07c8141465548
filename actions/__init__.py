"""Rasa custom actions. They run inside the app, which hands them the services they need."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rasa_sdk import Action

from actions.agreement import (
    ActionAgreementSummary,
    ActionAskEquipment,
    ActionCancelAgreement,
    ActionChangeAgreement,
    ActionDecideAgreement,
    ActionShowPendingAgreements,
    ActionStartAgreement,
    ActionSubmitAgreement,
    ValidateAgreementForm,
    ValidateRejectionForm,
)
from actions.faq import ActionAnswerFaq
from actions.risk_assessment import (
    ActionAskEmployee,
    ActionAskFollowUp,
    ActionAskMeetingTime,
    ActionAskSafetyRepresentative,
    ActionBookRiskAssessment,
    ActionCancelRiskAssessment,
    ActionChangeRiskAssessment,
    ActionDocumentRiskAssessment,
    ActionRescheduleRiskAssessment,
    ActionRiskAssessmentSummary,
    ActionStartOutcome,
    ActionStartReschedule,
    ActionStartRiskAssessment,
    ActionStopRiskAssessment,
    ValidateOutcomeForm,
    ValidateRescheduleForm,
    ValidateRiskAssessmentForm,
)
from bot.agreements.service import AgreementService
from bot.faq.answering import FaqAnswerer
from bot.mail import Mailer
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT


@dataclass
class Services:
    """What the actions work with. ``answerer`` is a provider: HR's edits replace the index."""

    answerer: Callable[[], FaqAnswerer]
    agreements: AgreementService | None = None
    risk_assessments: RiskAssessmentService | None = None
    faq_dir: Path = PROJECT_ROOT / "faq"
    mailer: Mailer | None = None
    today: Callable[[], date] = field(default=date.today)


def build_actions(services: Services) -> list[Action]:
    s = services
    agreement = (s.agreements, s.answerer, s.today)
    risk = (s.risk_assessments, s.agreements, s.answerer, s.faq_dir, s.mailer)
    return [
        ActionAnswerFaq(s.answerer),
        ActionStartAgreement(*agreement),
        ValidateAgreementForm(*agreement),
        ActionAgreementSummary(*agreement),
        ActionAskEquipment(*agreement),
        ActionSubmitAgreement(*agreement),
        ActionCancelAgreement(),
        ActionChangeAgreement(),
        ActionShowPendingAgreements(*agreement),
        ActionDecideAgreement(*agreement),
        ValidateRejectionForm(),
        ActionStartRiskAssessment(*risk),
        ValidateRiskAssessmentForm(*risk),
        ValidateRescheduleForm(*risk),
        ActionAskEmployee(*risk),
        ActionAskSafetyRepresentative(*risk),
        ActionAskMeetingTime(*risk),
        ActionRiskAssessmentSummary(*risk),
        ActionChangeRiskAssessment(),
        ActionBookRiskAssessment(*risk),
        ActionStopRiskAssessment(),
        ActionStartReschedule(*risk),
        ActionRescheduleRiskAssessment(*risk),
        ActionCancelRiskAssessment(*risk),
        ActionStartOutcome(*risk),
        ValidateOutcomeForm(*risk),
        ActionAskFollowUp(*risk),
        ActionDocumentRiskAssessment(*risk),
    ]
