"""A request built on an earlier one: "jag vill förlänga mitt distansavtal ett år till" renews
the agreement in force with the same answers from the day after it ends; "ändra min ansökan
till 60 procent" sends the request waiting again with the change, replacing it; "I'd like to
change my agreement to three days a week from Feb 1st" asks for new terms on the agreement in
force, which holds until they are approved. Only what the message changes or names is asked;
the summary shows the rest to confirm.

A bare "jag vill förlänga mitt avtal" is asked how long first. Flow authors answered that in
two ways: with a length or an end ("ett halvår", "till sista juni 2028"), which renews on the
same terms, or with a new share ("50%"), which goes through every question as a first request.
"""

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from sqlalchemy.exc import SQLAlchemyError

from actions.agreement.fields import agreement_fields, find_share_in, policy, swedish_date
from actions.conversation.fields import PENDING_SLOT, FormContext, Prompt
from actions.conversation.reading import (
    Answer,
    Message,
    is_hedge,
    is_question,
    yes_or_no,
)
from bot.agreements.dates import DATE_IN_TEXT, find_period, find_period_in
from bot.errors import Refused
from bot.spelling import without_diacritics
from bot.storage.models import Agreement, AgreementStatus

if TYPE_CHECKING:
    from actions.conversation.repair import Turn

# Read without å/ä/ö: "forlanga", "fornya".
RENEWS = re.compile(r"\b(forlang\w*|forny\w*|extend\w*|renew\w*|prolong\w*)\b")
# "jag skickade in en ansökan men nu vill jag ha 60 procent istället" changes it too.
CHANGES = re.compile(r"\b(andra|andring|change|update|uppdatera|amend|istallet|instead)\b")
REQUEST = re.compile(r"\b(ansokan|ansokningen|request|application)\b")
AGREEMENT = re.compile(r"\b(\w*avtal\w*|overenskommelse\w*|agreement)\b")
# How the request builds on the earlier one.
RENEW, CHANGE_WAITING, CHANGE_IN_FORCE = "renew", "change_waiting", "change_in_force"
# "samma villkor", "same terms": nothing else changes.
IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.EXPIRING, AgreementStatus.APPROVED)
# The answers carried over, and the words that name each one in "vill ändra slutdatumet".
CARRIED = {
    "agreement_share": ("procent", "andel", "omfattning", "dagar", "share", "percent", "days"),
    "agreement_place": ("plats", "place", "hemma", "home"),
    "agreement_tasks": ("arbetsuppgift", "uppgift", "tasks"),
    "agreement_equipment": ("utrustning", "equipment"),
    "agreement_it_security": (),
}
DATES = {
    "agreement_start": ("startdatum", "start", "börja", "borja"),
    "agreement_end": ("slutdatum", "slut", "end"),
}


def earlier_agreement(own: list[Agreement], text: str) -> tuple[Agreement, str] | None:
    """The agreement the message builds on, and how (``RENEW``, ``CHANGE_WAITING``,
    ``CHANGE_IN_FORCE``); None when it builds on none. A renewal builds on the agreement only
    when the message says how ("samma villkor", "ett år till", "till 31 augusti 2028"); a bare
    "jag vill förlänga" asks every question, as a first request does. A change is of the
    request waiting, else, when the message names the agreement, of the one in force."""
    plain = without_diacritics(text.lower())
    in_force = [a for a in own if a.status in IN_FORCE]
    if RENEWS.search(plain) and says_how(text):
        return (in_force[-1], RENEW) if in_force else None
    if not CHANGES.search(plain):
        return None
    waiting = [a for a in own if a.status == AgreementStatus.SUBMITTED]
    if waiting and (REQUEST.search(plain) or AGREEMENT.search(plain)):
        return waiting[-1], CHANGE_WAITING
    if in_force and AGREEMENT.search(plain):
        return in_force[-1], CHANGE_IN_FORCE
    return None


def bare_renewal(own: list[Agreement], text: str) -> Agreement | None:
    """The agreement in force that "jag vill förlänga mitt avtal" renews, when the message says
    neither how long nor on what terms (``earlier_agreement`` takes those)."""
    if not RENEWS.search(without_diacritics(text.lower())) or says_how(text):
        return None
    in_force = [a for a in own if a.status in IN_FORCE]
    return in_force[-1] if in_force else None


