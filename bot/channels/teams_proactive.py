"""Reaching a user in Teams without waiting for them to write: the stored conversation
references, and the notifier that sends waiting reminders and notices through them.

The notifications table is the notices' outbox. The notifier claims a due notice with a lease
(so no chat turn shows it while it is being sent), and a failure is tried again after 30 s, 1,
2, 4 … minutes, at most an hour apart, or after the Bot Connector's ``Retry-After`` when it asks
for longer; after ``TEAMS_MAX_ATTEMPTS`` Teams is given up, logged as an error and counted in
the daily job's summary, and the notice waits for the web chat. A 429 ends the round: Teams
throttles the bot as a whole, so the other notices would only be refused too.
"""

import asyncio
import email.utils
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import anyio
from microsoft_agents.activity import Activity
from microsoft_agents.activity import ConversationReference as BotReference
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.notifications import TEAMS_MAX_ATTEMPTS
from bot.outbox import retry_delay
from bot.privacy import mask_personal_data
from bot.rendering import absolute_links
from bot.storage.database import Database
from bot.storage.models import ConversationReference, Notification

log = logging.getLogger(__name__)

TEAMS = "msteams"
# Per run; Teams throttles a bot that sends much faster, and the rest waits for the next run.
BATCH_SIZE = 50
# The connector's answer when the user removed the app: their notifications wait for the web chat.
GONE = (403, 404)
THROTTLED = 429
# Longer than a send can take, so a slow one is never taken over; a notice claimed by a
# process that died is shown in the web chat or sent again after this.
LEASE = timedelta(minutes=5)
CONNECTOR_CLIENT_KEY = ChannelServiceAdapter._AGENT_CONNECTOR_CLIENT_KEY


def store_reference(db: Database, user_id: str, reference: dict[str, Any]) -> None:
    """Keep the newest personal-chat reference for ``user_id`` (one per user)."""
    with db.session() as session:
        row = session.get(ConversationReference, (user_id, TEAMS))
        if row is None:
            session.add(ConversationReference(user_id=user_id, channel=TEAMS, reference=reference))
        elif row.reference != reference:
            row.reference = reference
            row.updated_at = datetime.now(UTC)


@dataclass
class Waiting:
    notification_id: int
    user_id: str
    text: str
    reference: dict[str, Any]
    # Including the one now being made.
    attempts: int = 1


def claim_for_teams(
    db: Database, now: datetime | None = None, limit: int = BATCH_SIZE
) -> list[Waiting]:
    """Due undelivered notifications whose recipient can be reached in Teams, oldest first,
    each now held under a lease and counted as an attempt; in one UPDATE, so a chat turn or
    another notifier never takes the same notice."""
    now = now or datetime.now(UTC)
    reachable = select(ConversationReference.user_id).where(
        ConversationReference.user_id == Notification.recipient_id,
        ConversationReference.channel == TEAMS,
    )
    due = (
        Notification.delivered_at.is_(None),
        Notification.teams_given_up_at.is_(None),
        or_(
            Notification.teams_next_attempt_at.is_(None),
            Notification.teams_next_attempt_at <= now,
        ),
        or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
        reachable.exists(),
    )
    next_due = (
        select(Notification.id)
        .where(*due)
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with db.session() as session:
        claimed = session.execute(
            update(Notification)
            .where(Notification.id.in_(next_due), *due)
            .values(claimed_until=now + LEASE, teams_attempts=Notification.teams_attempts + 1)
            .returning(
                Notification.id,
                Notification.recipient_id,
                Notification.text,
                Notification.teams_attempts,
            )
            .execution_options(synchronize_session=False)
        ).all()
        references: dict[str, dict[str, Any]] = dict(
            session.execute(
                select(ConversationReference.user_id, ConversationReference.reference).where(
                    ConversationReference.channel == TEAMS,
                    ConversationReference.user_id.in_({row.recipient_id for row in claimed}),
                )
            ).all()
        )
    return sorted(
        (
            Waiting(
                row.id, row.recipient_id, row.text, references[row.recipient_id], row.teams_attempts
            )
            for row in claimed
            if row.recipient_id in references
        ),
        key=lambda waiting: waiting.notification_id,
    )


def forget_reference(db: Database, user_id: str) -> None:
    with db.session() as session:
        row = session.get(ConversationReference, (user_id, TEAMS))
        if row is not None:
            session.delete(row)


def mark_delivered(db: Database, notification_id: int) -> None:
    with db.session() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.delivered_at.is_(None))
            .values(delivered_at=datetime.now(UTC), claimed_until=None, teams_last_error=None)
        )


def release(db: Database, notification_ids: list[int]) -> None:
    """Hands back notices claimed but not tried: the lease ends and the attempt is not counted."""
    if not notification_ids:
        return
    with db.session() as session:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(notification_ids), Notification.delivered_at.is_(None))
            .values(claimed_until=None, teams_attempts=Notification.teams_attempts - 1)
        )


