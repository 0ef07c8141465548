"""Reaching a user in Teams without waiting for them to write: the stored conversation
references, and the notifier that sends waiting reminders and notices through them."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import anyio
from microsoft_agents.activity import Activity
from microsoft_agents.activity import ConversationReference as BotReference
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.rendering import absolute_links
from bot.storage.database import Database
from bot.storage.models import ConversationReference, Notification

log = logging.getLogger(__name__)

TEAMS = "msteams"
# Per run; Teams throttles a bot that sends much faster, and the rest waits for the next run.
BATCH_SIZE = 50
# The connector's answer when the user removed the app: their notifications wait for the web chat.
GONE = (403, 404)
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


def waiting_for_teams(db: Database, limit: int = BATCH_SIZE) -> list[Waiting]:
    """Undelivered notifications whose recipient can be reached in Teams, oldest first."""
    with db.session() as session:
        rows = session.execute(
            select(
                Notification.id,
                Notification.recipient_id,
                Notification.text,
                ConversationReference.reference,
            )
            .join(
                ConversationReference,
                (ConversationReference.user_id == Notification.recipient_id)
                & (ConversationReference.channel == TEAMS),
            )
            .where(Notification.delivered_at.is_(None))
            .order_by(Notification.id)
            .limit(limit)
        ).all()
        return [Waiting(*row) for row in rows]


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
            .values(delivered_at=datetime.now(UTC))
        )


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

    async def deliver_waiting(self) -> int:
        """One run; returns how many notifications were delivered. With several replicas one
        runs at a time, so nobody gets a notification twice."""
        alone = self._db.run_alone("teams-notifier")
        if not await anyio.to_thread.run_sync(alone.__enter__):
            await anyio.to_thread.run_sync(alone.__exit__, None, None, None)
            return 0
        try:
            return await self._deliver(await anyio.to_thread.run_sync(waiting_for_teams, self._db))
        finally:
            await anyio.to_thread.run_sync(alone.__exit__, None, None, None)

    async def _deliver(self, waiting: list[Waiting]) -> int:
        delivered = 0
        for item in waiting:
            try:
                await self.send(item.reference, item.text)
            except aiohttp.ClientResponseError as error:
                log.warning(
                    "Notification %d not delivered to Teams: %s", item.notification_id, error
                )
                if error.status in GONE:
                    await anyio.to_thread.run_sync(forget_reference, self._db, item.user_id)
                continue
            except Exception as error:  # MSAL's and the SDK's errors have no common base
                log.warning(
                    "Notification %d not delivered to Teams: %s", item.notification_id, error
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
