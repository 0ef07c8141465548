"""Database tables. Only what the processes need is stored: ids from the user directory, not
names or identity numbers."""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utc_now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Stored in UTC, returned time-zone aware: SQLite would otherwise drop the offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be time-zone aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class AgreementStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    RENEWED = "renewed"
    # The employee took the request back, or replaced it with a new one, before the decision.
    WITHDRAWN = "withdrawn"


class Agreement(Base):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # Same confirmation sent twice (double click, retry) stores one request.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    region: Mapped[str] = mapped_column(String(40))
    employee_id: Mapped[str] = mapped_column(String(80), index=True)
    manager_id: Mapped[str] = mapped_column(String(80), index=True)
    unit: Mapped[str] = mapped_column(String(120))
    share_percent: Mapped[int] = mapped_column(Integer)
    place_kind: Mapped[str] = mapped_column(String(20))
    place_description: Mapped[str] = mapped_column(Text)
    # Where the remote work is done, for the work-injury insurance; null until given.
    workplace_address: Mapped[str | None] = mapped_column(String(200), default=None)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    tasks: Mapped[str] = mapped_column(Text)
    equipment: Mapped[list[str]] = mapped_column(JSON, default=list)
    it_security_confirmed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=AgreementStatus.SUBMITTED, index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by: Mapped[str | None] = mapped_column(String(80), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    risk_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("risk_assessments.id", ondelete="SET NULL"), default=None
    )
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    events: Mapped[list["AgreementEvent"]] = relationship(
        back_populates="agreement", order_by="AgreementEvent.id", cascade="all, delete-orphan"
    )


class RiskAssessmentStatus(StrEnum):
    BOOKED = "booked"
    HELD = "held"
    DOCUMENTED = "documented"
    CANCELLED = "cancelled"