def mark_failed(
    db: Database, item: Waiting, error: str, now: datetime, retry_after: float | None = None
) -> bool:
    """Schedules the notice's next attempt after its backoff, or after ``retry_after`` seconds
    when the connector asked for longer; gives Teams up after ``TEAMS_MAX_ATTEMPTS``. Returns
    whether it was given up. The lease ends either way, so the web chat may show it meanwhile."""
    short = mask_personal_data(error).text[:300]
    giving_up = item.attempts >= TEAMS_MAX_ATTEMPTS
    delay = max(retry_delay(item.attempts), timedelta(seconds=retry_after or 0))
    with db.session() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == item.notification_id)
            .values(
                claimed_until=None,
                teams_next_attempt_at=None if giving_up else now + delay,
                teams_given_up_at=now if giving_up else None,
                teams_last_error=short,
            )
        )
    if giving_up:
        log.error(
            "Notification %d given up in Teams after %d attempts, left for the web chat: %s",
            item.notification_id,
            item.attempts,
            short,
        )
    else:
        log.warning(
            "Notification %d not delivered to Teams (attempt %d), next in %s: %s",
            item.notification_id,
            item.attempts,
            delay,
            short,
        )
    return giving_up


def retry_after_seconds(error: aiohttp.ClientResponseError, now: datetime) -> float | None:
    """The connector's ``Retry-After``: seconds, or an HTTP date; None when absent or unclear."""
    value = error.headers.get("Retry-After") if error.headers is not None else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)


class TeamsNotifier:
    """Sends waiting notifications (agreement expiry reminders, decisions, meeting notices) to
    the recipient's personal Teams chat and marks them delivered.

    Marked only after Teams accepted the message: a crash in between repeats a reminder rather
    than losing it.
    """

    def __init__(
        self, adapter: ChannelServiceAdapter, app_id: str, db: Database, base_url: str = ""
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._db = db
        # The app's public address: a notice's links to the app become absolute.
        self._base_url = base_url
        # After a 429, until the connector's Retry-After has passed.
        self._paused_until: datetime | None = None

    async def deliver_waiting(self) -> int:
        """One run; returns how many notifications were delivered. With several replicas one
        runs at a time, so nobody gets a notification twice."""
        if self._paused_until is not None and datetime.now(UTC) < self._paused_until:
            return 0
        alone = self._db.run_alone("teams-notifier")
        if not await anyio.to_thread.run_sync(alone.__enter__):
            await anyio.to_thread.run_sync(alone.__exit__, None, None, None)
            return 0
        try:
            return await self._deliver(await anyio.to_thread.run_sync(claim_for_teams, self._db))
        finally:
            await anyio.to_thread.run_sync(alone.__exit__, None, None, None)

    async def _deliver(self, waiting: list[Waiting]) -> int:
        delivered = 0
        for position, item in enumerate(waiting):
            retry_after: float | None = None
            try:
                await self.send(item.reference, item.text)
            except aiohttp.ClientResponseError as error:
                now = datetime.now(UTC)
                if error.status in GONE:
                    await anyio.to_thread.run_sync(forget_reference, self._db, item.user_id)
                if error.status == THROTTLED:
                    retry_after = retry_after_seconds(error, now)
                await anyio.to_thread.run_sync(
                    mark_failed, self._db, item, str(error), now, retry_after
                )
                if error.status == THROTTLED:
                    # The rest would be refused too: handed back untried, and nothing is sent
                    # until the connector's wait is over.
                    self._paused_until = now + timedelta(
                        seconds=retry_after or retry_delay(item.attempts).total_seconds()
                    )
                    await anyio.to_thread.run_sync(
                        release, self._db, [w.notification_id for w in waiting[position + 1 :]]
                    )
                    break
                continue
            except Exception as error:  # MSAL's and the SDK's errors have no common base
                await anyio.to_thread.run_sync(
                    mark_failed, self._db, item, str(error), datetime.now(UTC)
                )
                continue
            await anyio.to_thread.run_sync(mark_delivered, self._db, item.notification_id)
            delivered += 1
        return delivered

    async def send(self, reference: dict[str, Any], text: str) -> None:
        continuation = BotReference.model_validate(reference).get_continuation_activity()
        # Without an id the message starts a new post instead of replying to an activity that
        # never existed (the SDK gives the continuation a random id).
        continuation.id = None

        async def say(context: TurnContext) -> None:
            try:
                shown = absolute_links(text, self._base_url)
                await context.send_activity(
                    Activity(type="message", text=shown, text_format="markdown")
                )
            except Exception:
                # The SDK closes its HTTP clients only after a turn that succeeded.
                for key in (CONNECTOR_CLIENT_KEY, ChannelServiceAdapter.USER_TOKEN_CLIENT_KEY):
                    client = context.turn_state.get(key)
                    if client is not None:
                        await client.close()
                raise

        await self._adapter.continue_conversation(self._app_id, continuation, say)

    async def run_periodically(self, interval: float) -> None:
        while True:
            try:
                delivered = await self.deliver_waiting()
                if delivered:
                    log.info("Delivered %d notifications in Teams", delivered)
            except SQLAlchemyError as error:
                log.warning("Could not look for notifications to send in Teams: %s", error)
            await asyncio.sleep(interval)
