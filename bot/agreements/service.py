"""Remote-work agreements: submit, see, decide, and register the risk assessment.

Who may see what: HR sees every agreement, a manager those of their own staff, an employee
their own. Anyone else gets "not found", so ids of other people's agreements reveal nothing.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.identity import Directory, User
from bot.regions import Region
from bot.storage.database import Database
from bot.storage.models import (
    Agreement,
    AgreementEvent,
    AgreementStatus,
    Notification,
    RiskAssessment,
    RiskAssessmentStatus,
)

NOT_FOUND = Refused(
    404, "agreement_not_found", "Överenskommelsen finns inte.", "No such agreement."
)


@dataclass
class AgreementRequest:
    employee: User
    share_percent: int
    place_kind: str
    place_description: str
    start_date: date
    end_date: date
    tasks: str
    equipment: list[str] = field(default_factory=list)
    it_security_confirmed: bool = False
    # The same confirmation sent twice (double click, retried request) stores one request.
    submission_key: str = ""


class AgreementService:
    def __init__(self, db: Database, directory: Directory, region: Region) -> None:
        self.db = db
        self.directory = directory
        self.region = region

    def submit(self, request: AgreementRequest) -> Agreement:
        """Store a request as ``submitted`` and tell the manager; returns it with its reference."""
        manager_id = request.employee.manager
        if manager_id is None or self.directory.get(manager_id) is None:
            raise Refused(
                422,
                "no_manager",
                "Jag hittar ingen chef för dig i personalkatalogen. Kontakta HR.",
                "I cannot find your manager in the directory. Please contact HR.",
            )
        try:
            with self.db.session() as session:
                existing = session.scalar(
                    select(Agreement).where(Agreement.submission_key == request.submission_key)
                )
                if existing is not None:
                    return existing
                agreement = Agreement(
                    reference="pending",
                    submission_key=request.submission_key,
                    region=self.region.id,
                    employee_id=request.employee.id,
                    manager_id=manager_id,
                    unit=request.employee.unit,
                    share_percent=request.share_percent,
                    place_kind=request.place_kind,
                    place_description=request.place_description,
                    start_date=request.start_date,
                    end_date=request.end_date,
                    tasks=request.tasks,
                    equipment=request.equipment,
                    it_security_confirmed=request.it_security_confirmed,
                    status=AgreementStatus.SUBMITTED,
                )
                session.add(agreement)
                session.flush()
                agreement.reference = f"DA-{request.start_date.year}-{agreement.id:05d}"
                self._record(session, agreement, request.employee.id, "submitted")
                session.add(
                    Notification(
                        recipient_id=manager_id,
                        agreement_id=agreement.id,
                        text=(
                            f"{request.employee.name} har ansökt om distansarbete "
                            f"({agreement.reference}, {agreement.share_percent} %, "
                            f"{agreement.start_date}–{agreement.end_date}). "
                            'Skriv "visa mina ansökningar" för att besluta.'
                        ),
                    )
                )
                return agreement
        except IntegrityError:
            # A concurrent duplicate won the race on submission_key: return the stored one.
            with self.db.session() as session:
                stored = session.scalar(
                    select(Agreement).where(Agreement.submission_key == request.submission_key)
                )
                if stored is None:
                    raise
                return stored

    def visible_to(self, user: User, status: str | None = None) -> list[Agreement]:
        with self.db.session() as session:
            query = select(Agreement).order_by(Agreement.id)
            if not user.is_hr:
                query = query.where(
                    or_(Agreement.employee_id == user.id, Agreement.manager_id == user.id)
                )
            if status:
                query = query.where(Agreement.status == status)
            return list(session.scalars(query))

    def pending_for(self, manager: User) -> list[Agreement]:
        return [
            a
            for a in self.visible_to(manager, AgreementStatus.SUBMITTED)
            if a.manager_id == manager.id or manager.is_hr
        ]

    def get(self, user: User, agreement_id: int) -> Agreement:
        with self.db.session() as session:
            agreement = session.get(Agreement, agreement_id)
            if agreement is None or not can_see(user, agreement):
                raise NOT_FOUND
            return agreement

    def decide(self, user: User, agreement_id: int, approve: bool, reason: str = "") -> Agreement:
        """Approve or reject a submitted request. Only its manager or HR may decide."""
        with self.db.session() as session:
            agreement = self._for_decider(session, user, agreement_id)
            if agreement.status != AgreementStatus.SUBMITTED:
                ref, status = agreement.reference, agreement.status
                raise Refused(
                    409,
                    "already_decided",
                    f"Överenskommelsen {ref} är redan beslutad ({status}).",
                    f"Agreement {ref} has already been decided ({status}).",
                )
            if not approve and not reason.strip():
                raise Refused(
                    422,
                    "reason_required",
                    "Ange ett skäl när du avslår en ansökan.",
                    "Give a reason when rejecting a request.",
                )
            if approve and self.region.agreement.risk_assessment_required:
                assessment = (
                    session.get(RiskAssessment, agreement.risk_assessment_id)
                    if agreement.risk_assessment_id
                    else None
                )
                if assessment is None or assessment.status != RiskAssessmentStatus.DOCUMENTED:
                    raise Refused(
                        409,
                        "risk_assessment_missing",
                        "Överenskommelsen kan inte godkännas förrän riskbedömningen är gjord och "
                        "dokumenterad (regionens riktlinje). Registrera den dokumenterade "
                        "riskbedömningen först.",
                        "The agreement cannot be approved until the risk assessment has been "
                        "done and documented (the region's policy). Register it first.",
                    )
            if approve:
                self._renew_previous(session, agreement, user.id)
            agreement.status = AgreementStatus.APPROVED if approve else AgreementStatus.REJECTED
            agreement.decision_reason = reason.strip() or None
            agreement.decided_by = user.id
            agreement.decided_at = datetime.now(UTC)
            self._record(session, agreement, user.id, agreement.status, reason.strip() or None)
            session.add(
                Notification(
                    recipient_id=agreement.employee_id,
                    agreement_id=agreement.id,
                    text=decision_text(agreement),
                )
            )
            return agreement

    def register_risk_assessment(
        self, user: User, agreement_id: int, outcome: str, documented_on: date
    ) -> Agreement:
        """Link an assessment documented through the ordinary routine, which unlocks approval."""
        with self.db.session() as session:
            agreement = self._for_decider(session, user, agreement_id)
            assessment = RiskAssessment(
                employee_id=agreement.employee_id,
                manager_id=agreement.manager_id,
                status=RiskAssessmentStatus.DOCUMENTED,
                outcome=outcome.strip(),
                documented_on=documented_on,
            )
            session.add(assessment)
            session.flush()
            agreement.risk_assessment_id = assessment.id
            self._record(session, agreement, user.id, "risk_assessment_documented")
            return agreement

    @staticmethod
    def _for_decider(session: Session, user: User, agreement_id: int) -> Agreement:
        """The agreement, locked for the change, if ``user`` is its manager or HR."""
        agreement = session.get(Agreement, agreement_id, with_for_update=True)
        if agreement is None or not can_see(user, agreement):
            raise NOT_FOUND
        if not can_decide(user, agreement):
            raise Refused(
                403,
                "not_the_manager",
                "Bara medarbetarens chef eller HR kan besluta om överenskommelsen.",
                "Only the employee's manager or HR can decide on the agreement.",
            )
        return agreement

    def _renew_previous(self, session: Session, agreement: Agreement, actor_id: str) -> None:
        """An approved new agreement replaces the employee's agreement that is still in force."""
        in_force = session.scalars(
            select(Agreement).where(
                Agreement.employee_id == agreement.employee_id,
                Agreement.id != agreement.id,
                Agreement.status.in_([AgreementStatus.ACTIVE, AgreementStatus.EXPIRING]),
            )
        )
        for previous in in_force:
            previous.status = AgreementStatus.RENEWED
            self._record(session, previous, actor_id, "renewed", f"ersatt av {agreement.reference}")

    @staticmethod
    def _record(
        session: Session,
        agreement: Agreement,
        actor_id: str,
        action: str,
        detail: str | None = None,
    ) -> None:
        session.add(
            AgreementEvent(
                agreement_id=agreement.id, actor_id=actor_id, action=action, detail=detail
            )
        )


def can_see(user: User, agreement: Agreement) -> bool:
    return user.is_hr or user.id in (agreement.employee_id, agreement.manager_id)


def can_decide(user: User, agreement: Agreement) -> bool:
    return user.is_hr or user.id == agreement.manager_id


def decision_text(agreement: Agreement) -> str:
    if agreement.status == AgreementStatus.APPROVED:
        return (
            f"Din distansöverenskommelse {agreement.reference} är godkänd. "
            "Chefen arkiverar den i din personalakt."
        )
    return (
        f"Din ansökan {agreement.reference} om distansarbete avslogs. "
        f"Skäl: {agreement.decision_reason}"
    )
