"""The questions of the agreement request: how each is asked, how an answer is read and checked
against the region's policy, and how people name it when they correct it."""

import re
from datetime import date, timedelta
from typing import Any

from actions.conversation.fields import Field, FormContext, Prompt, Reading
from actions.conversation.reading import (
    Answer,
    Message,
    adds_to_answer,
    is_go_ahead,
    is_hedge,
    yes_or_no,
)
from bot.agreements.dates import (
    WEEKDAY_NAMES,
    WEEKS_AHEAD,
    date_said_as_an_end,
    end_after,
    find_date,
    find_period,
    find_period_in,
    week_days,
    weekday_conflict,
)
from bot.agreements.parsing import (
    NEGATED_PLACE,
    PLACE_NAMES,
    day_count,
    equipment_items,
    find_share,
    parse_share,
    place_kind,
    place_phrase,
    share_options,
)
from bot.agreements.policy import check_end, check_share, check_start
from bot.regions import AgreementPolicy
from bot.storage.models import Agreement, AgreementStatus

FIELD_SLOTS = (
    "agreement_share",
    "agreement_place",
    "agreement_start",
    "agreement_end",
    "agreement_tasks",
    "agreement_equipment",
    "agreement_it_security",
    "agreement_overlap",
)
NO_OVERLAP = "none"
KEEP_IN_FORCE = "continue"
MONTHS = "januari februari mars april maj juni juli augusti september oktober november december"
IT_SECURITY_RULE = (
    "Reglerna för IT-användare och riktlinjerna för informationssäkerhet gäller även på "
    "distansarbetsplatsen, så du behöver ha läst dem innan ansökan skickas. De finns på "
    'intranätet. Svara ja när du har läst dem, eller skriv "avbryt".'
)
REMOVE_ITEM = re.compile(r"\b(ta bort|tar bort|stryk|stryka|strunta i|remove|drop)\b")
NOT_NEEDED = re.compile(
    r"\b(behövs inte|behovs inte|behöver (?:jag )?inte|behover (?:jag )?inte|not needed"
    r"|(?:do not|don't|dont) need)\b"
)
REPLACE_WORDS = re.compile(r"\b(ersätt|ersätta|byt|byta|replace|den nya|ta bort den)")
# A date said as a start ("från mars", "from 1 March") or as an end ("till 30 juni").
NAMES_THE_START = re.compile(r"\b(start\w*|börja\w*|from|från|fr\.?\s?o\.?\s?m|starting)\b")
FROM_A_DATE = re.compile(r"\b(från|from|fr\.?\s?o\.?\s?m\b|starting|starta)\b")
UNTIL_A_DATE = re.compile(r"\b(till|to|until|t\.?\s?o\.?\s?m\b|tom|through)\b")
AFTER_TO = re.compile(r"\btill\s+(?P<value>.+)$|\bto\s+(?P<en>.+)$")
CHOOSE_ITEM = "choose_item"
DONE_PICKING = ("klart", "klar", "det var allt", "inget mer", "nej", "done", "that's all")


def swedish_date(value: Any) -> str:
    day = date.fromisoformat(str(value))
    return f"{day.day} {MONTHS.split()[day.month - 1]} {day.year}"


def policy(ctx: FormContext) -> AgreementPolicy:
    assert ctx.services.agreements is not None
    return ctx.services.agreements.region.agreement


def after_to(text: str) -> str | None:
    """ "ändra platsen till sommarstugan i Rättvik" -> "sommarstugan i Rättvik"."""
    match = AFTER_TO.search(text.strip().rstrip("?.!"))
    return (match.group("value") or match.group("en")).strip() if match else None


# --- the fields ------------------------------------------------------------------------------


SHARE_CHOICE = "share_choice"
# "det första", "the second": one of two shares offered, by its place.
CHOICE_PLACES = {
    "första": 0, "förra": 0, "first": 0, "former": 0, "andra": 1, "senare": 1, "second": 1,
    "latter": 1,
}  # fmt: skip


