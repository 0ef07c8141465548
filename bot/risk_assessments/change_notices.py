"""Telling the participants of a booked, moved or cancelled dialogue (chat notice, e-mail), and
keeping the outside calendar in step: its write is queued in the change's transaction and tried
right after the commit, and notices wait briefly for a Teams meeting's join link."""

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.calendars import Calendar
from bot.identity import Directory, User
from bot.outbox import drain_calendar_writes, queue_calendar_write
from bot.risk_assessments.invitation import meeting_event, teams_join_url
from bot.risk_assessments.links import PublicLinks
from bot.risk_assessments.notices import InvitationMail, release_held, tell_participants
from bot.storage.database import Database
from bot.storage.models import Agreement, RiskAssessment

# The notices of a change that makes a Teams meeting wait for its join link: the calendar write
# right after the commit brings it within seconds (Microsoft Graph's timeout, 8 s, at most per
# request). Should the process die in between, they are shown without it after this.
NOTICE_HOLD = timedelta(minutes=2)

log = logging.getLogger(__name__)


class ChangeNotices:
    def __init__(
        self,
        db: Database,
        directory: Directory,
        calendar: Calendar | None,
        invitations: InvitationMail | None,
        links: PublicLinks,
    ) -> None:
        self.db = db
        self.directory = directory
        self.calendar = calendar
        self._invitations = invitations
        self.links = links

    @property
    def invitations(self) -> InvitationMail | None:
        """How the app mails the invitation; None when SMTP is off or when the calendar system
        sends the attendees the invitation itself (then nobody gets two)."""
        if self.calendar is not None and self.calendar.sends_invitations:
            return None
        return self._invitations

    @invitations.setter
    def invitations(self, mail: InvitationMail | None) -> None:
        self._invitations = mail

    @property
    def calendar_paused(self) -> bool:
        """True while the outside calendar rests after a failure (``bot.calendars.guard``)."""
        return bool(getattr(self.calendar, "paused", False))

    def tell(
        self,
        session: Session,
        actor: User,
        assessment: RiskAssessment,
        what: str,
        reachable: bool | None = None,
    ) -> tuple[int | None, list[int]]:
        """Tells the participants (chat notice, e-mail) and queues the calendar's copy of the
        change, in the change's transaction; returns the calendar write's outbox id, and the
        notices held for the Teams meeting's link when the write right after (the calendar
        answered just now) is to make the meeting."""
        reference = agreement_reference(session, assessment)
        awaits_link = (
            reachable is True
            and self.calendar is not None
            and self.calendar.online_meetings
            and "teams" in (assessment.place or "").lower()
            and teams_join_url(assessment) is None
        )
        notices = tell_participants(
            session,
            self.directory,
            actor,
            assessment,
            what,
            self.invitations,
            self.links,
            reference,
            held_until=datetime.now(UTC) + NOTICE_HOLD if awaits_link else None,
        )
        held: list[int] = []
        if awaits_link:
            session.flush()  # their ids, to let them go after the write
            held = [notice.id for notice in notices]
        if self.calendar is None:
            return None, held
        try:
            event = meeting_event(assessment, self.directory, self.links, reference)
        except LookupError:
            log.warning("No calendar event for risk assessment %s: manager unknown", assessment.id)
            return None, held
        return queue_calendar_write(session, event).id, held

    def write_now(self, message_id: int | None, reachable: bool | None) -> None:
        """Saves the change in the calendar right after it is stored, when the calendar answered
        just before; otherwise, or if this fails, the outbox's drain does it later."""
        if self.calendar is None or message_id is None or not reachable:
            return
        try:
            drain_calendar_writes(self.db, self.calendar, only=[message_id])
        except SQLAlchemyError as error:
            # The change is stored; its calendar write waits in the outbox for the drain.
            log.warning("Calendar write %s left to the outbox: %s", message_id, error)

    def with_online_meeting(self, assessment: RiskAssessment, held: list[int]) -> RiskAssessment:
        """The booking with the Teams link the calendar made when the write just now went
        through (the outbox keeps it on the row); without it, the link comes in the invitation.
        The notices held for the link go now, with it if there is one. The change is stored
        whatever happens here: a database that fails now leaves them to their hold's end."""
        if self.calendar is None or not self.calendar.online_meetings:
            return assessment
        try:
            with self.db.session() as session:
                assessment.online_meeting_url = session.scalar(
                    select(RiskAssessment.online_meeting_url).where(
                        RiskAssessment.id == assessment.id
                    )
                )
                if held:
                    release_held(session, held, assessment)
        except SQLAlchemyError as error:
            log.warning(
                "Risk assessment %s is stored; its Teams link not read: %s", assessment.id, error
            )
        return assessment


def agreement_reference(session: Session, assessment: RiskAssessment) -> str | None:
    """The reference of the agreement the dialogue belongs to (DA-2026-00012), if any."""
    if assessment.agreement_id is None:
        return None
    agreement = session.get(Agreement, assessment.agreement_id)
    return agreement.reference if agreement else None
