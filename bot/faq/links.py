"""Links in an entry file: web and e-mail addresses checked for form (never fetched), files
and heading anchors in ``faq/`` checked to exist. ``faq:<id>`` links are resolved across files
(``bot/faq/conflicts.py``)."""

import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from bot.faq.entry_file import CheckedFile, Link
from bot.faq.findings import error

_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*)>")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d+)?$")


def check_links(checked: CheckedFile) -> None:
    """Collect the file's links and heading anchors, and report the local links that cannot
    work."""
    if checked.end is None:
        return
    _collect_links(checked, checked.text_lines, checked.end)
    for link in checked.links:
        problem = _local_link_problem(link.target, checked.path, checked.anchors)
        if problem is not None:
            checked.messages.append(error(checked.path, link.line, "broken-link", *problem))


def _collect_links(checked: CheckedFile, lines: list[str], end: int) -> None:
    """Links in the whole file (answer and ``answer_en``) and the answer's heading anchors."""
    for number, line in enumerate(lines, start=1):
        if number == 1 or number == end + 1:
            continue
        targets = [m.group(1) for m in _INLINE_LINK.finditer(line)]
        targets += [m.group(1) for m in _AUTOLINK.finditer(line)]
        definition = _REFERENCE_DEFINITION.match(line) if number > end + 1 else None
        if definition:
            targets.append(definition.group(1))
        checked.links += [Link(number, target) for target in targets]
        heading = _HEADING.match(line) if number > end + 1 else None
        if heading:
            checked.anchors.add(heading_anchor(heading.group(1)))


def _local_link_problem(target: str, path: Path, anchors: set[str]) -> tuple[str, str] | None:
    """Swedish and English text when ``target`` cannot work; None when it resolves (``faq:``
    links are resolved across files). Web addresses are checked for form only, never fetched."""
    if not target:
        return (
            "Länken saknar adress. Skriv adressen inom parentesen: [text](https://...).",
            "The link has no address. Write it inside the brackets: [text](https://...).",
        )
    lower = target.lower()
    if lower.startswith(("http://", "https://")):
        parts = urlsplit(target)
        host = parts.netloc.rsplit("@", 1)[-1]
        if _HOST.fullmatch(host) and "." in host.split(":")[0] and " " not in target:
            return None
        return (
            f"Webbadressen '{target}' är inte giltig. Kopiera hela adressen från webbläsaren, "
            "till exempel https://www.regionvastmanland.se/...",
            f"The web address '{target}' is not valid. Copy the whole address from the "
            "browser, for example https://www.regionvastmanland.se/...",
        )
    if lower.startswith("mailto:"):
        if re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+", target, re.IGNORECASE):
            return None
        return (
            f"E-postlänken '{target}' är inte giltig. Skriv den som mailto:namn@region.se.",
            f"The e-mail link '{target}' is not valid. Write it as mailto:name@region.se.",
        )
    if lower.startswith("faq:"):
        return None
    if _SCHEME.match(target):
        return (
            f"Länktypen i '{target}' stöds inte. Använd https://, mailto:, faq:<id> eller en "
            "fil i faq/.",
            f"The kind of link '{target}' is not supported. Use https://, mailto:, faq:<id> "
            "or a file in faq/.",
        )
    file_part, _, anchor = target.partition("#")
    if not file_part:
        if anchor in anchors:
            return None
        return (
            f"Rubriken '#{anchor}' finns inte i svaret. Rätta länken efter rubrikens text "
            "(små bokstäver, mellanslag som '-').",
            f"There is no heading '#{anchor}' in the answer. Fix the link to match the "
            "heading's text (lower case, spaces as '-').",
        )
    linked = (path.parent / file_part).resolve()
    if linked.parent != path.parent.resolve() or not linked.is_file():
        return (
            f"Filen '{file_part}' finns inte i faq-mappen. Rätta filnamnet eller ta bort länken.",
            f"The file '{file_part}' does not exist in the faq folder. Fix the file name or "
            "remove the link.",
        )
    if anchor and linked.suffix == ".md":
        headings = {
            heading_anchor(m.group(1))
            for line in linked.read_text(encoding="utf-8", errors="replace").splitlines()
            if (m := _HEADING.match(line))
        }
        if anchor not in headings:
            return (
                f"Rubriken '#{anchor}' finns inte i {file_part}. Rätta länken efter "
                "rubrikens text (små bokstäver, mellanslag som '-').",
                f"There is no heading '#{anchor}' in {file_part}. Fix the link to match the "
                "heading's text (lower case, spaces as '-').",
            )
    return None


def heading_anchor(heading: str) -> str:
    """The anchor a markdown heading gets: lower case, punctuation dropped, spaces as '-'."""
    kept = "".join(
        c for c in heading.strip().lower() if c in "-_ " or unicodedata.category(c)[0] in "LN"
    )
    return kept.replace(" ", "-")
