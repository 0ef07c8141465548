"""The questions of a risk-assessment outcome: the risks seen, the action plan ("åtgärd –
ansvarig – datum", an action without owner or date held while they are asked for), and the
follow-up at most a year after the dialogue; and what an opening message already answers."""

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from actions.agreement.request import swedish_date
from actions.conversation.fields import PENDING_SLOT, Field, FormContext, Prompt, Reading
from actions.conversation.reading import (
    Answer,
    Message,
    is_chitchat,
    is_hedge,
    is_question,
    yes_or_no,
)
from actions.risk_assessment.action_lines import (
    FOR_ALL,
    action_parts,
    added_actions,
    completed,
    missing_question,
    split_actions,
    without_named_action,
)
from actions.risk_assessment.meeting import chosen_assessment, held_on
from bot.agreements.dates import (
    DATE_IN_TEXT,
    WEEKDAY_NAMES,
    find_date,
    find_period,
    find_period_in,
    parse_date,
)

FIELD_SLOTS = ("ra_risks", "ra_actions", "ra_follow_up")
NONE = re.compile(r"^\s*(inga|ingen|inget|nej|none|no)\b", re.IGNORECASE)
# The follow-up's decision, said at the actions question: "den fortsätter", "det fortsätter som
# idag".
NEXT_ANSWER = re.compile(
    r"^(den |det |distansarbetet |it )?(fortsätt\w*|ändras|avslutas|continues?|ends?)\b"
)
# Actions that lack an owner or a date, waiting while they are asked for.
HELD = "held_actions"
# Dropping the held action instead: "ta bort den", "stryk den".
DROP_HELD = re.compile(r"^(ta bort|stryk|strunta i) (den|den åtgärden|åtgärden|det)$")
# Both answers in one message: "Risker: skärmen är för låg. Åtgärd: Höja skärmen – Anna – 18
# december".
# "risker = dålig stol" on a phone: the same label.
RISKS_LABEL = re.compile(r"^\s*(risker|risk|risks)\s*[:=]\s*", re.IGNORECASE)
RISKS_IN_TEXT = re.compile(r"\b(risker|risk|risks)\s*[:=]\s*", re.IGNORECASE)
ACTIONS_LABEL = re.compile(r"\b(åtgärder|åtgärd|actions?)\s*[:=]\s*", re.IGNORECASE)


def ask_missing(done: list[dict[str, str]], held: list[dict[str, Any]]) -> Reading:
    """The actions so far, the first held one's missing parts asked for (the day, with both as
    buttons, when its weekday did not fit its date); kept until answered."""
    first = held[0]
    days = [date.fromisoformat(d) for d in first.get("days") or []]
    return Reading(
        problem=f"{first['which_day']} {missing_question(first)}"
        if days
        else missing_question(first),
        buttons=[
            {"title": f"{WEEKDAY_NAMES[d.weekday()]} {swedish_date(d)}", "payload": d.isoformat()}
            for d in days
        ],
        pending={"kind": HELD, "keep": True, "actions": done, "held": held},
    )


def follow_up_window(ctx: FormContext) -> tuple[date, date]:
    """From the day of the dialogue to a year later: the routine requires yearly follow-up."""
    held = held_on(ctx.services, ctx.user, chosen_assessment(ctx))
    return held, held + relativedelta(years=1)


def labelled_parts(text: str) -> tuple[str, str | None]:
    """The risks, and the actions when the message labels them ("Åtgärd: ...")."""
    label = ACTIONS_LABEL.search(text)
    risks = text[: label.start()] if label else text
    actions = text[label.end() :].strip() if label else None
    return " ".join(RISKS_LABEL.sub("", risks).split()).strip(" .;"), actions or None


def read_risks(ctx: FormContext, message: Message) -> Reading:
    text, _ = labelled_parts(message.text)
    if len(text) < 2 or not re.search(r"[a-zåäöA-ZÅÄÖ]{2}", text):
        return Reading()
    if yes_or_no(message) is Answer.YES and len(message.words) <= 2:
        # "ja" describes no risk.
        return Reading()
    return Reading.of(text[:5000])