class RiskAssessment(Base):
    """The risk assessment of an employee's remote work. An agreement may be approved only when
    one is documented (where the region's policy requires it). Booking the dialogue in chat
    builds on this record; an assessment documented through the ordinary routine elsewhere is
    registered directly as documented."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(80), index=True)
    manager_id: Mapped[str] = mapped_column(String(80), index=True)
    safety_representative_id: Mapped[str | None] = mapped_column(String(80), default=None)
    status: Mapped[str] = mapped_column(String(20), default=RiskAssessmentStatus.BOOKED)
    # The dialogue; null for an assessment documented through the ordinary routine elsewhere.
    start_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    end_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    place: Mapped[str | None] = mapped_column(String(200), default=None)
    # The calendar invitation's UID stays the same when the dialogue is moved; SEQUENCE grows.
    calendar_uid: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Whether the time was checked against the participants' calendars when it was booked or
    # last moved: None with no calendar system configured (DG_CALENDAR=local), False when it
    # could not be reached and only the app's own store was checked.
    calendar_checked: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # The Teams meeting's join link, once Microsoft Graph has made the event (DG_CALENDAR=graph).
    online_meeting_url: Mapped[str | None] = mapped_column(Text, default=None)
    agreement_id: Mapped[int | None] = mapped_column(Integer, default=None)
    outcome: Mapped[str | None] = mapped_column(Text, default=None)
    documented_on: Mapped[date | None] = mapped_column(Date, default=None)
    # The next follow-up; recording one (``FollowUp``) moves it on, at most a year ahead.
    follow_up_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Set when the manager has been asked to document the outcome, so the daily job asks once.
    outcome_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    # Always loaded with the assessment: the services hand assessments out after their session.
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="risk_assessment",
        order_by="ActionItem.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def __init__(self, **values: Any) -> None:
        # A new assessment's plan is empty rather than unloaded: it is handed out after its
        # session has closed, where an unloaded collection could not be read.
        values.setdefault("action_items", [])
        super().__init__(**values)

    @property
    def actions(self) -> list[dict[str, str]]:
        """The action plan in the shape it had before actions got their own table:
        ``[{"action": ..., "owner": ..., "due": "YYYY-MM-DD"}]``, done ones included."""
        return [
            {"action": item.text, "owner": item.owner, "due": item.due_on.isoformat()}
            for item in self.action_items
        ]


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class ActionItem(Base):
    """One action of a risk assessment's action plan (handlingsplan): what, who, by when.
    Done and moved by the assessment's manager, the owner or HR; every change is an
    ``ActionEvent``."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_assessment_id: Mapped[int] = mapped_column(
        ForeignKey("risk_assessments.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    # As the manager wrote it ("Maria Berg", "IT-avdelningen").
    owner: Mapped[str] = mapped_column(String(120))
    # The owner in the directory, when the text names exactly one person there.
    owner_id: Mapped[str | None] = mapped_column(String(80), default=None, index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default=ActionStatus.OPEN, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    done_by: Mapped[str | None] = mapped_column(String(80), default=None)
    moved_count: Mapped[int] = mapped_column(Integer, default=0)
    # The day the reminder about the current due date was sent; a move clears it.
    reminded_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    # Loaded with the action (an inner join: the column is never null), for who may see it.
    risk_assessment: Mapped[RiskAssessment] = relationship(
        back_populates="action_items", lazy="joined", innerjoin=True
    )
    events: Mapped[list["ActionEvent"]] = relationship(
        back_populates="item",
        order_by="ActionEvent.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class ActionEvent(Base):
    """Every change of an action: created, done, moved (with the dates and the reason),
    reminded. Who, what, when."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[str] = mapped_column(String(80))
    # "created", "done", "moved", "reminder_sent".
    event: Mapped[str] = mapped_column(String(20))
    previous_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    item: Mapped[ActionItem] = relationship(back_populates="events")


class FollowUpOutcome(StrEnum):
    CONTINUE = "continue"
    CHANGE = "change"
    END = "end"


class FollowUp(Base):
    """A follow-up of an employee's remote work that was held: of a risk assessment, of an
    agreement, or both. The yearly check ("a year without a follow-up") and the compliance
    report read these."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint(
            "risk_assessment_id IS NOT NULL OR agreement_id IS NOT NULL",
            name="ck_follow_ups_subject",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("risk_assessments.id", ondelete="CASCADE"), default=None, index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), default=None, index=True
    )
    held_on: Mapped[date] = mapped_column(Date, index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class SentReminder(Base):
    """A follow-up reminder that was sent, written in the transaction of its notices and
    e-mail. The unique key makes each reminder once-only, even when two runs race."""

    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "occasion", name="uq_sent_reminders_occasion"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "risk_assessment_follow_up", "action_due" or "agreement_follow_up".
    kind: Mapped[str] = mapped_column(String(30))
    # The risk assessment's, the action's or the agreement's id.
    subject_id: Mapped[int] = mapped_column(Integer)
    # The date reminded about: the follow-up date, the due date, the year's end.
    occasion: Mapped[date] = mapped_column(Date)
    # User ids, comma-separated.
    recipients: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class BusyTime(Base):
    """A time when a user cannot meet, entered by hand; booked risk-assessment dialogues count
    as busy too, and so does the region's calendar where one is configured (bot/calendars)."""

    __tablename__ = "busy_times"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(80), index=True)
    start_at: Mapped[datetime] = mapped_column(UtcDateTime())
    end_at: Mapped[datetime] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(String(40), default="manual")


class ConversationReference(Base):
    """Where to reach a user proactively in Teams (the Bot Framework conversation reference),
    stored when the user installs the app or writes to it."""

    __tablename__ = "conversation_references"

    user_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True, default="msteams")
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)


class AgreementEvent(Base):
    """Every change of an agreement: who, what, when. The audit trail the personnel file needs."""

    __tablename__ = "agreement_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    agreement: Mapped[Agreement] = relationship(back_populates="events")


class NoticeKind(StrEnum):
    """What a notification is about, so HR can tell a given-up one apart without reading it."""

    AGREEMENT_SUBMITTED = "agreement_submitted"
    AGREEMENT_WITHDRAWN = "agreement_withdrawn"
    WORKPLACE_ADDRESS = "workplace_address"
    AGREEMENT_DECIDED = "agreement_decided"
    AGREEMENT_EXPIRING = "agreement_expiring"
    RISK_ASSESSMENT_BOOKED = "risk_assessment_booked"
    RISK_ASSESSMENT_MOVED = "risk_assessment_moved"
    RISK_ASSESSMENT_CANCELLED = "risk_assessment_cancelled"
    OUTCOME_REQUESTED = "outcome_requested"
    FOLLOW_UP_RECORDED = "follow_up_recorded"
    # The daily job's follow-up reminders (bot/risk_assessments/reminders.py).
    RISK_ASSESSMENT_FOLLOW_UP = "risk_assessment_follow_up"
    ACTION_DUE = "action_due"
    AGREEMENT_FOLLOW_UP = "agreement_follow_up"


