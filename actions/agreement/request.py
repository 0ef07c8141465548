"""The employee's request for a remote-work agreement (distansöverenskommelse), as a form.

Each answer is checked against the region's policy (``bot/agreements/policy.py``) and the
request is stored by ``AgreementService``; identity and manager come from the user directory,
never from what is typed.
"""

import hashlib
import json
import logging
import re
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.agreement.earlier import (
    bare_renewal,
    carry_over,
    earlier_agreement,
    read_renewal,
    renewal_prompt,
    renewal_question,
)
from actions.agreement.fields import (
    FIELD_SLOTS,
    NO_OVERLAP,
    agreement_fields,
    equipment_in,
    find_end,
    find_share_in,
    find_start,
    only_an_end,
    overlapping,
    policy,
    swedish_date,
    tasks_in,
)
from actions.conversation.fields import (
    OUTCOME_SLOT,
    PENDING_SLOT,
    QUIET,
    REASK_SLOT,
    Field,
    FormContext,
    Prompt,
    Reading,
    reset,
)
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Message
from actions.conversation.repair import Turn
from actions.conversation.steps import Completion, ProcessStep, back_to_summary, not_stored
from actions.services import Services
from bot.agreements.dates import ALTERNATE_WEEKDAY, DATE_IN_TEXT, WEEKDAY_NAMES
from bot.agreements.parsing import PLACE_NAMES, place_kind, place_label, place_phrase
from bot.agreements.policy import check_end
from bot.agreements.service import AgreementRequest
from bot.errors import Refused
from bot.identity import User
from bot.regions import AgreementPolicy
from bot.storage.models import Agreement

log = logging.getLogger(__name__)

FORM = "agreement_form"
CONFIRM_SLOT = "agreement_confirmed"
FORM_SLOTS = (*FIELD_SLOTS, CONFIRM_SLOT)
UNAVAILABLE = (
    "Ansökningar om distansarbete går inte att göra just nu. Försök igen senare, eller prata "
    "direkt med din chef."
)


class AgreementStep(ProcessStep):
    """A step of the agreement process: it needs the agreement service."""

    unavailable = UNAVAILABLE


class AgreementCompletion(Completion, AgreementStep):
    """Completes a form of the agreement process."""


class ValidateAgreementForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    confirm_slot = CONFIRM_SLOT
    noun = "ansökan"
    process = "request"
    stopped = (
        'Jag har avbrutit ansökan. Inget har sparats. Skriv "jag vill ansöka om distansarbete" '
        "om du vill börja om."
    )
    change_intent = "change_agreement"
    start_intents = ("request_agreement",)

    def fields(self, ctx: FormContext) -> list[Field]:
        return agreement_fields(ctx)

    def summary(self, ctx: FormContext) -> Prompt:
        return Prompt(
            "Stämmer det här?\n\n" + summary(ctx) + "\n\nVill du skicka ansökan till din chef?",
            [
                {"title": "Ja, skicka ansökan", "payload": "/affirm"},
                {"title": "Ändra något", "payload": "/change_agreement"},
                {"title": "Avbryt", "payload": "/stop"},
            ],
        )

    def own_question(self, ctx: FormContext) -> Prompt | None:
        return renewal_prompt(ctx)

    def read_own_answer(self, turn: Turn) -> bool:
        return read_renewal(turn)

    def after_change(self, ctx: FormContext, slot: str) -> str | None:
        if slot not in ("agreement_start", "agreement_end"):
            return None
        replaced = replaced_id(ctx.get("agreement_overlap"))
        if replaced is None or replaced not in {a.id for a in overlapping(ctx)}:
            # Asked again; but replacing the request being changed still holds.
            ctx.set("agreement_overlap", None)
        start, end = ctx.get("agreement_start"), ctx.get("agreement_end")
        if slot == "agreement_start" and start and end:
            problem = check_end(
                date.fromisoformat(str(start)), date.fromisoformat(str(end)), policy(ctx)
            )
            if problem:
                ctx.set("agreement_end", None)
                return f"Slutdatumet {swedish_date(end)} passar inte längre: {problem.text}"
        return None

    def also_answered(self, ctx: FormContext, slot: str, text: str) -> list[str]:
        return opening_values(ctx, text)

    def period_said(self, ctx: FormContext, text: str) -> list[tuple[Field, Reading]]:
        """ "oj den krockar … ta 1 juli - 31 aug istället": the start and the end, the end read
        from the period's second date against its new start."""
        dates = [
            m.group(0) for m in DATE_IN_TEXT.finditer(ALTERNATE_WEEKDAY.sub(" ", text.lower()))
        ]
        if len(dates) != 2 or only_an_end(text):
            return []
        fields = {f.slot: f for f in agreement_fields(ctx)}
        start = find_start(ctx, dates[0])
        if not start.found or start.confirm:
            return []
        end = find_end(ctx, dates[1], start.value)
        if not end.found:
            return []
        return [(fields["agreement_start"], start), (fields["agreement_end"], end)]

    def settle(self, ctx: FormContext) -> None:
        """No overlap, nothing to ask about it."""
        if (
            ctx.get("agreement_overlap") is None
            and ctx.get("agreement_end")
            and not overlapping(ctx)
        ):
            ctx.set("agreement_overlap", NO_OVERLAP)


