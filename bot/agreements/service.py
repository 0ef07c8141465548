"""Remote-work agreements: submit, see, decide, and register the risk assessment.

Who may see what: HR sees every agreement, a manager those of their own staff, an employee
their own. Anyone else gets "not found", so ids of other people's agreements reveal nothing.
Who may decide: the employee's manager or HR, never the employee (four eyes).
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.errors import Refused
from bot.identity import Directory, User
from bot.privacy import mask_personal_data
from bot.regions import Region
from bot.storage.database import Database
from bot.storage.models import (
    Agreement,
    AgreementEvent,
    AgreementStatus,
    NoticeKind,
    Notification,
    RiskAssessment,
    RiskAssessmentStatus,
)

NOT_FOUND = Refused(
    404, "agreement_not_found", "Överenskommelsen finns inte.", "No such agreement."
)
# A request that overlaps one of these must say what happens to it.
PENDING_OR_IN_FORCE = (
    AgreementStatus.SUBMITTED,
    AgreementStatus.APPROVED,
    AgreementStatus.ACTIVE,
    AgreementStatus.EXPIRING,
)
# The workplace address may be given or corrected until the agreement has ended.
ADDRESS_CHANGEABLE = PENDING_OR_IN_FORCE
# The column's length; a Swedish street address with c/o, postcode and town fits well within it.
WORKPLACE_ADDRESS_MAX_LENGTH = 200


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
    # A pending request of the employee's that this one replaces; it is withdrawn.
    replaces: int | None = None
    # Street address, postcode and town of the remote workplace, when the employee gave it.
    workplace_address: str | None = None


class AgreementService:
    def __init__(
        self, db: Database, directory: Directory, region: Region, clock: Clock | None = None
    ) -> None:
        self.db = db
        self.directory = directory
        self.region = region
        self.clock = clock or Clock()

    def overlapping(self, employee_id: str, start: date, end: date) -> list[Agreement]:
        """The employee's requests waiting for a decision and agreements in force whose period
        overlaps ``start``–``end``, oldest first."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Agreement)
                    .where(
                        Agreement.employee_id == employee_id,
                        Agreement.status.in_([s.value for s in PENDING_OR_IN_FORCE]),
                        Agreement.start_date <= end,
                        Agreement.end_date >= start,
                    )
                    .order_by(Agreement.id)
                )
            )

    def submit(self, request: AgreementRequest) -> Agreement:
        """Store a request as ``submitted`` and tell the manager; returns it with its reference.

        A request may not overlap another one still waiting for a decision, unless it replaces
        it: the other is then withdrawn in the same transaction. Overlapping an agreement in
        force is allowed: approving the new one renews the old."""
        manager_id = request.employee.manager
        address = (
            workplace_address(request.workplace_address)
            if request.workplace_address is not None
            else None
        )
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
                replaced = self._replaced(session, request)
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
                    workplace_address=address,
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
                instead = ""
                if replaced is not None:
                    replaced.status = AgreementStatus.WITHDRAWN
                    self._record(
                        session,
                        replaced,
                        request.employee.id,
                        "withdrawn",
                        f"ersatt av {agreement.reference}",
                    )
                    instead = f", ersätter {replaced.reference}"
                session.add(
                    Notification(
                        recipient_id=manager_id,
                        agreement_id=agreement.id,
                        kind=NoticeKind.AGREEMENT_SUBMITTED,
                        text=(
                            f"{request.employee.name} har ansökt om distansarbete "
                            f"({agreement.reference}, {agreement.share_percent} %, "
                            f"{agreement.start_date}–{agreement.end_date}{instead}). "
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

    def _replaced(self, session: Session, request: AgreementRequest) -> Agreement | None:
        """The pending request this one replaces, after refusing an overlap it does not."""
        pending = session.scalars(
            select(Agreement)
            .where(
                Agreement.employee_id == request.employee.id,
                Agreement.status == AgreementStatus.SUBMITTED,
                Agreement.start_date <= request.end_date,
                Agreement.end_date >= request.start_date,
            )
            .with_for_update()
        ).all()
        replaced = next((a for a in pending if a.id == request.replaces), None)
        others = [a for a in pending if a is not replaced]
        if others:
            first = others[0]
            raise Refused(
                409,
                "overlapping_request",
                f"Du har redan en ansökan ({first.reference}, {first.start_date}–"
                f"{first.end_date}) som väntar på beslut för samma tid. Ersätt den eller "
                "välj en annan period.",
                f"You already have a request ({first.reference}, {first.start_date}–"
                f"{first.end_date}) waiting for a decision for the same period. Replace it or "
                "choose another period.",
            )
        return replaced

    def withdraw(self, user: User, agreement_id: int) -> Agreement:
        """The employee takes back a request that has not been decided."""
        with self.db.session() as session:
            agreement = session.get(Agreement, agreement_id, with_for_update=True)
            if agreement is None or not can_see(user, agreement):
                raise NOT_FOUND
            refusal = withdrawal_refusal(user, agreement)
            if refusal is not None:
                raise refusal
            agreement.status = AgreementStatus.WITHDRAWN
            self._record(session, agreement, user.id, "withdrawn")
            session.add(
                Notification(
                    recipient_id=agreement.manager_id,
                    agreement_id=agreement.id,
                    kind=NoticeKind.AGREEMENT_WITHDRAWN,
                    text=f"Ansökan {agreement.reference} om distansarbete är återtagen.",
                )
            )
            return agreement

    def set_workplace_address(self, user: User, agreement_id: int, address: str) -> Agreement:
        """Give or correct the address of the remote workplace, which the work-injury insurance
        and the printed agreement need. The employee, the manager or HR may, until the agreement
        has ended. A change after the decision is told to the manager: the signed form in the
        personnel file then names another place."""
        cleaned = workplace_address(address)
        with self.db.session() as session:
            agreement = session.get(Agreement, agreement_id, with_for_update=True)
            if agreement is None or not can_see(user, agreement):
                raise NOT_FOUND
            if agreement.status not in ADDRESS_CHANGEABLE:
                status = STATUS_NAMES.get(agreement.status, agreement.status)
                raise Refused(
                    409,
                    "agreement_closed",
                    f"Överenskommelsen {agreement.reference} är {status}; adressen kan inte "
                    "ändras. Ansök om en ny överenskommelse om du ska arbeta på distans igen.",
                    f"Agreement {agreement.reference} is {agreement.status}; its address can "
                    "no longer be changed. Request a new agreement to work remotely again.",
                )
            if cleaned == agreement.workplace_address:
                return agreement
            changed = agreement.workplace_address is not None
            agreement.workplace_address = cleaned
            self._record(
                session,
                agreement,
                user.id,
                "workplace_address_changed" if changed else "workplace_address_given",
            )
            if agreement.status != AgreementStatus.SUBMITTED and user.id != agreement.manager_id:
                session.add(
                    Notification(
                        recipient_id=agreement.manager_id,
                        agreement_id=agreement.id,
                        kind=NoticeKind.WORKPLACE_ADDRESS,
                        text=(
                            f"Adressen till distansarbetsplatsen i {agreement.reference} är "
                            f"{'ändrad' if changed else 'angiven'}. Skriv ut överenskommelsen "
                            "igen och låt den nya versionen undertecknas för personalakten."
                        ),
                    )
                )
            return agreement

    def linked_risk_assessment(self, agreement: Agreement) -> RiskAssessment | None:
        """The risk assessment the agreement refers to, for the printed agreement."""
        if agreement.risk_assessment_id is None:
            return None
        with self.db.session() as session:
            return session.get(RiskAssessment, agreement.risk_assessment_id)

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

    def pending_for(self, decider: User) -> list[Agreement]:
        """The requests ``decider`` may decide on now."""
        return [
            a for a in self.visible_to(decider, AgreementStatus.SUBMITTED) if can_decide(decider, a)
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
            agreement.decided_at = self.clock.now().astimezone(UTC)
            self._record(session, agreement, user.id, agreement.status, reason.strip() or None)
            session.add(
                Notification(
                    recipient_id=agreement.employee_id,
                    agreement_id=agreement.id,
                    kind=NoticeKind.AGREEMENT_DECIDED,
                    text=decision_text(agreement),
                )
            )
            return agreement

    def register_risk_assessment(
        self, user: User, agreement_id: int, outcome: str, documented_on: date
    ) -> Agreement:
        """Link an assessment documented through the region's ordinary routine outside the chat
        (on paper, in another system), which unlocks approval. The same four eyes apply as to a
        decision, and the date must have come."""
        if documented_on > self.clock.today():
            raise Refused(
                422,
                "documented_in_the_future",
                f"Dokumentationsdatumet {documented_on} har inte kommit än.",
                f"The documentation date {documented_on} has not come yet.",
            )
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
            self._record(
                session,
                agreement,
                user.id,
                "risk_assessment_documented",
                f"dokumenterad {documented_on} enligt ordinarie rutin",
            )
            return agreement

    @staticmethod
    def _for_decider(session: Session, user: User, agreement_id: int) -> Agreement:
        """The agreement, locked for the change, if ``user`` is its manager or HR."""
        agreement = session.get(Agreement, agreement_id, with_for_update=True)
        if agreement is None or not can_see(user, agreement):
            raise NOT_FOUND
        if user.id == agreement.employee_id and user.is_hr:
            raise Refused(
                403,
                "own_request",
                "Du kan inte besluta om din egen ansökan, inte heller som HR; det gör din chef.",
                "You cannot decide on your own request; your manager does.",
            )
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


# How a refusal names an agreement's state in a sentence.
STATUS_NAMES: dict[str, str] = {
    AgreementStatus.REJECTED: "avslagen",
    AgreementStatus.EXPIRED: "upphörd",
    AgreementStatus.RENEWED: "ersatt av en förnyad överenskommelse",
    AgreementStatus.WITHDRAWN: "återtagen",
}


def workplace_address(text: str) -> str:
    """The address as stored and printed: on one line, trimmed. Refused when empty, too long,
    or holding an identity number, e-mail address or phone number (only the place belongs on
    the agreement, and a masked address would no longer name it)."""
    cleaned = re.sub(r"\s+", " ", text).strip()
    if not cleaned:
        raise Refused(
            422,
            "invalid_workplace_address",
            "Ange adressen till distansarbetsplatsen: gatuadress, postnummer och ort.",
            "Give the address of the remote workplace: street address, postcode and town.",
        )
    if len(cleaned) > WORKPLACE_ADDRESS_MAX_LENGTH:
        raise Refused(
            422,
            "invalid_workplace_address",
            f"Adressen får vara högst {WORKPLACE_ADDRESS_MAX_LENGTH} tecken; den är "
            f"{len(cleaned)}.",
            f"The address may be at most {WORKPLACE_ADDRESS_MAX_LENGTH} characters; it is "
            f"{len(cleaned)}.",
        )
    if mask_personal_data(cleaned).found:
        raise Refused(
            422,
            "invalid_workplace_address",
            "Adressen verkar innehålla ett personnummer, en e-postadress eller ett "
            "telefonnummer. Ange bara gatuadress, postnummer och ort.",
            "The address seems to hold an identity number, an e-mail address or a phone "
            "number. Give only the street address, postcode and town.",
        )
    return cleaned


def can_see(user: User, agreement: Agreement) -> bool:
    return user.is_hr or user.id in (agreement.employee_id, agreement.manager_id)


def withdrawal_refusal(user: User, agreement: Agreement) -> Refused | None:
    """Why ``user`` may not take ``agreement`` back, or None: only the applicant, and only
    before the decision (afterwards it is ended in a talk with the manager)."""
    if agreement.employee_id != user.id:
        return Refused(
            403,
            "not_your_request",
            "Bara den som har ansökt kan ta tillbaka ansökan.",
            "Only the applicant can withdraw the request.",
        )
    if agreement.status != AgreementStatus.SUBMITTED:
        return Refused(
            409,
            "already_decided",
            f"Ansökan {agreement.reference} är redan beslutad och kan inte tas tillbaka.",
            f"Request {agreement.reference} has been decided and cannot be withdrawn.",
        )
    return None


def can_decide(user: User, agreement: Agreement) -> bool:
    """Four eyes: the employee's manager or HR, and never the employee."""
    if user.id == agreement.employee_id:
        return False
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
