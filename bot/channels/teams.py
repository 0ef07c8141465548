"""Microsoft Teams: ``POST /api/messages`` speaks the Bot Framework protocol through
Microsoft's Agents SDK and hands each message to the same ChatService as the web chat.

Teams -> token check (``teams_auth.py``) -> CloudAdapter -> ``DistansguidenAgent`` ->
ChatService -> Rasa -> replies through the Bot Connector (an MSAL token for the app).
"""

import asyncio
import html
import logging
import math
import re
from collections.abc import Iterable
from typing import Any

import anyio
import httpx
from fastapi import APIRouter, Request, Response
from microsoft_agents.activity import Activity, ActivityEventNames, ChannelAccount
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import (
    ActivityHandler,
    AgentAuthConfiguration,
    AuthTypes,
    ClaimsIdentity,
    TurnContext,
)
from microsoft_agents.hosting.fastapi import CloudAdapter
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.teams_auth import (
    BotFrameworkTokenValidator,
    KeysUnavailable,
    OpenIdKeys,
    TokenRejected,
    bearer_token,
)
from bot.channels.teams_cards import PAYLOAD_KEY, PICKED_KEY, markdown, to_activity
from bot.channels.teams_proactive import (
    CONNECTOR_CLIENT_KEY,
    TeamsNotifier,
    forget_reference,
    store_reference,
)
from bot.chat import STORE_GIVE_UP_SECONDS, BotMessage, ChatService, within
from bot.errors import ApiError
from bot.identity import Directory, User
from bot.rasa_client import RasaBusy
from bot.rate_limit import RateLimiter
from bot.settings import Settings
from bot.storage.database import Database

log = logging.getLogger(__name__)

router = APIRouter(tags=["teams"])

WELCOME_TEXT = (
    "Hej{name}! Jag är **Distansguiden**. Fråga mig om distansarbete, till exempel "
    "*Får jag jobba från sommarstugan?*, eller skriv *jag vill ansöka om distansarbete*. "
    "Här får du också påminnelser om din överenskommelse och dina möten.\n\n"
    "Hi! I answer questions about remote work and help you apply for a remote-work agreement."
)
# A group chat is read by everyone in it: FAQ answers only, personal matters in one's own chat.
GROUP_WELCOME_TEXT = (
    "Hej! Jag är **Distansguiden**. Här i gruppchatten svarar jag på frågor om distansarbete, "
    "till exempel *Får jag jobba från sommarstugan?* (nämn mig med @Distansguiden).\n\n"
    "Hi! In this group chat I answer questions about remote work."
)
PERSONAL_CHAT_POINTER = (
    "Ansökningar, bokningar av riskbedömning och dina ärenden sköter du i din personliga chatt "
    "med Distansguiden, inte här där andra läser. "
    "Requests, bookings and your own matters are handled in your personal chat with "
    "Distansguiden."
)
UNKNOWN_USER_TEXT = (
    "Jag hittar dig inte i personalkatalogen, så jag kan inte svara dig här. "
    "Kontakta HR-avdelningen om du tror att det är fel.\n\n"
    "I cannot find you in the staff directory, so I cannot answer you here. "
    "Please contact HR if you think this is a mistake."
)
TOO_LONG_TEXT = (
    "Meddelandet är för långt (högst {limit} tecken). "
    "The message is too long (at most {limit} characters)."
)
BUSY_TEXT = (
    "Assistenten har många frågor just nu. Skicka meddelandet igen om {seconds} sekunder. "
    "The assistant is busy right now. Please send your message again in {seconds} seconds."
)
RATE_LIMITED_TEXT = (
    "Du har skickat många meddelanden på kort tid. Vänta {seconds} sekunder och försök igen. "
    "You have sent many messages in a short time. Please wait {seconds} seconds and try again."
)
ERROR_TEXT = (
    "Något gick fel hos assistenten. Försök igen om en stund. "
    "Something went wrong on our side. Please try again shortly."
)
USER_KEY = "distansguiden.user"