def summary(ctx: FormContext) -> str:
    equipment = ctx.get("agreement_equipment") or []
    place = str(ctx.get("agreement_place"))
    share = float(ctx.get("agreement_share"))
    lines = [
        f"Andel på distans: {share:g} % av arbetstiden",
        f"Distansarbetsplats: {place_label(place_kind(place), place)}",
        f"Period: {ctx.get('agreement_start')} – {ctx.get('agreement_end')}",
        f"Arbetsuppgifter: {ctx.get('agreement_tasks')}",
        f"Hemlånad utrustning: {', '.join(equipment) if equipment else 'ingen'}",
        "Regler för IT-användare och informationssäkerhet: lästa",
    ]
    replaced = replaced_id(ctx.get("agreement_overlap"))
    if replaced is not None:
        reference = next((a.reference for a in overlapping(ctx) if a.id == replaced), "")
        lines.append(f"Ersätter den väntande ansökan {reference}".rstrip())
    return "\n".join(lines)


def replaced_id(overlap: Any) -> int | None:
    text = str(overlap or "")
    return int(text.removeprefix("replace:")) if text.startswith("replace:") else None


# --- starting and submitting ---------------------------------------------------------------------


class ActionStartAgreement(AgreementStep):
    """Opens the form, with what the opening message already says ("jag vill jobba hemifrån två
    dagar i veckan från 1 februari") filled in."""

    step_name = "action_start_agreement"
    offer = ("Ansök om distansarbete", "/request_agreement")

    form_class = ValidateAgreementForm

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        agreements = self.services.agreements
        assert agreements is not None
        manager = agreements.directory.get(user.manager) if user.manager else None
        if manager is None:
            dispatcher.utter_message(
                text="Jag hittar ingen chef för dig i personalkatalogen, så ansökan kan inte "
                "skickas härifrån. Kontakta HR."
            )
            return []
        ctx = self.context(tracker)
        for slot in FORM_SLOTS:
            ctx.set(slot, None)
        opening = str(tracker.latest_message.get("text") or "")
        noted = opening_values(ctx, opening)
        text = introduction(agreements.region.agreement, manager)
        if noted:
            text += " Jag har noterat: " + ", ".join(noted) + "."
        own = [a for a in agreements.visible_to(user) if a.employee_id == user.id]
        if (built_on := earlier_agreement(own, opening)) is not None:
            # A renewal or a change: the earlier answers, and only the rest asked.
            text += " " + carry_over(ctx, *built_on, opening)
        elif not noted and (renewed := bare_renewal(own, opening)) is not None:
            # "jag vill förlänga mitt avtal": how long is asked first.
            ctx.set(PENDING_SLOT, renewal_question(renewed))
        dispatcher.utter_message(text=text)
        start = unnoted_start(ctx, opening)
        if start is not None and start.problem:
            # "tisdag 16.12", a Wednesday, or a date passed: said now, not left out silently.
            dispatcher.utter_message(text=start.problem, buttons=start.buttons)
            if start.buttons:
                # The choice is the one question asked; the next answer may make it.
                days = [b["payload"].split()[-1] for b in start.buttons]
                ctx.set(
                    PENDING_SLOT, {"kind": "choose", "slot": "agreement_start", "options": days}
                )
                ctx.set(REASK_SLOT, QUIET)
        elif start is not None:
            # "med start om två veckor": the day counted is confirmed, the one question asked.
            day = date.fromisoformat(str(start.value))
            dispatcher.utter_message(
                text=f"Ska överenskommelsen börja {WEEKDAY_NAMES[day.weekday()]} "
                f"{swedish_date(day)}?",
                buttons=[
                    {"title": "Ja", "payload": "/affirm"},
                    {"title": "Nej", "payload": "/deny"},
                ],
            )
            ctx.set(
                PENDING_SLOT,
                {"kind": "confirm", "slot": "agreement_start", "value": start.value},
            )
            ctx.set(REASK_SLOT, QUIET)
        return [*reset(FORM_SLOTS), *ctx.events(), FollowupAction(FORM)]