def read_share(ctx: FormContext, message: Message) -> Reading:
    days = policy(ctx).working_days_per_week
    if (chosen := chosen_share(ctx, message, days)) is not None:
        return share_reading(ctx, chosen)
    options = share_options(message.text, days)
    if options:
        return Reading(
            problem=f"Menar du {options[0]:g} eller {options[1]:g} procent?",
            buttons=[{"title": f"{o:g} %", "payload": f"{o:g} %"} for o in options],
            pending={"kind": SHARE_CHOICE, "options": list(options)},
        )
    return share_reading(ctx, parse_share(message.text, days), message)


def chosen_share(ctx: FormContext, message: Message, days: int) -> float | None:
    """The answer to "Menar du 40 eller 60 procent?" asked of "två eller tre dagar": "två" is
    two days, "det första" the first; a bare number is never a share of that many percent."""
    if ctx.pending.get("kind") != SHARE_CHOICE or message.is_payload:
        return None
    options = [float(o) for o in ctx.pending.get("options") or []]
    words = [w for w in message.words if w not in ("det", "den", "då", "dagar", "days", "alltså")]
    if len(words) != 1:
        return None
    if words[0] in CHOICE_PLACES and len(options) == 2:
        return options[CHOICE_PLACES[words[0]]]
    count = day_count(words[0])
    if count is None:
        return None
    for share in (count * 100 / days, count):
        if share in options:
            return share
    return None


def find_share_in(ctx: FormContext, text: str) -> Reading:
    share = find_share(text, policy(ctx).working_days_per_week)
    return share_reading(ctx, share) if share is not None else Reading()


def share_reading(ctx: FormContext, share: float | None, message: Message | None = None) -> Reading:
    if share is None:
        return Reading()
    problem = check_share(share, policy(ctx))
    if problem:
        return Reading.refused(problem.text)
    hedged = message is not None and is_hedge(message)
    return Reading.of(share, confirm=f"Ska jag skriva {share:g} %?" if hedged else None)


def read_place(ctx: FormContext, message: Message) -> Reading:
    text = " ".join(message.text.split())
    if len(text) < 2 or not re.search(r"[a-zåäöA-ZÅÄÖ]", text) or is_go_ahead(message):
        return Reading()
    return Reading.of(text[:300])


def find_place(ctx: FormContext, text: str) -> Reading:
    named = after_to(text)
    if named and re.search(r"\b(plats|platsen|place)\b", text.lower()):
        return Reading.of(named[:300])
    kind = place_kind(text)
    if kind == "other":
        instead = place_instead(ctx, text)
        return Reading.of(instead[:300]) if instead else Reading()
    # "platsen blir inte hemma utan sommarstugan i Sälen": where it is, not only its kind.
    return Reading.of((place_phrase(text) or PLACE_NAMES[kind])[:300])


# Where the user will be instead: "hos min syster i Arboga", "i Kungsör", "at my parents' place".
NEW_PLACE = re.compile(
    r"\b(?:hos|at|by)\s+[^,.;!?]{2,80}|\b(?:i|på|in)\s+[A-ZÅÄÖ][\wåäöÅÄÖ-]+(?:\s+[A-ZÅÄÖ][\wåäöÅÄÖ-]+)?"
)


def place_instead(ctx: FormContext, text: str) -> str | None:
    """ "det är inte hemma, jag ska sitta hos min syster i Arboga": the place given is denied,
    and what follows names another; None unless both are said."""
    given = ctx.get("agreement_place")
    denied = NEGATED_PLACE.search(text)
    if not given or denied is None:
        return None
    denied_word = denied.group(0).split()[-1]
    if place_kind(denied_word) == "other" or place_kind(denied_word) != place_kind(str(given)):
        return None
    found = NEW_PLACE.search(text, denied.end())
    return found.group(0).strip() if found else None


