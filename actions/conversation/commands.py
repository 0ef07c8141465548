"""A message that opens with a command for a process starts that process, whatever Rasa's intent.

DIET flips long openings with several clauses on retrain: "reject it, the team needs him on
site" was read as an IT question, "dokumentera riskbedömningen med Anna. Risker: …" fell below
the fallback threshold, "kan du boka riskbedömningen med … kl 13, vi ses i rum …" was read as a
reschedule. The command word at the start says it plainly, so the action Rasa chose hands the
message over: the FAQ action (an FAQ topic, out of scope, fallback), or a process's start step
when Rasa was unsure (``ProcessStep.run``). This is the converse of ``_answered_instead``.

A question about a process is no command: it opens with a question word ("hur avslår man en
ansökan?", "can I reject a request?"), or the verb has a subject after it and the sentence ends
with "?" ("bokar man riskbedömningen själv?"). The words are data: a region adds its own under
``commands`` in its file (``bot/regions.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from actions.conversation.reading import (
    Message,
    without_chitchat_opening,
)
from bot.agreements.dates import DATE_IN_TEXT
from bot.agreements.parsing import find_share, one_edit_apart
from bot.regions import CommandProcess
from bot.spelling import without_diacritics

# Rasa's intent confidence under which a start step hands a command for another process over.
UNSURE = 0.8
WORD = re.compile(r"[0-9a-zåäöéü]+(?:['’][a-z]+)?")
# Words at least this long may have one typo ("dokumnetera", "rejcet", "godkän").
TYPO_LENGTH = 5
# A terse command is at most this long: "årsuppföljning anna andersson nu".
TERSE_WORDS = 4
OF = {"av", "för", "om", "på", "of", "for", "about"}


@dataclass(frozen=True)
class Command:
    """A process started by a command: its verbs (phrases, longest first when matched), and the
    word beginnings one of which must follow (none: the verb says it all)."""

    process: CommandProcess
    step: str
    verbs: tuple[str, ...]
    objects: tuple[str, ...] = ()
    # Only after a wish ("jag vill jobba hemifrån …", "I'd like to work from home …"): "I work
    # from home on Mondays, am I insured?" says how things are, it asks for nothing.
    wished: bool = False
    # A noun said as a command on a phone ("årsuppföljning anna"): only a short message that
    # asks nothing.
    terse: bool = False


# A booked dialogue moved or cancelled, said anywhere in a message ("ja flytta den till tisdag").
MOVES = re.compile(r"\b(flytta\w*|boka om|ändra tiden|move|reschedule)\b")
CANCELS = re.compile(r"\b(avboka\w*|ställ\w* in|stall\w* in|cancel|call (?:it )?off)\b")

# What is booked: not "möte" or "tid" alone ("boka tid hos företagshälsan" is no dialogue).
ASSESSMENT = ("riskbedöm", "riskbedomn", "dialog", "mötet", "risk assessment", "the meeting")
# What is moved or cancelled: the user's booked dialogue, however it is called.
MEETING = (*ASSESSMENT, "möte", "tid", "meeting", "appointment")
COMMANDS: tuple[Command, ...] = (
    Command(
        "decide",
        "action_start_decision",
        (
            "godkänn", "godkänner", "godkänna", "bevilja", "beviljar", "avslå", "avslår",
            "avslag", "neka", "nekar", "säga nej", "säger nej", "blir det nej", "blir nej",
            "approve", "reject", "decline", "say no", "turn down",
        ),
    ),
    Command(
        "reschedule",
        "action_start_reschedule",
        ("boka om", "bokar om", "flytta", "flyttar", "reschedule", "move", "postpone"),
        MEETING,
    ),
    Command(
        "cancel",
        "action_start_cancel_booking",
        ("avboka", "avbokar", "ställ in", "ställa in", "cancel", "call off"),
        (*MEETING, "bokning", "booking"),
    ),
    Command(
        "book",
        "action_start_risk_assessment",
        ("boka", "bokar", "book", "schedule", "set up", "arrange", "organise", "organize"),
        ASSESSMENT,
    ),
    Command(
        "document",
        "action_start_outcome",
        (
            "dokumentera", "dokumenterar", "document", "registrera", "record", "fylla i",
            "fyller i", "föra in", "för in", "skriva in", "fill in", "write up",
        ),
        (*ASSESSMENT, "resultat", "risker", "outcome"),
    ),
    Command(
        "follow_up",
        "action_start_follow_up",
        ("följ upp", "följa upp", "follow up"),
        ("distans", "remote", "hemarbete", "överenskommelse", "agreement"),
    ),
    Command(
        "follow_up",
        "action_start_follow_up",
        (
            "göra", "gör", "hålla", "håll", "ha", "starta", "registrera", "do", "hold", "have",
            "start", "record",
        ),
        ("uppföljning", "follow up", "follow-up", "followup"),
    ),
    Command(
        "follow_up",
        "action_start_follow_up",
        ("årsuppföljning", "årsuppföljningen", "uppföljning", "uppföljningen", "follow-up"),
        terse=True,
    ),
    # "dags för årlig uppföljning av Annas distansarbete", "time for Erik's annual follow-up".
    Command(
        "follow_up",
        "action_start_follow_up",
        ("dags för", "det är dags för", "time for", "it's time for"),
        ("uppföljning", "årsuppföljning", "årlig uppföljning", "follow up", "follow-up"),
    ),
    Command(
        "request",
        "action_start_agreement",
        ("ansökan", "ansökning", "application"),
        ("distans", "hemarbete", "remote"),
        terse=True,
    ),
    Command(
        "request",
        "action_start_agreement",
        (
            "ansök", "ansöka", "ansöker", "söka", "teckna", "apply", "förläng", "förlänga",
            "förlänger", "förnya", "förnyar", "extend", "renew",
        ),
        ("distans", "överenskommelse", "hemarbete", "hemifrån", "remote", "agreement", "work from"),
    ),
    # "jag vill dra tillbaka min ansökan": the request waiting, taken back after a yes.
    Command(
        "withdraw",
        "action_start_withdrawal",
        (
            "dra tillbaka", "drar tillbaka", "ta tillbaka", "tar tillbaka", "återkalla",
            "återkallar", "återta", "återtar", "ta bort", "tar bort", "withdraw", "take back",
            "retract", "cancel",
        ),
        ("ansökan", "ansökningen", "distansansökan", "request", "application"),
    ),
    # "ändra min ansökan till 60 procent": the request waiting, sent again with the change.
    Command(
        "request",
        "action_start_agreement",
        ("ändra", "ändrar", "change", "update", "uppdatera"),
        ("ansökan", "ansökningen", "request", "application"),
    ),
    Command(
        "request",
        "action_start_agreement",
        ("jobba", "arbeta", "work"),
        ("hemifrån", "hemma", "på distans", "distans", "from home", "remote"),
        wished=True,
    ),
)  # fmt: skip
PROCESSES = tuple(dict.fromkeys(c.process for c in COMMANDS))
# The step Rasa's rules start on each process intent (data/rules/): when Rasa was unsure, that
# step hands a command for another process over.
STARTS = {
    "request_agreement": "action_start_agreement",
    "withdraw_agreement": "action_start_withdrawal",
    "show_my_requests": "action_show_pending_agreements",
    "decide_agreement": "action_start_decision",
    "approve_agreement": "action_start_decision",
    "reject_agreement": "action_start_decision",
    "book_risk_assessment": "action_start_risk_assessment",
    "reschedule_risk_assessment": "action_start_reschedule",
    "cancel_risk_assessment": "action_start_cancel_booking",
    "document_risk_assessment": "action_start_outcome",
    "follow_up_remote_work": "action_start_follow_up",
    "show_actions": "action_show_actions",
    "mark_action_done": "action_mark_action_done",
    "move_action": "action_start_move_action",
}

# What may come before the command: asking the assistant to do it ("kan du boka …"), wanting
# it ("jag vill ansöka om …"), fillers ("ok då avslår jag den"). Not "kan jag", "can I", "hur":
# those ask about the process.
OPENINGS = (
    "kan du", "kan ni", "skulle du kunna", "vill du", "vill", "snälla", "jag vill",
    "jag skulle vilja", "vi vill", "jag ska", "jag behöver", "vi behöver", "hjälp mig att",
    "hjälp mig", "jag", "vi", "då", "så", "ok", "okej", "men", "nu", "can you", "could you",
    "would you", "please", "pls", "i want to", "i'd like to", "i would like to", "i need to",
    "we need to", "let's", "lets", "help me", "i'm going to", "i am going to", "i'll", "we'll",
    "jag tänker", "jag kommer att", "i", "we", "then", "now",
    # Having to ("jag måste tyvärr ställa in …") and leaving it to the assistant ("du kan
    # godkänna …").
    "hjälpa mig att", "hjälpa mig med", "hjälpa till att", "hjälpa till med", "help me to",
    "help me with",
    "jag måste", "vi måste", "måste", "behöver", "tyvärr", "i have to", "i must", "we have to",
    "unfortunately", "du kan", "du får", "ni kan", "you can", "you may", "go ahead and",
)  # fmt: skip
OPENING_WORDS = tuple(o.split() for o in OPENINGS)
# "jag maste avboka motet": many type without å, ä and ö.
PLAIN_OPENINGS = tuple([without_diacritics(w) for w in o] for o in OPENING_WORDS)
# The words of an opening that wish for something.
WISHES = {"vill", "vilja", "like", "want", "önskar"}
# A subject after the verb in a sentence that ends with "?": "bokar man …?", "avslår chefen …?".
SUBJECTS = {
    "man", "jag", "du", "vi", "ni", "de", "dom", "hon", "han", "hen", "chefen", "någon", "det",
    "i", "you", "we", "they", "one", "he", "she",
}  # fmt: skip
NEGATIONS = {"inte", "ej", "aldrig", "not", "never"}
MUST = {"måste", "must", "have"}


def commands(extra: Mapping[CommandProcess, Sequence[str]] | None = None) -> tuple[Command, ...]:
    """The commands with a region's own verbs added."""
    if not extra:
        return COMMANDS
    return tuple(
        replace(
            c, verbs=(*c.verbs, *(" ".join(v.lower().split()) for v in extra.get(c.process, ())))
        )
        if not (c.wished or c.terse)
        else c
        for c in COMMANDS
    )


