"""Booking the risk-assessment dialogue: the employee books their own, a manager books for their
staff ("boka riskbedömning med Anna"), HR for anyone. A summary is confirmed before anything is
booked; then the participants are told and get the invitation.
"""

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.agreement.decision_fields import pending
from actions.conversation.commands import MOVES
from actions.conversation.fields import (
    NOTHING,
    PENDING_SLOT,
    QUIET,
    REASK_SLOT,
    Field,
    FormContext,
    Prompt,
    Reading,
    opening_message,
    reset,
)
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Answer, Message, is_go_ahead, yes_or_no
from actions.conversation.steps import NOTHING_BOOKED, back_to_summary, not_stored
from actions.risk_assessment.meeting import (
    NO_REPRESENTATIVE,
    TIME_EXAMPLES,
    TIME_TAKEN,
    RiskAssessmentCompletion,
    RiskAssessmentStep,
    by_email,
    calendar_note,
    checklist_markdown,
    describe,
    duration,
    find_duration,
    find_start,
    invitation_link,
    invitation_markdown,
    manage_buttons,
    meeting_people,
    online_meeting_note,
    person,
    read_duration,
    read_start,
    risk_assessments,
    start_prompt,
    when,
)
from actions.risk_assessment.people import (
    bookable_for,
    named_person,
    safety_representatives,
    spoken_of,
)
from actions.services import Services
from bot.errors import Refused
from bot.identity import User
from bot.risk_assessments.invitation import load_checklist
from bot.risk_assessments.meeting_text import find_meeting_time, meeting_place_after_time
from bot.risk_assessments.scheduling import STOCKHOLM, swedish_time
from bot.risk_assessments.service import DEFAULT_DURATION
from bot.storage.models import RiskAssessment

log = logging.getLogger(__name__)

FORM = "risk_assessment_form"
FIELD_SLOTS = ("ra_employee", "ra_safety_representative", "ra_duration", "ra_start", "ra_place")
CONFIRM_SLOT = "ra_confirmed"
FORM_SLOTS = (*FIELD_SLOTS, CONFIRM_SLOT, "ra_assessment_id")
GENERIC_PLACES = re.compile(
    r"^(i |på )?(ett |en )?(mötesrum|rum|annan plats|någon annanstans|fysiskt|på plats|"
    r"room|meeting room)$"
)
AFTER_TO = re.compile(r"\b(?:till|to)\s+(?P<place>.+)$")
# "vi ses i konferensrummet Lärkan istället", "let's meet in room 4B instead".
MEET_IN = re.compile(
    r"\b(?:ses|träffas|vara|meet|be)\s+(?:i|på|in|at)\s+(?P<place>.+?)"
    r"(?:,?\s+(?:istället|i stället|instead))?$"
)


def read_employee(ctx: FormContext, message: Message) -> Reading:
    if ctx.user is None:
        return Reading()
    candidates = [ctx.user] if ctx.user.role == "employee" else bookable_for(ctx.services, ctx.user)
    chosen = next((c for c in candidates if c.id == message.text), None) or named_person(
        message.text, candidates
    )
    suggested = suggested_employee(ctx)
    if (
        chosen is None
        and suggested is not None
        and (yes_or_no(message) is Answer.YES or is_go_ahead(message))
    ):
        # "ja boka" to "Gäller det Anna Anderssons distansarbete?"
        chosen = suggested
    if chosen is None:
        return Reading()
    return Reading.of(chosen.id)


def suggested_employee(ctx: FormContext) -> User | None:
    """The one member of a manager's staff whose request waits for a decision: whom a booking
    right after "kan inte godkännas förrän riskbedömningen är gjord" is about. Asked, not
    assumed."""
    if ctx.user is None or ctx.user.role == "employee":
        return None
    staff = {p.id: p for p in bookable_for(ctx.services, ctx.user)}
    waiting = {a.employee_id for a in pending(ctx)} & staff.keys()
    return staff[waiting.pop()] if len(waiting) == 1 else None


def read_representative(ctx: FormContext, message: Message) -> Reading:
    if re.match(r"^\s*(inga|ingen|inget|nej|none|no)\b", message.lowered):
        return Reading.of(NO_REPRESENTATIVE)
    people = safety_representatives(ctx.services)
    chosen = next((r for r in people if r.id == message.text), None) or named_person(
        message.text, people
    )
    return Reading.of(chosen.id) if chosen else Reading()


