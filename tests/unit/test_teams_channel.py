"""The Teams channel's pieces that need no server: what the user said, how replies look, the
signing-key cache and the Teams settings."""

import time
from typing import Any

import httpx
import pytest
from microsoft_agents.activity import Activity

from actions.agreement.fields import pick_button
from bot.channels.teams import TeamsChannel, incoming_text
from bot.channels.teams_auth import KEYS_MIN_REFRESH_SECONDS, KeysUnavailable, OpenIdKeys
from bot.channels.teams_cards import BUTTONS_PER_ROW, PICKED_KEY, to_activity
from bot.chat import BotMessage, Button, to_bot_messages
from bot.settings import Settings

BOT = {"id": "28:bot-app-id", "name": "Distansguiden"}


def message(text: str, entities: list[dict[str, Any]] | None = None, **fields: Any) -> Activity:
    return Activity.model_validate(
        {
            "type": "message",
            "text": text,
            "recipient": BOT,
            "from": {"id": "29:user"},
            "conversation": {"id": "a:chat"},
            "entities": entities or [],
            **fields,
        }
    )


def mention(who: dict[str, str]) -> dict[str, Any]:
    return {"type": "mention", "mentioned": who, "text": f"<at>{who['name']}</at>"}


def test_the_bots_mention_is_removed_and_someone_elses_stays_as_a_name() -> None:
    maria = {"id": "29:maria", "name": "Maria Berg"}
    activity = message(
        "<at>Distansguiden</at> vem beslutar, <at>Maria Berg</at>? Kostnad &amp; ersättning",
        [mention(BOT), mention(maria)],
    )
    assert incoming_text(activity) == "vem beslutar, Maria Berg? Kostnad & ersättning"


def test_the_bots_name_in_at_tags_is_removed_even_without_the_entity() -> None:
    assert incoming_text(message("<at>Distansguiden</at>\n hej")) == "hej"


def test_a_pressed_buttons_payload_wins_over_the_text() -> None:
    payload = '/choose_faq{"faq_id":"fritidsbostad"}'
    activity = message("Får jag jobba från sommarstugan?", value={"payload": payload})
    assert incoming_text(activity) == payload


def test_many_buttons_are_split_into_rows_teams_can_show() -> None:
    buttons = [Button(title=f"Val {i}", payload=f'/inform{{"n":{i}}}') for i in range(7)]
    activity = to_activity(BotMessage(text="Vilken utrustning?", buttons=buttons))
    assert activity.text == "Vilken utrustning?"
    (card,) = activity.attachments
    rows = card.content["body"]
    assert [len(row["actions"]) for row in rows] == [BUTTONS_PER_ROW, 7 - BUTTONS_PER_ROW]
    actions = [action for row in rows for action in row["actions"]]
    assert [a["data"]["payload"] for a in actions] == [b.payload for b in buttons]
    assert [a["data"]["msteams"]["displayText"] for a in actions] == [b.title for b in buttons]


def test_a_reply_without_buttons_is_plain_markdown_with_its_source() -> None:
    activity = to_activity(BotMessage(text="Ja, **om** chefen godkänner.", source="Riktlinjen"))
    assert activity.text == "Ja, **om** chefen godkänner.\n\n*Källa: Riktlinjen*"
    assert activity.text_format == "markdown"
    assert not activity.attachments


def test_an_faq_answer_names_its_source_once_as_a_link_to_the_section() -> None:
    answer = BotMessage(
        text="Ja, om chefen godkänner.\n\nKälla: Riktlinjen",
        source="Riktlinjen",
        source_url="https://intranat.region.example/riktlinjen#plats",
        source_section="Var får man arbeta?",
    )
    assert to_activity(answer).text == (
        "Ja, om chefen godkänner.\n\n*Källa: [Riktlinjen]"
        "(https://intranat.region.example/riktlinjen#plats), avsnitt Var får man arbeta?*"
    )


def test_a_link_already_in_the_text_is_not_offered_twice() -> None:
    base = "https://distansguiden.region.example"
    booked = BotMessage(
        text=f"Mötet är bokat. [Kalenderinbjudan (.ics)]({base}/api/risk-assessments/7.ics)",
        link="/api/risk-assessments/7.ics",
    )
    assert to_activity(booked, base).text.count("/api/risk-assessments/7.ics") == 1
    unnamed = BotMessage(text="Mötet är bokat.", link="/api/risk-assessments/7.ics")
    assert to_activity(unnamed, base).text.endswith(
        f"[Ladda ner 7.ics]({base}/api/risk-assessments/7.ics)"
    )


