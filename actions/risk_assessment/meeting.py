"""What booking, moving, cancelling and documenting the risk-assessment dialogue share: who
takes part, reading a meeting time, and how a booking is shown.

Who books comes from the signed-in user, never from what is typed; participants come from the
user directory. Times are read in Europe/Stockholm and checked by the risk-assessment service
(working hours, Swedish public holidays, everybody's busy times).
"""

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.agreement.fields import swedish_date
from actions.conversation.fields import FormContext, Prompt, Reading
from actions.conversation.reading import Message, is_hedge
from actions.conversation.steps import Completion, ProcessStep
from actions.services import Services
from bot.errors import Refused
from bot.identity import User
from bot.risk_assessments.links import markdown_link
from bot.risk_assessments.meeting_text import ParsedTime, find_meeting_time
from bot.risk_assessments.scheduling import (
    STOCKHOLM,
    WEEKDAYS_SV,
    at_local,
    swedish_day,
    swedish_time,
)
from bot.risk_assessments.service import DEFAULT_DURATION, RiskAssessmentService, SlotOffer
from bot.storage.models import RiskAssessment

NO_REPRESENTATIVE = "ingen"
UNAVAILABLE = (
    "Riskbedömningar går inte att boka eller ändra just nu. Försök igen senare, eller be din "
    "chef boka mötet."
)
TIME_EXAMPLES = (
    'Skriv till exempel "nästa tisdag kl 10", "den 3 december 13:00", "imorgon eftermiddag" '
    'eller "2026-12-03 09:30".'
)
FREE_SLOTS = re.compile(r"\blediga\b|\bfree (slots|times)\b|\bnär kan (ni|du|alla)\b")
# Refusals that ask for another time rather than end the booking.
TIME_TAKEN = ("double_booked", "time_not_allowed", "too_short_notice", "outside_working_hours")
# The "Sök längre fram" button: free times from a later day.
LATER_SLOTS = re.compile(r"\blediga tider från (\d{4}-\d{2}-\d{2})\b")
CALENDARS_NOT_CHECKED = (
    "Jag kunde inte kontrollera tiderna mot deltagarnas kalendrar just nu, bara mot bokningarna "
    "här, så dubbelkolla gärna din kalender."
)
TEAMS = re.compile(r"\bteams\b", re.IGNORECASE)
MINUTES = re.compile(r"(\d{1,3})\s*(?:min|minuter|minutes)\b", re.IGNORECASE)
BARE_MINUTES = re.compile(r"^\s*(\d{1,3})\s*$")
HOURS = re.compile(
    r"\b(en|ett|one|an|\d(?:[.,]5)?)\s*(?:h|tim|timme|timmar|hour|hours)\b|\b(halvtimme)\b",
    re.IGNORECASE,
)


class RiskAssessmentStep(ProcessStep):
    """A step of the risk-assessment dialogue: it needs the risk-assessment service."""

    needs = "risk_assessments"
    unavailable = UNAVAILABLE


class RiskAssessmentCompletion(Completion, RiskAssessmentStep):
    """Completes a form of the risk-assessment dialogue."""


def risk_assessments(ctx: FormContext) -> RiskAssessmentService:
    assert ctx.services.risk_assessments is not None
    return ctx.services.risk_assessments


def person(services: Services, user_id: Any) -> User | None:
    directory = services.directory
    return directory.get(str(user_id)) if directory is not None and user_id else None


def duration(ctx: FormContext) -> timedelta:
    minutes = ctx.get("ra_duration")
    return timedelta(minutes=float(minutes)) if minutes else DEFAULT_DURATION


def chosen_assessment(tracker_or_ctx: Tracker | FormContext) -> int | None:
    value = (
        tracker_or_ctx.get("ra_assessment_id")
        if isinstance(tracker_or_ctx, FormContext)
        else tracker_or_ctx.get_slot("ra_assessment_id")
    )
    return int(value) if value and str(value).isdigit() else None


def meeting_people(ctx: FormContext) -> tuple[User | None, User | None]:
    """The employee and the safety representative of the meeting being booked or moved."""
    assessment_id = chosen_assessment(ctx)
    if assessment_id is None:
        representative = ctx.get("ra_safety_representative")
        return person(ctx.services, ctx.get("ra_employee")), (
            None
            if representative in (None, NO_REPRESENTATIVE)
            else person(ctx.services, representative)
        )
    if ctx.user is None:
        return None, None
    try:
        assessment = risk_assessments(ctx).get(ctx.user, assessment_id)
    except Refused:
        return None, None
    return person(ctx.services, assessment.employee_id), person(
        ctx.services, assessment.safety_representative_id
    )


