"""Replies as Teams shows them: markdown with absolute links, the source as a link, and buttons
as Adaptive Cards (one card of choices where several answers may be ticked together)."""

from typing import Any

from microsoft_agents.activity import Activity, Attachment

from bot.chat import BotMessage, Button
from bot.rendering import absolute_links, without_source_line

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# Where a button's Rasa payload travels in the card's Action.Submit data.
PAYLOAD_KEY = "payload"
# The ticked choices of a multi-select question, as Teams returns an Input.ChoiceSet's value.
PICKED_KEY = "picked"
# Teams shows at most six actions per action set.
BUTTONS_PER_ROW = 5


def markdown(text: str) -> Activity:
    return Activity(type="message", text=text, text_format="markdown")


def to_activity(message: BotMessage, base_url: str = "") -> Activity:
    """The message as Teams shows it: markdown with absolute links (``base_url`` is the app's
    public address), the source as a link when its address is known, an attachment as a link,
    and the buttons as a card."""
    text = absolute_links(without_source_line(message.text, message.source), base_url)
    if message.source:
        text += f"\n\n*Källa: {source_markdown(message)}*"
    if message.link and message.link.startswith("/"):
        address = f"{base_url}{message.link}"
        if address not in text:
            name = message.link_title or message.link.rsplit("/", 1)[-1]
            text += f"\n\n[Ladda ner {name}]({address})"
    activity = markdown(text)
    if message.buttons:
        card = choice_card(message.buttons) if message.multi_select else None
        activity.attachments = [
            Attachment(content_type=ADAPTIVE_CARD, content=card or button_card(message.buttons))
        ]
    return activity


def source_markdown(message: BotMessage) -> str:
    title = message.source or ""
    if message.source_url:
        title = f"[{title}]({message.source_url})"
    if message.source_section:
        title += f", avsnitt {message.source_section}"
    return title


def choice_card(buttons: list[Button]) -> dict[str, Any]:
    """A multi-select question as one card: the items to tick in an Input.ChoiceSet and a send
    button that returns them together (``PICKED_KEY``), then the answers given on their own
    ("Ingen", "Klart") as buttons."""
    items = [b for b in buttons if not b.exclusive]
    alone = [b for b in buttons if b.exclusive]
    send = {
        "type": "Action.Submit",
        "title": "Skicka valda",
        "data": {"msteams": {"type": "messageBack", "displayText": "Skicka valda"}},
    }
    card = button_card(alone) if alone else {"body": []}
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": [
            {
                "type": "Input.ChoiceSet",
                "id": PICKED_KEY,
                "isMultiSelect": True,
                "style": "expanded",
                "label": "Välj en eller flera",
                "choices": [{"title": b.title, "value": b.title} for b in items],
            },
            {"type": "ActionSet", "actions": [send]},
            *card["body"],
        ],
    }


def button_card(buttons: list[Button]) -> dict[str, Any]:
    """The buttons as an Adaptive Card of Action.Submit, not as suggested actions: Teams shows
    suggested actions only in personal chat, only as imBack (which posts the raw payload such
    as ``/choose_faq{"faq_id":"x"}`` as the user's message) and hides them after the next
    message. A card works in personal chat and in a team channel; ``messageBack`` shows the
    button's title as the user's message and returns the payload in ``value``."""
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": [
            {
                "type": "ActionSet",
                "actions": [
                    {
                        "type": "Action.Submit",
                        "title": button.title,
                        "data": {
                            "msteams": {
                                "type": "messageBack",
                                "displayText": button.title,
                                "text": button.payload,
                            },
                            PAYLOAD_KEY: button.payload,
                        },
                    }
                    for button in row
                ],
            }
            for row in rows
        ],
    }