def unnoted_start(ctx: FormContext, text: str) -> Reading | None:
    """The opening message's start date when it could not be noted as it stands: a weekday it
    does not fall on (asked which day), a date the policy refuses, or one counted ("om två
    veckor") to be confirmed; None otherwise."""
    if ctx.get("agreement_start") is not None:
        return None
    dates = [m.group(0) for m in DATE_IN_TEXT.finditer(ALTERNATE_WEEKDAY.sub(" ", text.lower()))]
    if not dates:
        return None
    reading = find_start(ctx, dates[0])
    return reading if reading.problem or (reading.found and reading.confirm) else None


# A pasted form, one answer a line under its label: "Plats: sommarstugan i Norberg".
LABELLED_LINE = re.compile(r"^\s*(?P<label>[^:=\n]{2,40}?)\s*[:=]\s*(?P<value>\S.*?)\s*$")
LABELS = {
    "agreement_share": ("omfattning", "andel", "andel på distans", "distansandel", "procent",
                        "share", "percentage"),
    "agreement_place": ("plats", "distansarbetsplats", "arbetsplats", "var", "place",
                        "location"),
    "agreement_start": ("start", "startdatum", "från", "fr.o.m.", "from", "start date"),
    "agreement_end": ("slut", "slutdatum", "till", "t.o.m.", "end", "end date", "to"),
    "agreement_tasks": ("arbetsuppgifter", "uppgifter", "tasks", "work tasks"),
    "agreement_equipment": ("utrustning", "hemlånad utrustning", "equipment"),
}  # fmt: skip


def labelled_values(ctx: FormContext, text: str) -> list[str] | None:
    """Fills the empty slots of a pasted form, each line read as the answer to its label's
    question; None when fewer than two lines carry a known label."""
    said: dict[str, str] = {}
    for line in text.splitlines():
        if (labelled := LABELLED_LINE.match(line)) is None:
            continue
        label = " ".join(labelled.group("label").lower().split())
        slot = next((s for s, names in LABELS.items() if label in names), None)
        if slot is not None:
            said[slot] = labelled.group("value")
    if len(said) < 2:
        return None
    fields = {f.slot: f for f in agreement_fields(ctx)}
    noted = []
    # In the form's order: the end is read against the start.
    for slot in (s for s in LABELS if s in said and ctx.get(s) is None):
        reading = fields[slot].read(ctx, Message(text=said[slot]))
        if reading.found and not reading.confirm:
            ctx.set(slot, reading.value)
            noted.append(f"{fields[slot].title.lower()} {fields[slot].show(reading.value)}")
    return noted


WEEKDAY_ALONE = re.compile(
    r"(?:på\s+|on\s+)?(?:en\s+)?(?:måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag|monday"
    r"|tuesday|wednesday|thursday|friday|saturday|sunday)(?:en)?"
)


def opening_values(ctx: FormContext, text: str) -> list[str]:
    """Fills the empty slots the message answers ("hemifrån två dagar i veckan från 1 februari
    till 30 juni", "Jobbar med lönehantering och behöver låna en skärm"), in the opening message
    or beside the answer to a question; returns them as the user reads them."""
    if (pasted := labelled_values(ctx, text)) is not None:
        return pasted
    fields = {f.slot: f for f in agreement_fields(ctx)}
    # "varannan fredag" is how often, not when.
    dates = [m.group(0) for m in DATE_IN_TEXT.finditer(ALTERNATE_WEEKDAY.sub(" ", text.lower()))]
    found: dict[str, Reading] = {"agreement_share": find_share_in(ctx, text)}
    kind = place_kind(text)
    if kind != "other":
        found["agreement_place"] = Reading.of((place_phrase(text) or PLACE_NAMES[kind])[:300])
    if dates and not only_an_end(text):
        found["agreement_start"] = find_start(ctx, dates[0])
    if dates and only_an_end(text):
        # "hemma, och det ska gälla till sista juni": the end, checked again once the start is
        # given (``after_change``).
        found["agreement_end"] = find_end(ctx, dates[0])
    noted = fill(ctx, fields, found)
    # "från fredag 1 mars till 31 augusti", 1 March a Monday: the start is asked, the end kept.
    start = ctx.get("agreement_start") or first_choice(found.get("agreement_start"))
    # "från 8 januari, det är en fredag": a weekday alone after a date is that date's.
    second_is_a_date = len(dates) > 1 and not WEEKDAY_ALONE.fullmatch(dates[1].strip())
    if start and not ctx.get("agreement_end") and second_is_a_date:
        end = find_end(ctx, dates[1], start)
        if end.found:
            ctx.set("agreement_end", end.value)
            noted.append(f"slutdatum {swedish_date(end.value)}")
    more: dict[str, Reading] = {}
    if tasks := tasks_in(text):
        more["agreement_tasks"] = Reading.of(tasks)
    if (equipment := equipment_in(ctx, text)) is not None:
        more["agreement_equipment"] = Reading.of(equipment)
    return noted + fill(ctx, fields, more)


