"""The lines of a risk assessment's action plan as people write them: "Höja skärmen – Anna –
18 december", "åtgärd: ny stol, ansvarig Eva, klart tisdag 16.12", numbered lists, two actions
joined by "och", and answers that give a held action its owner and date ("Maria tar båda,
senast 31 januari")."""

import re
from datetime import date, timedelta
from typing import Any

from actions.agreement.request import swedish_date
from bot.agreements.dates import (
    DATE_IN_TEXT,
    WEEKDAY_NAMES,
    find_date,
    parse_date,
    weekday_conflict,
)

ACTION_PARTS = re.compile(r"\s+[–—-]\s+|\s*;\s*|\s*\|\s*")
# "1. Höja skärmen – Anna – 11 december": a pasted numbered list.
NUMBERED = re.compile(r"^\d{1,2}[.)]\s+")
# "åtgärd: ny stol, ansvarig Eva, klart tisdag 16.12": an action, its owner and its date as a
# sentence, with the labels people write.
LINE_LABEL = re.compile(r"^(?:åtgärder|åtgärd|actions?)\s*:\s*", re.IGNORECASE)
OWNER_LABEL = re.compile(r"^(?:ansvarig[at]?|ansvarar|owner)\s*:?\s*", re.IGNORECASE)
DUE_LABEL = re.compile(
    r"^(?:klart|klar|färdigt|färdig|senast|datum|due|by)\s*:?\s*(?:till\s+|den\s+|on\s+)?",
    re.IGNORECASE,
)


def action_parts(line: str) -> list[str]:
    """ "Höja skärmen – Anna – 18 december" or "ny stol, ansvarig Eva, klart tisdag 16.12": the
    action, then the owner and date without their labels."""
    line = LINE_LABEL.sub("", line)
    parts = [p.strip() for p in ACTION_PARTS.split(line) if p.strip()]
    if len(parts) == 1 and "," in line:
        commas = [p.strip() for p in line.split(",") if p.strip()]
        labelled = any(OWNER_LABEL.match(p) or DUE_LABEL.match(p) for p in commas[1:])
        # "…, Eva, 16.12" names an owner; "…, före sommaren, säg 31 maj" does not.
        if labelled or ((len(commas) == 3 and commas[1][:1].isupper()) or ME.fullmatch(commas[1])):
            parts = commas
    return (
        [parts[0], *(DUE_LABEL.sub("", OWNER_LABEL.sub("", p)) for p in parts[1:])] if parts else []
    )


# "köpa headset och beställa ny stol": two actions, as the second opens with a verb of its own;
# "höja skärmen och bordet" is one.
ACTION_VERBS = (
    "köpa", "köp", "beställa", "beställ", "höja", "höj", "sänka", "sänk", "ordna", "boka", "byta",
    "byt", "skaffa", "installera", "justera", "ändra", "kontrollera", "flytta", "ställa", "ställ",
    "anpassa", "låna", "leverera", "hämta", "skicka", "utreda", "planera", "se över", "ta fram",
    "följa upp", "gå igenom", "prata", "införa", "inför", "ta bort", "lägga", "sätta", "testa",
    "buy", "order", "get", "install", "set up", "book", "adjust", "replace", "check", "move",
)  # fmt: skip
AND_A_VERB = re.compile(
    rf"\s*(?:,\s*)?\b(?:och|samt|and)\s+(?=(?:{'|'.join(ACTION_VERBS)})\b)", re.IGNORECASE
)


def opens_with_a_verb(action: str) -> bool:
    """ "Beställa stol", "köp headset": an action by its first words."""
    return re.match(rf"(?:{'|'.join(ACTION_VERBS)})\b", action.strip(), re.IGNORECASE) is not None


def one_by_one(action: str) -> list[str]:
    """ "köpa headset och beställa ny stol" -> "köpa headset", "beställa ny stol"."""
    return [a.strip(" ,.") for a in AND_A_VERB.split(action) if a.strip(" ,.")] or [action]