def command_in(text: str, known: Sequence[Command] = COMMANDS) -> Command | None:
    """The command ``text`` opens with, or None (a question, a payload, or no command)."""
    message = without_chitchat_opening(Message(text=text))
    if message.is_payload:
        return None
    words = WORD.findall(message.text.lower())
    start = opening_length(words)
    first_sentence = re.split(r"(?<=[.!?])\s", message.text.strip(), maxsplit=1)[0]
    if first_sentence.rstrip().endswith("?") and MUST & set(words[:start]):
        # "måste jag boka riskbedömningen?" asks whether; "jag måste ställa in den" says so.
        return None
    for command, verb_words in matches(words[start:], known):
        after = words[start + verb_words :]
        if after[:1] and after[0] in NEGATIONS:
            return None
        if command.process == "decide" and first_sentence.rstrip().endswith("?"):
            # A decision is no question: "säger nej till hemarbete om jag ber om det?"
            return None
        if first_sentence.rstrip().endswith("?") and after[:1] and after[0] in SUBJECTS:
            # "bokar man riskbedömningen själv?", "avslår chefen ofta?"
            return None
        if command.wished and not WISHES & set(words[:start]):
            continue
        if command.terse and (len(words) > TERSE_WORDS or "?" in message.text or OF & set(after)):
            continue
        if not command.objects or names_object(after, command.objects):
            return command
    return (
        own_meeting(words, known)
        or closing_decision(message.text, known)
        or decision_sentence(message.text, known)
        or closing_request(message.text, known)
        or terse_command(message.text, words, known)
        or terse_opening(message.text, known)
        or described_request(message.text, known)
        or named_decision(message.text, known)
    )


