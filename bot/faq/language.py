"""Just enough language identification to add the English answer for English questions."""

import re

WORD = re.compile(r"[a-zåäöé]+")
ENGLISH_MARKERS = frozenset(
    (
        "the i my me can do does is are what who how when where which should will would have has "
        "work working home from office summer house sick pay paid manager employer allowed "
        "thanks thank please hello hi bye goodbye"
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


# Words of both languages: Swedish "i" is "in" ("i stugan", "byter klient i februari").
SHARED_WORDS = frozenset({"i"})


def language_of(text: str) -> str | None:
    """ "en" or "sv" when ``text`` says which language its writer uses; None for a message
    without words of either ("40", "2027-03-01", "ok", "i stugan", a name)."""
    words = [w for w in WORD.findall(text.lower()) if w not in SHARED_WORDS]
    if any(ch in text.lower() for ch in "åäö"):
        english = 0
    else:
        english = sum(w in ENGLISH_MARKERS for w in words)
    swedish = sum(w in SWEDISH_MARKERS for w in words)
    if english > swedish or words[:1] == ["yes"]:
        return "en"
    return "sv" if swedish > english else None


def is_english_reply(text: str) -> bool:
    """``text`` in English, a bare "yes, book it" at a summary included (it has no markers)."""
    return is_english(text) or WORD.findall(text.lower())[:1] == ["yes"]


# "Hej!", "Hej hej,", "Hallå där.", "Hi,", "Hello!" at the start of a message.
GREETING = re.compile(
    r"^\s*(?:(?:hej|hejsan|hallå|tjena|tjenare|tja|god\s+(?:morgon|dag|eftermiddag)|hi|hello|hey"
    r"|good\s+(?:morning|afternoon))\b(?:\s+där|\s+there)?[\s,!.:;-]*)+",
    re.IGNORECASE,
)
# "Jag är nyanställd controller på ekonomistaben och ...", "I'm a physician at ... and ...":
# who the asker is, up to the first "och"/"and", comma or sentence end.
INTRODUCTION = re.compile(
    r"^(?:jag\s+(?:är|jobbar\s+som|arbetar\s+som|jobbar\s+på|arbetar\s+på)"
    r"|i(?:'m|\s+am)\s+(?:a|an|the)|i\s+work\s+(?:as|at|in))\b[^.!?]*?(?:\s(?:och|and)\s|,|[.!?])\s*",
    re.IGNORECASE,
)
MIN_QUESTION_CHARS = 12
# A sentence ends at ".", "!" or "?" followed by white space.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def question_part(text: str) -> str:
    """``text`` without a greeting and a self-introduction before the question, so a long
    message ("Hej! Jag är undersköterska och undrar om ...") is matched on what it asks."""
    rest = GREETING.sub("", text).strip()
    shorter = INTRODUCTION.sub("", rest, count=1).strip()
    if len(shorter) >= MIN_QUESTION_CHARS:
        rest = shorter
    return rest if len(rest) >= MIN_QUESTION_CHARS else text.strip()


def asked_sentences(text: str) -> str | None:
    """The sentences that end with "?" in a message of several sentences, or None.

    In "Står arbetsgivaren för elen? Jag frågar för att elräkningen har fördubblats …" the
    context dilutes what is asked; the index also searches the question alone.
    """
    sentences = [s for s in SENTENCE_END.split(text.strip()) if s]
    asked = [s for s in sentences if s.endswith("?")]
    if len(sentences) < 2 or not asked:
        return None
    joined = " ".join(asked)
    return joined if len(joined) >= MIN_QUESTION_CHARS else None


# Where a question begins after its context in the same sentence: "… men undrar om något helt
# annat: kan jag …", "Jag sitter hemma idag – vet någon …".
QUESTION_AFTER = re.compile(r"\s[–—-]\s|:\s")


def asked_part(text: str) -> str | None:
    """What a message asks when context comes before it: the last sentence that ends with "?"
    in a message of several sentences, or the question after a dash or a colon; None when the
    message is its question."""
    sentences = [s for s in SENTENCE_END.split(text.strip()) if s]
    asked = [s for s in sentences if s.endswith("?")]
    part = asked[-1] if len(sentences) > 1 and asked else text.strip()
    after = QUESTION_AFTER.split(part)[-1].strip()
    if part.endswith("?") and len(after) >= MIN_QUESTION_CHARS:
        part = after
    return part if part != text.strip() and len(part) >= MIN_QUESTION_CHARS else None