@router.post("/api/messages", include_in_schema=False)
async def messages(request: Request) -> Response:
    channel: TeamsChannel = request.app.state.teams
    return await channel.receive(request)


class TeamsChannel:
    """Everything the Teams endpoint needs, built in the app's lifespan."""

    def __init__(
        self,
        settings: Settings,
        chat: ChatService,
        directory: Directory,
        db: Database | None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        if not settings.teams_app_id or not settings.teams_tenant_id:
            raise ValueError("Teams needs DG_TEAMS_APP_ID and DG_TEAMS_TENANT_ID")
        if not settings.public_base_url:
            raise ValueError(
                "Teams needs DG_PUBLIC_URL: Teams opens only absolute links (the PDF, the "
                "invitation, the privacy page)"
            )
        self.app_id = settings.teams_app_id
        self._http = httpx.AsyncClient(timeout=10.0)
        tenant_metadata = settings.teams_tenant_openid_metadata_url or (
            f"https://login.microsoftonline.com/{settings.teams_tenant_id}"
            "/v2.0/.well-known/openid-configuration"
        )
        self.validator = BotFrameworkTokenValidator(
            settings.teams_app_id,
            settings.teams_tenant_id,
            OpenIdKeys(settings.teams_openid_metadata_url, self._http),
            OpenIdKeys(tenant_metadata, self._http),
            settings.teams_clock_skew_seconds,
        )
        self.adapter = CloudAdapter(connection_manager=msal_connections(settings))
        self.adapter.on_turn_error = self._on_turn_error
        self.agent = DistansguidenAgent(
            chat,
            directory,
            db,
            settings.max_message_chars,
            rate_limiter,
            settings.public_base_url,
        )
        self.notifier = (
            TeamsNotifier(self.adapter, self.app_id, db, settings.public_base_url) if db else None
        )
        self._notifying: asyncio.Task[None] | None = None
        if self.notifier and settings.teams_notify_seconds > 0:
            self._notifying = asyncio.create_task(
                self.notifier.run_periodically(settings.teams_notify_seconds)
            )

    async def receive(self, request: Request) -> Response:
        """Every check in ``teams_auth`` passes before the SDK sees the activity; a rejected
        request gets 401 and causes no outbound call."""
        authorization = request.headers.get("Authorization")
        try:
            body = await request.json()
        except ValueError:
            body = None
        activity: dict[str, Any] = body if isinstance(body, dict) else {}
        try:
            claims = await self.validator.validate(authorization, activity)
        except TokenRejected as rejected:
            log.warning("Teams request rejected: %s", rejected.reason)
            raise ApiError(
                401,
                "teams_unauthorized",
                "Förfrågan kommer inte från Microsoft Teams för den här appen.",
                "The request does not come from Microsoft Teams for this app.",
            ) from None
        except KeysUnavailable as error:
            log.error("Cannot check Teams tokens, signing keys unavailable: %s", error)
            raise ApiError(
                503,
                "teams_keys_unavailable",
                "Teams-kopplingen kan inte kontrollera förfrågan just nu.",
                "The Teams connection cannot check requests right now.",
            ) from None
        if not activity:
            raise ApiError(400, "invalid_json", "Aktiviteten saknas.", "The activity is missing.")
        request.state.claims_identity = ClaimsIdentity(
            claims, True, security_token=bearer_token(authorization)
        )
        response = await self.adapter.process(request, self.agent)
        return response or Response(status_code=202)

    async def deliver_notifications(self) -> int:
        """Send waiting notifications now; the lifespan runs this every ``teams_notify_seconds``."""
        return await self.notifier.deliver_waiting() if self.notifier else 0

    async def close(self) -> None:
        if self._notifying is not None:
            self._notifying.cancel()
        await self._http.aclose()

    @staticmethod
    async def _on_turn_error(context: TurnContext, error: Exception) -> None:
        """Replaces the SDK's handler, which sends the exception text to the user. A failed
        proactive send goes back to the notifier, which decides what to do with it."""
        if is_proactive(context.activity):
            raise error
        log.error("Teams turn failed", exc_info=error)
        try:
            await context.send_activity(markdown(ERROR_TEXT))
        except Exception as apology_error:  # the connector itself may be what failed
            log.warning("Could not tell the Teams user about the failure: %s", apology_error)


def msal_connections(settings: Settings) -> MsalConnectionManager:
    """The app's own credentials for calling the Bot Connector (client credentials flow)."""
    pfx = settings.teams_certificate_pfx_file
    secret = settings.teams_app_secret
    config = AgentAuthConfiguration(
        auth_type=AuthTypes.certificate if pfx else AuthTypes.client_secret,
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        client_secret=secret.get_secret_value() if secret and not pfx else None,
        cert_pfx_file=str(pfx) if pfx else None,
        connection_name="SERVICE_CONNECTION",
    )
    return MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": config})


class DistansguidenAgent(ActivityHandler):
    """One Teams turn: who is writing, what they wrote, and the chat service's answer."""

    def __init__(
        self,
        chat: ChatService,
        directory: Directory,
        db: Database | None,
        max_chars: int,
        rate_limiter: RateLimiter | None = None,
        base_url: str = "",
    ) -> None:
        self._chat = chat
        self._db = db
        self._max_chars = max_chars
        self._rate_limiter = rate_limiter
        self._base_url = base_url
        users = directory.all()
        self._by_object_id = {u.aad_object_id.lower(): u for u in users if u.aad_object_id}
        self._by_email = {u.email.lower(): u for u in users if u.email}

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        user = await self._sender(turn_context)
        turn_context.turn_state[USER_KEY] = user
        if user is not None and self._db is not None and is_personal(activity):
            stored = reference_to_store(activity)
            try:
                await anyio.to_thread.run_sync(
                    within, STORE_GIVE_UP_SECONDS, store_reference, self._db, user.id, stored
                )
            except SQLAlchemyError as error:
                # Only proactive reminders need it; the user's message is answered anyway.
                log.warning("Could not store the Teams conversation reference: %s", error)
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        text = incoming_text(activity)
        if not text:
            return
        user: User | None = turn_context.turn_state.get(USER_KEY)
        if user is None:
            await turn_context.send_activity(markdown(UNKNOWN_USER_TEXT))
            return
        if len(text) > self._max_chars:
            await turn_context.send_activity(markdown(TOO_LONG_TEXT.format(limit=self._max_chars)))
            return
        wait = await self._rate_limiter.retry_after(user.id) if self._rate_limiter else None
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            await turn_context.send_activity(markdown(RATE_LIMITED_TEXT.format(seconds=seconds)))
            return
        try:
            if is_personal(activity):
                replies = await self._chat.handle(user, activity.conversation.id, text)
            else:
                replies = in_company(await self._chat.answer_only(user, text))
        except RasaBusy as busy:
            seconds = busy.retry_after_seconds
            await turn_context.send_activity(markdown(BUSY_TEXT.format(seconds=seconds)))
            return
        if replies:
            await turn_context.send_activities(
                [to_activity(reply, self._base_url) for reply in replies]
            )

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if any(member.id == bot_id for member in activity.members_added or []):
            if not is_personal(activity):
                await turn_context.send_activity(markdown(GROUP_WELCOME_TEXT))
                return
            user: User | None = turn_context.turn_state.get(USER_KEY)
            name = f" {user.name.split()[0]}" if user else ""
            await turn_context.send_activity(markdown(WELCOME_TEXT.format(name=name)))

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        user: User | None = turn_context.turn_state.get(USER_KEY)
        if user is not None and self._db is not None and is_personal(turn_context.activity):
            await anyio.to_thread.run_sync(forget_reference, self._db, user.id)

    async def _sender(self, turn_context: TurnContext) -> User | None:
        """The directory user behind ``from``: by Entra object id, else by the e-mail or UPN
        that the Bot Connector reports for the member."""
        sender = turn_context.activity.from_property
        if sender is None or not sender.id:
            return None
        if sender.aad_object_id:
            user = self._by_object_id.get(sender.aad_object_id.lower())
            if user is not None:
                return user
        return self._by_address(await member_addresses(turn_context, sender))

    def _by_address(self, addresses: Iterable[str]) -> User | None:
        for address in addresses:
            user = self._by_email.get(address.lower())
            if user is not None:
                return user
        return None


async def member_addresses(turn_context: TurnContext, sender: ChannelAccount) -> list[str]:
    """E-mail and UPN of the sender from the Bot Connector's member list; [] when unavailable."""
    connector = turn_context.turn_state.get(CONNECTOR_CLIENT_KEY)
    conversation = turn_context.activity.conversation
    if connector is None or conversation is None:
        return []
    try:
        member = await connector.conversations.get_conversation_member(conversation.id, sender.id)
    except Exception as error:  # aiohttp and SDK errors alike: fall back to "unknown user"
        log.warning("Could not look up the Teams member: %s", error)
        return []
    extra = member.model_extra or {}
    return [str(extra[k]) for k in ("email", "userPrincipalName") if extra.get(k)]


def reference_to_store(activity: Activity) -> dict[str, Any]:
    """What sending to this chat later needs: ids and the service URL, no names."""
    reference = activity.get_conversation_reference()
    reference.activity_id = None
    if reference.user is not None:
        reference.user = ChannelAccount(id=reference.user.id)
    return reference.model_dump(mode="json", by_alias=True, exclude_none=True)


def is_proactive(activity: Activity) -> bool:
    return activity.type == "event" and activity.name == ActivityEventNames.continue_conversation


def is_personal(activity: Activity) -> bool:
    """Proactive reminders go only to one-to-one chats, never to a team channel."""
    conversation = activity.conversation
    return conversation is not None and conversation.conversation_type == "personal"


def incoming_text(activity: Activity) -> str:
    """What the user said: a pressed button's payload as is, otherwise the text without the
    bot's @mention and without markup (Teams sends ``<at>Name</at>`` and HTML entities)."""
    value = activity.value
    if isinstance(value, dict) and isinstance(value.get(PICKED_KEY), str):
        # The ticked items of a multi-select question, as one answer: "Bildskärm, Headset".
        return ", ".join(item.strip() for item in value[PICKED_KEY].split(",") if item.strip())
    if isinstance(value, dict) and isinstance(value.get(PAYLOAD_KEY), str):
        return str(value[PAYLOAD_KEY]).strip()
    return strip_mentions(activity)


def strip_mentions(activity: Activity) -> str:
    text = activity.text or ""
    bot = activity.recipient
    for entity in activity.entities or []:
        data = entity.model_dump(by_alias=True, exclude_none=True)
        mentioned = data.get("mentioned") or {}
        mention_text = data.get("text")
        if (
            str(data.get("type", "")).lower() == "mention"
            and bot is not None
            and mentioned.get("id") == bot.id
            and isinstance(mention_text, str)
        ):
            text = text.replace(mention_text, " ")
    if bot is not None and bot.name:
        text = re.sub(rf"<at>\s*{re.escape(bot.name)}\s*</at>", " ", text, flags=re.IGNORECASE)
    # Someone else's mention stays as their name.
    text = re.sub(r"</?at>", "", text)
    return " ".join(html.unescape(text).split())


def in_company(replies: list[BotMessage]) -> list[BotMessage]:
    """A group chat's reply: an FAQ answer or a "Menade du …?" as it is; anything else (not
    understood, not about remote work, a request for a process) points to the personal chat."""
    if any(reply.kind in ("answer", "clarify") for reply in replies):
        return replies
    return [*replies, BotMessage(text=PERSONAL_CHAT_POINTER)]