# The request a decision is about, named first: "eriks distansansökan – tyvärr blir det nej".
NAMED_REQUEST = re.compile(
    r"^\s*\w+s\s+(?:distans)?(?:ansökan|ansokan)\s*[–:,-]\s*"
    r"|^\s*\w+'s\s+(?:remote work\s+)?(?:request|application)\s*[–:,-]\s*",
    re.IGNORECASE,
)


def named_decision(text: str, known: Sequence[Command]) -> Command | None:
    """A decision after the request it is about, named first ("eriks distansansökan – tyvärr
    blir det nej. vi driftsätter …")."""
    named = NAMED_REQUEST.match(text)
    if named is None:
        return None
    command = command_in(text[named.end() :], known)
    return command if command is not None and command.process == "decide" else None


# "kan jag flytta mitt möte?", "can I move my risk assessment meeting?", "can I extend my
# remote work agreement?": asked about the user's own booking or agreement, it asks for it to
# be done, not how it works.
MAY_I = (
    ["kan", "jag"],
    ["kan", "vi"],
    ["can", "i"],
    ["can", "we"],
    ["could", "i"],
    ["could", "we"],
)
OWN = {"mitt", "min", "mina", "vårt", "vår", "vart", "var", "my", "our"}


def own_meeting(words: list[str], known: Sequence[Command]) -> Command | None:
    if not any(words[:2] == opening for opening in MAY_I):
        return None
    for command, verb_words in matches(words[2:], known):
        after = words[2 + verb_words :]
        if not after[:1] or after[0] not in OWN or command.wished or command.terse:
            continue
        if command.process in ("reschedule", "cancel"):
            if names_object(after[1:], (*ASSESSMENT, "möte", "meeting")):
                return command
        elif command.process in ("request", "withdraw") and names_object(
            after[1:], command.objects
        ):
            return command
    return None