# Days that are here or past, as a whole answer: refused with the reason, not misunderstood.
NEAR_DAYS = {"i dag", "idag", "today", "nu", "now", "i går", "igår", "yesterday"}
YESTERDAY = {"i går", "igår", "yesterday"}


def which_date(text: str, day: date, word: str) -> Reading | None:
    """ "tisdag 16.12" when 16 December is a Wednesday: the date as written or that weekday in
    the same week, asked, never guessed; None when the weekday fits or none is written. The
    buttons name the field (``word``), so a choice made during a correction changes it."""
    written = weekday_conflict(text, day)
    if written is None:
        return None
    other = day + timedelta(days=written - day.weekday())
    return Reading.refused(
        f"{swedish_date(day)} är en {WEEKDAY_NAMES[day.weekday()]}, inte en "
        f"{WEEKDAY_NAMES[written]}. Vilket datum menar du?",
        [
            {"title": f"{WEEKDAY_NAMES[d.weekday()]} {swedish_date(d)}", "payload": f"{word} {d}"}
            for d in (day, other)
        ],
    )


def read_start(ctx: FormContext, message: Message) -> Reading:
    start = find_date(message.text, ctx.today())
    if start is None and message.lowered in NEAR_DAYS:
        start = ctx.today() - timedelta(days=1 if message.lowered in YESTERDAY else 0)
    if start is not None and (ask := which_date(message.text, start, "startdatum")):
        return ask
    # "från vecka 7" is read as its Monday, "om två veckor" counted, which the user confirms.
    counted = week_days(message.text, ctx.today()) is not None or counts_weeks(message.text)
    return start_reading(ctx, start, is_hedge(message) or counted)


def only_an_end(text: str) -> bool:
    """ "hemma, och det ska gälla till sista juni": the date ends the period, and nothing is
    said of its start."""
    return date_said_as_an_end(text) and not NAMES_THE_START.search(text.lower())


def find_start(ctx: FormContext, text: str) -> Reading:
    if only_an_end(text):
        return Reading()
    start = find_date(text, ctx.today())
    if start is not None and (ask := which_date(text, start, "startdatum")):
        return ask
    return start_reading(ctx, start, counts_weeks(text))


def counts_weeks(text: str) -> bool:
    return bool(WEEKS_AHEAD.search(text.lower()))


def start_reading(ctx: FormContext, start: date | None, hedged: bool = False) -> Reading:
    if start is None:
        return Reading()
    problem = check_start(start, ctx.today())
    if problem:
        return Reading.refused(problem.text)
    confirm = f"Ska jag skriva {swedish_date(start)}?" if hedged else None
    return Reading.of(start.isoformat(), confirm=confirm)


def read_end(ctx: FormContext, message: Message) -> Reading:
    period = find_period(message.text)
    start_value = ctx.get("agreement_start")
    if period is not None and start_value:
        # "ett år": the user gave a length, not a date; the date is confirmed before it is used.
        start = date.fromisoformat(str(start_value))
        end = end_after(start, period)
        problem = check_end(start, end, policy(ctx))
        if problem:
            return Reading.refused(problem.text)
        return Reading.of(end.isoformat(), confirm=f"Ska jag skriva {swedish_date(end)}?")
    start = date.fromisoformat(str(start_value)) if start_value else ctx.today()
    if week := week_days(message.text, start):
        # "till och med vecka 26" is that week's Sunday, which the user confirms.
        problem = check_end(start, week[1], policy(ctx))
        if problem:
            return Reading.refused(problem.text)
        return Reading.of(week[1].isoformat(), confirm=f"Ska jag skriva {swedish_date(week[1])}?")
    return find_end(ctx, message.text)


