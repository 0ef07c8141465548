"""Text as people type it: many write Swedish without å, ä and ö on a foreign keyboard
("far man jobba hemifran", "barbar dator o skarm", "tisdag 9 da"). The readers of free text
compare words and patterns with both sides read so."""

import re

_PLAIN_LETTERS = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")


def without_diacritics(text: str) -> str:
    return text.translate(_PLAIN_LETTERS)


def plain_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled to match text passed through ``without_diacritics``."""
    return re.compile(without_diacritics(pattern), re.IGNORECASE)