def terse_command(text: str, words: list[str], known: Sequence[Command]) -> Command | None:
    """A noun said as a command in any order: "distansarbete ansökan tack"."""
    if len(words) > TERSE_WORDS or "?" in text:
        return None
    for command in (c for c in known if c.terse):
        for at in range(len(words)):
            for _, verb_words in matches(words[at:], [command]):
                rest = words[:at] + words[at + verb_words :]
                if OF & set(rest):
                    # "uppföljning av läkemedelsstatistik" names a thing.
                    continue
                if not command.objects or names_object(rest, command.objects):
                    return command
    return None


def terse_opening(text: str, known: Sequence[Command]) -> Command | None:
    """A noun said as a command in the first clause of a longer message that asks nothing:
    "arsuppfoljning med anna idag, kan vi kora den"; not "ansökan om distans, hur gör man?"."""
    first = re.split(r"[,;.]", text)[0]
    if first == text or "?" in text:
        return None
    return terse_command(first, WORD.findall(first.lower()), known)


def decision_sentence(text: str, known: Sequence[Command]) -> Command | None:
    """A sentence of its own that decides, in a longer message: "Har pratat med Anna … Jag
    godkänner hennes ansökan. Hon når mig på …". Never in a question."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    if len(sentences) < 2:
        return None
    for sentence in sentences:
        if sentence.rstrip().endswith("?"):
            continue
        words = WORD.findall(sentence.lower())
        start = opening_length(words)
        for command, verb_words in matches(words[start:], known):
            after = words[start + verb_words :]
            if command.process == "decide" and after[:1] and after[0] not in NEGATIONS:
                return command
    return None


# Where a closing decision's clause begins: "…, så godkänn den", "… and approve it".
CLAUSE_START = re.compile(r"(?:[,.;:!]\s*|\s)(?:så|sa|och|so|and|then)\s+|[,.;:!]\s+")
# What a closing decision is about: the request just described, nothing new ("den", "hennes
# distansansökan", "Annas ansökan", "her request").
DECIDED = {"den", "det", "it", "this", "that", "the", "nu", "now", "hennes", "hans", "hens",
           "her", "his", "their"}  # fmt: skip
REQUEST_WORDS = ("ansökan", "ansökningen", "request", "application")


REMOTE_WORK = re.compile(r"\b(distans\w*|hemifrån|hemma|remote\w*|from home)\b")
# A period still to come: "från 4 januari", "fr.o.m.", "starting"; not "sedan 1 mars".
PERIOD_AHEAD = re.compile(r"\b(från|fr\.?\s?o\.?\s?m|from|starting|med start|börjar)\b")


def described_request(text: str, known: Sequence[Command]) -> Command | None:
    """A request told without a verb, by its values: "Distansarbete hemma en dag i veckan, från
    måndag 4 januari till fredag 4 juni". Remote work, a share and a date, and no question."""
    lowered = text.lower()
    if "?" in text or not REMOTE_WORK.search(lowered) or not DATE_IN_TEXT.search(lowered):
        return None
    if not PERIOD_AHEAD.search(lowered):
        return None
    if find_share(text) is None:
        return None
    return next((c for c in known if c.process == "request" and not c.wished), None)