def find_end(ctx: FormContext, text: str, start_value: Any = None) -> Reading:
    """The end date in ``text``, checked against the start (``start_value``, or the one given)."""
    start_value = start_value or ctx.get("agreement_start")
    start = date.fromisoformat(str(start_value)) if start_value else ctx.today()
    end = find_date(text, start)
    if end is None and start_value and (period := find_period_in(text)) is not None:
        # "jag tar det i ett halvår först": the length from the start given.
        end = end_after(start, period)
    if end is None or (FROM_A_DATE.search(text.lower()) and not UNTIL_A_DATE.search(text.lower())):
        # "förresten skulle det vara från mars" moves the start, not the end.
        return Reading()
    if ask := which_date(text, end, "slutdatum"):
        return ask
    problem = check_end(start, end, policy(ctx))
    return Reading.refused(problem.text) if problem else Reading.of(end.isoformat())


def read_tasks(ctx: FormContext, message: Message) -> Reading:
    text = " ".join(message.text.split())
    if len(text) < 3 or not re.search(r"[a-zåäöA-ZÅÄÖ]{2}", text) or is_go_ahead(message):
        return Reading()
    return Reading.of(text[:1000])


def find_tasks(ctx: FormContext, text: str) -> Reading:
    named = after_to(text)
    return Reading.of(named[:1000]) if named else Reading()


# Tasks named in a longer message: "Arbetsuppgifter: fakturering och kundreskontra.", "Jobbar
# med lönehantering och behöver låna en skärm." (up to the sentence's end or its next verb).
TASKS_IN_TEXT = re.compile(
    r"\b(?:mina\s+)?(?:arbetsuppgifter(?:na)?|uppgifter(?:na)?|tasks)\s*(?::|är|blir)\s*"
    r"(?P<listed>[^.!?\n]+)|\b(?:jobbar|arbetar|i work|my work is)\s+(?:med|with|on)\s+"
    r"(?P<work>[^.!?\n]+)"
    # "…, från 4 januari till 4 juni, med journalskrivning och telefonrådgivning."
    r"|,\s*med\s+(?!(?:start|början|min|mitt|mina|egen|eget|en|ett|hjälp)\b)(?P<with>[^.!?\n,]+)"
    # "I do payroll and I need a headset."
    r"|\bi\s+(?:do|handle)\s+(?!(?:not|need|want|have|know|think|so|that|it|this)\b)"
    r"(?P<doing>[^.!?\n]+)",
    re.IGNORECASE,
)
TASKS_END = re.compile(
    r",?\s+(?:och|men|samt|and|but)\s+(?:jag\s+|I\s+)?(?:behöver|vill|lånar|ska|skulle|har|"
    r"need|want|would)\b.*$|,\s*(?:behöver|vill|need|want)\b.*$",
    re.IGNORECASE,
)


def tasks_in(text: str) -> str | None:
    """The tasks a longer message names (see ``TASKS_IN_TEXT``), or None."""
    match = TASKS_IN_TEXT.search(text)
    if match is None:
        return None
    said = next(g for g in match.group("listed", "work", "with", "doing") if g is not None)
    tasks = TASKS_END.sub("", said).strip(" ,;:")
    return tasks[:1000] if len(tasks) >= 3 else None


# Equipment named in a longer message: "behöver låna en skärm", "Ingen utrustning behövs."
BORROWING = re.compile(r"\b(?:låna|lånar|behöver|borrow|need)\b(?P<items>[^.!?\n]+)", re.I)
NO_EQUIPMENT_IN_TEXT = re.compile(
    r"\b(?:ingen|inget|no)\s+(?:hemlånad\s+)?(?:utrustning|equipment)\b", re.IGNORECASE
)


def equipment_in(ctx: FormContext, text: str) -> list[str] | None:
    """The equipment a longer message says is borrowed, ``[]`` for "ingen utrustning", or None
    when it says nothing about equipment."""
    if NO_EQUIPMENT_IN_TEXT.search(text):
        return []
    for match in BORROWING.finditer(text):
        items = equipment_items(match.group("items"), policy(ctx).equipment_options)
        if items:
            return items
    return None


