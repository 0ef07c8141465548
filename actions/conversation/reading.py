"""What a message inside a form is, before any of it becomes a slot value: a wish to stop, a
yes or a no, a hedge, chitchat, a question, or a correction of an earlier answer.

Rasa's intent is one signal; the words are the other. Yes and no are read with their negations
("jag har inte läst dem" is a no), hedges ("vet inte", "kanske", "inte än") are never a yes,
and a task description that contains "avbryta" is not a wish to stop.
"""

import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from rasa_sdk import Tracker

from bot.agreements.dates import MONTHS
from bot.spelling import without_diacritics

PAYLOAD_PREFIX = "/"
WORD = re.compile(r"[0-9a-zåäöéü]+(?:['’][a-z]+)?")

# Whole messages that only keep the conversation going.
CHITCHAT = {
    "tack", "tackar", "tack tack", "tack så mycket", "tusen tack", "stort tack", "tack snälla",
    "ok", "okej", "okey", "okay", "ok tack", "okej tack", "hej", "hej hej", "hejsan", "hallå",
    "tjena", "tja", "god morgon", "hmm", "hm", "mm", "mhm", "aha", "jaha", "jaså", "ah", "oj",
    "bra", "toppen", "perfekt", "super", "fint", "kul", "coolt", "najs", "vänta", "vänta lite",
    "ett ögonblick", "thanks", "thank you", "thx", "hi", "hello", "hey", "cool", "great", "nice",
    "wait", "hmm ok", "ok då", "okej då", "jaha ok", "cheers",
}  # fmt: skip
CHITCHAT_INTENTS = ("greet", "thanks", "goodbye")

NEGATIONS = {
    "inte", "ej", "icke", "aldrig", "nej", "nä", "näe", "nix", "nope", "no", "not", "never",
    "haven't", "havent", "don't", "dont", "didn't", "didnt", "isn't", "isnt", "ingen", "inget",
    "inga",
}  # fmt: skip
AFFIRMATIONS = {
    "ja", "japp", "jajamen", "jepp", "jo", "visst", "absolut", "självklart", "precis", "exakt",
    "stämmer", "korrekt", "yes", "yep", "yeah", "yup", "sure", "correct", "definitely",
}  # fmt: skip
# Words that say the thing asked about is done: "nu har jag läst dem", "I have read them".
DONE_WORDS = {"läst", "gjort", "klart", "klar", "read", "done"}
# Weak agreement: enough to go on with a confirmation, never enough to attest something.
WEAK_AFFIRMATIONS = {"ok", "okej", "okey", "okay", "kör", "gärna", "fine", "alright"}
HEDGES = re.compile(
    r"\b(vet inte|vet ej|vet faktiskt inte|ingen aning|osäker|inte säker|kanske|möjligen|"
    r"tror jag|tror det|typ|ungefär|någon gång|får se|don'?t know|not sure|maybe|perhaps|"
    r"no idea|i guess|not yet|inte än|inte ännu|(?:måste|ska|får) kolla|återkommer|"
    r"need to check|get back to you)\b"
)
# "…, vet inte vem som gör det än": unsure of one part only, after an answer.
HEDGED_PART = re.compile(
    r"[\s,;.]*(?:men\s+|but\s+)?(?:jag\s+|i\s+)?(?:vet inte|vet ej|är osäker på|don'?t know|"
    r"not sure)\s+(?:vem|när|vilket datum|who|when|which date)\b.*$"
    # "…, vem som gör det spelar ingen roll": who does it is left open.
    r"|[\s,;.]*(?:men\s+|but\s+)?(?:vem|när|who|when)\s+(?:som\s+)?\w+(?:\s+\w+){0,3}\s+"
    r"(?:spelar ingen roll|kvittar|är samma|doesn'?t matter|does not matter)\b.*$",
    re.IGNORECASE,
)
NOT_YET = re.compile(r"\b(inte än|inte ännu|not yet)\b")