# "lägg till i riskerna att hon jobbar sent": more risks, after those given.
MORE_RISKS = re.compile(
    r"\blägg(?:a)?\s+till\s+(?:i|till|bland|under)\s+risk(?:erna|er)\b\s*(?:att\s+|:\s*)?"
    r"(?P<more>.+)$|\badd\s+to\s+the\s+risks\s*(?:that\s+|:\s*)?(?P<more_en>.+)$",
    re.IGNORECASE,
)
RISKS_REPLACED = re.compile(
    r"\b(?:ändra|byt)\s+risk(?:erna|er)\s+till\s*:?\s*(?P<new>.+)$", re.IGNORECASE
)


def find_risks(ctx: FormContext, text: str) -> Reading:
    """A change to the risks given earlier: added to ("lägg till i riskerna att …") or
    replaced ("ändra riskerna till …")."""
    text = " ".join(text.split())
    if more := MORE_RISKS.search(text):
        added = (more.group("more") or more.group("more_en")).strip(" .")
        if len(added) < 3:
            return Reading(reopen=True)
        earlier = str(ctx.get("ra_risks") or "").strip().rstrip(".")
        added = added[0].upper() + added[1:]
        joined = f"{earlier}. {added}" if earlier else added
        return Reading.added(joined[:5000], f"Tillagt bland riskerna: {added}")
    if replaced := RISKS_REPLACED.search(text):
        return Reading.of(replaced.group("new").strip(" .")[:5000])
    return Reading()


def read_actions(ctx: FormContext, message: Message) -> Reading:
    if isinstance(message.entities.get("actions"), list):
        return Reading.of(message.entities["actions"])
    text = message.text.strip()
    waiting = ctx.pending if ctx.pending.get("kind") == HELD else None
    actions, held = split_actions(text, ctx.today(), me(ctx))
    if waiting is not None and not (actions and not held):
        # The answer to "Vem ansvarar för …, och till vilket datum?"; "tack" or a question is
        # not one, and "vet inte" gets help and a way on, never the same question alone.
        if is_hedge(message):
            return held_help(ctx, waiting)
        if is_chitchat(message) or is_question(message):
            return Reading()
        return complete_held(ctx, waiting, text)
    if NONE.match(text):
        return Reading.of([])
    # "Ny kontorsstol": an action alone, kept while its owner and date are asked for.
    alone = bool(held) and an_action_alone(message, ctx.today())
    # A complete action written as a sentence ("Anna beställer en stol senast 15 januari")
    # needs no dashes.
    if (
        not alone
        and not actions
        and not any(len(action_parts(line)) > 1 for line in text.splitlines())
    ):
        return Reading()
    done = [*(waiting or {}).get("actions", []), *actions]
    return ask_missing(done, held) if held else Reading.of(done)


def changes_to_actions(slot: str) -> Callable[[FormContext, str], Reading]:
    """A change to the plan given, at the summary or said later: "stryk skrivbordet" drops the
    action it names, "lägg till en åtgärd: Sätta upp rullgardin – Anna – 31 december" adds."""

    def find(ctx: FormContext, text: str) -> Reading:
        given = list(ctx.get(slot) or [])
        if (removed := without_named_action(given, text)) is not None:
            rest, action = removed
            return Reading.added(rest, f"Struken åtgärd: {action['action']}")
        if (added := added_actions(text, ctx.today(), me(ctx))) is not None:
            actions, complete = added
            if not complete:
                return Reading.refused(
                    "Skriv den nya åtgärden med ansvarig och datum, till exempel "
                    '"lägg till: Sätta upp rullgardin – Anna Andersson – 31 december".'
                )
            return Reading.added(
                [*given, *actions], f"Tillagt bland åtgärderna: {show_actions(actions)}"
            )
        return Reading()

    return find


def me(ctx: FormContext) -> str | None:
    """Who "jag" is in an action: the manager writing."""
    return ctx.user.name if ctx.user is not None else None