def read_equipment(ctx: FormContext, message: Message) -> Reading:
    options = policy(ctx).equipment_options
    picked: list[str] = list(ctx.pending.get("items") or [])
    if message.intent == CHOOSE_ITEM:
        item = str(message.entities.get("item") or "")
        if item.lower() in DONE_PICKING:
            return Reading.of(picked)
        if item in options and item not in picked:
            picked.append(item)
        left = [o for o in options if o not in picked]
        return Reading(
            problem=f"{', '.join(picked)}. Något mer?",
            buttons=[pick_button(o) for o in left] + [pick_button("Klart", "klart", alone=True)],
            pending={"kind": "picks", "items": picked},
        )
    if picked and message.lowered in DONE_PICKING:
        return Reading.of(picked)
    items = equipment_items(message.text, options)
    if items is None:
        return Reading()
    return Reading.of([*picked, *(i for i in items if i not in picked)][:20])


def find_equipment(ctx: FormContext, text: str) -> Reading:
    options = policy(ctx).equipment_options
    items = equipment_items(text, options)
    removing = REMOVE_ITEM.search(text.lower()) is not None
    if items is None and NOT_NEEDED.search(text.lower()):
        # "och headset behövs inte" names only an item not needed; but "headset behövs inte,
        # bara skärmen" names the screen instead.
        items, removing = equipment_items(NOT_NEEDED.sub(" ", text.lower()), options), True
    if items is None:
        return Reading()
    # "ta bort headsetet": the items named leave what was chosen.
    if items and removing:
        chosen = list(ctx.get("agreement_equipment") or [])
        removed = [i for i in chosen if i in items]
        if not removed:
            return Reading()
        kept = [i for i in chosen if i not in removed]
        return Reading.added(kept, f"Borttaget ur utrustningen: {', '.join(removed)}")
    # "jag behöver headset också", "lägg till headset": added to what was chosen, not instead.
    if items and adds_to_answer(text):
        chosen = list(ctx.get("agreement_equipment") or [])
        added = [i for i in items if i not in chosen]
        if chosen and added:
            return Reading.added([*chosen, *added], f"Tillagt i utrustningen: {', '.join(added)}")
        items = [*chosen, *added]
    return Reading.of(items)


def pick_button(title: str, item: str | None = None, alone: bool = False) -> dict[str, str]:
    """A button of the equipment question, where several items may be picked at once: the web
    chat ticks the ``many`` ones and sends their titles as one comma-separated answer, which
    ``read_equipment`` reads like a typed one; ``one`` is an answer on its own ("Klart")."""
    return {
        "title": title,
        "payload": f'/{CHOOSE_ITEM}{{"item":"{item or title}"}}',
        "select": "one" if alone else "many",
    }


def read_it_security(ctx: FormContext, message: Message) -> Reading:
    answer = yes_or_no(message)
    if answer is Answer.YES:
        return Reading.of(True)
    if answer in (Answer.NO, Answer.UNSURE):
        return Reading.refused(IT_SECURITY_RULE)
    return Reading()


def read_overlap(ctx: FormContext, message: Message) -> Reading:
    pending = overlapping(ctx)
    waiting = next((a for a in pending if a.status == AgreementStatus.SUBMITTED), None)
    answer = yes_or_no(message)
    if waiting is not None:
        if REPLACE_WORDS.search(message.lowered) or answer is Answer.YES:
            return Reading.of(f"replace:{waiting.id}")
    elif answer is Answer.YES or REPLACE_WORDS.search(message.lowered):
        return Reading.of(KEEP_IN_FORCE)
    if answer is Answer.NO:
        return Reading.refused(
            'Då kan ansökan inte skickas för den här perioden. Välj "ersätt", ändra datumen '
            '(till exempel "ändra startdatum till 1 juli") eller skriv "avbryt".'
        )
    return Reading()