# The sub-question "Hur länge vill du förlänga den?", waiting through questions asked on the way.
RENEWAL = "renewal"
HOW_LONG = re.compile(r"\b(hur lange|how long|hur langt|vad brukar|what is usual)\b")


def renewal_question(earlier: Agreement) -> dict[str, object]:
    return {"kind": RENEWAL, "keep": True, "agreement": earlier.id}


def renewed_agreement(ctx: FormContext) -> Agreement | None:
    """The agreement the pending renewal question is about; None when none is pending or it
    can no longer be read (then the request goes on as a first one)."""
    pending = ctx.pending
    agreements, user = ctx.services.agreements, ctx.user
    if pending.get("kind") != RENEWAL or agreements is None or user is None:
        return None
    try:
        return agreements.get(user, int(pending["agreement"]))
    except (Refused, KeyError, ValueError, SQLAlchemyError):
        # The database down: the questions of a first request, which it does not need.
        return None


def renewal_prompt(ctx: FormContext) -> Prompt | None:
    earlier = renewed_agreement(ctx)
    if earlier is None:
        return None
    return Prompt(
        f"Din överenskommelse {earlier.reference} gäller till {swedish_date(earlier.end_date)}: "
        f"{earlier.share_percent:g} % på distans, {earlier.place_description.lower()}. Hur länge "
        "vill du förlänga den med samma villkor, eller till vilket datum? Vill du ändra "
        "villkoren, svara med den nya andelen, så går vi igenom frågorna.",
        renewal_buttons(ctx),
    )


# "Ändra villkoren": every question, as a first request.
NEW_TERMS = re.compile(r"\b((andra|byt\w*|nya) villkor\w*|change the terms|new terms)\b")


def renewal_buttons(ctx: FormContext) -> list[dict[str, str]]:
    """The usual lengths the region allows, and the way to new terms."""
    months = policy(ctx).max_duration_months
    lengths = [(6, "Ett halvår"), (12, "Ett år")]
    buttons = [{"title": t, "payload": t.lower()} for n, t in lengths if not months or n <= months]
    return [*buttons, {"title": "Ändra villkoren", "payload": "ändra villkoren"}]


def read_renewal(turn: "Turn") -> bool:
    """The answer to the renewal question: a length, an end or "samma villkor" renews on the
    same terms; a new share, or anything else, is read as the first question's answer."""
    ctx, m = turn.ctx, turn.message
    earlier = renewed_agreement(ctx)
    if earlier is None:
        return False
    share = find_share_in(ctx, m.text)
    if share.found or share.problem:
        ctx.set(PENDING_SLOT, None)
        return False
    if NEW_TERMS.search(without_diacritics(m.lowered)):
        ctx.set(PENDING_SLOT, None)
        turn.say("Då går vi igenom frågorna en i taget.")
        return True
    same = yes_or_no(m) is Answer.YES and not is_question(m)
    if says_how(m.text) or DATE_IN_TEXT.search(m.lowered) or same:
        ctx.set(PENDING_SLOT, None)
        turn.say(carry_over(ctx, earlier, RENEW, m.text))
        end = next(f for f in agreement_fields(ctx) if f.slot == "agreement_end")
        if ctx.get("agreement_end") is None and not same:
            turn.answer(end, end.read(ctx, m))
        return True
    if is_hedge(m) or HOW_LONG.search(without_diacritics(m.lowered)):
        months = policy(ctx).max_duration_months
        limit = f", som längst {months} månader i taget" if months else ""
        turn.say(
            f"Det kommer du och din chef överens om{limit}. Skriv till exempel ett år, ett "
            "halvår eller ett slutdatum. Hur länge vill du förlänga den?",
            renewal_buttons(ctx),
        )
        turn.keep_quiet()
        return True
    if not is_question(m):
        ctx.set(PENDING_SLOT, None)
    # A question on the way is answered, and the renewal question asked again.
    return False


