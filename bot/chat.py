"""The chat path: channel -> ChatService -> Rasa (-> action -> FAQ index) -> messages back.

When Rasa is down or slow the service still answers FAQ questions straight from the index,
and says that the guided processes are unavailable for the moment.
"""

import logging
import re
from collections.abc import Callable
from functools import partial
from time import monotonic
from typing import Any, TypeVar

import anyio
from pydantic import BaseModel, computed_field

from actions.in_english import in_english, translated
from bot.faq.answering import FaqAnswerer, Reply
from bot.faq.language import is_english, language_of
from bot.identity import User
from bot.identity_seal import IdentitySeal
from bot.notifications import Handoff, Inbox
from bot.privacy import mask_personal_data
from bot.rasa_client import RasaBusy, RasaClient, RasaUnavailable
from bot.rasa_sessions import SESSION_START, RestPoints
from bot.regions import Region
from bot.rendering import fold_summary, is_long, message_html
from bot.storage.database import answer_within

log = logging.getLogger(__name__)
T = TypeVar("T")

DEGRADED_NOTE = (
    "(Assistenten arbetar i begränsat läge just nu: jag kan svara på frågor, men inte guida dig "
    "genom ansökningar eller bokningar. Försök igen om en stund.)"
)
UNAVAILABLE_TEXT = (
    "Assistenten svarar inte just nu. Försök igen om en stund. "
    "The assistant is not responding right now. Please try again shortly."
)
# A database that hangs must not hold the user's answer: the figures and the reminders wait.
STORE_WAIT_SECONDS = 0.5
# After a wait that ran out, the turns of the next few seconds do not try the database at all:
# otherwise every user's every turn would wait the half second while it hangs.
STORE_PAUSE_SECONDS = 5.0
# The worker threads the turn stopped waiting for give up in the database after this, instead of
# the statement timeout: a hanging database must not keep the pool's connections for long.
STORE_GIVE_UP_SECONDS = 2.0
NOT_UNDERSTOOD_TEXT = "Jag förstod inte riktigt. Kan du formulera frågan på ett annat sätt?"
CHOSEN_ENTRY = re.compile(r'/choose_faq\{\s*"faq_id"\s*:\s*"([a-z0-9][a-z0-9_-]*)"\s*\}')


class Button(BaseModel):
    title: str
    payload: str
    # In a multi-select question: an answer given on its own ("Ingen", "Klart"), not ticked
    # together with the others.
    exclusive: bool = False


class BotMessage(BaseModel):
    text: str
    buttons: list[Button] = []
    faq_id: str | None = None
    source: str | None = None
    # Where the source can be read, and the section of it, from the region's file.
    source_url: str | None = None
    source_section: str | None = None
    # "answer", "clarify" or "unknown" for FAQ replies; None for process messages.
    kind: str | None = None
    # An attachment the channel offers for download (e.g. a calendar invitation): a path on the
    # app, and the name to show for it (default: the path's last part).
    link: str | None = None
    link_title: str | None = None
    # Several buttons may be picked together and sent as one comma-separated answer.
    multi_select: bool = False
    # Long content (HR's checklist) that the web chat shows folded under its first paragraph;
    # set by the action, or for any message long enough to push the rest off a phone's screen.
    foldable: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def folded(self) -> bool:
        return self.foldable or is_long(self.text)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str | None:
        """What a folded message shows until it is opened: its first paragraph, as text."""
        return fold_summary(self.text) if self.folded else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def html(self) -> str:
        """``text`` as sanitised HTML for the web widget; derived, never taken from input."""
        return message_html(self.text, self.source, self.folded)

    def with_source_link(self, region: Region | None) -> "BotMessage":
        """The message with its source's address and section from the region's file."""
        found = region.source_link(self.source, self.faq_id) if region and self.source else None
        if found is None:
            return self
        return self.model_copy(update={"source_url": found.url, "source_section": found.section})