def overlapping(ctx: FormContext) -> list[Agreement]:
    start, end = ctx.get("agreement_start"), ctx.get("agreement_end")
    if ctx.services.agreements is None or ctx.user is None or not start or not end:
        return []
    return ctx.services.agreements.overlapping(
        ctx.user.id, date.fromisoformat(str(start)), date.fromisoformat(str(end))
    )


def overlap_prompt(ctx: FormContext) -> Prompt:
    agreements = overlapping(ctx)
    waiting = next((a for a in agreements if a.status == AgreementStatus.SUBMITTED), None)
    if waiting is not None:
        return Prompt(
            f"Du har redan en ansökan, {waiting.reference} ({swedish_date(waiting.start_date)}"
            f" – {swedish_date(waiting.end_date)}), som väntar på beslut och som gäller samma "
            "tid. Vill du ersätta den med den här ansökan, eller avbryta?",
            [
                {"title": f"Ersätt {waiting.reference}", "payload": "ersätt"},
                {"title": "Avbryt den nya ansökan", "payload": "/stop"},
            ],
        )
    in_force = agreements[0] if agreements else None
    period = (
        f"{in_force.reference} gäller till {swedish_date(in_force.end_date)}" if in_force else ""
    )
    return Prompt(
        f"Du har redan en överenskommelse: {period}. Om den nya godkänns ersätter den den "
        "gällande. Vill du fortsätta?",
        [
            {"title": "Ja, fortsätt", "payload": "ja"},
            {"title": "Avbryt", "payload": "/stop"},
        ],
    )


def equipment_prompt(ctx: FormContext) -> Prompt:
    options = policy(ctx).equipment_options
    listed = f" På regionens blankett finns: {', '.join(options)}." if options else ""
    return Prompt(
        "Vilken utrustning lånar du hem från arbetsgivaren? Välj allt som stämmer, eller skriv "
        f'det med kommatecken emellan. Skriv "ingen" om du inte lånar något.{listed}',
        [pick_button(o) for o in options]
        + [{"title": "Ingen", "payload": "ingen", "select": "one"}],
    )