SAME_TIME = re.compile(r"\b(samma tid|same time)\b")
# A day named: then a clock time is on that day, not the booked one.
DAY_WORDS = re.compile(
    r"\b(mån|tis|ons|tors|fre|lör|sön|man|lor|son|mon|tue|wed|thu|fri|sat|sun)\w*|\d{1,2}[/.-]\d|"
    r"\b(i ?morgon|imorgon|övermorgon|tomorrow|idag|i dag|today|vecka|week|nästa|next|den \d|"
    r"the \d|jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)\w*"
)
# The time a meeting is moved to, after the one it is moved from.
MOVED_TO = re.compile(r".*\b(?:till|to)\s+(?P<to>.+)$", re.IGNORECASE | re.DOTALL)
SAME_DAY = re.compile(r"\b(samma dag|samma datum|same day|same date)\b")


def time_said(text: str, now: datetime, on: date | None = None) -> ParsedTime | None:
    """The meeting time in ``text``; in "flytta mötet på torsdag till fredag 11/12", which
    names two days, the one it is moved to."""
    parsed = find_meeting_time(text, now, on)
    if parsed is None and (moved := MOVED_TO.search(text)):
        parsed = find_meeting_time(moved.group("to"), now, on)
    return parsed


def booked_start(ctx: FormContext) -> datetime | None:
    """When the meeting being moved is booked."""
    assessment_id = chosen_assessment(ctx)
    if assessment_id is None or ctx.user is None:
        return None
    try:
        start = risk_assessments(ctx).get(ctx.user, assessment_id).start_at
    except Refused:
        return None
    return start.astimezone(STOCKHOLM) if start is not None else None


def booked_day(ctx: FormContext) -> date | None:
    """The day the meeting being moved is booked on."""
    start = booked_start(ctx)
    return start.date() if start is not None else None


def read_start(ctx: FormContext, message: Message) -> Reading:
    """A meeting time: confirmed first when ambiguous ("onsdag" has no clock time), refused
    with the reason when nobody can meet then."""
    if later := LATER_SLOTS.search(message.lowered):
        return later_offer(ctx, date.fromisoformat(later.group(1)))
    if FREE_SLOTS.search(message.lowered):
        return Reading(reopen=True)
    pending = ctx.pending.get("value") if ctx.pending.get("slot") == "ra_start" else None
    current = pending or ctx.get("ra_start")
    on = datetime.fromisoformat(str(current)).astimezone(STOCKHOLM).date() if current else None
    if on is None and (SAME_DAY.search(message.lowered) or not DAY_WORDS.search(message.lowered)):
        # "samma dag men kl 14", "nej vänta, kl 10" when moving a meeting: the day it is booked
        # on (none when booking).
        on = booked_day(ctx)
    parsed = time_said(message.text, ctx.now(), on)
    if parsed is None:
        return Reading()
    start, ambiguous = parsed.start, parsed.ambiguous
    if SAME_TIME.search(message.lowered):
        # "12 januari, samma tid": the clock time of the time offered or refused before, or
        # of the meeting being moved.
        was = (
            datetime.fromisoformat(str(current)).astimezone(STOCKHOLM)
            if current
            else booked_start(ctx)
        )
        if was is not None:
            start, ambiguous = at_local(start.astimezone(STOCKHOLM).date(), was.time()), False
    if parsed.written_weekday is not None:
        return which_day(start, parsed.written_weekday)
    refusal = check_start(ctx, start)
    if refusal:
        # Kept for the next answer: "samma tid", "samma dag men kl 14" mean this one's.
        kept = {"kind": "refused_time", "slot": "ra_start", "value": start.isoformat()}
        return Reading(problem=refusal, pending=kept)
    confirm = ambiguous or is_hedge(message)
    return Reading.of(
        start.isoformat(), confirm=f"Menar du {swedish_time(start)}?" if confirm else None
    )