def which_day(day: date, written: int) -> tuple[str, list[date]]:
    """ "16 december 2026 är en onsdag, inte en tisdag.": asked with both days, never guessed."""
    other = day + timedelta(days=written - day.weekday())
    return (
        f"{swedish_date(day)} är en {WEEKDAY_NAMES[day.weekday()]}, inte en "
        f"{WEEKDAY_NAMES[written]}.",
        [day, other],
    )


def parse_actions(text: str, today: date) -> tuple[list[dict[str, str]], list[str]]:
    """Lines of "action – owner – date": the actions, and what is wrong with the others."""
    actions, held = split_actions(text, today)
    return actions, [f'"{a["line"][:60]}"' for a in held]


def split_actions(
    text: str, today: date, me: str | None = None
) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Lines of "action – owner – date": the complete actions, and the others with what they
    say (``owner`` or ``due`` None where missing; ``line`` as written). "jag" or "I" as the
    owner is ``me``, the one writing, when known."""
    actions: list[dict[str, str]] = []
    held: list[dict[str, Any]] = []
    # "1) ny kontorsstol, ansvarig Maria, klart 15 januari 2) laptopställ, …": a list on one line.
    text = INLINE_NUMBER.sub("\n", text)
    sentences = [sentence for line in text.splitlines() for sentence in action_sentences(line)]
    several = len(sentences) > 1
    lines = (part for sentence in sentences for part in SUBJECT_CLAUSE.split(sentence))
    for line in (line.strip(" •*-") for line in lines):
        line = NUMBERED.sub("", line)
        parts = action_parts(line)
        if not parts:
            continue
        due = parse_date(parts[-1], today) if len(parts) >= 3 else None
        if due is None and len(parts) >= 3:
            # "vet inte exakt datum, säg 20 januari": the date said in the end.
            due = find_date(parts[-1], today)
        written = weekday_conflict(parts[-1], due) if due is not None else None
        if due is not None and written is not None:
            # "klart tisdag 16.12", a Wednesday: held while the user picks the day.
            asked, days = which_day(due, written)
            held.append(
                {
                    "line": line,
                    "action": " ".join(parts[:-2])[:500],
                    "owner": parts[-2][:120],
                    "due": None,
                    "which_day": asked,
                    "days": [d.isoformat() for d in days],
                }
            )
            continue
        if len(parts) >= 3 and due is not None:
            actions.extend(
                {"action": action[:500], "owner": parts[-2][:120], "due": due.isoformat()}
                for action in one_by_one(" ".join(parts[:-2]))
            )
            continue
        owner = due_on = None
        for part in parts[1:]:
            if due_on is None and (day := parse_date(part, today)) is not None:
                due_on = day.isoformat()
            elif owner is None:
                owner = part[:120]
        text_of_action = parts[0]
        if owner is None and (subject := OWNER_AS_SUBJECT.match(text_of_action)):
            # "Maria Berg beställer en kontorsstol": the owner is who does it.
            owner, text_of_action = subject.group("owner"), subject.group("action")
        elif owner is None and me is not None and (subject := ME_AS_SUBJECT.match(text_of_action)):
            # "jag beställer ett headset", "I'll lend her a chair": the one writing.
            owner, text_of_action = me, subject.group("action")
        # "Beställa tangentbord till 20 december": the date the action is due; "… i morgon",
        # "… från och med nu": that day.
        for said in (DUE_IN_ACTION, DAY_AT_THE_END):
            due_at = said.search(text_of_action) if due_on is None else None
            said_day = due_at.group("day").strip().lower() if due_at is not None else ""
            day = today if NOW.fullmatch(said_day) else parse_date(said_day, today)
            if due_at is not None and day is not None:
                due_on, text_of_action = day.isoformat(), text_of_action[: due_at.start()]
        if due_on is None and "," in text_of_action:
            # "går utbildningen, före sommaren, säg 31 maj": the date said after the action.
            action_said, after = text_of_action.split(",", 1)
            if (day := find_date(after, today)) is not None:
                due_on, text_of_action = day.isoformat(), action_said
        text_of_action = text_of_action.strip(" ,.")
        if owner is not None and due_on is not None:
            actions.extend(
                {"action": action[:500], "owner": owner[:120], "due": due_on}
                for action in one_by_one(text_of_action)
            )
            continue
        if several and owner is None and due_on is None and not opens_with_a_verb(text_of_action):
            # "Hennes privata mejl är … om leverantören behöver det": a sentence beside the
            # actions that is none.
            continue
        held.extend(
            {"line": line, "action": action[:500], "owner": owner, "due": due_on}
            for action in one_by_one(text_of_action)
        )
    if me is not None:
        for action in [*actions, *held]:
            if action.get("owner") and ME.fullmatch(str(action["owner"]).strip()):
                action["owner"] = me
    return actions, held


# One action per sentence: "Jag lånar ut en stol, klart om en månad. Anna hämtar en skärm
# senast 18 december." A comma ends an action only after a whole "åtgärd – ansvarig – datum".
# A ";" ends an action whatever follows ("– Dec 18; weekly video check-in – …").
INLINE_NUMBER = re.compile(r"(?<=\S)\s+(?=\d{1,2}\)\s)")
SENTENCE_END = re.compile(r"(?<=[.,])\s+(?=[A-ZÅÄÖ])|(?<=;)\s*(?=\S)")
WHOLE_ACTION = re.compile(r"\S\s+[–—-]\s+\S.*\s+[–—-]\s+\S")


def action_sentences(line: str) -> list[str]:
    pieces = SENTENCE_END.split(line)
    sentences = [pieces[0]]
    for piece in pieces[1:]:
        comma_inside = sentences[-1].endswith(",") and not WHOLE_ACTION.search(sentences[-1])
        # "2. Beställa stol": a number of a list, not a sentence.
        if comma_inside or re.fullmatch(r"\d{1,2}[.)]", sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return [s.strip(" ,;") for s in sentences]


# The one writing, as the owner: "– jag –", "jag beställer", "I'll lend".
ME = re.compile(r"jag|mig|i|me|myself|mej", re.IGNORECASE)
ME_AS_SUBJECT = re.compile(
    r"^(?:jag|i'll|i will|i)\s+(?:ska\s+|will\s+)?(?P<action>\w.*)$", re.IGNORECASE
)


# "Maria Berg beställer en kontorsstol", "Anna ska höja skärmen": a name, then what they do
# (a verb of doing, so "Beställa skärmar" is no owner).
DOING = (
    "ska", "tar", "fixar", "gör", "kollar", "beställer", "köper", "höjer", "sänker", "ordnar",
    "bokar", "byter", "skaffar", "installerar", "justerar", "ändrar", "kontrollerar", "flyttar",
    "ställer", "anpassar", "lånar", "levererar", "hämtar", "skickar", "utreder", "planerar",
    "ser", "pratar", "lägger", "sätter", "testar", "will", "takes", "buys", "orders", "gets",
    "installs", "books", "adjusts", "replaces", "checks", "moves", "fixes", "fäster", "monterar",
    "sätter", "ringer", "mejlar", "undersöker", "tittar", "hjälper", "tejpar", "åtgärdar",
    "går", "börjar", "jobbar", "arbetar", "goes", "starts", "works", "upgrades", "lends",
    "brings", "picks", "reviews", "updates", "sets", "calls", "uppgraderar", "lånar",
    # As those who write English as a second language write them: "Maria order a chair".
    "order", "call", "buy", "get", "fix", "check", "book", "install", "move", "bring", "lend",
    "update", "contact", "contacts", "talk", "talks", "ask", "asks", "send", "sends", "raise",
    "raises", "take", "make", "makes",
)  # fmt: skip
OWNER_AS_SUBJECT = re.compile(
    r"^(?P<owner>[A-ZÅÄÖ][a-zåäöé]+(?:\s+[A-ZÅÄÖ][a-zåäöé]+)?|[A-ZÅÄÖ]{2,6})\s+"
    # Not "Maria tar båda": the owner of actions already named.
    rf"(?P<action>(?:{'|'.join(DOING)})\s+(?!(?:det|dem|den|båda|bägge|alla|allihop|hand|it|"
    r"them|both|all|care)\b)\w.*)$"
)
# "Maria beställer en stol senast 8 januari, och Anna flyttar routern till 18 december": two
# actions, each with its owner as the subject.
SUBJECT_CLAUSE = re.compile(
    r",?\s+(?:och|samt|and)\s+(?=[A-ZÅÄÖ][a-zåäöé]+(?:\s+[A-ZÅÄÖ][a-zåäöé]+)?\s+"
    rf"(?:{'|'.join(DOING)})\b)"
)
# "… till 20 december", "…, klart till 15 januari", "… by 8 January": the due date at the end;
# "… varje onsdag från 13 januari": an arrangement is in place from its first day.
DUE_IN_ACTION = re.compile(
    r"[\s,]+(?:(?:klart|klar|färdigt|senast|due)\s+(?=om\b|in\b)|(?:(?:klart|klar|färdigt|senast"
    r"|due)\s+)?(?:till|senast|by|before|innan|före|från och med|från|fr\.?\s?o\.?\s?m\.?|from"
    r"|starting)\s+)"
    r"(?:den\s+|the\s+)?(?P<day>[^,.]{3,40}?)(?=\s*[,.]|\s*$)",
    re.IGNORECASE,
)


NOW = re.compile(r"nu|now|direkt|genast|omgående|idag|i dag|today|immediately")
# "… i morgon", "… på fredag", "… tomorrow": a day named at the end of an action.
DAY_AT_THE_END = re.compile(
    r"\s+(?:(?:från och med|fr\.?o\.?m\.?|from|starting)\s+)?(?P<day>i morgon|imorgon|tomorrow"
    r"|på (?:mån|tis|ons|tors|fre)dag|on (?:mon|tues|wednes|thurs|fri)day|nu|now|direkt|genast"
    r"|omgående|immediately)[\s.!]*$",
    re.IGNORECASE,
)


# What is not the owner in "Anna, senast 18 december": the date and the words around it.
NOT_THE_OWNER = re.compile(
    r"\b(ansvarig[at]?|ansvarar|är|blir|senast|till|klart|klar|den|by|owner|is|due|tar hand om|"
    r"tar|fixar|båda|bägge|alla|allihop|dem|det|för|takes care of|takes|both|all of them|all|"
    r"them)\b|[:,–—-]",
    re.IGNORECASE,
)
# "Maria tar båda, senast 31 januari": the owner and the date of every action waiting.
FOR_ALL = re.compile(r"\b(båda|bägge|alla|allihop|both|all of them|all)\b", re.IGNORECASE)


# Answers to the form's other questions ("fortsätter", "ja"): nobody's name.
NO_ONE = re.compile(
    r"^(fortsätt\w*|ändras|ändra|avslutas|avsluta|continues?|changes?|ends?|ja|nej|jo|yes|no|"
    r"ok|okej|inga|ingen|none|klart|done)$",
    re.IGNORECASE,
)


ONE_WRITING = {"jag", "Jag", "mig", "Mig", "mej", "me", "Me", "myself"}
# What asks to be made the owner: "ok sätt mig", "put me down".
OWNER_FILLERS = re.compile(
    r"\b(ok|okej|okay|sätt|sätter|skriv|skriv upp|ta|put|set|write|down|då|så|then)\b",
    re.IGNORECASE,
)


def completed(
    action: dict[str, Any], text: str, today: date, me: str | None = None
) -> dict[str, Any]:
    """A held action with the owner and the date an answer gives ("Anna, 18 december"); "jag"
    or "mig" is ``me``, the one writing ("ok sätt mig, maria")."""
    day = find_date(text, today)
    rest = DATE_IN_TEXT.sub(" ", text) if day else text
    owner = " ".join(OWNER_FILLERS.sub(" ", NOT_THE_OWNER.sub(" ", rest)).split()).strip(" .!")
    if NO_ONE.match(owner):
        owner = ""
    # Not the Swedish "i": "Eva i receptionen" is Eva.
    if me is not None and any(w in ONE_WRITING or w == "I" for w in owner.split()):
        owner = me
    return {
        **action,
        "owner": action["owner"] or (owner[:120] or None),
        "due": action["due"] or (day.isoformat() if day else None),
    }


def missing_question(action: dict[str, Any]) -> str:
    name = action["action"]
    if action["owner"] is None and action["due"] is None:
        return f'Vem ansvarar för "{name}", och till vilket datum?'
    if action["owner"] is None:
        return f'Vem ansvarar för "{name}"?'
    return f'Till vilket datum ska "{name}" vara gjort?'


# --- changing the plan given: "stryk skrivbordet", "lägg till en åtgärd: …" -------------------

# "stryk skrivbordet", "ta bort headsetet", "remove the chair": an action named by a word of it.
REMOVING = re.compile(
    r"\b(?:stryk|stryka|ta bort|radera|strunta i|skippa|remove|delete|drop)\s+"
    r"(?P<what>[^,.;:!?]+)",
    re.IGNORECASE,
)
# "lägg till en åtgärd till: Sätta upp rullgardin – Anna – 31 december", "add: …".
ADDING = re.compile(
    r"\b(?:lägg till|lägga till|lägg in|add)\s*(?:en|ett|an?|one)?\s*"
    r"(?:ny|till|more|another|new)?\s*(?:åtgärd(?:er)?|actions?)?\s*(?:till|to)?\s*:?\s*"
    r"(?P<line>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# "den andra åtgärden", "the second action": an action by its place.
ORDINALS = {
    "första": 0, "andra": 1, "tredje": 2, "fjärde": 3, "femte": 4, "sista": -1, "first": 0,
    "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1,
}  # fmt: skip
ORDINAL = re.compile(rf"\b({'|'.join(ORDINALS)})\s+(?:åtgärd\w*|action)\b")
# Words of a removal that name no particular action.
NOT_NAMING = ("åtgärd", "action", "den", "det", "the", "hela", "också")
WORDS = re.compile(r"[0-9a-zåäöéü]+")


def same_stem(said: str, written: str) -> bool:
    """ "skrivbordet" names "Köpa skrivbord", "headsetet" names "Beställa headset", and
    "lampan" names "Köpa skrivbordslampa" (the last part of a compound)."""
    shorter, longer = sorted((said, written), key=len)
    if len(shorter) < 4:
        return False
    if longer.startswith(shorter[: max(4, len(shorter) - 2)]):
        return True
    stem = re.sub(r"(erna|arna|orna|en|et|an|na|n)$", "", said) if len(said) > 5 else said
    return len(stem) >= 4 and re.search(rf"{re.escape(stem)}\w{{0,2}}$", written) is not None


def without_named_action(
    actions: list[dict[str, str]], text: str
) -> tuple[list[dict[str, str]], dict[str, str]] | None:
    """The plan without the one action a removal names, and that action; None when the text
    removes nothing, or when it could mean more than one action."""
    removal = REMOVING.search(text)
    if removal is None:
        return None
    if (ordinal := ORDINAL.search(removal.group("what").lower())) is not None:
        # "stryk den andra åtgärden": the action by its place in the plan.
        place = ORDINALS[ordinal.group(1)]
        if not -len(actions) <= place < len(actions):
            return None
        named_by_place = actions[place]
        return [a for a in actions if a is not named_by_place], named_by_place
    said = [
        w
        for w in WORDS.findall(removal.group("what").lower())
        if len(w) >= 4 and not w.startswith(NOT_NAMING)
    ]
    named = [
        a
        for a in actions
        if any(same_stem(s, w) for s in said for w in WORDS.findall(a["action"].lower()))
    ]
    if len(named) != 1:
        return None
    return [a for a in actions if a is not named[0]], named[0]


def added_actions(
    text: str, today: date, me: str | None = None
) -> tuple[list[dict[str, str]], bool] | None:
    """The actions after "lägg till …", and whether every one has its owner and date; None when
    the text adds nothing."""
    adding = ADDING.search(text)
    if adding is None:
        return None
    actions, held = split_actions(adding.group("line"), today, me)
    if not actions and not held:
        return None
    return actions, not held
