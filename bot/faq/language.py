"""Just enough language identification to add the English answer for English questions."""

import re

WORD = re.compile(r"[a-zåäöé]+")
ENGLISH_MARKERS = frozenset(
    (
        "the i my me can do does is are what who how when where which should will would have has "
        "work working home from office summer house sick pay paid manager employer allowed"
    ).split()
)
SWEDISH_MARKERS = frozenset(
    (
        "jag du vi min mitt mina det en ett och att är kan får måste vad vem hur när var vilka "
        "vilken jobba arbeta hemma hemifrån om med på för som inte chef chefen"
    ).split()
)


def is_english(text: str) -> bool:
    words = WORD.findall(text.lower())
    if any(ch in text.lower() for ch in "åäö"):
        return False
    english = sum(w in ENGLISH_MARKERS for w in words)
    swedish = sum(w in SWEDISH_MARKERS for w in words)
    return english > swedish