def find_representative(ctx: FormContext, text: str) -> Reading:
    """By name, or "inget skyddsombud": a bare "nej" in a correction is about something else."""
    if re.search(r"\b(inget|utan) skyddsombud\b", text.lower()):
        return Reading.of(NO_REPRESENTATIVE)
    chosen = named_person(text, safety_representatives(ctx.services))
    return Reading.of(chosen.id) if chosen else Reading()


def representative_name(ctx: FormContext, value: Any) -> str:
    chosen = person(ctx.services, value) if value != NO_REPRESENTATIVE else None
    return chosen.name if chosen else "inget"


def read_place(ctx: FormContext, message: Message) -> Reading:
    text = " ".join(message.text.split())
    short_yes_no = len(message.words) <= 2 and yes_or_no(message) in (Answer.YES, Answer.NO)
    short_yes_no = short_yes_no or is_go_ahead(message)
    if len(text) < 2 or short_yes_no or not re.search(r"[a-zåäöA-ZÅÄÖ0-9]{2}", text):
        return Reading()
    if len(message.words) <= 4 and re.search(r"\bteams\b", message.lowered):
        # "on teams", "på teams tack": the invitation says Teams.
        return Reading.of("Teams")
    return Reading.of(text[:200])


def find_place(ctx: FormContext, text: str) -> Reading:
    written = " ".join(text.split()).strip(" .!?")
    lowered = written.lower()
    if named := AFTER_TO.search(lowered):
        return Reading.of(written[named.start("place") :][:200])
    if "teams" in lowered:
        return Reading.of("Teams")
    if met := MEET_IN.search(lowered):
        if GENERIC_PLACES.match(met.group("place")):
            # "det ska vara i ett mötesrum": which one is asked.
            return Reading(reopen=True)
        return Reading.of(written[met.start("place") : met.end("place")][:200])
    tail = re.sub(r"^.*\b(vara|ses|ha det|träffas|be)\s+", "", lowered)
    if GENERIC_PLACES.match(tail):
        return Reading(reopen=True)
    return Reading()


def propose_representative(ctx: FormContext) -> None:
    """The safety representative of the employee's unit, until the user names another."""
    employee = person(ctx.services, ctx.get("ra_employee"))
    proposed = risk_assessments(ctx).proposed_safety_representative(employee) if employee else None
    ctx.set("ra_safety_representative", proposed.id if proposed else NO_REPRESENTATIVE)


def employee_prompt(ctx: FormContext) -> Prompt:
    staff = bookable_for(ctx.services, ctx.user) if ctx.user else []
    suggested = suggested_employee(ctx)
    if suggested is not None:
        staff = [suggested, *(p for p in staff if p.id != suggested.id)]
        return Prompt(
            f"Gäller riskbedömningen {suggested.name}s distansarbete? Svara ja, eller skriv "
            "vilken medarbetare det gäller.",
            [{"title": p.name, "payload": p.id} for p in staff[:10]],
        )
    return Prompt(
        "Vilken medarbetares distansarbete gäller riskbedömningen?",
        [{"title": p.name, "payload": p.id} for p in staff[:10]],
    )


def representative_prompt(ctx: FormContext) -> Prompt:
    people = safety_representatives(ctx.services)
    return Prompt(
        "Vilket skyddsombud ska delta?",
        [{"title": p.name, "payload": p.id} for p in people[:10]]
        + [{"title": "Inget skyddsombud", "payload": NO_REPRESENTATIVE}],
    )


