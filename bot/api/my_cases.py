"""``GET /api/me/cases``: the signed-in employee's own requests and booked dialogues, as the
chat's "Mina ärenden" shows them: status in words, the printable agreement, the invitation, and
whether the services would let them withdraw or cancel (the services decide on the POST)."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from bot.agreements.parsing import place_label
from bot.agreements.service import AgreementService, withdrawal_refusal
from bot.api.agreements import agreement_service
from bot.api.deps import CurrentUser
from bot.api.errors import error_responses
from bot.risk_assessments.service import RiskAssessmentService
from bot.storage.models import (
    Agreement,
    AgreementStatus,
    RiskAssessment,
    RiskAssessmentStatus,
)

router = APIRouter(prefix="/api/me", tags=["my cases"], responses=error_responses(401, 422, 503))

AGREEMENT_STATUS = {
    AgreementStatus.SUBMITTED: ("Väntar på beslut", "Waiting for a decision"),
    AgreementStatus.APPROVED: ("Godkänd", "Approved"),
    AgreementStatus.REJECTED: ("Avslagen", "Rejected"),
    AgreementStatus.ACTIVE: ("Gäller", "In force"),
    AgreementStatus.EXPIRING: ("Gäller, löper snart ut", "In force, ends soon"),
    AgreementStatus.EXPIRED: ("Har upphört", "Ended"),
    AgreementStatus.RENEWED: ("Ersatt av en förnyad", "Replaced by a renewal"),
    AgreementStatus.WITHDRAWN: ("Återtagen", "Withdrawn"),
}
ASSESSMENT_STATUS = {
    RiskAssessmentStatus.BOOKED: ("Bokad", "Booked"),
    RiskAssessmentStatus.HELD: ("Genomförd, dokumenteras av chefen", "Held, to be documented"),
    RiskAssessmentStatus.DOCUMENTED: ("Dokumenterad", "Documented"),
    RiskAssessmentStatus.CANCELLED: ("Avbokad", "Cancelled"),
}


class MyAgreement(BaseModel):
    id: int
    reference: str
    status: AgreementStatus
    status_text: str
    status_text_en: str
    share_percent: int
    place: str
    start_date: date
    end_date: date
    # The printable agreement (a draft until the decision), a path on this app.
    document: str
    can_withdraw: bool

    @classmethod
    def of(cls, agreement: Agreement, may_withdraw: bool) -> "MyAgreement":
        status = AgreementStatus(agreement.status)
        sv, en = AGREEMENT_STATUS[status]
        return cls(
            id=agreement.id,
            reference=agreement.reference,
            status=status,
            status_text=sv,
            status_text_en=en,
            share_percent=agreement.share_percent,
            place=place_label(agreement.place_kind, agreement.place_description),
            start_date=agreement.start_date,
            end_date=agreement.end_date,
            document=f"/api/agreements/{agreement.id}/document.pdf",
            can_withdraw=may_withdraw,
        )


class MyRiskAssessment(BaseModel):
    id: int
    status: RiskAssessmentStatus
    status_text: str
    status_text_en: str
    start: datetime | None
    end: datetime | None
    place: str | None
    # The calendar invitation, a path on this app; null without a booked time.
    invitation: str | None
    # The Teams meeting's join link, once the region's calendar (Microsoft Graph) has made it.
    online_meeting: str | None = None
    can_cancel: bool

    @classmethod
    def of(cls, assessment: RiskAssessment) -> "MyRiskAssessment":
        status = RiskAssessmentStatus(assessment.status)
        sv, en = ASSESSMENT_STATUS[status]
        return cls(
            id=assessment.id,
            status=status,
            status_text=sv,
            status_text_en=en,
            start=assessment.start_at,
            end=assessment.end_at,
            place=assessment.place,
            invitation=(
                f"/api/risk-assessments/{assessment.id}.ics" if assessment.start_at else None
            ),
            online_meeting=(
                assessment.online_meeting_url if status == RiskAssessmentStatus.BOOKED else None
            ),
            # The employee may cancel their own booked dialogue (RiskAssessmentService.cancel).
            can_cancel=status == RiskAssessmentStatus.BOOKED,
        )


class MyCases(BaseModel):
    """Newest first."""

    agreements: list[MyAgreement]
    risk_assessments: list[MyRiskAssessment]


def risk_assessment_service(request: Request) -> RiskAssessmentService | None:
    """None while the database is unreachable; the agreements' dependency answers 503 then."""
    service: RiskAssessmentService | None = getattr(request.app.state, "risk_assessments", None)
    return service


@router.get("/cases")
def my_cases(
    user: CurrentUser,
    agreements: Annotated[AgreementService, Depends(agreement_service)],
    assessments: Annotated[RiskAssessmentService | None, Depends(risk_assessment_service)],
) -> MyCases:
    """The user's own requests (as the employee, not those they decide on as a manager) and the
    risk-assessment dialogues about their own remote work."""
    own = [a for a in agreements.visible_to(user) if a.employee_id == user.id]
    booked = [
        a for a in (assessments.visible_to(user) if assessments else []) if a.employee_id == user.id
    ]
    return MyCases(
        agreements=[MyAgreement.of(a, withdrawal_refusal(user, a) is None) for a in reversed(own)],
        risk_assessments=[MyRiskAssessment.of(a) for a in reversed(booked)],
    )
