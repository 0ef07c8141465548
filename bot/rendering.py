"""A chat message's markdown as HTML that the web widget may insert as it is.

Two layers, so that a mistake in one is caught by the other: markdown-it renders CommonMark with
raw HTML switched off (any ``<tag>`` in the text comes out escaped), then nh3 keeps only an
explicit allow-list of tags and attributes, and links only to http(s) and mailto addresses.
"""

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


def shift_headings(state: StateCore) -> None:
    """An answer sits inside the chat's own headings: ``#`` and ``##`` become h3, the rest h4."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3" if token.tag in ("h1", "h2") else "h4"


def image_as_text(
    renderer: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """The widget shows no images (nothing is loaded from elsewhere); their alt text remains."""
    return escapeHtml(tokens[idx].content)


_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True})
_markdown.core.ruler.push("shift_headings", shift_headings)
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


def message_html(text: str, source: str | None = None) -> str:
    """The message as HTML; an FAQ answer's closing "Källa: …" paragraph is left out, since the
    widget shows ``source`` on its own line under the answer."""
    if source:
        closing = f"\n\n{SOURCE_PREFIX}{source}"
        if text.endswith(closing):
            text = text[: -len(closing)]
    return render_markdown(text)