def which_day(start: datetime, written_weekday: int) -> Reading:
    """ "tisdag 16.12" when 16 December is a Wednesday: the date as written or the weekday in
    the same week, asked, never guessed."""
    local = start.astimezone(STOCKHOLM)
    other = local + timedelta(days=written_weekday - local.weekday())
    return Reading(
        problem=f"{swedish_date(local.date())} är en {WEEKDAYS_SV[local.weekday()]}, inte en "
        f"{WEEKDAYS_SV[written_weekday]}. Vilken dag menar du?",
        buttons=[{"title": swedish_time(s), "payload": payload_time(s)} for s in (local, other)],
        # The answer may name the day in words ("torsdag den 17:e alltså"): see Turn.choose.
        pending={
            "kind": "choose",
            "slot": "ra_start",
            "options": [local.isoformat(), other.isoformat()],
        },
    )


def find_start(ctx: FormContext, text: str) -> Reading:
    return read_start(ctx, Message(text=text))


def check_start(ctx: FormContext, start: datetime) -> str | None:
    """Why the meeting cannot start then, or None."""
    employee, representative = meeting_people(ctx)
    refusal = risk_assessments(ctx).check_time(
        start, duration(ctx), employee, representative, chosen_assessment(ctx)
    )
    return refusal.text if refusal else None


def start_prompt(ctx: FormContext) -> Prompt:
    """Asks for the time, with free times for everybody on different days as buttons; says so
    when the calendars could not be checked, and offers to look further ahead when nothing is
    free."""
    employee, representative = meeting_people(ctx)
    if employee is None:
        return Prompt(f"När vill ni ses? {TIME_EXAMPLES}")
    offer = risk_assessments(ctx).offer(
        employee, representative, duration(ctx), moving_id=chosen_assessment(ctx)
    )
    text = "När vill ni ses?"
    if offer.starts:
        text += " Här är några tider då alla är lediga, eller skriv en egen tid."
    if offer.calendars_checked is False:
        text += " " + CALENDARS_NOT_CHECKED
    if not offer.starts:
        text += " " + nothing_free(offer) + " Vill du att jag letar längre fram, eller skriver du "
        text += "en egen tid?"
    return Prompt(f"{text} {TIME_EXAMPLES}", offer_buttons(offer))


def later_offer(ctx: FormContext, day: date) -> Reading:
    """The "Sök längre fram" button: free times from ``day`` on, asked as a question of its own."""
    employee, representative = meeting_people(ctx)
    if employee is None:
        return Reading(reopen=True)
    offer = risk_assessments(ctx).offer(
        employee, representative, duration(ctx), after=day, moving_id=chosen_assessment(ctx)
    )
    note = f" {CALENDARS_NOT_CHECKED}" if offer.calendars_checked is False else ""
    if offer.starts:
        text = (
            f"Från {swedish_day(offer.searched_from)} är alla lediga de här tiderna.{note} "
            "Vilken passar, eller vill du skriva en egen tid?"
        )
    else:
        text = f"{nothing_free(offer)}{note} Ska jag leta ännu längre fram?"
    return Reading.refused(text, offer_buttons(offer))


def nothing_free(offer: SlotOffer) -> str:
    return (
        f"Det finns ingen tid då alla är lediga de närmaste {offer.working_days} arbetsdagarna "
        f"(från {swedish_day(offer.searched_from)} till och med "
        f"{swedish_day(offer.searched_until)})."
    )


def offer_buttons(offer: SlotOffer) -> list[dict[str, str]]:
    """The offered times, or with none the button that looks further ahead."""
    if offer.starts:
        return [{"title": swedish_time(s), "payload": payload_time(s)} for s in offer.starts]
    return [
        {"title": "Sök längre fram", "payload": f"lediga tider från {offer.widen_from.isoformat()}"}
    ]


def parse_minutes(text: str) -> int | None:
    """Minutes from "45", "45 minuter", "en timme" or "1,5 timmar"."""
    if match := HOURS.search(text):
        if match.group(2):
            return 30
        count = match.group(1).lower().replace(",", ".")
        return round(60 * (1 if count in ("en", "ett", "one", "an") else float(count)))
    match = MINUTES.search(text) or BARE_MINUTES.match(text)
    return int(match.group(1)) if match else None


def read_duration(ctx: FormContext, message: Message) -> Reading:
    minutes = parse_minutes(message.text)
    if minutes is None:
        return Reading()
    try:
        RiskAssessmentService.check_duration(timedelta(minutes=minutes))
    except Refused as error:
        return Reading.refused(error.text)
    return Reading.of(float(minutes))


def find_duration(ctx: FormContext, text: str) -> Reading:
    """Only with a unit: "14" in "kl 14" is no length."""
    if BARE_MINUTES.match(text):
        return Reading()
    return read_duration(ctx, Message(text=text))