def test_the_equipment_question_is_one_card_to_tick_several_and_send() -> None:
    items = ["Bärbar dator", "Bildskärm"]
    (question,) = to_bot_messages(
        [
            {
                "text": "Vilken utrustning lånar du hem?",
                "buttons": [pick_button(item) for item in items]
                + [{"title": "Ingen", "payload": "ingen", "select": "one"}],
            }
        ]
    )
    assert question.multi_select
    (card,) = to_activity(question).attachments
    choices, send, alone = card.content["body"]
    assert choices["type"] == "Input.ChoiceSet" and choices["isMultiSelect"]
    assert choices["id"] == PICKED_KEY
    assert [c["value"] for c in choices["choices"]] == items
    assert send["actions"][0]["title"] == "Skicka valda"
    assert [a["title"] for a in alone["actions"]] == ["Ingen"]
    assert [a["data"]["payload"] for a in alone["actions"]] == ["ingen"]
    # Teams returns the ticked values comma-separated in the submit's value.
    ticked = message("", value={PICKED_KEY: "Bärbar dator,Bildskärm", "msteams": {}})
    assert incoming_text(ticked) == "Bärbar dator, Bildskärm"


def test_teams_in_production_needs_the_public_address_for_its_links() -> None:
    production = settings(
        **TEAMS,
        mode="production",
        oidc_issuer="https://login.region.example",
        oidc_audience="distansguiden",
        oidc_jwks_url="https://login.region.example/keys",
    )
    with pytest.raises(ValueError, match="DG_PUBLIC_URL"):
        TeamsChannel(production, None, None, None)  # type: ignore[arg-type]


class KeyServer:
    def __init__(self) -> None:
        self.kids = ["first"]
        self.fetches = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openidconfiguration"):
            return httpx.Response(200, json={"jwks_uri": "https://keys.test/keys"})
        self.fetches += 1
        return httpx.Response(200, json={"keys": [{"kid": k, "kty": "RSA"} for k in self.kids]})


async def test_an_unknown_key_id_refetches_the_keys_at_most_every_five_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = KeyServer()
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    async with httpx.AsyncClient(transport=httpx.MockTransport(server.handle)) as http:
        keys = OpenIdKeys("https://keys.test/.well-known/openidconfiguration", http)
        assert (await keys.find("first"))["kid"] == "first"
        server.kids = ["first", "rotated"]
        assert await keys.find("forged") is None
        assert await keys.find("rotated") is None
        assert server.fetches == 1
        clock[0] += KEYS_MIN_REFRESH_SECONDS + 1
        assert (await keys.find("rotated"))["kid"] == "rotated"
        assert server.fetches == 2


async def test_unreachable_keys_are_reported_not_taken_as_no_keys() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as http:
        keys = OpenIdKeys("https://keys.test/.well-known/openidconfiguration", http)
        with pytest.raises(KeysUnavailable):
            await keys.find("first")


TEAMS = {
    "teams_app_id": "5c7e3f0a-1b2c-4d3e-8f90-a1b2c3d4e5f6",
    "teams_tenant_id": "9d2f4a61-7b3c-4e5d-a6f7-0123456789ab",
    "teams_app_secret": "a-real-secret",
}


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, action_token="token", **values)  # type: ignore[call-arg]


def test_teams_is_off_until_an_app_id_is_set() -> None:
    assert not settings().teams_configured
    assert settings(**TEAMS).teams_configured


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"teams_tenant_id": None}, "DG_TEAMS_TENANT_ID"),
        ({"teams_tenant_id": "common"}, "single-tenant"),
        ({"teams_app_secret": None}, "DG_TEAMS_APP_SECRET or DG_TEAMS_CERTIFICATE_PFX_FILE"),
        ({"mode": "production", "teams_app_secret": "change-me"}, "real secret"),
    ],
)
def test_an_incomplete_teams_registration_is_refused_at_start(
    change: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        settings(**(TEAMS | change))


def test_a_certificate_replaces_the_secret() -> None:
    values = TEAMS | {"teams_app_secret": None, "teams_certificate_pfx_file": "/etc/dg/teams.pfx"}
    assert settings(**values).teams_configured
