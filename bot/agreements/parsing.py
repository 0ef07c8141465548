"""Understands the answers people type into the agreement form: shares, places and equipment.

"hälften", "två dagar i veckan", "40%" and "40 procent" are all shares. Dates and periods are
``bot.agreements.dates``'s.
"""

import difflib
import re
from difflib import SequenceMatcher

from bot.agreements.dates import (
    ALTERNATE_WEEKDAY,
    EVERY_OTHER,
    MONTH_NUMBERS,
    NUMBER_WORDS,
    WEEKDAY_NAMES,
    WEEKDAY_NUMBERS,
)
from bot.spelling import without_diacritics

FRACTION_WORDS = {
    "hälften": 50, "halva": 50, "halvtid": 50, "half": 50, "hälften av tiden": 50,
    "en fjärdedel": 25, "en fjärdedels": 25, "a quarter": 25, "en tredjedel": 33, "a third": 33,
    "heltid": 100, "all the time": 100, "hela tiden": 100, "full time": 100,
}  # fmt: skip
PERCENT = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*(?:%|procent|percent)")
# "2,5 dagar" and "2.5 dagar" are half days, not five.
# "3 dgr/v" and "3 d/v" as typed on a phone.
DAYS = re.compile(
    r"(\d+(?:[.,]\d+)?|[a-zåäö]+)\s*(?:dag|dagar|dgr|day|days|d(?=\s*/\s*v))\b"
    r"(?:\s*(?:i|per|a|/)\s*(?:veckan|vecka|week|v\b))?"
)
BARE_NUMBER = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*$")
# A number and a word that may be a misspelt unit: "40 procnet", "40 precent".
NUMBER_AND_WORD = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*([a-zåäö]{3,9})\b")
UNITS = ("procent", "percent")
# "40proc", "40 pct": the unit cut short.
SHORT_UNITS = ("proc", "pct", "procen", "perc")
DAYS_EVERY_OTHER_WEEK = re.compile(
    rf"(\d+(?:[.,]\d+)?|[a-zåäö]+)\s*(?:dag|dagar|day|days)\s+(?:i\s+|a\s+)?{EVERY_OTHER}\s+"
    r"(?:vecka|week)\b"
)


def parse_share(text: str, working_days_per_week: int = 5) -> float | None:
    """The share of working time, in per cent, or ``None`` when the text says no share.

    Days per week are converted against the employee's working week. The result is not
    range-checked: -10 or 120 come back as they are so the caller can explain the rule.
    """
    lowered = with_units_spelt(with_numbers_written(text.lower().strip()))
    if match := PERCENT.search(lowered) or BARE_NUMBER.match(lowered):
        return float(match.group(1).replace(",", "."))
    if match := DAYS_EVERY_OTHER_WEEK.search(lowered):
        days = day_count(match.group(1))
        return round(100 * days / 2 / working_days_per_week, 1) if days is not None else None
    if ALTERNATE_WEEKDAY.search(lowered):
        return round(100 / 2 / working_days_per_week, 1)
    if match := DAYS.search(lowered):
        days = day_count(match.group(1))
        if days is not None:
            return round(100 * days / working_days_per_week, 1)
    if days_named := {WEEKDAY_NUMBERS[a or b] for a, b in EVERY_WEEKDAY.findall(lowered)}:
        return round(100 * len(days_named) / working_days_per_week, 1)
    for words, share in sorted(FRACTION_WORDS.items(), key=lambda item: -len(item[0])):
        if words in lowered:
            return float(share)
    return None