def an_action_alone(message: Message, today: date) -> bool:
    """A short line that may name an action: not a hedge, a question, chitchat or a number."""
    text = message.text.strip()
    # "1 sept 2027", "om ett år" and "den fortsätter" answer the next questions.
    said = text.lower().strip(" .!")
    a_date_alone = (
        DATE_IN_TEXT.fullmatch(said) is not None
        or parse_date(said, today) is not None
        or find_period(said) is not None
    )
    next_answer = a_date_alone or NEXT_ANSWER.match(said) is not None
    return (
        not (is_hedge(message) or is_question(message) or is_chitchat(message) or next_answer)
        # "ja spara" answers the summary.
        and yes_or_no(message) is Answer.NONE
        and bool(re.search(r"[a-zåäöA-ZÅÄÖ]{3}", text))
        and len(message.words) <= 20
    )


def held_help(ctx: FormContext, waiting: dict[str, Any]) -> Reading:
    """ "vet inte" to the owner or date of an action kept for them: who usually owns it and
    what to write, with the user as owner and dropping the action as buttons."""
    first = (waiting.get("held") or [{}])[0]
    buttons = []
    if first.get("owner") is None:
        text = (
            "Ofta är det chefen som ansvarar för att en åtgärd blir gjord, även när någon annan "
            "gör den. Skriv namnet på den som ansvarar"
        )
        if ctx.user is not None:
            buttons.append({"title": ctx.user.name, "payload": ctx.user.name})
    else:
        text = "Skriv ett ungefärligt datum, till exempel 15 januari; det kan flyttas senare"
        month = ctx.today() + timedelta(days=30)
        buttons.append({"title": f"Om en månad ({swedish_date(month)})", "payload": f"{month}"})
    buttons.append({"title": "Ta bort åtgärden", "payload": "ta bort den"})
    return Reading.refused(f'{text}, eller "ta bort den" om åtgärden ska strykas.', buttons)


def complete_held(ctx: FormContext, waiting: dict[str, Any], text: str) -> Reading:
    done: list[dict[str, str]] = list(waiting.get("actions") or [])
    held: list[dict[str, Any]] = list(waiting.get("held") or [])
    if DROP_HELD.match(" ".join(text.lower().split()).strip(" .!")):
        held = held[1:]
    else:
        # "Maria tar båda, senast 31 januari" answers for every action waiting.
        count = len(held) if FOR_ALL.search(text) else 1
        held[:count] = [completed(h, text, ctx.today(), me(ctx)) for h in held[:count]]
        if held[0]["owner"] is None and held[0]["due"] is None:
            return Reading()
        while held and held[0]["owner"] is not None and held[0]["due"] is not None:
            first = held.pop(0)
            done.append({k: first[k] for k in ("action", "owner", "due")})
    return ask_missing(done, held) if held else Reading.of(done)


def read_follow_up(ctx: FormContext, message: Message) -> Reading:
    return find_follow_up(ctx, message.text)


def find_follow_up(ctx: FormContext, text: str) -> Reading:
    earliest, latest = follow_up_window(ctx)
    # "om ett år" counts from the dialogue, as the buttons do, also inside a sentence
    # ("nej förresten, uppföljning om ett år").
    period = find_period(text) or find_period_in(text)
    follow_up = earliest + period if period is not None else find_date(text, earliest)
    if follow_up is None:
        return Reading()
    if not earliest <= follow_up <= latest:
        return Reading.refused(
            "Riskbedömningen ska följas upp minst en gång per år: skriv ett datum mellan "
            f"{earliest.isoformat()} och {latest.isoformat()}."
        )
    return Reading.of(follow_up.isoformat())


def labelled_actions(ctx: FormContext, text: str) -> list[str]:
    """Fills the actions from the text after "Åtgärd:"; an action without owner or date waits
    in the form's sub-question until they are given. Returns what was noted."""
    if ctx.get("ra_actions") is not None:
        return []
    if NONE.match(text):
        ctx.set("ra_actions", [])
        return ["åtgärder inga"]
    actions, held = split_actions(text, ctx.today(), me(ctx))
    if not held:
        ctx.set("ra_actions", actions)
        return [f"åtgärder {show_actions(actions)}"] if actions else []
    ctx.set(PENDING_SLOT, ask_missing(actions, held).pending)
    return [f'åtgärden "{a["action"]}"' for a in [*actions, *held]]