# A wish to stop. "avbryta" alone is not one: "Vi behöver avbryta projektet" is a reason.
STOP_WORDS = re.compile(
    r"\b(avbryt|avbryter|(vill|ska|måste) avbryta|stoppa|stopp|sluta|glöm det|strunta i det|"
    r"skit i det|ångrar mig|cancel|stop|abort|forget it|never ?mind|quit|"
    # Putting it off: "jag väntar med beslutet", "vi tar det en annan dag".
    r"väntar med (beslutet|ansökan|bokningen|dokumentationen|uppföljningen|det)|"
    r"vänta med (beslutet|ansökan|bokningen|dokumentationen|uppföljningen|det)|"
    r"tar det (senare|en annan (gång|dag))|wait with the decision)\b"
)
# A stop word right after these describes something ("svårt att sluta i tid", "to stop"); it
# is not the user's wish to stop the form.
DESCRIBING = {"att", "to", "hon", "han", "hen", "de", "dom", "vi", "man", "chefen", "she", "he"}
# Nor is one in a clause about a situation: "who owns the laptop if I quit?", "vad händer om
# jag ångrar mig?".
CONDITIONAL = {"om", "ifall", "när", "innan", "if", "when", "whether", "before", "unless"}
LEADING_FILLERS = re.compile(r"^((nej|nä|no|ok|okej|men|då|så|ja|jo)\W+)+")
UNSURE_STOP = re.compile(
    r"(vet inte om jag vill (fortsätta|söka|ansöka|boka)|ångrar mig nog|kanske (ska )?avbryta|"
    r"tveksam|funderar på att avbryta|not sure i want to continue|maybe cancel)"
)
QUESTION_WORDS = {
    "vad", "vem", "vilka", "vilken", "vilket", "hur", "när", "varför", "varifrån", "får", "kan",
    "måste", "ska", "skall", "behöver", "finns", "gäller", "är", "har", "betalar", "står",
    "who", "what", "how", "when", "why", "can", "may", "must", "do", "does", "is", "are",
    "should", "will",
}  # fmt: skip
CORRECTION_CUES = re.compile(
    r"^(?:(?:hmm*|hm|äh|eh|um+|ah|oh)[,.!\s]+)?(nej|nä|oj|hoppsan|förlåt|sorry|vänta|rättelse|ändra|rätta|byt|fel|förresten|vanta|"
    r"forresten|forlat|"
    r"no|oops|wait|actually|change|correction)\b|\b(jag menar|jag menade|menade|ska vara|"
    r"skulle vara|ska det vara|blir det|det blir|skrev fel|ändra|byt|rätta|istället|i stället|"
    r"inte .+ utan|i meant|should be|instead|change|make it)\b"
)
# Taking back the change just made: "ångra", "ångra, 20 var rätt", "det var rätt från början",
# "undo", "change it back". Read without å/ä/ö. "jag ångrar mig" stays a wish to stop.
UNDO = re.compile(
    r"^(angra|undo)\b|\b(angra (det|den|andringen|andringarna)|ta tillbaka( det| andringen)?|"
    r"var (ratt|bra) (fran borjan|innan|forut|forst)|var ratt|som (forut|innan|det var)|"
    r"andra tillbaka|change it back|it was right|go back to)\b"
)
# More for a list answer ("lägg till headset", "headset också", "och en skärm", "add a mouse"),
# unless it also says the list is replaced ("bara headset", "byt till headset", "instead").
ADDING_CUES = re.compile(
    r"\b(lägg till|lägga till|lägger till|också|även|dessutom|till det|plus|add|also|too|"
    r"as well)\b|(?:^|[,:;]\s*)(?:och|and)\s"
)
REPLACING_CUES = re.compile(
    r"\b(bara|endast|enbart|byt|byta|ersätt|istället|i stället|only|instead|replace|"
    r"switch)\b"
)
CHANGE_ONLY = re.compile(
    r"^(jag vill |kan jag |kan du |can i |i want to |i'd like to )?(ändra|rätta|byta|change|"
    r"edit|correct)( något| någonting| en sak| ansökan| bokningen| something| it)?$"
)


