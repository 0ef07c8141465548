"""Markdown in chat messages becomes HTML the widget can insert without running anything."""

import pytest

from bot.chat import BotMessage
from bot.regions import Contact
from bot.rendering import message_html, render_markdown, sanitise


def test_lists_bold_and_links_survive() -> None:
    html = render_markdown(
        "Arbetsgivaren står **inte** för *kostnader*:\n\n- el\n- internet\n\n"
        "1. först\n2. sedan\n\nLäs [policyn](https://intranat.region.se/policy) "
        "eller mejla <mailto:hr@region.se>."
    )
    assert "<strong>inte</strong>" in html
    assert "<em>kostnader</em>" in html
    assert "<ul>\n<li>el</li>\n<li>internet</li>\n</ul>" in html
    assert "<ol>\n<li>först</li>" in html
    assert (
        '<a href="https://intranat.region.se/policy" rel="noopener noreferrer">policyn</a>' in html
    )
    assert '<a href="mailto:hr@region.se" rel="noopener noreferrer">' in html


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>window.owned = 1</script>",
        'Hej <img src="x" onerror="window.owned = 1">',
        '<a href="https://region.se" onclick="window.owned = 1">länk</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<!-- kommentar --><style>body{display:none}</style>",
    ],
)
def test_raw_html_in_the_text_is_shown_as_text_not_markup(markdown: str) -> None:
    html = render_markdown(markdown)
    for tag in ("<script", "<img", "<iframe", "<style", "<a ", "<!--"):
        assert tag not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "[klicka](javascript:window.owned=1)",
        "[klicka](JaVaScRiPt:window.owned=1)",
        "[klicka](data:text/html,<script>1</script>)",
        "[klicka](vbscript:msgbox)",
        "[klicka](/api/internal)",
    ],
)
def test_links_to_other_than_http_and_mailto_lose_their_target(markdown: str) -> None:
    assert "href" not in render_markdown(markdown)


def test_images_are_not_loaded_but_their_alt_text_is_kept() -> None:
    html = render_markdown("![Skiss över <b>arbetsplatsen</b>](https://cdn.example/x.png)")
    assert html == "<p>Skiss över &lt;b&gt;arbetsplatsen&lt;/b&gt;</p>"


def test_headings_are_kept_below_the_chats_own() -> None:
    assert render_markdown("# Stor\n\n### Liten") == "<h3>Stor</h3>\n<h4>Liten</h4>"


def test_the_allow_list_also_holds_for_html_that_did_not_come_from_markdown() -> None:
    html = sanitise(
        '<p onclick="x()" style="color:red" class="c">a<script>alert(1)</script>'
        '<img src=x onerror=y><a href="javascript:alert(1)">l</a><b>b</b></p>'
    )
    assert html == '<p>a<a rel="noopener noreferrer">l</a>b</p>'


def test_an_answers_source_line_is_left_to_the_widget() -> None:
    text = "Ja, om chefen godkänner.\n\nKälla: Frågor och svar – distansarbete"
    assert message_html(text, "Frågor och svar – distansarbete") == (
        "<p>Ja, om chefen godkänner.</p>"
    )
    assert "Källa" in message_html(text, None)


def test_every_bot_message_carries_its_html_and_it_cannot_be_supplied() -> None:
    message = BotMessage.model_validate({"text": "**Ja**", "html": "<script>x</script>"})
    assert message.model_dump()["html"] == "<p><strong>Ja</strong></p>"


@pytest.mark.parametrize(
    ("text", "link"),
    [
        (
            "Anmäl till sakerhetsenheten@regionvastmanland.se.",
            '<a href="mailto:sakerhetsenheten@regionvastmanland.se" rel="noopener noreferrer">'
            "sakerhetsenheten@regionvastmanland.se</a>.",
        ),
        (
            "Läs mer på https://intranat.region.se/distans?del=2.",
            '<a href="https://intranat.region.se/distans?del=2" rel="noopener noreferrer">'
            "https://intranat.region.se/distans?del=2</a>.",
        ),
        (
            "(se https://region.se/a)",
            '(se <a href="https://region.se/a" rel="noopener noreferrer">https://region.se/a</a>)',
        ),
    ],
)
def test_plain_addresses_become_links_without_the_sentences_punctuation(
    text: str, link: str
) -> None:
    assert link in render_markdown(text)


@pytest.mark.parametrize(
    "text",
    [
        "`https://region.se/kod`",
        "javascript:alert(1) och ftp://region.se",
        '<a href="https://region.se">text</a>',
        "[redan en länk](https://region.se) https",
    ],
)
def test_addresses_in_code_markup_or_other_schemes_are_not_linked_again(text: str) -> None:
    html = render_markdown(text)
    assert html.count("<a ") == text.count("](")


def test_a_long_message_is_folded_under_its_first_paragraph() -> None:
    points = "\n".join(f"- Punkt {n} om arbetsmiljön och hur den följs upp." for n in range(25))
    checklist = f"Inför samtalet, gå **gärna** igenom checklistan:\n\n# Checklista\n\n{points}"
    message = BotMessage(text=checklist)
    assert message.folded
    assert message.summary == "Inför samtalet, gå gärna igenom checklistan:"
    assert message.html.startswith("<h3>Checklista</h3>")
    short = BotMessage(text="Ja.\n\nKälla: Riktlinjen", source="Riktlinjen")
    assert not short.folded and short.summary is None
    marked = BotMessage(text="Kort.\n\nMen vikt.", foldable=True)
    assert marked.summary == "Kort." and marked.html == "<p>Men vikt.</p>"


def test_a_contact_with_an_address_is_named_as_a_link() -> None:
    contact = Contact(
        name="Lönecenter",
        reach="ring 010-123 45 67",
        reach_en="call 010-123 45 67",
        words=["lön"],
        url="https://intranat.region.se/lon",
    )
    assert "[Lönecenter](https://intranat.region.se/lon)" in contact.advice(False)
    assert (
        '<a href="https://intranat.region.se/lon" rel="noopener noreferrer">Lönecenter</a>'
        in render_markdown(contact.advice(False))
    )
    with pytest.raises(ValueError, match="absolute"):
        Contact(name="x", reach="y", reach_en="z", words=["a"], url="javascript:alert(1)")