def agreement_fields(ctx: FormContext) -> list[Field]:
    return [
        Field(
            slot="agreement_share",
            title="Andel",
            prompt=lambda _: Prompt(
                "Hur stor del av arbetstiden vill du arbeta på distans? Skriv till exempel 40 %, "
                "hälften eller två dagar i veckan."
            ),
            reprompt="hur stor del av arbetstiden vill du arbeta på distans?",
            read=read_share,
            find=find_share_in,
            words=(
                "andel",
                "procent",
                "%",
                "dagar i veckan",
                "dag i veckan",
                "days a week",
                "share",
                "percent",
            ),
            show=lambda v: f"{float(v):g} %",
            hedge_help="Det kommer du och din chef överens om. Skriv den andel du vill föreslå, "
            "till exempel 40 %; du kan ändra den innan ansökan skickas.",
            not_understood="Jag förstod inte hur stor del av arbetstiden du vill arbeta på "
            "distans.",
        ),
        Field(
            slot="agreement_place",
            title="Plats",
            prompt=lambda _: Prompt(
                "Var ska du arbeta på distans: hemma, i fritidsbostaden eller någon annanstans? "
                "Skriv gärna adressen eller en kort beskrivning.",
                [
                    {"title": "Hemma", "payload": "Hemma"},
                    {"title": "I fritidsbostaden", "payload": "I fritidsbostaden"},
                ],
            ),
            reprompt="var ska du arbeta på distans?",
            read=read_place,
            free_text=True,
            find=find_place,
            words=(
                "plats",
                "hemma",
                "hemifrån",
                "stuga",
                "fritidshus",
                "fritidsbostad",
                "sommarhus",
                "adress",
                "place",
                "at home",
                "cottage",
                "summer house",
            ),
            hedge_help='Skriv var du ska arbeta, till exempel "hemma" eller "i fritidshuset i '
            'Sälen". Adressen behövs för försäkringen om något skulle hända.',
            not_understood='Skriv var du ska arbeta, till exempel "hemma".',
        ),
        Field(
            slot="agreement_start",
            title="Startdatum",
            prompt=lambda _: Prompt(
                "Från vilket datum ska överenskommelsen gälla? Till exempel 1 januari, nästa "
                "måndag eller 2027-01-15."
            ),
            reprompt="från vilket datum ska överenskommelsen gälla?",
            read=read_start,
            find=find_start,
            words=("startdatum", "start", "börja", "from and including", "begin"),
            show=swedish_date,
            hedge_help="Det räcker med ett preliminärt datum, till exempel 1 februari; din chef "
            "ser det innan något bestäms.",
            not_understood="Jag förstod inte datumet. Skriv till exempel 1 januari, nästa måndag "
            "eller 2027-01-15.",
        ),
        Field(
            slot="agreement_end",
            title="Slutdatum",
            prompt=lambda _: Prompt("Till och med vilket datum ska den gälla?"),
            reprompt="till och med vilket datum ska överenskommelsen gälla?",
            read=read_end,
            find=find_end,
            words=("slutdatum", "slut", "till och med", "sista dag", "end date", "until"),
            show=swedish_date,
            hedge_help="Skriv det datum du vill föreslå, till exempel 30 juni; överenskommelsen "
            "kan förnyas senare.",
            not_understood="Jag förstod inte slutdatumet. Skriv till exempel 31 december 2027 "
            "eller 2027-12-31.",
        ),
        Field(
            slot="agreement_tasks",
            title="Arbetsuppgifter",
            prompt=lambda _: Prompt("Vilka arbetsuppgifter ska du göra på distans?"),
            reprompt="vilka arbetsuppgifter ska du göra på distans?",
            read=read_tasks,
            free_text=True,
            find=find_tasks,
            words=("arbetsuppgift", "uppgifterna", "tasks"),
            any_words=True,
            hedge_help="Beskriv kort vad du ska arbeta med på distans, till exempel "
            '"rapportskrivning och ärendehandläggning".',
            not_understood="Beskriv kort vilka arbetsuppgifter det gäller.",
        ),
        Field(
            slot="agreement_equipment",
            title="Utrustning",
            prompt=equipment_prompt,
            reprompt="vilken utrustning lånar du hem?",
            read=read_equipment,
            find=find_equipment,
            words=("utrustning", "equipment"),
            show=lambda v: ", ".join(v) if v else "ingen",
            hedge_help='Skriv det du vet nu, till exempel "bärbar dator och headset", eller '
            '"ingen". Listan över hemlånad utrustning kan uppdateras senare.',
            not_understood='Jag kände inte igen utrustningen. Skriv till exempel "bildskärm och '
            'headset", eller "ingen".',
        ),
        Field(
            slot="agreement_it_security",
            title="IT-säkerhet",
            prompt=lambda _: Prompt(
                "Har du läst regionens regler för IT-användare och riktlinjer för "
                "informationssäkerhet, och följer du dem även på distansarbetsplatsen?",
                [
                    {"title": "Ja, jag har läst dem", "payload": "ja"},
                    {"title": "Nej", "payload": "nej"},
                ],
            ),
            reprompt="har du läst reglerna för IT-användare och informationssäkerhet?",
            read=read_it_security,
            hedge_help=IT_SECURITY_RULE,
            not_understood='Svara "ja" när du har läst reglerna, eller "nej".',
            changeable=False,
        ),
        Field(
            slot="agreement_overlap",
            title="Tidigare ansökan",
            prompt=overlap_prompt,
            read=read_overlap,
            not_understood='Svara "ersätt" eller "avbryt".',
            changeable=False,
        ),
    ]