# "på måndagar och fredagar", "on Mondays and Fridays", "every Tuesday": those days each week.
EVERY_WEEKDAY = re.compile(
    r"(?:\b(?:varje|every)\s+)?\b(måndag|tisdag|onsdag|torsdag|fredag|monday|tuesday|wednesday|"
    r"thursday|friday)(?:ar|s)\b|\b(?:varje|every)\s+(måndag|tisdag|onsdag|torsdag|fredag|monday|"
    r"tuesday|wednesday|thursday|friday)\b"
)
# Written-out numbers of a share: "fyrtio procent", "sextio", "en och en halv dag i veckan".
# Tens stand alone; a unit word (fyra, sex, en ...) only before the unit, since "en" and "sex"
# are words too ("inte fyra" stays a word).
TENS = {
    "tio": 10, "tjugo": 20, "trettio": 30, "fyrtio": 40, "förtio": 40, "femtio": 50,
    "sextio": 60, "sjuttio": 70, "åttio": 80, "nittio": 90, "hundra": 100, "etthundra": 100,
    "ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "femton": 15, "fifteen": 15,
}  # fmt: skip
UNIT_WORDS = {
    **NUMBER_WORDS, "åtta": 8, "eight": 8, "nio": 9, "nine": 9, "tre": 3,
}  # fmt: skip
TENS_AND_UNIT = re.compile(
    rf"\b({'|'.join(sorted(TENS, key=len, reverse=True))})(?:-?"
    rf"({'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))}))?\b"
)
UNIT_BEFORE_UNIT = re.compile(
    rf"\b({'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))})(?=\s*(?:%|procent|percent))"
)
# "en och en halv dag", "två och en halv dagar", "one and a half days", "en halv dag".
AND_A_HALF = re.compile(
    rf"\b({'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))}|\d+)\s+(?:och|and)\s+"
    r"(?:en|a|one)\s+(?:halv|half)\b"
)
A_HALF_DAY = re.compile(r"\b(?:en|a|one)\s+halv\s+(?=dag)|\bhalf a (?=day)")


def with_numbers_written(text: str) -> str:
    """ "fyrtio procent" -> "40 procent", "en och en halv dag" -> "1.5 dag"; other text as it is."""

    def number(word: str) -> int:
        return int(word) if word.isdigit() else UNIT_WORDS[word]

    text = AND_A_HALF.sub(lambda m: f"{number(m.group(1)) + 0.5:g}", text)
    text = A_HALF_DAY.sub("0.5 ", text)
    text = TENS_AND_UNIT.sub(
        lambda m: str(TENS[m.group(1)] + (UNIT_WORDS[m.group(2)] if m.group(2) else 0)), text
    )
    return UNIT_BEFORE_UNIT.sub(lambda m: str(UNIT_WORDS[m.group(1)]), text)


def day_count(word: str) -> float | None:
    """ "2", "2,5", "två" -> the number of days, or None."""
    if re.fullmatch(r"\d+(?:[.,]\d+)?", word):
        return float(word.replace(",", "."))
    number = NUMBER_WORDS.get(word)
    return float(number) if number is not None else None


def with_units_spelt(text: str) -> str:
    """ "40 procnet" -> "40 procent": a word after a number that is close to the unit is it."""

    def spelt(match: re.Match[str]) -> str:
        word = match.group(2)
        close = max(SequenceMatcher(None, word, unit).ratio() for unit in UNITS)
        spelt_out = word in SHORT_UNITS or (word[0] == "p" and close >= 0.75)
        return f"{match.group(1)} procent" if spelt_out else match.group(0)

    return NUMBER_AND_WORD.sub(spelt, text)


RANGE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:%|procent|percent)?\s*(?:och|till|eller|or|to|and|-|–)\s*"
    r"(\d+(?:[.,]\d+)?)\s*(?:%|procent|percent)"
)
DAY_COUNT = r"(\d(?:[.,]5)?|en|ett|två|tre|fyra|fem|one|two|three|four|five)"
# "1-2 dagar i veckan", "en eller två dagar", "two or three days a week".
DAY_RANGE = re.compile(
    rf"\b{DAY_COUNT}\s*(?:-|–|till|eller|à|or|to)\s*{DAY_COUNT}\s*(?:dag|dagar|day|days)\b"
)
SHARE_WORDS = re.compile(
    r"%|\bprocent|\bpercent|\bdag(ar)?\b|\bdgr\b|\d\s*d\s*/\s*v\b|\bdays?\b|dagar\b|days\b|"
    r"\b(?:varje|every)\s+\w+da[gy]\b|"
    r"hälften|halva|halvtid|\bhalf\b|heltid|"
    r"fjärdedel|tredjedel|quarter|\bthird\b|\bvarannan\b|\bevery (?:other|second)\b"
)