def first_choice(reading: Reading | None) -> str | None:
    """The first day offered when a start date was asked back ("1 mars 2027 är en måndag, inte
    en fredag"), for reading an end date given with it."""
    if reading is None or not reading.buttons:
        return None
    return reading.buttons[0]["payload"].split()[-1]


def fill(ctx: FormContext, fields: dict[str, Field], found: dict[str, Reading]) -> list[str]:
    """Sets the empty slots of ``found`` that are plain answers; returns them as shown."""
    noted = []
    for slot, reading in found.items():
        if ctx.get(slot) is None and reading.found and not reading.confirm:
            ctx.set(slot, reading.value)
            noted.append(f"{fields[slot].title.lower()} {fields[slot].show(reading.value)}")
    return noted


class ActionSubmitAgreement(AgreementCompletion):
    """Stores the confirmed request."""

    step_name = "action_submit_agreement"
    slots = FORM_SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        done = reset(FORM_SLOTS)
        agreements = self.services.agreements
        assert agreements is not None
        values = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        if any(values[slot] is None for slot in FIELD_SLOTS):
            dispatcher.utter_message(
                text='Ansökan är inte komplett. Börja om med "ansök om distansarbete".'
            )
            return done
        request = AgreementRequest(
            employee=user,
            share_percent=round(float(values["agreement_share"])),
            place_kind=place_kind(str(values["agreement_place"])),
            place_description=str(values["agreement_place"]),
            start_date=date.fromisoformat(str(values["agreement_start"])),
            end_date=date.fromisoformat(str(values["agreement_end"])),
            tasks=str(values["agreement_tasks"]),
            equipment=list(values["agreement_equipment"] or []),
            it_security_confirmed=values["agreement_it_security"] is True,
            submission_key=submission_key(tracker.sender_id, values),
            replaces=replaced_id(values["agreement_overlap"]),
        )
        try:
            agreement = agreements.submit(request)
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return back_to_summary(ValidateAgreementForm, "agreement_overlap", OUTCOME_SLOT)
        except SQLAlchemyError as error:
            return not_stored(
                dispatcher, tracker, ValidateAgreementForm, error, "an agreement request"
            )
        dispatcher.utter_message(**submitted_reply(self.services, agreement))
        return done


def submitted_reply(services: Services, agreement: Agreement) -> dict[str, Any]:
    assert services.agreements is not None
    manager = services.agreements.directory.get(agreement.manager_id)
    text = (
        f"Tack! Din ansökan är skickad med referensnummer {agreement.reference}. "
        f"{manager.name if manager else 'Din chef'} beslutar om den."
    )
    buttons = []
    if services.agreements.region.agreement.risk_assessment_required:
        text += (
            " Innan den kan godkännas ska din distansarbetsplats riskbedömas i dialog mellan "
            "dig, din chef och skyddsombudet, och riskbedömningen dokumenteras. Vill du boka "
            "det mötet nu?"
        )
        buttons = [{"title": "Boka riskbedömningen", "payload": "/book_risk_assessment"}]
    return {"text": text, "buttons": buttons}


def introduction(policy: AgreementPolicy, manager: User) -> str:
    rules = []
    if policy.max_share_percent is not None:
        rules.append(f"högst {policy.max_share_percent} % av arbetstiden")
    if policy.max_duration_months is not None:
        rules.append(f"som längst {policy.max_duration_months} månader")
    limits = (
        f" Enligt regionens regler gäller en överenskommelse {' och '.join(rules)}."
        if rules
        else ""
    )
    return (
        "Då gör vi en ansökan om distansöverenskommelse. Jag ställer några frågor och visar en "
        f"sammanfattning innan något skickas till {manager.name}.{limits} Du kan skriva "
        '"avbryt" när som helst, ändra ett svar ("nej, 60 procent") eller ställa en fråga om '
        "distansarbete på vägen."
    )


def submission_key(sender_id: str, values: dict[str, Any]) -> str:
    """Same conversation, same answers: same key, so a repeated confirmation stores one request."""
    return hashlib.sha256(f"{sender_id}:{json.dumps(values, sort_keys=True)}".encode()).hexdigest()