SAME_TERMS = re.compile(r"\b(samma (villkor|som nu|som forut|som innan)|same (terms|as now))\b")
NEW_END = re.compile(r"\b(till|to|until|through)\s+(\d|sista|slutet|end|the end)")


def says_how(text: str) -> bool:
    """The renewal's terms or length are in the message itself."""
    lowered = text.lower()
    plain = without_diacritics(lowered)
    lengths = PLAIN_LENGTHS.sub(lambda m: PLAIN_UNITS[m.group(0)], lowered)
    return bool(
        SAME_TERMS.search(plain)
        or NEW_END.search(lowered)
        or find_period_in(lengths)
        or said_length(lengths)
    )


def carry_over(ctx: FormContext, earlier: Agreement, how: str, text: str) -> str:
    """Fills the empty answers from ``earlier``, except those the message names to change
    ("vill ändra slutdatumet"); returns what the user is told."""
    plain = without_diacritics(text.lower())
    named = {
        slot
        for slot, words in (CARRIED | DATES).items()
        if any(without_diacritics(w) in plain for w in words)
    }
    values = {
        "agreement_share": float(earlier.share_percent),
        "agreement_place": earlier.place_description,
        "agreement_tasks": earlier.tasks,
        "agreement_equipment": list(earlier.equipment or []),
        "agreement_it_security": earlier.it_security_confirmed or None,
    }
    if how == RENEW:
        values["agreement_start"] = (earlier.end_date + timedelta(days=1)).isoformat()
    elif how == CHANGE_WAITING:
        values["agreement_start"] = earlier.start_date.isoformat()
        values["agreement_end"] = earlier.end_date.isoformat()
    # New terms of the agreement in force begin when the user says; they are asked.
    for slot, value in values.items():
        if ctx.get(slot) is None and value is not None and slot not in named:
            ctx.set(slot, value)
    if how == RENEW and ctx.get("agreement_end") is None:
        renewed_end(ctx, text)
    if how == CHANGE_WAITING:
        ctx.set("agreement_overlap", f"replace:{earlier.id}")
        return (
            f"Jag utgår från din ansökan {earlier.reference} och ändrar det du säger; den nya "
            "ersätter den som väntar på beslut."
        )
    if how == CHANGE_IN_FORCE:
        return (
            f"Jag utgår från din överenskommelse {earlier.reference} och ändrar det du säger. "
            "Den gäller som förut tills din chef har godkänt den nya."
        )
    return (
        f"Jag utgår från din överenskommelse {earlier.reference}, som gäller till "
        f"{earlier.end_date.isoformat()}: samma svar, från dagen efter."
    )


def renewed_end(ctx: FormContext, text: str) -> None:
    """ "ett år till", "by six months": the end of the new period, when the policy allows it."""
    # "ett ar till": the length words as typed without å.
    text = PLAIN_LENGTHS.sub(lambda m: PLAIN_UNITS[m.group(0)], text.lower())
    period = find_period(text) or find_period_in(text) or said_length(text)
    start = ctx.get("agreement_start")
    if period is None or start is None:
        return
    end = date.fromisoformat(str(start)) + period - timedelta(days=1)
    field = next(f for f in agreement_fields(ctx) if f.slot == "agreement_end")
    reading = field.read(ctx, Message(text=end.isoformat()))
    if reading.found and not reading.confirm:
        ctx.set("agreement_end", reading.value)


PLAIN_LENGTHS = re.compile(r"\b(ar|halvar|manader)\b")
PLAIN_UNITS = {"ar": "år", "halvar": "halvår", "manader": "månader"}
# "ett år till", "another year", "by six months" inside a longer message.
LENGTH = re.compile(
    r"\b(?:ett|ett till|one|another|a|by|med)?\s*(?:(?P<count>\d{1,2}|en|ett|två|tre|sex|"
    r"one|two|three|six|tolv|twelve)\s+)?(?P<unit>år|halvår|månader|year|years|months|half a year)"
    r"\b(?:\s+(?:till|more))?"
)


def said_length(text: str) -> relativedelta | None:
    match = LENGTH.search(text.lower())
    if match is None:
        return None
    return find_period(f"{match.group('count') or 'ett'} {match.group('unit')}")