def find_share(text: str, working_days_per_week: int = 5) -> float | None:
    """A share named anywhere in a longer message ("nej vänta, jag menar 60 procent"); a bare
    number does not count here, as it may be anything, nor does a range, as it is two."""
    lowered = with_units_spelt(with_numbers_written(text.lower()))
    if not SHARE_WORDS.search(lowered) or share_options(lowered, working_days_per_week):
        return None
    said = list(PERCENT.finditer(lowered))
    if len({m.group(1) for m in said}) > 1:
        # "60 % istället för 40 %"; "inne på 40% men vill hellre ha 60%": the share wished for.
        if instead_of := INSTEAD_OF.search(lowered):
            before = [m for m in said if m.end() <= instead_of.start()]
            if before:
                return parse_share(lowered[before[-1].start() :], working_days_per_week)
        elif rather := RATHER.search(lowered):
            # The share beside the cue: "vill hellre ha 60%", "ta 60% istället, inte 40%".
            nearest = min(
                said, key=lambda m: max(m.start() - rather.end(), rather.start() - m.end())
            )
            return parse_share(lowered[nearest.start() :], working_days_per_week)
    return parse_share(lowered, working_days_per_week)


# A share preferred to another said in the same message.
INSTEAD_OF = re.compile(r"\b(istället för|i stället för|istallet for|instead of|rather than)\b")
RATHER = re.compile(r"\b(hellre|istället|i stället|istallet|rather|instead)\b")


def share_options(text: str, working_days_per_week: int = 5) -> list[float]:
    """The two ends of a range ("mellan 40 och 60 procent", "1-2 dagar i veckan"), in per
    cent, or nothing."""
    lowered = with_numbers_written(text.lower())
    if match := RANGE.search(lowered):
        low, high = (float(g.replace(",", ".")) for g in match.groups())
    elif match := DAY_RANGE.search(lowered):
        days = [
            NUMBER_WORDS[g] if g in NUMBER_WORDS else float(g.replace(",", "."))
            for g in match.groups()
        ]
        low, high = (round(100 * d / working_days_per_week, 1) for d in days)
    else:
        return []
    return [low, high] if low != high else []


PLACE_KINDS = {
    "holiday_home": (
        "fritidsbostad", "fritidsbostaden", "fritidshus", "fritidshuset", "stuga", "stugan",
        "sommarhus", "sommarhuset", "landet", "torp", "torpet",
        "fjällstuga", "summer house", "summerhouse", "cottage", "cabin", "holiday home",
    ),
    "home": (
        "hemma", "hemm", "hemifrån", "hemmet", "hem", "bostad", "bostaden", "lägenhet",
        "lägenheten", "villa", "villan", "radhus", "home", "my flat", "my apartment",
    ),
}  # fmt: skip
PLACE_NAMES = {"home": "Hemma", "holiday_home": "Fritidsbostaden", "other": "Annan plats"}
WORDS = re.compile(r"[a-zåäöéü]+")


def place_label(kind: str, description: str) -> str:
    """The place as people read it: its kind's name, and the description only when it says
    more than the kind ("Hemma", not "Hemma (Hemma)"; "Fritidsbostaden (stugan i Rättvik)")."""
    name = PLACE_NAMES.get(kind, kind)
    if names_only_the_kind(kind, description):
        return name
    return f"{name} ({description.strip()})"