def actions_prompt(ctx: FormContext) -> Prompt:
    """The actions question, or the missing parts of an action given without them."""
    held = ctx.pending.get("held") if ctx.pending.get("kind") == HELD else None
    if held:
        asked = ask_missing([], held)
        return Prompt(asked.problem or missing_question(held[0]), asked.buttons)
    return Prompt(
        "Vilka åtgärder bestämde ni? Skriv en per rad: åtgärd – ansvarig – datum, till "
        'exempel "Beställa bildskärm – Maria Berg – 15 december". Skriv "inga" om inga '
        "åtgärder behövs."
    )


def actions_reprompt(ctx: FormContext) -> str:
    """After a digression: the owner and date of the action kept for them, or the actions."""
    held = ctx.pending.get("held") if ctx.pending.get("kind") == HELD else None
    if held:
        return missing_question(held[0])
    return "vilka åtgärder bestämde ni (åtgärd – ansvarig – datum), eller inga?"


def follow_up_prompt(ctx: FormContext) -> Prompt:
    earliest, latest = follow_up_window(ctx)
    half = earliest + relativedelta(months=6)
    return Prompt(
        "När ska riskbedömningen följas upp? Minst en gång per år, alltså senast "
        f"{latest.isoformat()}.",
        [
            {"title": f"Om ett år ({latest.isoformat()})", "payload": latest.isoformat()},
            {"title": f"Om sex månader ({half.isoformat()})", "payload": half.isoformat()},
        ],
    )


def show_actions(actions: Any) -> str:
    if not actions:
        return "inga"
    return "; ".join(f"{a['action']} – {a['owner']} – {a['due']}" for a in actions)


def outcome_fields(ctx: FormContext) -> list[Field]:
    return [
        Field(
            slot="ra_risks",
            title="Risker",
            prompt=lambda _: Prompt(
                "Vilka risker kom fram i dialogen? Tänk på ergonomi, den psykosociala "
                "arbetsmiljön (ensamhet, tillgänglighet, återhämtning), informationssäkerhet och "
                "olycksrisker."
            ),
            reprompt="vilka risker kom fram i dialogen?",
            read=read_risks,
            free_text=True,
            find=find_risks,
            words=("risker", "risken", "risks"),
            hedge_help='Beskriv kort vad ni såg, eller skriv "inga" om dialogen inte visade '
            "några risker.",
            not_understood='Beskriv kort vilka risker ni såg, eller skriv "inga".',
        ),
        Field(
            slot="ra_actions",
            title="Åtgärder",
            prompt=actions_prompt,
            reprompt=actions_reprompt,
            read=read_actions,
            find=changes_to_actions("ra_actions"),
            words=("åtgärd", "actions"),
            show=show_actions,
            hedge_help='Skriv de åtgärder ni är överens om, eller "inga". Fler åtgärder kan '
            "läggas till vid uppföljningen.",
            not_understood='Skriv åtgärd – ansvarig – datum, en per rad, eller "inga".',
        ),
        Field(
            slot="ra_follow_up",
            title="Uppföljning",
            prompt=follow_up_prompt,
            reprompt="när ska riskbedömningen följas upp?",
            read=read_follow_up,
            find=find_follow_up,
            words=("uppföljning", "följas upp", "follow-up", "follow up"),
            show=swedish_date,
            # "vet inte, när brukar man följa upp?": the rule, and the usual choices.
            hedge_help="Minst en gång per år, och tidigare om åtgärderna behöver följas upp. "
            "Många väljer om ett halvår eller om ett år.",
            not_understood="Skriv ett datum för uppföljningen, till exempel 1 december 2027.",
        ),
    ]


COLON_BEFORE_ACTIONS = re.compile(
    r":\s*(?=[^:]+\b(?:åtgärder|åtgärd|actions?)\s*[:=])", re.IGNORECASE
)
# "dokumentera riskbedömningen med Anna: inga risker förutom att hon behöver ett headset": after
# the request and a colon, three words or more are the risks.
COLON_AFTER_REQUEST = re.compile(r"^[^:]{0,80}:\s*(?=\S+\s+\S+\s+\S)")
# "Uppföljning om ett år." as a sentence of the opening message.
FOLLOW_UP_SENTENCE = re.compile(
    r"(?:^|[.!?]\s+)(?P<said>(?:uppföljning|följs upp|följa upp|följ upp|follow[- ]?up)[^.!?]*)",
    re.IGNORECASE,
)


