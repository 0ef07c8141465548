"""A request built on an earlier one: "jag vill förlänga mitt distansavtal ett år till" renews
the agreement in force with the same answers from the day after it ends, and "ändra min ansökan
till 60 procent" sends the request waiting again with the change, replacing it. Only what the
message changes or names is asked; the summary shows the rest to confirm.
"""

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from actions.agreement.fields import agreement_fields
from actions.conversation.fields import FormContext
from actions.conversation.reading import Message, unaccented
from bot.agreements.dates import find_period, find_period_in
from bot.storage.models import Agreement, AgreementStatus

# Read without å/ä/ö: "forlanga", "fornya".
RENEWS = re.compile(r"\b(forlang\w*|forny\w*|extend\w*|renew\w*|prolong\w*)\b")
CHANGES = re.compile(r"\b(andra|andring|change|update|uppdatera|amend)\b")
REQUEST = re.compile(r"\b(ansokan|ansokningen|request|application)\b")
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


def earlier_agreement(own: list[Agreement], text: str) -> tuple[Agreement, bool] | None:
    """The agreement the message builds on, and whether it renews it (else it changes a
    request waiting); None when it builds on none. A renewal builds on the agreement only
    when the message says how ("samma villkor", "ett år till", "till 31 augusti 2028"); a bare
    "jag vill förlänga" asks every question, as a first request does."""
    plain = unaccented(text.lower())
    if RENEWS.search(plain) and says_how(text):
        in_force = [a for a in own if a.status in IN_FORCE]
        return (in_force[-1], True) if in_force else None
    if CHANGES.search(plain) and REQUEST.search(plain):
        waiting = [a for a in own if a.status == AgreementStatus.SUBMITTED]
        return (waiting[-1], False) if waiting else None
    return None


SAME_TERMS = re.compile(r"\b(samma (villkor|som nu|som forut|som innan)|same (terms|as now))\b")
NEW_END = re.compile(r"\b(till|to|until|through)\s+(\d|sista|slutet|end|the end)")


def says_how(text: str) -> bool:
    """The renewal's terms or length are in the message itself."""
    lowered = text.lower()
    plain = unaccented(lowered)
    lengths = PLAIN_LENGTHS.sub(lambda m: PLAIN_UNITS[m.group(0)], lowered)
    return bool(
        SAME_TERMS.search(plain)
        or NEW_END.search(lowered)
        or find_period_in(lengths)
        or said_length(lengths)
    )


def carry_over(ctx: FormContext, earlier: Agreement, renews: bool, text: str) -> str:
    """Fills the empty answers from ``earlier``, except those the message names to change
    ("vill ändra slutdatumet"); returns what the user is told."""
    plain = unaccented(text.lower())
    named = {
        slot
        for slot, words in (CARRIED | DATES).items()
        if any(unaccented(w) in plain for w in words)
    }
    values = {
        "agreement_share": float(earlier.share_percent),
        "agreement_place": earlier.place_description,
        "agreement_tasks": earlier.tasks,
        "agreement_equipment": list(earlier.equipment or []),
        "agreement_it_security": earlier.it_security_confirmed or None,
    }
    if renews:
        values["agreement_start"] = (earlier.end_date + timedelta(days=1)).isoformat()
    else:
        values["agreement_start"] = earlier.start_date.isoformat()
        values["agreement_end"] = earlier.end_date.isoformat()
    for slot, value in values.items():
        if ctx.get(slot) is None and value is not None and slot not in named:
            ctx.set(slot, value)
    if renews and ctx.get("agreement_end") is None:
        renewed_end(ctx, text)
    if not renews:
        ctx.set("agreement_overlap", f"replace:{earlier.id}")
        return (
            f"Jag utgår från din ansökan {earlier.reference} och ändrar det du säger; den nya "
            "ersätter den som väntar på beslut."
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
