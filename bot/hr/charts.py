"""Bar charts for HR's page, drawn here as SVG text.

Server-rendered so the page needs no chart library and the strict CSP stays: colours and sizes
are presentation attributes, never a ``style``. Each chart names itself (``<title>``) and says
what it shows in words (``<desc>``); the page shows it as an image with that text as its
alternative and the same rows as a table. Every label is XML-escaped: the entries' questions are
HR's text and the units come from the HR system.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Dark enough against white for graphics (WCAG 1.4.11, 3:1) and told apart by more than hue:
# every bar also has its figures written beside it.
PALETTE = ("#00527a", "#b35c00", "#8a1c1c", "#4a4a4a")
INK = "#1b1b1b"
MUTED = "#4a4a4a"
FONT = "system-ui, sans-serif"
FONT_SIZE = 12
# A generous width of a 12 px character (system fonts differ), so no label is cut off.
CHAR_WIDTH = 7.4
LABEL_CHARS = 48
BAR_WIDTH = 300
ROW_HEIGHT = 24
LEGEND_HEIGHT = 24


@dataclass(frozen=True)
class Bar:
    """One row: its label, one value per series (stacked left to right) and the figures as
    words, written after the bar."""

    label: str
    values: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    series: tuple[str, ...]
    bars: tuple[Bar, ...]
    svg: str


def bar_chart(
    title: str,
    series: Sequence[str],
    bars: Sequence[Bar],
    empty: str,
    colours: Sequence[str] = PALETTE,
) -> Chart:
    """A horizontal, stacked bar chart on one scale (the longest bar's total).

    ``empty``: what the description says when there is nothing to draw; ``colours``: one per
    series, when the series have colours of their own (thumbs up green, down red).
    """
    if any(len(bar.values) != len(series) for bar in bars):
        raise ValueError("every bar needs one value per series")
    if any(value < 0 for bar in bars for value in bar.values):
        raise ValueError("a bar cannot be negative")
    if len(colours) < len(series):
        raise ValueError("one colour per series")
    description = _describe(title, bars, empty)
    return Chart(
        title,
        description,
        tuple(series),
        tuple(bars),
        _svg(title, description, series, bars, colours),
    )


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut.rstrip(" ,;:–-") + "…"


def _describe(title: str, bars: Sequence[Bar], empty: str) -> str:
    if not bars:
        return f"{title}: {empty}"
    return f"{title}: " + "; ".join(f"{bar.label}: {bar.text}" for bar in bars) + "."


def _svg(
    title: str,
    description: str,
    series: Sequence[str],
    bars: Sequence[Bar],
    colours: Sequence[str],
) -> str:
    labels = [shorten(bar.label) for bar in bars]
    label_width = max([100.0, *(len(label) * CHAR_WIDTH + 12 for label in labels)])
    text_width = max([80.0, *(len(bar.text) * CHAR_WIDTH + 12 for bar in bars)])
    width = round(label_width + BAR_WIDTH + text_width)
    height = LEGEND_HEIGHT + max(len(bars), 1) * ROW_HEIGHT + 8
    scale = max([1, *(sum(bar.values) for bar in bars)])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    x = label_width
    if len(series) > 1:
        for i, name in enumerate(series):
            colour = colours[i]
            parts.append(f'<rect x="{x:.1f}" y="6" width="10" height="10" fill="{colour}"/>')
            parts.append(f'<text x="{x + 14:.1f}" y="15" fill="{MUTED}">{escape(name)}</text>')
            x += 24 + len(name) * CHAR_WIDTH
    for row, (bar, label) in enumerate(zip(bars, labels, strict=True)):
        y = LEGEND_HEIGHT + row * ROW_HEIGHT
        parts.append(
            f'<text x="{label_width - 8:.1f}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        start = label_width
        for i, value in enumerate(bar.values):
            if value <= 0:
                continue
            length = value * BAR_WIDTH / scale
            colour = colours[i]
            parts.append(
                f'<rect x="{start:.1f}" y="{y + 3}" width="{length:.1f}" height="16" '
                f'fill="{colour}"/>'
            )
            start += length
        parts.append(
            f'<text x="{start + 6:.1f}" y="{y + 15}" fill="{MUTED}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