FOLLOW_UP_CLAUSE = re.compile(
    r"[,;]\s*(?P<said>(?:uppföljning|uppfoljning|följs upp|foljs upp|följ upp|folj upp|"
    r"follow[- ]?up)[^.!?,;]*)",
    re.IGNORECASE,
)


def opening_follow_up(ctx: FormContext, text: str) -> list[str]:
    """The follow-up said in a clause of the opening, with no risks before it."""
    clause = FOLLOW_UP_CLAUSE.search(text)
    if clause is None:
        return []
    reading = find_follow_up(ctx, clause.group("said"))
    if not reading.found:
        return []
    ctx.set("ra_follow_up", reading.value)
    return [f"uppföljning {swedish_date(reading.value)}"]


def opening_answers(ctx: FormContext, text: str) -> list[str]:
    """What "dokumentera riskbedömningen med Anna. Risker: … Uppföljning om ett år." already
    answers: the risks after their label, labelled actions, and the follow-up; returns them as
    noted."""
    label = RISKS_IN_TEXT.search(text)
    if label is None:
        # "dokumentera riskbedömningen med Anna: bra stol, men ett kallt källarrum. Åtgärd: …":
        # what is said between the colon and the actions is the risks.
        label = COLON_BEFORE_ACTIONS.search(text) or COLON_AFTER_REQUEST.search(text)
    if label is None:
        # "vill dokumentera riskbedomningen med anna, uppfoljning om sex manader".
        return opening_follow_up(ctx, text)
    rest = text[label.end() :]
    follow_up = FOLLOW_UP_SENTENCE.search(rest)
    if follow_up is not None:
        rest = rest[: follow_up.start()]
    risks, actions = labelled_parts(rest)
    noted = []
    if len(risks) >= 2:
        ctx.set("ra_risks", risks[:5000])
        noted.append(f"risker {risks}")
    if actions is not None:
        noted += labelled_actions(ctx, actions)
    if follow_up is not None:
        reading = find_follow_up(ctx, follow_up.group("said"))
        if reading.found:
            ctx.set("ra_follow_up", reading.value)
            noted.append(f"uppföljning {swedish_date(reading.value)}")
    return noted


# --- read at the summary ------------------------------------------------------------------------

# "Riskerna är dålig belysning och …": the risks said again, in a sentence of their own.
RISKS_RESTATED = re.compile(
    r"^(?:risk(?:erna|er)|the risks)\s*(?:är|var|blir|are|were|:|=)\s*(?P<risks>\S.*)$",
    re.IGNORECASE,
)
# "riskerna är rätt, men …" judges the risks; it does not say them again.
JUDGED = re.compile(
    r"^(?:rätt|ok|okej|fel|korrekt|bra|desamma|samma|right|fine|ok|correct|wrong|the same)\b",
    re.IGNORECASE,
)
# "Och jag lånar ut en kontorsstol …": the action after its "och".
OPENING_AND = re.compile(r"^(?:och|and|sen|plus|också)\s+", re.IGNORECASE)
# "Anna köper lampan senast 20 januari i stället" changes an action; the correction layer reads it.
CHANGES_ONE = re.compile(r"\b(i ?stället|instead|ändra|byt|stryk|ta bort)\b", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def restated_at_summary(ctx: FormContext, text: str) -> tuple[str | None, list[dict[str, str]]]:
    """What a message at the summary says again or adds in sentences of its own: the risks
    restated ("Riskerna är …"), which replace those given, and whole actions ("jag lånar ut en
    kontorsstol till 15 januari"), which are added. Nothing when neither is there."""
    risks: str | None = None
    added: list[dict[str, str]] = []
    for sentence in SENTENCE.split(" ".join(text.split())):
        plain = OPENING_AND.sub("", sentence.strip().rstrip(".!"))
        restated = RISKS_RESTATED.match(plain)
        if restated and not JUDGED.match(restated.group("risks")):
            said = restated.group("risks").strip(" .")
            risks = (said[0].upper() + said[1:])[:5000]
            continue
        if CHANGES_ONE.search(plain):
            continue
        actions, held = split_actions(plain, ctx.today(), me(ctx))
        if actions and not held:
            added.extend(actions)
    return risks, added