class ChatService:
    def __init__(
        self,
        rasa: RasaClient,
        seal: IdentitySeal,
        answerer: Callable[[], FaqAnswerer | None],
        inbox: Inbox | None = None,
        record_turn: Callable[[str, str, list[BotMessage]], None] | None = None,
        rest_points: RestPoints | None = None,
        region: Region | None = None,
    ) -> None:
        """``record_turn(user_id, text, replies)`` counts served answers and queues unsure ones
        for HR (``bot/hr/recording.py``); ``rest_points`` says when a long conversation may get
        a new Rasa session (``bot/rasa_sessions.py``); ``region`` gives the sources' addresses."""
        self._rasa = rasa
        self._seal = seal
        self._answerer = answerer
        self._inbox = inbox
        self._record_turn = record_turn
        self._rest_points = rest_points
        self._region = region
        self._store_paused_until = 0.0

    async def handle(self, user: User, conversation_id: str, text: str) -> list[BotMessage]:
        """The assistant's reply to ``text``; identity numbers, e-mail addresses and phone
        numbers are masked before anything else sees the text, and the user is told so."""
        masked = mask_personal_data(text)
        notice = [BotMessage(text=masking_notice(text, masked.kinds))] if masked.found else []
        replies = await self._reply(user, conversation_id, masked.text)
        return notice + [reply.with_source_link(self._region) for reply in replies]

    async def answer_only(self, user: User, text: str) -> list[BotMessage]:
        """An FAQ answer and nothing personal, for a chat that others read (a Teams group
        chat): no process is started, no waiting notice is shown. A "Menade du …?" button's
        payload answers the entry it names."""
        masked = mask_personal_data(text)
        notice = [BotMessage(text=masking_notice(text, masked.kinds))] if masked.found else []
        replies = await anyio.to_thread.run_sync(self._answer_from_index, masked.text)
        await self._after_reply(user, masked.text, replies)
        return notice + [reply.with_source_link(self._region) for reply in replies]

    def _answer_from_index(self, text: str) -> list[BotMessage]:
        answerer = self._answerer()
        if answerer is None:
            return [BotMessage(text=UNAVAILABLE_TEXT)]
        chosen = chosen_entry(text)
        if chosen is not None:
            return [from_reply(answerer.reply_with_entry(chosen, is_english(text)))]
        if text.startswith("/"):
            return []
        return [from_reply(answerer.reply_to(text))]

    async def _reply(self, user: User, conversation_id: str, text: str) -> list[BotMessage]:
        # Rasa sees neither the user id nor anything it could forge: see bot/identity_seal.py.
        sender = self._seal.sender_id(user.id, conversation_id)
        metadata = self._seal.metadata(user.id, sender)
        if self._rest_points is not None:
            self._rest_points.forget(sender)
        try:
            raw = await self._rasa.send(sender, text, metadata)
        except RasaUnavailable as error:
            log.warning("Rasa unavailable, answering from the FAQ index only: %s", error)
            degraded = await anyio.to_thread.run_sync(self._degraded_reply, text)
            await self._after_reply(user, text, degraded)
            return degraded
        english = language_of(text) == "en"
        if english:
            raw = in_english(raw)
        replies = to_bot_messages(raw) or [BotMessage(text=NOT_UNDERSTOOD_TEXT)]
        if self._rest_points is not None and self._rest_points.take(sender):
            # Before the reply goes out, so the user's next message comes after it.
            await self._start_new_session(sender, metadata)
        # Waiting notices come first: inside a form the reply ends with its question, which must
        # stay the last thing the user reads.
        notices = await self._after_reply(user, text, replies, with_notices=True)
        if english:
            notices = [n.model_copy(update={"text": translated(n.text)}) for n in notices]
        return notices + replies

    async def _start_new_session(self, sender: str, metadata: dict[str, Any]) -> None:
        """Best effort: without it the turn is only slower, so a busy or absent Rasa is fine."""
        try:
            await self._rasa.send(sender, SESSION_START, metadata)
        except (RasaUnavailable, RasaBusy) as error:
            log.info("No new Rasa session for a long conversation now: %s", error)

    async def _after_reply(
        self, user: User, text: str, replies: list[BotMessage], with_notices: bool = False
    ) -> list[BotMessage]:
        """Records the turn for HR and fetches the user's waiting notices, side by side. Both
        use the database, which may hang: in worker threads, and the user waits for neither
        longer than STORE_WAIT_SECONDS (the notices then come with a later turn). After a wait
        that ran out, neither is tried for STORE_PAUSE_SECONDS: that turn goes unrecorded."""
        if monotonic() < self._store_paused_until:
            return []
        inbox = self._inbox if with_notices else None
        # Claimed before they are shown, so a second turn at the same instant cannot show them
        # too; what the database hands over after the wait goes back for a later turn.
        handoff = Handoff()
        with anyio.move_on_after(STORE_WAIT_SECONDS) as waiting:
            async with anyio.create_task_group() as both:
                if self._record_turn is not None:
                    both.start_soon(self._in_thread, self._record_turn, user.id, text, replies)
                if inbox is not None:
                    both.start_soon(self._in_thread, inbox.claim, user.id, handoff)
        if waiting.cancelled_caught:
            self._store_paused_until = monotonic() + STORE_PAUSE_SECONDS
            log.warning(
                "The database did not answer within %.1f s; turns are not recorded for %.0f s",
                STORE_WAIT_SECONDS,
                STORE_PAUSE_SECONDS,
            )
        return [BotMessage(text=notice.text) for notice in handoff.close()]

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T | None:
        """``work`` in a worker thread; a failure is logged, never the user's problem."""
        try:
            return await anyio.to_thread.run_sync(
                partial(within, STORE_GIVE_UP_SECONDS, work, *args), abandon_on_cancel=True
            )
        except Exception as error:
            log.warning("Could not %s: %s", getattr(work, "__name__", "store"), error)
            return None

    def _degraded_reply(self, text: str) -> list[BotMessage]:
        replies = self._answer_from_index(text)
        if not replies or replies[0].text == UNAVAILABLE_TEXT:
            return [BotMessage(text=UNAVAILABLE_TEXT)]
        return [*replies, BotMessage(text=DEGRADED_NOTE)]


