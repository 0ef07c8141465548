"""Telling the participants of a risk-assessment dialogue that it was booked, moved or
cancelled: a chat notice to the others, and the calendar invitation by e-mail to everyone with
an address. Both are written in the transaction of the change, so a change that is rolled back
tells nobody; the e-mail goes out later from the outbox (``bot.outbox``)."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.identity import Directory, User
from bot.outbox import queue_email
from bot.risk_assessments.invitation import (
    JOIN_TEAMS,
    assessment_invitation,
    checklist_as_text,
    load_checklist,
    teams_join_url,
)
from bot.risk_assessments.links import PublicLinks, markdown_link
from bot.risk_assessments.scheduling import swedish_time
from bot.storage.models import NoticeKind, Notification, RiskAssessment, RiskAssessmentStatus

log = logging.getLogger(__name__)

SUBJECT = "Riskbedömning av distansarbete"


@dataclass(frozen=True)
class InvitationMail:
    """Invitations by e-mail, for a region with an SMTP server; the checklist that goes into
    each e-mail (not into the invitation, which links to it) is read from ``faq_dir``."""

    faq_dir: Path

    def recipients(self, directory: Directory, assessment: RiskAssessment) -> list[str]:
        """The addresses of the participants that have one."""
        people = (
            directory.get(person_id) if person_id else None
            for person_id in (
                assessment.employee_id,
                assessment.manager_id,
                assessment.safety_representative_id,
            )
        )
        return [p.email for p in people if p is not None and p.email]

    def queue(
        self,
        session: Session,
        directory: Directory,
        assessment: RiskAssessment,
        links: PublicLinks,
        agreement_reference: str | None = None,
    ) -> int:
        """Queues the invitation as it now stands (a cancellation once cancelled) for every
        participant with an address; returns how many."""
        try:
            ics = assessment_invitation(assessment, directory, links, agreement_reference)
        except LookupError:
            # The booking stands: the manager missing from the directory gets no calendar file.
            log.warning(
                "No invitation e-mail for risk assessment %s: manager unknown", assessment.id
            )
            return 0
        subject, body = invitation_email(assessment)
        if assessment.status != RiskAssessmentStatus.CANCELLED:
            checklist = checklist_as_text(load_checklist(self.faq_dir))
            body += f"\n\nChecklistan finns också här: {links.checklist()}\n\n{checklist}"
        recipients = self.recipients(directory, assessment)
        for to in recipients:
            queue_email(
                session,
                to,
                subject,
                body,
                reference=f"risk_assessment:{assessment.id}",
                attachment=(f"riskbedomning-{assessment.id}.ics", ics),
            )
        return len(recipients)


def invitation_email(assessment: RiskAssessment) -> tuple[str, str]:
    """Subject and body of the e-mail that carries the invitation: booked, moved (a calendar
    sequence above 0) or cancelled; with the Teams meeting's link when there is one."""
    when = swedish_time(assessment.start_at) if assessment.start_at else ""
    if assessment.status == RiskAssessmentStatus.CANCELLED:
        return (
            f"Inställt: {SUBJECT}",
            f"Riskbedömningen av distansarbete {when} ({assessment.place}) är avbokad. "
            "Bilagan tar bort mötet ur kalendern.",
        )
    join_url = teams_join_url(assessment)
    join = f"\n\n{JOIN_TEAMS}: {join_url}" if join_url else ""
    if assessment.calendar_sequence > 0:
        return (
            f"Flyttat: {SUBJECT}",
            f"Riskbedömningen av distansarbete är flyttad till {when} ({assessment.place}). "
            f"Inbjudan i bilagan ersätter den tidigare.{join}",
        )
    return (
        SUBJECT,
        f"Riskbedömningen av distansarbete är bokad {when} ({assessment.place}). "
        f"Inbjudan finns i bilagan och checklistan inför samtalet nedan.{join}",
    )


def tell_participants(
    session: Session,
    directory: Directory,
    actor: User,
    assessment: RiskAssessment,
    what: str,
    invitations: InvitationMail | None,
    links: PublicLinks,
    agreement_reference: str | None = None,
    held_until: datetime | None = None,
) -> list[Notification]:
    """A chat notice to every other participant (seen in their next turn or in Teams), and the
    invitation by e-mail to all of them when ``invitations`` is set; returns the notices.
    ``held_until``: neither the web chat nor Teams shows them before, unless ``release_held``
    lets them go sooner (the calendar is about to make the Teams meeting's link)."""
    when = swedish_time(assessment.start_at) if assessment.start_at else ""
    invitation = markdown_link(
        "kalenderinbjudan", links.invitation(assessment.id, assessment.end_at)
    )
    if assessment.status == RiskAssessmentStatus.CANCELLED:
        kind = NoticeKind.RISK_ASSESSMENT_CANCELLED
    elif assessment.calendar_sequence > 0:
        kind = NoticeKind.RISK_ASSESSMENT_MOVED
    else:
        kind = NoticeKind.RISK_ASSESSMENT_BOOKED
    notices = [
        Notification(
            recipient_id=person,
            agreement_id=assessment.agreement_id,
            kind=kind,
            text=f"{actor.name} {what} riskbedömningen av distansarbete {when} "
            f"({assessment.place}). Här är {invitation}.{join_sentence(assessment)}",
            claimed_until=held_until,
        )
        for person in (
            assessment.employee_id,
            assessment.manager_id,
            assessment.safety_representative_id,
        )
        if person and person != actor.id
    ]
    session.add_all(notices)
    if invitations is not None:
        invitations.queue(session, directory, assessment, links, agreement_reference)
    return notices


def join_sentence(assessment: RiskAssessment) -> str:
    """ " [Anslut till Teams-mötet](…)." once the calendar has made the meeting, else nothing."""
    join_url = teams_join_url(assessment)
    return f" {markdown_link(JOIN_TEAMS, join_url)}." if join_url else ""


def release_held(session: Session, notice_ids: Sequence[int], assessment: RiskAssessment) -> None:
    """Lets the held notices go, with the Teams meeting's join link if the calendar has made
    one. A notice already shown or tried in Teams (its hold ran out) is left as it was sent."""
    join = join_sentence(assessment)
    for notice in session.scalars(
        select(Notification).where(
            Notification.id.in_(notice_ids),
            Notification.delivered_at.is_(None),
            Notification.teams_attempts == 0,
        )
    ):
        notice.text += join
        notice.claimed_until = None