class Notification(Base):
    """A message waiting for a user in chat (expiry reminders, decisions)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[str] = mapped_column(String(80), index=True)
    text: Mapped[str] = mapped_column(Text)
    # A NoticeKind; null for notices written before migration 0012.
    kind: Mapped[str | None] = mapped_column(String(40), default=None)
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # Held by the Teams notifier while it sends, or by a booking until the calendar has made its
    # Teams meeting (bot/risk_assessments/service.py): a chat turn does not show it meanwhile.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # Sending it to the recipient's Teams chat (bot/channels/teams_proactive.py): attempts
    # made, when the next may be (null: at once), the last failure (masked, cut short), and
    # when Teams was given up, after which it waits for the web chat only.
    teams_attempts: Mapped[int] = mapped_column(Integer, default=0)
    teams_next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    teams_last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    teams_given_up_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), default=None, index=True
    )
    # When and by whom HR marked the given-up notice handled (bot/hr/deliveries.py).
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    handled_by: Mapped[str | None] = mapped_column(String(80), default=None)


class ReviewItem(Base):
    """A question the assistant could not answer confidently, or whose answer got a thumbs-down,
    waiting for HR. The question is masked before it is stored; the asker is kept only as a
    hashed key, so one user's items can be erased."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    # "low_confidence", "clarified", "thumbs_down" or "out_of_scope".
    reason: Mapped[str] = mapped_column(String(20))
    faq_id: Mapped[str | None] = mapped_column(String(80), default=None)
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(80), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    resolution: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)


class FaqUsageEvent(Base):
    """One FAQ answer served, or one thumbs up/down, for the version of the entry the user saw
    (``entry_version`` is the SHA-256 of the entry's file), so figures count since an edit."""

    __tablename__ = "faq_usage_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    faq_id: Mapped[str] = mapped_column(String(80), index=True)
    # "served", "helpful" or "not_helpful".
    kind: Mapped[str] = mapped_column(String(20))
    entry_version: Mapped[str] = mapped_column(String(64))
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    # One vote per user, conversation and entry: a second vote replaces the first.
    vote_key: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)


class AuditRecord(Base):
    """One change made through the service: who, in which role, what, the SHA-256 of the content
    before and after, when."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[str] = mapped_column(String(80), index=True)
    role: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    before_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    after_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)


class OutboxMessage(Base):
    """An e-mail waiting to be sent, written in the same transaction as the change it reports,
    so a chat turn never waits for SMTP and a rolled-back change sends nothing (bot/outbox.py).
    Once sent, body and attachment are dropped; the daily job deletes finished rows."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="email")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The calendar invitation (.ics) as it was at the change, with its SEQUENCE.
    attachment_name: Mapped[str | None] = mapped_column(String(100), default=None)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # What the message is about, for the logs instead of the address: "risk_assessment:4".
    reference: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Null once sent or given up.
    next_attempt_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), default=utc_now, index=True
    )
    # The lease of the replica sending it: nobody else takes the message until then.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # The last failure, masked and cut short.
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    # When the last attempt failed and it was given up; when and by whom HR marked that handled.
    given_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    handled_by: Mapped[str | None] = mapped_column(String(80), default=None)


class FaqEntryVersion(Base):
    """One version of an FAQ entry's file, as HR's editor saved or restored it, or as it was
    found on disk when edited outside the editor. Kept whole (the audit trail has hashes only),
    so any version can be compared and restored."""

    __tablename__ = "faq_entry_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(80), index=True)
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # "created", "saved", "restored" (through the editor) or "found" (on disk).
    origin: Mapped[str] = mapped_column(String(20))
    # Who saved it; None for a version found on disk.
    actor_id: Mapped[str | None] = mapped_column(String(80), default=None)
    restored_from: Mapped[int | None] = mapped_column(Integer, default=None)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