def within(seconds: float, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` with its database work given up after ``seconds``."""
    with answer_within(seconds):
        return work(*args)


def masking_notice(text: str, kinds: tuple[str, ...]) -> str:
    names = {
        "identity_number": ("ett personnummer", "a personal identity number"),
        "email": ("en e-postadress", "an e-mail address"),
        "phone": ("ett telefonnummer", "a phone number"),
    }
    found = [names[kind] for kind in dict.fromkeys(kinds)]
    swedish = " och ".join(sv for sv, _ in found)
    english = " and ".join(en for _, en in found)
    if is_english(text):
        return (
            f"I removed {english} from your message before it was processed or stored. "
            "Please do not write personal details in the chat; the assistant does not need them."
        )
    return (
        f"Jag tog bort {swedish} ur ditt meddelande innan det behandlades och sparades. "
        "Skriv inte personuppgifter i chatten; assistenten behöver dem inte."
    )


def chosen_entry(text: str) -> str | None:
    """The entry id of a "Menade du …?" button's payload (``/choose_faq{"faq_id":"x"}``)."""
    match = CHOSEN_ENTRY.fullmatch(text.strip())
    return match.group(1) if match else None


def to_bot_messages(raw: list[dict[str, Any]]) -> list[BotMessage]:
    """Rasa's messages as the API returns them: plain responses carry ``text`` and ``buttons``,
    the actions' replies come whole in ``custom``."""
    messages: list[BotMessage] = []
    for item in raw:
        custom = item.get("custom")
        content: dict[str, Any] = custom if isinstance(custom, dict) else item
        if not content.get("text"):
            continue
        raw_buttons = content.get("buttons") or []
        # A multi-select question marks its buttons: "many" may be picked together, "one" is an
        # answer on its own.
        several = any(b.get("select") == "many" for b in raw_buttons)
        buttons = [
            Button(
                title=b["title"],
                payload=b["payload"],
                exclusive=several and b.get("select") != "many",
            )
            for b in raw_buttons
        ]
        messages.append(
            BotMessage(
                text=content["text"],
                buttons=buttons,
                faq_id=content.get("faq_id"),
                source=content.get("source"),
                kind=content.get("kind"),
                link=content.get("link"),
                link_title=content.get("link_title"),
                multi_select=several,
                foldable=bool(content.get("foldable", False)),
            )
        )
    return messages


def from_reply(reply: Reply) -> BotMessage:
    return BotMessage(
        text=reply.text,
        buttons=[Button(title=b.title, payload=b.payload) for b in reply.buttons],
        faq_id=reply.entry.id if reply.entry else None,
        source=reply.entry.source if reply.entry else None,
        kind=reply.kind,
    )