def booking_fields(ctx: FormContext) -> list[Field]:
    return [
        Field(
            slot="ra_employee",
            title="Medarbetare",
            prompt=employee_prompt,
            read=read_employee,
            not_understood="Jag hittar ingen av dina medarbetare med det namnet.",
            changeable=False,
        ),
        Field(
            slot="ra_safety_representative",
            title="Skyddsombud",
            prompt=representative_prompt,
            read=read_representative,
            find=find_representative,
            words=("skyddsombud",),
            show=lambda v: representative_name(ctx, v),
            not_understood="Jag hittar inget skyddsombud med det namnet.",
        ),
        Field(
            slot="ra_duration",
            title="Längd",
            prompt=lambda _: Prompt(
                "Hur lång tid ska mötet ta?",
                [{"title": f"{m} minuter", "payload": f"{m} minuter"} for m in (30, 45, 60)],
            ),
            read=read_duration,
            find=find_duration,
            words=("längd", "minuter", "timme", "timmar", "lång tid", "länge"),
            show=lambda v: f"{float(v):g} minuter",
            not_understood="Skriv en längd mellan 15 och 240 minuter, t.ex. 45.",
        ),
        Field(
            slot="ra_start",
            title="Tid",
            prompt=start_prompt,
            reprompt="när vill ni ses?",
            read=read_start,
            find=find_start,
            words=("tid", "tiden", "kl ", "klockan", "datum", "dag"),
            show=lambda v: swedish_time(datetime.fromisoformat(str(v))),
            hedge_help="Välj en av de lediga tiderna, eller skriv en tid som passar dig.",
            not_understood=f"Jag förstod inte tiden. {TIME_EXAMPLES}",
        ),
        Field(
            slot="ra_place",
            title="Plats",
            prompt=lambda _: Prompt(
                "Var ses ni: i Teams eller i ett mötesrum på arbetsplatsen? Skriv gärna rummets "
                "namn.",
                [
                    {"title": "Teams", "payload": "Teams"},
                    {"title": "Mötesrum på arbetsplatsen", "payload": "Mötesrum på arbetsplatsen"},
                ],
            ),
            reprompt="var ses ni, i Teams eller i ett mötesrum?",
            read=read_place,
            free_text=True,
            find=find_place,
            words=("plats", "rum", "teams", "place", "room"),
            hedge_help='Skriv "Teams" om ni ses digitalt, eller namnet på ett mötesrum.',
            not_understood='Skriv var ni ses, till exempel "Teams" eller "rum 3B".',
        ),
    ]


class ValidateRiskAssessmentForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    confirm_slot = CONFIRM_SLOT
    noun = "bokningen"
    process = "book"
    # Who meets, and for how long, were proposed when the booking opened.
    start_over_slots = ("ra_start", "ra_place")
    stopped = "Jag har avbrutit bokningen. Inget har bokats."
    change_intent = "change_risk_assessment"

    def fields(self, ctx: FormContext) -> list[Field]:
        return booking_fields(ctx)

    def summary(self, ctx: FormContext) -> Prompt:
        employee = person(ctx.services, ctx.get("ra_employee"))
        manager = person(ctx.services, employee.manager) if employee else None
        _, representative = meeting_people(ctx)
        start = datetime.fromisoformat(str(ctx.get("ra_start")))
        end = start + duration(ctx)
        lines = [
            f"Riskbedömning av distansarbete för {employee.name if employee else '?'}",
            f"Chef: {manager.name if manager else '?'}",
            f"Skyddsombud: {representative.name if representative else 'inget'}",
            f"Tid: {swedish_time(start)}–{end.astimezone(STOCKHOLM):%H.%M}",
            f"Plats: {ctx.get('ra_place')}",
        ]
        titles = {f.slot: f.title.lower() for f in self.fields(ctx)}
        return Prompt(
            "Stämmer det här?\n\n" + "\n".join(lines) + "\n\nSka jag boka mötet?",
            [
                {"title": "Ja, boka", "payload": "/affirm"},
                *(
                    {
                        "title": f"Ändra {titles[slot]}",
                        "payload": f'/{self.change_intent}{{"field":"{slot}"}}',
                    }
                    for slot in ("ra_start", "ra_duration", "ra_place", "ra_safety_representative")
                ),
                {"title": "Avbryt", "payload": "/stop"},
            ],
        )

    def also_answered(self, ctx: FormContext, slot: str, text: str) -> list[str]:
        """ "tisdag kl 10 på Teams": the place with the time."""
        place = meeting_place_after_time(text) if slot == "ra_start" else None
        if place is None or ctx.get("ra_place"):
            return []
        ctx.set("ra_place", place[:200])
        return [f"plats {place}"]

    def after_change(self, ctx: FormContext, slot: str) -> str | None:
        if slot == "ra_employee" and ctx.get("ra_employee"):
            employee = person(ctx.services, ctx.get("ra_employee"))
            proposed = (
                risk_assessments(ctx).proposed_safety_representative(employee) if employee else None
            )
            ctx.set("ra_safety_representative", proposed.id if proposed else NO_REPRESENTATIVE)
            if not ctx.get("ra_start"):
                return opening_time(ctx)
        if slot in ("ra_duration", "ra_safety_representative") and ctx.get("ra_start"):
            # A longer meeting, or another participant, may no longer fit the chosen time.
            start = datetime.fromisoformat(str(ctx.get("ra_start")))
            problem = find_start(ctx, start.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M"))
            if problem.problem:
                ctx.set("ra_start", None)
                return f"Tiden {swedish_time(start)} passar inte längre: {problem.problem}"
        return None


def opening_time(ctx: FormContext) -> str | None:
    """A clear, free time in the message that opened the booking before its employee was known
    ("då får vi boka riskbedömningen först. onsdag 9/12 kl 13 på teams"), taken once they are;
    a note saying so. A time that needs asking about is asked with the time question."""
    text = opening_message(ctx.tracker, FORM)
    if not text or find_meeting_time(text, ctx.now()) is None:
        return None
    reading = read_start(ctx, Message(text=text))
    if not reading.found or reading.confirm or reading.problem:
        return None
    ctx.set("ra_start", reading.value)
    noted = [f"tid {swedish_time(datetime.fromisoformat(str(reading.value)))}"]
    if not ctx.get("ra_place") and (place := meeting_place_after_time(text)) is not None:
        ctx.set("ra_place", place[:200])
        noted.append(f"plats {place[:200]}")
    return f"Jag har också noterat: {', '.join(noted)}."


# A time said as a correction or instead of another: the booked meeting is moved.
ANOTHER_TIME = re.compile(
    r"\b(menade jag|jag menade|menar jag|i meant|i mean|sorry|förlåt|forlat|istället|istallet"
    r"|i stället|instead|hellre|rather)\b"
)


class ActionStartRiskAssessment(RiskAssessmentStep):
    """Works out whose dialogue it is, proposes the unit's safety representative and opens the
    booking form, with a time from the opening message ("på tisdag kl 10") filled in."""

    step_name = "action_start_risk_assessment"
    offer = ("Boka riskbedömning", "/book_risk_assessment")

    form_class = ValidateRiskAssessmentForm

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        if user.role == "employee" and user.manager is None:
            dispatcher.utter_message(
                text="Jag hittar ingen chef för dig i personalkatalogen, så mötet kan inte "
                "bokas härifrån. Kontakta HR."
            )
            return []
        if user.role not in ("employee", "manager") and not user.is_hr:
            dispatcher.utter_message(
                text="Riskbedömningen bokas av medarbetaren eller av medarbetarens chef."
            )
            return []
        ctx = self.context(tracker)
        for slot in FORM_SLOTS:
            ctx.set(slot, None)
        text = str(tracker.latest_message.get("text") or "")
        employee = (
            user
            if user.role == "employee"
            else named_person(text, bookable_for(self.services, user))
            or spoken_of(tracker, text, bookable_for(self.services, user))
        )
        if employee is not None and (booked := already_booked(self.services, user, employee)):
            # One dialogue at a time: the one booked is moved or cancelled, not booked twice.
            mover = self.handoff.steps.get("action_start_reschedule") if self.handoff else None
            says_a_new_time = ANOTHER_TIME.search(text.lower()) and find_meeting_time(
                text, ctx.now()
            )
            if mover is not None and (MOVES.search(text.lower()) or says_a_new_time):
                # "ja flytta den till tisdag kl 13 då", after being told it is booked; "nej
                # sorry, tisdag kl 10 menade jag" right after a move.
                return await mover.step(dispatcher, tracker, user)
            whose = "Din" if employee.id == user.id else f"{employee.name}s"
            dispatcher.utter_message(
                text=f"{whose} riskbedömning är redan bokad {when(booked)}. Vill du flytta "
                "mötet eller avboka det?",
                buttons=manage_buttons(booked),
            )
            return []
        if employee is not None:
            ctx.set("ra_employee", employee.id)
            propose_representative(ctx)
            # "..., Sven är skyddsombud": the one named, instead of the unit's.
            named = find_representative(ctx, text) if "skyddsombud" in text.lower() else NOTHING
            if named.found:
                ctx.set("ra_safety_representative", named.value)
        ctx.set("ra_duration", DEFAULT_DURATION.total_seconds() / 60)
        dispatcher.utter_message(
            text="Då bokar vi riskbedömningen av distansarbetet. Den görs i dialog mellan "
            "medarbetaren, chefen och skyddsombudet och går igenom ergonomi, den psykosociala "
            "arbetsmiljön, informationssäkerhet och olycksrisker. Jag visar en sammanfattning "
            'innan något bokas, och du kan skriva "avbryt" när som helst.'
        )
        if employee is not None and find_meeting_time(text, ctx.now()) is not None:
            prefill_start(ctx, dispatcher, text)
        return [*reset(FORM_SLOTS), *ctx.events(), FollowupAction(FORM)]


def already_booked(services: Services, user: User, employee: User) -> RiskAssessment | None:
    """The employee's dialogue booked and still to come, if ``user`` may move it."""
    assert services.risk_assessments is not None
    booked = services.risk_assessments.upcoming(user)
    return next((a for a in booked if a.employee_id == employee.id), None)


def prefill_start(ctx: FormContext, dispatcher: CollectingDispatcher, text: str) -> None:
    """A time in the opening message: taken when it is clear and free, confirmed when it is
    ambiguous, explained when nobody can meet then."""
    reading = read_start(ctx, Message(text=text))
    if reading.problem:
        # "tisdag 16.12", a Wednesday: asked which day with both as buttons, one question only.
        dispatcher.utter_message(text=reading.problem, buttons=reading.buttons)
        if reading.problem.rstrip().endswith("?"):
            ctx.set(REASK_SLOT, QUIET)
        if reading.pending is not None:
            ctx.set(PENDING_SLOT, reading.pending)
    elif reading.confirm:
        ctx.set(PENDING_SLOT, {"kind": "confirm", "slot": "ra_start", "value": reading.value})
        ctx.set(REASK_SLOT, QUIET)
        dispatcher.utter_message(
            text=reading.confirm,
            buttons=[{"title": "Ja", "payload": "/affirm"}, {"title": "Nej", "payload": "/deny"}],
        )
    elif reading.found:
        ctx.set("ra_start", reading.value)
    # A time whose day is asked about ("tisdag 17 december", a Thursday) keeps its room too.
    read = reading.found or reading.pending is not None
    if read and (place := meeting_place_after_time(text)) is not None:
        ctx.set("ra_place", place[:200])


class ActionBookRiskAssessment(RiskAssessmentCompletion):
    """Books the confirmed meeting."""

    step_name = "action_book_risk_assessment"
    slots = FORM_SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        done = reset(FORM_SLOTS)
        service = self.services.risk_assessments
        assert service is not None
        if any(tracker.get_slot(s) is None for s in FIELD_SLOTS):
            dispatcher.utter_message(text='Bokningen är inte komplett. Skriv "boka riskbedömning".')
            return done
        representative = tracker.get_slot("ra_safety_representative")
        try:
            assessment = service.book(
                user,
                str(tracker.get_slot("ra_employee")),
                datetime.fromisoformat(str(tracker.get_slot("ra_start"))),
                duration_of(tracker),
                str(tracker.get_slot("ra_place")),
                None if representative == NO_REPRESENTATIVE else str(representative),
            )
        except Refused as error:
            # The time was taken while the user confirmed: ask for another one.
            dispatcher.utter_message(text=error.text)
            if error.code in TIME_TAKEN:
                return back_to_summary(ValidateRiskAssessmentForm, "ra_start")
            return done
        except SQLAlchemyError as error:
            return not_stored(
                dispatcher,
                tracker,
                ValidateRiskAssessmentForm,
                error,
                "a risk assessment booking",
                NOTHING_BOOKED,
            )
        whose = (
            "din"
            if assessment.employee_id == user.id
            else f"{describe(self.services, assessment)}s"
        )
        booked = "Mötet är bokat" + (
            f" och kopplat till {whose} ansökan om distansarbete."
            if assessment.agreement_id
            else "."
        )
        invitation = invitation_markdown(self.services, assessment, "Kalenderinbjudan (.ics)")
        dispatcher.utter_message(
            json_message={
                "text": f"{booked} {when(assessment)} ({assessment.place}). Deltagarna får "
                f"besked. {invitation}"
                + by_email(self.services, assessment, "Inbjudan")
                + calendar_note(assessment)
                + online_meeting_note(self.services, assessment),
                "link": invitation_link(assessment),
                "buttons": manage_buttons(assessment),
            }
        )
        dispatcher.utter_message(
            text="Inför samtalet, gå gärna igenom checklistan:\n\n"
            + load_checklist(self.services.faq_dir)
            + f"\n\n{checklist_markdown(self.services)}"
        )
        return done


def duration_of(tracker: Tracker) -> timedelta:
    minutes = tracker.get_slot("ra_duration")
    return timedelta(minutes=float(minutes)) if minutes else DEFAULT_DURATION
