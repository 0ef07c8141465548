"""A chat message's markdown as HTML that the web widget may insert as it is.

Two layers, so that a mistake in one is caught by the other: markdown-it renders CommonMark with
raw HTML switched off (any ``<tag>`` in the text comes out escaped), then nh3 keeps only an
explicit allow-list of tags and attributes, and links only to http(s) and mailto addresses.
Web addresses and e-mail addresses written as plain text become links too, through the same
allow-list.
"""

import html
import re
from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
SOURCE_PREFIX = "Källa: "
# A bare address in running text; a sentence's closing punctuation is not part of it, and an
# address in quotes (an attribute of markup shown as text) stays text.
BARE_ADDRESS = re.compile(
    r"(?<![=\"'])(?P<url>https?://[^\s<>()\[\]\"']*[^\s<>()\[\].,;:!?'\"])"
    r"|(?<![\w.+-])(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,})(?![\w@])"
)
# A markdown link to a path on the app ("[x](/api/...)").
RELATIVE_LINK = re.compile(r"\]\((/[^)\s]*)\)")
# A message this long is shown folded in the web chat, under its first paragraph.
FOLD_MIN_CHARS = 1000
FOLD_MIN_LINES = 12


def shift_headings(state: StateCore) -> None:
    """An answer sits inside the chat's own headings: ``#`` and ``##`` become h3, the rest h4."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3" if token.tag in ("h1", "h2") else "h4"


def link_bare_addresses(state: StateCore) -> None:
    """Plain-text web and e-mail addresses become links (outside links and code). The
    linkify-it package would do this with more cases; this covers what HR and the region's
    file write, without another dependency."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        inside_link = 0
        for token in block.children:
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            if token.type != "text" or inside_link or not BARE_ADDRESS.search(token.content):
                children.append(token)
                continue
            children.extend(split_addresses(token.content, token.level))
        block.children = children


def split_addresses(text: str, level: int) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for match in BARE_ADDRESS.finditer(text):
        if match.start() > position:
            tokens.append(text_token(text[position : match.start()], level))
        shown = match.group(0)
        href = shown if match.group("url") else f"mailto:{shown}"
        opening = Token("link_open", "a", 1, level=level)
        opening.attrs = {"href": href}
        tokens += [opening, text_token(shown, level + 1), Token("link_close", "a", -1, level=level)]
        position = match.end()
    if position < len(text):
        tokens.append(text_token(text[position:], level))
    return tokens


def text_token(content: str, level: int) -> Token:
    token = Token("text", "", 0, level=level)
    token.content = content
    return token


def image_as_text(
    renderer: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """The widget shows no images (nothing is loaded from elsewhere); their alt text remains."""
    return escapeHtml(tokens[idx].content)


_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True})
_markdown.core.ruler.push("shift_headings", shift_headings)
_markdown.core.ruler.push("link_bare_addresses", link_bare_addresses)
_markdown.add_render_rule("image", image_as_text)
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    url_relative="deny",
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitise(html: str) -> str:
    """``html`` with everything outside the allow-list removed."""
    return _cleaner.clean(html).strip()


def render_markdown(text: str) -> str:
    """Sanitised HTML for ``text``; safe to assign to ``innerHTML``."""
    return sanitise(_markdown.render(text))


def without_source_line(text: str, source: str | None) -> str:
    """An FAQ answer's text without its closing "Källa: …" paragraph, which the channels show
    in their own way (a link in the web chat and in Teams)."""
    if source:
        closing = f"\n\n{SOURCE_PREFIX}{source}"
        if text.endswith(closing):
            return text[: -len(closing)]
    return text


def message_html(text: str, source: str | None = None, folded: bool = False) -> str:
    """The message as HTML; an FAQ answer's closing "Källa: …" paragraph is left out, since the
    widget shows ``source`` on its own line under the answer. A ``folded`` message leaves out
    its first paragraph, which the widget shows as the fold's summary (``fold_summary``)."""
    text = without_source_line(text, source)
    if folded:
        text = text.partition("\n\n")[2]
    return render_markdown(text)


def is_long(text: str) -> bool:
    """Long enough to hide the rest of the conversation at 320 px: HR's checklist, not an
    FAQ answer."""
    return len(text) >= FOLD_MIN_CHARS and text.count("\n") + 1 >= FOLD_MIN_LINES


def fold_summary(text: str) -> str:
    """The first paragraph as plain text: what a folded message shows until it is opened."""
    first = text.strip().partition("\n\n")[0]
    plain = nh3.clean(_markdown.render(first), tags=set())
    return " ".join(html.unescape(plain).split())


def absolute_links(text: str, base_url: str) -> str:
    """Markdown links to a path on the app made absolute on ``base_url``, its public address:
    Teams and e-mail open only absolute links."""
    return RELATIVE_LINK.sub(lambda match: f"]({base_url}{match.group(1)})", text)