def names_only_the_kind(kind: str, description: str) -> bool:
    """True when ``description`` is only a word for the kind of place ("Hemma", "i
    fritidsbostaden", "hemifrån") and adds nothing to its name."""
    said = " ".join(WORDS.findall(description.lower()))
    plain = re.sub(r"^(i|på|från|in|at|from|the|my)\s+", "", said)
    names = (PLACE_NAMES.get(kind, kind).lower(), *PLACE_KINDS.get(kind, ()))
    return not plain or plain in names or misspelt_place(plain) == kind


# Words for a kind of place long enough that a typo in them ("hemam", "stguan") is still read
# as that place; shorter ones ("hem", "torp") are too close to other words.
SPELT_PLACE_WORDS = {
    "holiday_home": (
        "fritidsbostaden", "fritidsbostad", "fritidshuset", "fritidshus", "sommarhuset",
        "sommarstugan", "stugan", "fjällstugan",
    ),
    "home": ("hemma", "hemifrån", "hemmet", "bostaden", "lägenheten", "lägenhet"),
}  # fmt: skip


def one_edit_apart(word: str, other: str) -> bool:
    """True when ``word`` becomes ``other`` by one letter added, removed, changed, or two
    neighbours swapped ("hemam" -> "hemma")."""
    if word == other or abs(len(word) - len(other)) > 1:
        return False
    if len(word) == len(other):
        diff = [i for i, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
        swapped = (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == other[diff[1]]
            and word[diff[1]] == other[diff[0]]
        )
        return len(diff) == 1 or swapped
    shorter, longer = sorted((word, other), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def misspelt_place(word: str) -> str | None:
    """The kind of place a word of five letters or more is one typo away from, or None."""
    if len(word) < 5:
        return None
    for kind, names in SPELT_PLACE_WORDS.items():
        if any(one_edit_apart(word, name) for name in names):
            return kind
    return None


NEGATED_PLACE = re.compile(r"\b(inte|ej|not)\s+(i\s+|på\s+|from\s+|in\s+)?\w+", re.IGNORECASE)
# "stugan i Sälen", "hemma i Västerås": where the place is, after the word for its kind.
PLACE_WHERE = re.compile(
    r"\s+(?:i|på|vid|utanför|nära|in|at|near)\s+(?P<name>[A-ZÅÄÖ][\wåäöÅÄÖ-]*(?:\s+[A-ZÅÄÖ]"
    r"[\wåäöÅÄÖ-]*)?|[a-zåäö][\wåäö-]{2,})"
)
NOT_A_PLACE_NAME = {
    "veckan", "vecka", "månaden", "året", "stället", "början", "slutet", "morgon", "sommar",
    "sommaren", "vinter", "vintern", "våras", "höstas", "perioden", "mån", "huvudsak", "regel",
    *MONTH_NUMBERS, *WEEKDAY_NAMES,
}  # fmt: skip


def place_phrase(text: str) -> str | None:
    """The words that name the place and where it is, as written ("oj, platsen blir inte hemma
    utan sommarstugan i Sälen" -> "sommarstugan i Sälen"); None when the text names only the
    kind of place ("hemifrån två dagar i veckan") or no place."""
    kind = place_kind(text)
    if kind == "other":
        return None
    unnegated = NEGATED_PLACE.sub(lambda m: " " * len(m.group(0)), text)
    names = PLACE_KINDS[kind]
    for word in re.finditer(r"[A-Za-zÅÄÖåäöéü]+", unnegated):
        lowered = word.group(0).lower()
        named = any(lowered == n or (len(n) > 4 and lowered.endswith(n)) for n in names)
        if not named and misspelt_place(lowered) != kind:
            continue
        where = PLACE_WHERE.match(text, word.end())
        if where is None or where.group("name").lower() in NOT_A_PLACE_NAME:
            return None
        return text[word.start() : where.end()]
    return None


def place_kind(text: str) -> str:
    """``home``, ``holiday_home`` or ``other``; compounds count ("sommarstugan" is a holiday
    home), negated places do not ("hemma, inte i stugan" is home), and neither does one typo
    ("hemam" is home)."""
    # Our own name for a kind (the opening message stores "Fritidsbostaden") is that kind.
    named = {name.lower(): kind for kind, name in PLACE_NAMES.items()}
    if text.strip().lower() in named:
        return named[text.strip().lower()]
    lowered = NEGATED_PLACE.sub(" ", text.lower())
    words = WORDS.findall(lowered)
    for kind in ("holiday_home", "home"):
        for name in PLACE_KINDS[kind]:
            if " " in name and name in lowered:
                return kind
            if any(w == name or (len(name) > 4 and w.endswith(name)) for w in words):
                return kind
    for word in words:
        if misspelt := misspelt_place(word):
            return misspelt
    return "other"


EQUIPMENT_SYNONYMS = {
    "Bärbar dator": ("bärbar", "dator", "laptop", "computer", "pc"),
    "Bildskärm": ("skärm", "bildskärm", "monitor", "screen", "display"),
    "Tangentbord och mus": ("tangentbord", "mus", "keyboard", "mouse"),
    "Headset": ("headset", "hörlurar", "headphones", "lurar"),
    "Dockningsstation": ("dockningsstation", "docka", "dockstation", "docking"),
    "Kontorsstol": ("stol", "kontorsstol", "chair"),
    "Mobiltelefon": ("mobil", "mobiltelefon", "telefon", "phone", "mobile"),
}
NO_EQUIPMENT = re.compile(
    # "ingen ny utrustning", "inget nytt": nothing more than the user has at home already.
    # "nä inget", "nope, nothing": a no before it.
    r"^((nej|nä+|nope|no)\W*\s)?"
    r"(ingen|inget|inga|nej|nä+|nope|none|nothing|no|not any)( ny| nytt| nya| new| more| extra)?"
    r"( utrustning| alls| just nu| equipment"
    r"| thanks| tack| behövs| needed| required| at all| for now| right now)*$"
    # "jag behöver ingen utrustning", "I don't need any equipment", "I need nothing".
    r"|^(jag |i )?(behöver|lånar|don't need|do not need|need|won't need)"
    r" (ingen|inget|inte någon|inte något|any|no|nothing)( utrustning| equipment)?$"
    # "inget, jag har allt jag behöver", "none, I have my own".
    r"|^((ingen|inget|inga|nej|none|nothing|no)( utrustning| equipment)?\W+)?"
    r"(jag har|i have|i've got|i already have|har redan) (redan )?(allt|everything|all"
    r"|eget|egen|egna|my own)( (jag|i) (behöver|need)| utrustning| equipment| stuff)?"
    r"( hemma| at home| redan| already){0,2}$"
)
# Why nothing is borrowed: "jag har allt", "har egen dator", "I have my own".
HAS_OWN = re.compile(r"\b(jag har|har (redan |allt|egen|eget|egna)|i have|i've got|behövs inte)")
# "nej tack, inget", "inget, tack": the same no, with a thank-you and punctuation around it.
NO_EQUIPMENT_AROUND = re.compile(r"^(nej|no)\s+(tack|thanks)\s+")
ITEM_SPLIT = re.compile(r",|;|\n|\+|&|/|\boch\b|\bo\b|\bsamt\b|\band\b|\bplus\b|\bmen\b|\bbut\b")
ITEM_FILLERS = re.compile(
    r"\b(en|ett|två|tre|a|an|one|two|bara|only|just|då|också|also|the|my|min|mitt|också|"
    r"lånar|låna|jag|i|want|to|borrow|kanske|även)\b"
)
# "ingen dator", and what the user has already: "jag har egen dator".
NEGATED_ITEM = re.compile(
    r"^\s*(ingen|inget|inga|inte|no|not|(jag )?har (redan|(en |ett )?(egen|eget|egna))"
    r"|i (already )?have( a| an)? my own)\b"
    # "headset behövs inte", "the headset isn't needed": the negation after the item.
    r"|\b(behövs|behöver(\s+(jag|vi))?|needed|need)\s+(inte|ej|not)\b"
    r"|\b(isn't|is not|not) needed\b|\bdon't need\b"
    # "jag behöver ingen bildskärm", "I need no monitor": the negation inside the clause.
    r"|\b(behöver|behövs|vill ha|need|want)\s+(\w+\s+)?(ingen|inget|inga|no)\b"
)


def equipment_items(text: str, options: list[str]) -> list[str] | None:
    """The items named in ``text`` by the region form's own names ("skärm och headset" ->
    Bildskärm, Headset), without those negated ("ingen dator, bara ett headset" -> Headset);
    ``[]`` for "ingen"; None when no item is recognised."""
    lowered = " ".join(text.lower().split()).strip(" .!")
    plain = " ".join(re.sub(r"[,.!;]", " ", lowered).split())
    if NO_EQUIPMENT.match(lowered) or NO_EQUIPMENT.match(NO_EQUIPMENT_AROUND.sub("", plain)):
        return []
    # "ingen utrustning behövs, jag har allt": a no, then that the user has what is needed; but
    # "inget, men ett headset" names one, and "nej, inte än" answers another question.
    clauses = [c.strip() for c in re.split(r"[,.;!]|\bmen\b|\bbut\b", lowered) if c.strip()]
    if (
        len(clauses) > 1
        and NO_EQUIPMENT.match(clauses[0])
        and all(HAS_OWN.search(c) for c in clauses[1:])
        and not any(
            not NEGATED_ITEM.search(c)
            and equipment_name(" ".join(ITEM_FILLERS.sub(" ", c).split()), options)
            for c in clauses[1:]
        )
    ):
        return []
    items: list[str] = []
    for part in ITEM_SPLIT.split(lowered):
        if NEGATED_ITEM.search(part):
            continue
        name = " ".join(ITEM_FILLERS.sub(" ", part).split())
        item = equipment_name(name, options)
        if item and item not in items:
            items.append(item)
    # "har redan dator, behöver inget": the user has their own, and needs nothing more; but
    # "nej, inte än" answers another question.
    parts = [p.strip() for p in ITEM_SPLIT.split(lowered) if p and p.strip()]
    says_no = [p for p in parts if NO_EQUIPMENT.match(p) and p not in ("nej", "no")]
    if not items and says_no and all(p in says_no or HAS_OWN.search(p) for p in parts):
        return []
    return items or None


def equipment_name(text: str, options: list[str]) -> str | None:
    """The form's name for one item, or None when it is not equipment the region lists."""
    if not text:
        return None
    for option in options:
        if text == option.lower() or text in option.lower().split():
            return option
    # Typed without å, ä and ö ("barbar dator o skarm"): both sides read so.
    words = [without_diacritics(w) for w in WORDS.findall(text)]
    for option, names in EQUIPMENT_SYNONYMS.items():
        if options and option not in options:
            # Only what the region's form lists.
            continue
        synonyms = [without_diacritics(s) for s in names]
        if any(w == s or (len(s) > 3 and w.endswith(s)) for w in words for s in synonyms):
            return option
        # The definite form: "skärmen", "datorn", "headsetet".
        if any(
            len(s) > 3 and w.startswith(s) and len(w) - len(s) <= 3 for w in words for s in synonyms
        ):
            return option
    # A typo ("bildskräm", "hedset"): one close spelling of a longer name.
    long_names = {
        s: o for o, synonyms in EQUIPMENT_SYNONYMS.items() for s in synonyms if len(s) > 5
    }
    for w in words:
        close = difflib.get_close_matches(w, long_names, n=1, cutoff=0.8)
        if close and len(w) > 5:
            return long_names[close[0]]
    return None
