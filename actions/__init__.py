"""Rasa custom actions. They run inside the app, which hands them the services they need."""

from collections.abc import Callable
from datetime import date

from rasa_sdk import Action

from actions.agreement import (
    ActionAgreementSummary,
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
from bot.agreements.service import AgreementService
from bot.faq.answering import FaqAnswerer


def build_actions(
    answerer: FaqAnswerer,
    agreements: AgreementService | None,
    today: Callable[[], date] = date.today,
) -> list[Action]:
    return [
        ActionAnswerFaq(answerer),
        ActionStartAgreement(agreements, answerer, today),
        ValidateAgreementForm(agreements, answerer, today),
        ActionAgreementSummary(agreements, answerer, today),
        ActionSubmitAgreement(agreements, answerer, today),
        ActionCancelAgreement(),
        ActionChangeAgreement(),
        ActionShowPendingAgreements(agreements, answerer, today),
        ActionDecideAgreement(agreements, answerer, today),
        ValidateRejectionForm(),
    ]