def closing_request(text: str, known: Sequence[Command]) -> Command | None:
    """A request asked for in the last sentence, after the story: "… jobba hemifrån två dagar i
    veckan från 1 februari. Kan du hjälpa mig att ansöka?". Remote work is named before; the
    last sentence asks only to apply ("… att söka ersättning för internet?" asks for more)."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    if len(sentences) < 2:
        return None
    words = WORD.findall(sentences[-1].lower())
    start = opening_length(words)
    for command, verb_words in matches(words[start:], known):
        after = words[start + verb_words :]
        if command.process != "request" or command.wished:
            continue
        only_applying = all(w in ABOUT_IT for w in after) or names_object(after, command.objects)
        if only_applying and names_object(WORD.findall(text.lower()), command.objects):
            return command
    return None


# What may follow "ansöka" in a closing request: "om det", "för det", "about it".
ABOUT_IT = {"om", "det", "den", "detta", "för", "it", "for", "about", "this", "nu", "now"}


def closing_decision(text: str, known: Sequence[Command]) -> Command | None:
    """A decision in the message's last clause, after what it is about: "Johan bad mig ta hand
    om Erik Eks ansökan, han har sagt ok, så godkänn den". Only a short clause about "den" or
    "it", never in a question."""
    if text.rstrip().endswith("?"):
        return None
    starts = [m.end() for m in CLAUSE_START.finditer(text)]
    if not starts:
        return None
    words = WORD.findall(text[starts[-1] :].lower())
    start = opening_length(words)
    for command, verb_words in matches(words[start:], known):
        after = words[start + verb_words :]
        if (
            command.process == "decide"
            and 0 < len(after) <= 3
            and all(
                w in DECIDED or w.endswith(REQUEST_WORDS) or (i == 0 and w.endswith("s"))
                for i, w in enumerate(after)
            )
        ):
            return command
    return None


def opening_length(words: list[str]) -> int:
    """How many words the longest polite or filler opening takes, repeated ("ok då kan du")."""
    taken = 0
    while True:
        found = max(
            (
                len(o)
                for o in PLAIN_OPENINGS
                if [without_diacritics(w) for w in words[taken : taken + len(o)]] == o
            ),
            default=0,
        )
        if not found:
            return taken
        taken += found


def matches(words: list[str], known: Sequence[Command]) -> list[tuple[Command, int]]:
    """The commands whose verb ``words`` start with, the longest verb first ("boka om" before
    "boka"), with the number of words the verb takes."""
    found = []
    for command in known:
        for verb in command.verbs:
            parts = verb.split()
            said = words[: len(parts)]
            if len(said) == len(parts) and same_word(said[0], parts[0]) and said[1:] == parts[1:]:
                found.append((command, len(parts)))
    return sorted(found, key=lambda pair: -pair[1])


def same_word(word: str, verb: str) -> bool:
    if word == verb or without_diacritics(word) == without_diacritics(verb):
        return True
    return len(verb) >= TYPO_LENGTH and one_edit_apart(word, verb)


def names_object(words: list[str], objects: Sequence[str]) -> bool:
    """One of the words (or two in a row) begins with an object ("riskbedömningen",
    "the risk assessment"), allowing one typo in a long beginning ("riskbedmöningen")."""
    pairs = [" ".join(words[i : i + 2]) for i in range(len(words))]
    for said in (*words, *pairs):
        for stem in objects:
            if said.startswith(stem) or without_diacritics(said).startswith(
                without_diacritics(stem)
            ):
                return True
            if len(stem) >= 6 and any(
                one_edit_apart(said[:n], stem) for n in range(len(stem) - 1, len(stem) + 2)
            ):
                return True
    return False