class Answer(Enum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    NONE = "none"


@dataclass(frozen=True)
class Message:
    """The user's latest message as the form layer reads it."""

    text: str
    intent: str = ""
    confidence: float = 0.0
    entities: dict[str, Any] = field(default_factory=dict)
    intent_ranking: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> "Message":
        latest = tracker.latest_message or {}
        intent = latest.get("intent") or {}
        entities = {
            str(e.get("entity")): e.get("value")
            for e in latest.get("entities") or []
            if e.get("entity")
        }
        ranking = tuple(
            (str(i.get("name", "")), float(i.get("confidence") or 0.0))
            for i in latest.get("intent_ranking") or []
        )
        return cls(
            text=str(latest.get("text") or "").strip(),
            intent=str(intent.get("name") or ""),
            confidence=float(intent.get("confidence") or 0.0),
            entities=entities,
            intent_ranking=ranking,
        )

    @property
    def is_payload(self) -> bool:
        """A button's payload ("/affirm", '/change_agreement{"field": ...}')."""
        return self.text.startswith(PAYLOAD_PREFIX)

    @property
    def lowered(self) -> str:
        return normalised(self.text)

    @property
    def words(self) -> list[str]:
        return WORD.findall(self.text.lower())

    def intent_is(self, name: str, at_least: float = 0.7) -> bool:
        return self.intent == name and (self.is_payload or self.confidence >= at_least)


def normalised(text: str) -> str:
    """Lower case, single spaces, no punctuation at the ends: "Tack!" -> "tack"."""
    text = " ".join(text.lower().split())
    return text.strip(" .,!?;:()\"'`´-–—…👍🙂😊")


# Thanks and praise said more fully, alone or after another ("perfekt, tack så mycket").
MORE_CHITCHAT = {
    "tack så jättemycket", "tack för hjälpen", "tack snälla du", "bra jobbat", "thanks a lot",
    "thank you so much", "thanks so much", "many thanks", "perfect",
}  # fmt: skip
CHITCHAT_PARTS = re.compile(r"[,.!;]+\s*|\s+(?:och|and)\s+")
THANKS = re.compile(r"\b(tack|tackar|thanks|thank you|thx|cheers)\b")


def is_chitchat(message: Message) -> bool:
    """A greeting, a thank-you or an acknowledgement, and nothing else."""
    text = message.lowered
    if text in CHITCHAT or not WORD.search(text):
        return True
    parts = [normalised(p) for p in CHITCHAT_PARTS.split(text) if normalised(p)]
    if parts and all(p in CHITCHAT or p in MORE_CHITCHAT for p in parts):
        return True
    if THANKS_FOR.fullmatch(text):
        return True
    short = len(message.words) <= 3
    return short and message.intent in CHITCHAT_INTENTS and message.confidence >= 0.8


# "tack för påminnelsen", "thanks for the help": a thank-you for something, nothing more.
THANKS_FOR = re.compile(
    r"(?:(?:ok|okej|ja|bra)[,!]?\s+)?(?:tack|tackar|thanks|thank you)(?:\s+(?:så mycket|so much))?"
    r"\s+(?:för|for)\s+(?:\w+\s+){0,2}\w+[.!]*"
)


# Greetings and thanks that open a message before its answer ("ok tack. hemma"); not "bra",
# which may be the answer itself ("Bra, de har avstämning varje morgon").
OPENING_CHITCHAT = {
    "tack", "tackar", "tack tack", "tack så mycket", "tusen tack", "stort tack", "ok", "okej",
    "okey", "okay", "ok tack", "okej tack", "ok då", "okej då", "hej", "hej hej", "hejsan",
    "hallå", "tjena", "tja", "god morgon", "thanks", "thank you", "thx", "hi", "hello", "hey",
}  # fmt: skip
SENTENCE_OR_CLAUSE = re.compile(r"(?<=[.!,])\s+")


def is_thanks(message: Message) -> bool:
    """A thank-you among the chitchat ("perfekt, tack så mycket"), answered "Varsågod!"."""
    return message.intent == "thanks" or bool(THANKS.search(message.lowered))


def without_chitchat_opening(message: Message) -> Message:
    """The message without a greeting or thank-you written before the answer as a sentence or
    clause of its own ("ok tack. hemma" -> "hemma"); the message itself otherwise."""
    text = message.text.strip()
    while not message.is_payload:
        parts = SENTENCE_OR_CLAUSE.split(text, maxsplit=1)
        if len(parts) < 2 or normalised(parts[0]) not in OPENING_CHITCHAT:
            break
        text = parts[1].strip()
    if text == message.text.strip() or not WORD.search(text):
        return message
    # Rasa's intent was for the whole message (a thank-you); the rest is read on its words.
    return Message(text=text, entities=message.entities)


# Stepping away without stopping: "vänta, jag måste svara i telefon", "måste springa på ett
# möte, fortsätter sen", "brb". The form waits; nothing is read as an answer.
LEAVING = re.compile(
    r"\b(?:måste|ska|behöver)\s+(?:bara\s+)?(?:gå|springa|kila|svara|iväg|hämta|ta (?:ett|det "
    r"här|ett viktigt) samtal|ta samtalet|på (?:ett )?möte)\b|\b(?:have|need) to (?:go|run|"
    r"take (?:a|this) call)\b"
)
COMING_BACK = re.compile(
    r"\b(?:återkommer strax|kommer tillbaka|strax tillbaka|fortsätter sen|fortsätter senare|"
    r"fortsätter strax|brb|be right back|back in a (?:minute|sec)|one sec|hold on|"
    r"give me a (?:minute|sec))\b"
)
AWAY_OPENING = re.compile(r"^(vänta|wait|sorry|förlåt|ursäkta|oj|hoppsan|jag|i)\b")
AWAY_MAX_WORDS = 12


def steps_away(message: Message) -> bool:
    """The user has to leave for a moment and means to come back."""
    if message.is_payload or len(message.words) > AWAY_MAX_WORDS:
        return False
    text = message.lowered
    if COMING_BACK.search(text):
        return True
    leaving = LEAVING.search(text)
    return leaving is not None and (
        leaving.start() == 0 or bool(AWAY_OPENING.match(text[: leaving.start()]))
    )


# At the end of a short message: "var är vi försäkrade?" is a question about insurance.
WHERE_WERE_WE = re.compile(
    r"\b(?:var var vi|vart var vi|var är vi|var höll vi på|var slutade vi|vad höll vi på med|"
    r"vad var frågan|vad frågade du|vad var det du frågade|(?:fortsätta|fortsätter) där vi "
    r"(?:var|slutade)|where were we|where did we leave off|what was the question|"
    r"continue where we left off)(?:\s+(?:nu|någonstans|då|igen|now|again))?$"
)
WHERE_WERE_WE_MAX_WORDS = 8


def asks_where_we_were(message: Message) -> bool:
    """ "var var vi?", "hej igen, var var vi?": the question asked again (inside a form), or
    what is in progress (outside one)."""
    return (
        not message.is_payload
        and len(message.words) <= WHERE_WERE_WE_MAX_WORDS
        and bool(WHERE_WERE_WE.search(message.lowered))
    )


def yes_or_no(message: Message) -> Answer:
    """Yes, no, unsure or neither, reading negations: "jag har inte läst dem" is no."""
    if message.is_payload:
        return {"affirm": Answer.YES, "deny": Answer.NO}.get(message.intent, Answer.NONE)
    text = message.lowered
    words = set(message.words)
    if NOT_YET.search(text):
        return Answer.NO
    if HEDGES.search(text):
        return Answer.UNSURE
    if words & NEGATIONS:
        return Answer.NO
    if words & (AFFIRMATIONS | DONE_WORDS):
        return Answer.YES
    if message.intent_is("affirm", 0.85):
        return Answer.YES
    if message.intent_is("deny", 0.85):
        return Answer.NO
    if THUMBS_UP.fullmatch(message.text.strip()):
        return Answer.YES
    return Answer.NONE


# "👍" alone, as a yes on a phone (with a skin tone, repeated).
THUMBS_UP = re.compile(r"(?:(?:👍|👌|✅|✔️?)[\U0001F3FB-\U0001F3FF]?\s*)+[!.]*")


def is_bare_yes_or_no(message: Message) -> bool:
    """ "nej", "ja tack", "no": nothing but a yes or a no (and a thank-you)."""
    words = set(message.words)
    return bool(words) and words <= AFFIRMATIONS | NEGATIONS | {"tack", "thanks"}


# Words that go with a yes to go ahead: "yes, send it", "ja, ersätt den gamla", "ok kör på".
GO_AHEAD_WORDS = {
    "skicka", "send", "it", "ersätt", "ersatt", "replace", "den", "det", "the", "old", "one",
    "gamla", "boka", "book", "do", "go", "ahead", "please", "tack", "thanks", "på", "så", "gör",
}  # fmt: skip


def is_go_ahead(message: Message) -> bool:
    """ "ja", "yes, send it", "ja, ersätt den gamla": a yes and nothing else; at a question
    that wants a description (a place, the tasks) it answers nothing asked."""
    words = set(message.words)
    yes = AFFIRMATIONS | WEAK_AFFIRMATIONS
    return bool(words & yes) and words <= yes | GO_AHEAD_WORDS


def is_weak_yes(message: Message) -> bool:
    """ "ok", "kör": agreement to go on, but not an attestation."""
    return bool(set(message.words) & WEAK_AFFIRMATIONS) and not set(message.words) & NEGATIONS


# The end of a period: "sista juni", "till midsommar, alltså 25 juni", "i slutet av augusti".
UNTIL = re.compile(r"\b(till|t\.?o\.?m\.?|sista|slutet|sluta|slutar|until|through|end of)\b")


def is_hedge(message: Message) -> bool:
    return bool(HEDGES.search(message.lowered))


# The words of a hedge and nothing else: "vet inte riktigt", "hmm, kanske".
HEDGE_WORDS = {
    "vet", "inte", "ej", "faktiskt", "ingen", "aning", "osäker", "säker", "kanske", "möjligen",
    "tror", "jag", "det", "typ", "ungefär", "någon", "gång", "får", "se", "riktigt", "än",
    "ännu", "hmm", "hm", "nja", "eh", "öh", "don't", "dont", "know", "not", "sure", "maybe",
    "perhaps", "no", "idea", "i", "guess", "yet", "nog", "helt", "alls", "really",
}  # fmt: skip


def only_hedging(message: Message) -> bool:
    """ "vet inte riktigt", but not "ganska hög belastning kanske", which answers."""
    return is_hedge(message) and all(w in HEDGE_WORDS for w in message.words)


# "kanske från januari... säg 11 januari": the wavering ends in the value decided on.
DECIDED = re.compile(
    r"(?:\.{2,}|…|,|;|\?)\s*(?:ok\s+|okej\s+|nej\s+|nä\s+|no\s+)?(?:men\s+)?"
    r"(?:säg|säger vi|vi säger|låt oss säga|då säger vi|vi tar|då tar vi|ta|say|let's say|"
    r"lets say|make it|förresten|vänta|ja,|jo,|yes,)\s+"
    r"(?P<value>[^.…]+?)[\s.!]*$",
    re.IGNORECASE,
)


def decided_part(message: Message) -> Message | None:
    """The value a wavering message settles on, or None."""
    decided = DECIDED.search(message.text)
    return Message(text=decided.group("value")) if decided else None


class StopWish(Enum):
    CLEAR = "clear"
    UNSURE = "unsure"
    NONE = "none"


# What a stop verb may stop and still mean this process: "avbryt ansökan", "sluta nu", "stop it".
THIS_PROCESS = re.compile(
    r"^(ansök\w*|söka|boka|fylla\w*|svara|fråga\w*|ask\w*|apply\w*|fill\w*|bokning\w*|dokument\w*|uppföljning\w*|formulär\w*|process\w*|allt|alltihop"
    r"|det|detta|den|här|nu|med|då|bara|ändå|istället|tack|jag|vi|application|request|booking"
    r"|it|this|that|now|please|everything|all|the|i)$"
)
STOP_VERB = re.compile(r"\b(avbryta|avbryter|stoppa|sluta|stop|cancel|quit|abort)$")
POSSESSIVES = {"min", "mitt", "mina", "sin", "sitt", "sina", "vår", "vårt", "hans", "hennes", "my"}


def stops_something_else(after: list[str]) -> bool:
    """The words after a stop verb name something other than this process: "pendla",
    "sin behandling"."""
    words = [w for w in after if w not in POSSESSIVES]
    return bool(words) and not THIS_PROCESS.match(words[0])


def stop_wish(message: Message) -> StopWish:
    """CLEAR for "avbryt", "nej, strunta i det" or "cancel"; UNSURE when the user wavers ("jag
    vet inte om jag vill fortsätta") or a longer text only mentions stopping; NONE otherwise.
    "avbryta" inside a description is not a wish to stop."""
    if message.is_payload:
        return StopWish.CLEAR if message.intent == "stop" else StopWish.NONE
    text = message.lowered
    if UNSURE_STOP.search(text):
        return StopWish.UNSURE
    match = STOP_WORDS.search(text)
    if match is None:
        return StopWish.NONE
    words = WORD.findall(text)
    before = WORD.findall(text[: match.start()])
    at_end = not WORD.search(text[match.end() :])
    if before and before[-1] in DESCRIBING and not at_end and len(words) > 3:
        # "Hon har svårt att sluta i tid": about someone or something, not a wish to stop.
        return StopWish.NONE
    if set(before[-3:]) & CONDITIONAL and len(words) > 3:
        return StopWish.NONE
    verb = STOP_VERB.search(match.group(0))
    if verb and stops_something_else(WORD.findall(text[match.end() :])) and len(words) > 3:
        # "så jag kan sluta pendla", "patienter som vill avbryta sin behandling".
        return StopWish.NONE
    at_start = not WORD.search(LEADING_FILLERS.sub("", text[: match.start()]))
    if len(words) <= 4 or at_end or (at_start and len(words) <= 6):
        return StopWish.CLEAR
    return StopWish.UNSURE


# A wish to leave the question unanswered: "hoppa över", "skippa den", "skip".
SKIP = re.compile(
    r"^(kan vi |kan jag |jag vill |vi )?(hoppa över|hoppar över|skippa|skippar|skip|pass|"
    r"nästa fråga|next question)( den| den frågan| det| denna| this( one)?| it)?( tack| please)?$"
)


def is_skip(message: Message) -> bool:
    """ "hoppa över", "skippa den frågan", "skip": the question left unanswered."""
    return not message.is_payload and bool(SKIP.match(message.lowered))


# Openings of a question to the assistant that is no answer to the form's question: "who owns
# the laptop if I quit?" names a laptop, but asks. "kan vi ta kl 14?" proposes, so "kan" and
# "ska" are not among them.
ASKING_WORDS = {
    "vad", "vem", "vems", "vilka", "vilken", "vilket", "hur", "varför", "får", "måste", "behöver",
    "gäller", "who", "whose", "what", "how", "why", "which", "does", "must", "may",
}  # fmt: skip


def asks_the_assistant(message: Message) -> bool:
    """A question ("?") that opens with a question word: to be answered, not read as a value."""
    words = message.words
    return (
        not message.is_payload
        and message.text.rstrip().endswith("?")
        and bool(words)
        and words[0] in ASKING_WORDS
    )


def is_question(message: Message) -> bool:
    """A question to the assistant: it ends with "?", or opens like a Swedish or English
    question ("måste jag ha en överenskommelse om ...")."""
    words = message.words
    if message.is_payload or not words:
        return False
    if message.text.rstrip().endswith("?"):
        return True
    return len(words) >= 4 and words[0] in QUESTION_WORDS


def is_faq_intent(message: Message) -> bool:
    return message.intent.startswith("faq_") or message.intent in ("out_of_scope", "nlu_fallback")


def has_correction_cue(message: Message) -> bool:
    """ "nej, ...", "förresten ...", "... ska vara ...", "inte X utan Y", "change ..."."""
    return bool(CORRECTION_CUES.search(message.lowered))


def undoes_change(message: Message) -> bool:
    """ "ångra", "nej, 20 var rätt", "ta tillbaka ändringen": the change just made is taken back."""
    return bool(UNDO.search(without_diacritics(message.lowered)))


def without_undo(message: Message) -> Message:
    """The message without its undo words: "ångra, 20 var rätt" leaves "20"."""
    rest = UNDO.sub(" ", without_diacritics(message.lowered)).strip(" ,.!?-")
    return Message(text=re.sub(r"^(nej|na|no|oj|oops|sorry|forlat)\b[ ,]*", "", rest))


def adds_to_answer(text: str) -> bool:
    """ "vänta, lägg till headset", "headset också", "add a headset": more for a list answer,
    not a new one; "bara headset" and "byt till headset" replace it."""
    lowered = " ".join(text.lower().split())
    return bool(ADDING_CUES.search(lowered)) and not REPLACING_CUES.search(lowered)


def is_change_only(message: Message) -> bool:
    """ "ändra", "jag vill ändra något": a wish to change without saying what."""
    return bool(CHANGE_ONLY.match(message.lowered))


def instead_parts(text: str) -> tuple[str, str] | None:
    """ "inte 1 februari utan 8 februari" -> ("1 februari", "8 februari"); "hemma, inte i
    stugan" -> ("i stugan", "hemma"): the replaced value and the new one."""
    lowered = normalised(text)
    for pattern in (
        r"\binte (?P<old>.+?),? utan (?P<new>.+)$",
        r"(?P<new>[^,]+?),? (?:och )?inte (?P<old>[^,]+)$",
        r"\bnot (?P<old>.+?),? but (?P<new>.+)$",
    ):
        if match := re.search(pattern, lowered):
            return match.group("old").strip(), match.group("new").strip()
    return None


# --- what a message inside a form does to the answers given (``repair.Turn``) ----------------

# "vad menar du med arbetsuppgifter?": a question about the form's own question.
ABOUT_THE_QUESTION = re.compile(
    r"\b(menar du|menas med|betyder|vad ska jag skriva|what do you mean|example|exempel)\b"
)
CHANGE_VERB = re.compile(r"\b(ändra|rätta|byt|byta|fel|change|correct|wrong)\b")
# Where one message changes several answers: "slutdatum 30 april, och jag behöver headset också".
# "ändra slutdatum till 30 september och lägg till headset": "och" before a change is a break.
CLAUSES = re.compile(
    r"[,;.!?]+\s*(?:och|men|samt|and|but)?\s*"
    r"|\s+(?:och|samt|men|and|but)\s+(?=(?:lägg|ändra|byt|byta|ta bort|sätt|add|change|remove)\b)"
)
# A correction's opening: "nej vänta, ...", "förresten ...".
CORRECTION_OPENING = re.compile(
    # "hmm no, make it 2pm, …": a filler before the cue.
    r"^(?:(?:hmm*|hm|äh|eh|um+|ah|oh|oj)[,.!\s]+)?(nej|nä|oj|förlåt|sorry|vänta|förresten|vanta|forresten|forlat|no|oops|wait|actually)\b"
)
# Nothing but a date, a time or a share: "från 1 feb", "15/3", "kl 10", "40 %".
ONLY_A_VALUE = re.compile(
    rf"(?:(?:från|fr\.?o\.?m\.?|till|t\.?o\.?m\.?|den|from|to|the|on|om|kl\.?|klockan"
    rf"|\d{{1,4}}(?::\d{{2}})?(?:st|nd|rd|th|:e|:a)?|[./-]|{MONTHS}|procent|percent|%|dagar|dag"
    rf"|days?|i|per|veckan|week|om|in|inom|år|året|halvår|månader|månad|veckor|years?|months?"
    rf"|weeks?|en|ett|två|tre|fyra|fem|sex|tolv|one|two|three|six|twelve|a)\s*)+"
)
# "ändra procenten till tjugo", "change the share to twenty".
CHANGED_TO = re.compile(r"\b(till|to)\s+(?P<value>\S.*)$", re.IGNORECASE)


# "the late emails I guess, nothing else": an answer with a hedge tagged on at its end.
TRAILING_HEDGE = re.compile(
    r"[\s,;.]*\b(?:i guess|i think|tror jag|skulle jag tro|kanske|maybe|perhaps|probably|"
    r"antagligen)\b(?:[\s,;.]+(?:nothing else|inget (?:mer|annat)|that'?s it|det är allt|"
    r"inga (?:fler|andra)))?[\s,;.!]*$"
)


def without_hedge_tag(message: Message) -> "Message | None":
    """A free-text answer without the hedge tagged on at its end; None when the hedge is not
    at the end or little is left ("vet inte, kanske" has no answer)."""
    match = TRAILING_HEDGE.search(message.text.lower())
    if match is None:
        return None
    rest = replace(message, text=message.text[: match.start()].strip(" ,;."))
    if len(rest.words) < 2 or is_hedge(rest):
        return None
    return rest


def without_hedged_part(message: Message) -> "Message | None":
    """ "Beställa tangentbord till 20 december, vet inte vem som gör det än": the answer without
    the part the user is unsure of; None when the hedge is all there is."""
    match = HEDGED_PART.search(message.text)
    if match is None or match.start() == 0:
        return None
    rest = message.text[: match.start()].strip(" ,;.")
    return replace(message, text=rest) if len(rest.split()) >= 3 else None