def when(assessment: RiskAssessment) -> str:
    return swedish_time(assessment.start_at) if assessment.start_at else "(ingen tid)"


def payload_time(start: datetime) -> str:
    """A button payload the time parser reads back without ambiguity."""
    return start.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def invitation_link(assessment: RiskAssessment) -> str:
    """The invitation's path, for the web chat's download button (it adds its own host)."""
    return f"/api/risk-assessments/{assessment.id}.ics"


def invitation_markdown(services: Services, assessment: RiskAssessment, title: str) -> str:
    """The invitation as a named link on the app's public address, which Teams can open."""
    service = services.risk_assessments
    url = (
        service.links.invitation(assessment.id, assessment.end_at)
        if service
        else invitation_link(assessment)
    )
    return markdown_link(title, url)


def checklist_markdown(services: Services) -> str:
    """HR's checklist as a named link on the app's public address."""
    service = services.risk_assessments
    return markdown_link("Checklista inför samtalet", service.links.checklist()) if service else ""


def calendar_note(assessment: RiskAssessment) -> str:
    """Said when the time was only checked against the bookings here."""
    if assessment.calendar_checked is not False:
        return ""
    return (
        " Tiden kunde inte kontrolleras mot deltagarnas kalendrar just nu; mötet läggs in i "
        "kalendern så snart den svarar."
    )


def online_meeting_note(services: Services, assessment: RiskAssessment) -> str:
    """The Teams meeting's link once the calendar has made it; when its write still waits in
    the outbox (the calendar did not answer), that the link comes with the invitation."""
    if assessment.online_meeting_url:
        return " " + markdown_link("Anslut till Teams-mötet", assessment.online_meeting_url) + "."
    service = services.risk_assessments
    calendar = service.calendar if service else None
    if calendar is not None and calendar.online_meetings and TEAMS.search(assessment.place or ""):
        return " Länken till Teams-mötet kommer i kalenderinbjudan."
    return ""


def by_email(services: Services, assessment: RiskAssessment, what: str) -> str:
    """Says that ``what`` is being e-mailed when the change queued e-mail: the outbox sends it
    within moments, so the reply must not claim it has been sent."""
    service = services.risk_assessments
    mail = service.invitations if service else None
    if service is None or mail is None or not mail.recipients(service.directory, assessment):
        return ""
    return f" {what} skickas också med e-post."


def assessment_payload(intent: str, assessment_id: int) -> str:
    return f'/{intent}{{"assessment_id":"{assessment_id}"}}'


def manage_buttons(assessment: RiskAssessment) -> list[dict[str, str]]:
    return [
        {
            "title": "Flytta mötet",
            "payload": assessment_payload("reschedule_risk_assessment", assessment.id),
        },
        {
            "title": "Avboka mötet",
            "payload": assessment_payload("cancel_risk_assessment", assessment.id),
        },
    ]


def describe(services: Services, assessment: RiskAssessment) -> str:
    employee = person(services, assessment.employee_id)
    return employee.name if employee else assessment.employee_id


def choose_booking(
    services: Services,
    user: User,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verb: str,
    intent: str,
) -> RiskAssessment | None:
    """The booking the user means: named by a button, or their only upcoming one. Several:
    buttons to choose; none: says so."""
    assert services.risk_assessments is not None
    upcoming = services.risk_assessments.upcoming(user)
    named = next(tracker.get_latest_entity_values("assessment_id"), None)
    if named:
        upcoming = [a for a in upcoming if str(a.id) == str(named)]
    if not upcoming:
        dispatcher.utter_message(
            text=f'Du har ingen bokad riskbedömning att {verb}. Skriv "boka riskbedömning" '
            "för att boka en."
        )
        return None
    if len(upcoming) > 1:
        dispatcher.utter_message(
            text=f"Vilket möte vill du {verb}?",
            buttons=[
                {
                    "title": f"{describe(services, a)} {when(a)}",
                    "payload": assessment_payload(intent, a.id),
                }
                for a in upcoming[:10]
            ],
        )
        return None
    return upcoming[0]


def held_on(services: Services, user: User | None, assessment_id: int | None) -> date:
    """The day of the dialogue, or today when it has no time."""
    today = services.clock.today()
    if services.risk_assessments is None or user is None or assessment_id is None:
        return today
    try:
        start = services.risk_assessments.get(user, assessment_id).start_at
    except Refused:
        return today
    return start.astimezone(STOCKHOLM).date() if start else today


def buttons(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in pairs]
