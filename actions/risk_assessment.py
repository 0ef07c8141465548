"""Booking the risk-assessment dialogue in chat, moving or cancelling it, and documenting its
outcome afterwards (Rasa forms with custom actions).

Who books comes from the message metadata, never from what the user types; participants come
from the user directory. Times are understood in Europe/Stockholm and checked against working
hours, Swedish public holidays and the participants' busy times.
"""

import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.agreement import decision_payload, unless_unset
from actions.forms import answered_question, change_one_answer, reset
from bot.agreements.parsing import parse_date
from bot.agreements.service import AgreementService
from bot.errors import Refused
from bot.faq.answering import FaqAnswerer
from bot.identity import User
from bot.mail import Mailer, MailError
from bot.risk_assessments.invitation import assessment_invitation, load_checklist
from bot.risk_assessments.scheduling import (
    STOCKHOLM,
    check_meeting_time,
    parse_meeting_time,
    swedish_time,
)
from bot.risk_assessments.service import Action as PlannedAction
from bot.risk_assessments.service import RiskAssessmentService
from bot.storage.models import AgreementStatus, RiskAssessment

log = logging.getLogger(__name__)

BOOKING_SLOTS = (
    "ra_employee",
    "ra_safety_representative",
    "ra_start",
    "ra_duration",
    "ra_place",
)
OUTCOME_SLOTS = ("ra_risks", "ra_actions", "ra_follow_up")
OTHER_SLOTS = ("ra_assessment_id", "ra_pending_start")
NO_REPRESENTATIVE = "ingen"
UNAVAILABLE = (
    "Riskbedömningar går inte att boka eller ändra just nu. Försök igen senare, eller be din "
    "chef boka mötet."
)
TIME_EXAMPLES = (
    'Skriv till exempel "nästa tisdag kl 10", "den 3 december 13:00", "imorgon eftermiddag" '
    'eller "2026-12-03 09:30".'
)
YES = re.compile(r"^\s*(ja|japp|jajamen|yes|ok|okej|stämmer|precis|absolut)\b", re.IGNORECASE)
FREE_SLOTS = re.compile(r"\blediga\b|\bfree (slots|times)\b", re.IGNORECASE)
NONE = re.compile(r"^\s*(inga|ingen|inget|nej|none|no)\b", re.IGNORECASE)
MINUTES = re.compile(r"(\d{1,3})\s*(?:min|minuter|minutes)?\b", re.IGNORECASE)
HOURS = re.compile(r"(en|ett|one|\d)\s*(?:h|timme|timmar|hour|hours)\b", re.IGNORECASE)
ACTION_PARTS = re.compile(r"\s+[–—-]\s+|\s*;\s*|\s*\|\s*")
FIELD_TITLES = {
    "ra_start": "Tid",
    "ra_duration": "Längd",
    "ra_place": "Plats",
    "ra_safety_representative": "Skyddsombud",
}


class RiskAssessmentActionsBase:
    """What every action of the dialogue needs: the services, the FAQ and where files are."""

    def __init__(
        self,
        risk_assessments: RiskAssessmentService | None,
        agreements: AgreementService | None,
        answerer: Callable[[], FaqAnswerer],
        faq_dir: Path,
        mailer: Mailer | None = None,
    ) -> None:
        self.risk_assessments = risk_assessments
        self.agreements = agreements
        self.answerer = answerer
        self.faq_dir = faq_dir
        self.mailer = mailer

    def user(self, tracker: Tracker) -> User | None:
        user_id = (tracker.latest_message.get("metadata") or {}).get("user_id")
        if self.risk_assessments is None or not user_id:
            return None
        return self.risk_assessments.directory.get(str(user_id))

    def signed_in(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> User | None:
        """The user, or None after saying that bookings are unavailable (no database)."""
        user = self.user(tracker)
        if user is None:
            dispatcher.utter_message(text=UNAVAILABLE)
        return user

    def person(self, user_id: Any) -> User | None:
        assert self.risk_assessments is not None
        return self.risk_assessments.directory.get(str(user_id)) if user_id else None

    def duration(self, tracker: Tracker) -> timedelta:
        return timedelta(minutes=float(tracker.get_slot("ra_duration") or 45))

    def representative(self, tracker: Tracker) -> User | None:
        chosen = tracker.get_slot("ra_safety_representative")
        return None if chosen in (None, NO_REPRESENTATIVE) else self.person(chosen)


class ActionStartRiskAssessment(RiskAssessmentActionsBase, Action):
    """Works out whose dialogue it is, proposes the unit's safety representative and opens the
    booking form. A manager names the employee ("boka riskbedömning med Anna")."""

    def name(self) -> str:
        return "action_start_risk_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.signed_in(dispatcher, tracker)
        if self.risk_assessments is None or user is None:
            return []
        events: list[EventType] = [*reset(BOOKING_SLOTS + OTHER_SLOTS)]
        employee = user if user.role == "employee" else None
        if employee is None:
            employee = named_employee(
                str(tracker.latest_message.get("text") or ""), bookable_for(self, user)
            )
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
        if employee is not None:
            events += self.participants(employee)
        events.append(SlotSet("ra_duration", 45.0))
        dispatcher.utter_message(
            text="Då bokar vi riskbedömningen av distansarbetet. Den görs i dialog mellan "
            "medarbetaren, chefen och skyddsombudet och går igenom ergonomi, den psykosociala "
            "arbetsmiljön, informationssäkerhet och olycksrisker. Jag visar en sammanfattning "
            'innan något bokas, och du kan skriva "avbryt" när som helst.'
        )
        return [*events, FollowupAction("risk_assessment_form")]

    def participants(self, employee: User) -> list[EventType]:
        assert self.risk_assessments is not None
        representative = self.risk_assessments.proposed_safety_representative(employee)
        return [
            SlotSet("ra_employee", employee.id),
            SlotSet(
                "ra_safety_representative",
                representative.id if representative else NO_REPRESENTATIVE,
            ),
        ]


def bookable_for(base: RiskAssessmentActionsBase, user: User) -> list[User]:
    """The employees ``user`` may book for: their own staff, or everyone for HR."""
    assert base.risk_assessments is not None
    people = base.risk_assessments.directory.all()
    return [p for p in people if p.role == "employee" and (user.is_hr or p.manager == user.id)]


def named_employee(text: str, candidates: list[User]) -> User | None:
    """The one candidate whose full name, first name or id the text mentions."""
    lowered = text.lower()
    found = [
        c
        for c in candidates
        if any(
            re.search(rf"\b{re.escape(name)}\b", lowered)
            for name in (c.name.lower(), c.name.split()[0].lower(), c.id.lower())
        )
    ]
    return found[0] if len(found) == 1 else None


class ValidateMeetingTime(RiskAssessmentActionsBase):
    """The start time, shared by booking and moving: parsed, confirmed when ambiguous, checked
    against working hours, holidays and everybody's busy times."""

    moving: bool = False

    def answered_question(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        return answered_question(
            self.answerer(), dispatcher, tracker, going_on="utter_risk_assessment_continue"
        )

    @unless_unset
    def validate_ra_start(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        assert self.risk_assessments is not None
        text = str(value)
        pending = tracker.get_slot("ra_pending_start")
        if FREE_SLOTS.search(text):
            return {"ra_start": None, "ra_pending_start": None}
        if pending and YES.match(text):
            start = datetime.fromisoformat(str(pending))
        else:
            parsed = parse_meeting_time(text, self.risk_assessments.now())
            if parsed is None:
                if not self.answered_question(dispatcher, tracker):
                    dispatcher.utter_message(text=f"Jag förstod inte tiden. {TIME_EXAMPLES}")
                return {"ra_start": None, "ra_pending_start": None}
            if parsed.ambiguous:
                return {"ra_start": None, "ra_pending_start": parsed.start.isoformat()}
            start = parsed.start
        refusal = check_meeting_time(
            start, self.duration(tracker), self.risk_assessments.now(), self.risk_assessments.hours
        )
        if refusal is not None:
            dispatcher.utter_message(text=refusal.reason)
            return {"ra_start": None, "ra_pending_start": None}
        busy = self.busy_at(tracker, start)
        if busy:
            dispatcher.utter_message(text=busy)
            return {"ra_start": None, "ra_pending_start": None}
        return {"ra_start": start.isoformat(), "ra_pending_start": None}

    def busy_at(self, tracker: Tracker, start: datetime) -> str | None:
        assert self.risk_assessments is not None
        employee, representative = self.meeting_people(tracker)
        if employee is None or self.risk_assessments.is_free(
            employee, representative, start, self.duration(tracker), chosen_assessment(tracker)
        ):
            return None
        return "Någon av deltagarna är upptagen då. Välj en annan tid."

    def meeting_people(self, tracker: Tracker) -> tuple[User | None, User | None]:
        """The employee and the safety representative of the meeting being booked or moved."""
        assert self.risk_assessments is not None
        assessment_id = chosen_assessment(tracker)
        if assessment_id is None:
            return self.person(tracker.get_slot("ra_employee")), self.representative(tracker)
        try:
            assessment = self.risk_assessments.get(self.user(tracker) or _NOBODY, assessment_id)
        except Refused:
            return None, None
        return self.person(assessment.employee_id), self.person(assessment.safety_representative_id)


_NOBODY = User(id="", name="", role="employee", unit="")


class ValidateRiskAssessmentForm(ValidateMeetingTime, FormValidationAction):
    def name(self) -> str:
        return "validate_risk_assessment_form"

    @unless_unset
    def validate_ra_employee(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        user = self.user(tracker)
        if self.risk_assessments is None or user is None:
            return {"ra_employee": None}
        # An employee books their own dialogue; managers and HR choose among those they may.
        candidates = [user] if user.role == "employee" else bookable_for(self, user)
        chosen = next((c for c in candidates if c.id == str(value)), None) or named_employee(
            str(value), candidates
        )
        if chosen is None:
            if not self.answered_question(dispatcher, tracker):
                dispatcher.utter_message(
                    text="Jag hittar ingen av dina medarbetare med det namnet."
                )
            return {"ra_employee": None}
        representative = self.risk_assessments.proposed_safety_representative(chosen)
        return {
            "ra_employee": chosen.id,
            "ra_safety_representative": representative.id if representative else NO_REPRESENTATIVE,
        }

    @unless_unset
    def validate_ra_safety_representative(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if self.risk_assessments is None:
            return {"ra_safety_representative": None}
        if NONE.match(str(value)):
            return {"ra_safety_representative": NO_REPRESENTATIVE}
        representatives = safety_representatives(self)
        chosen = next((r for r in representatives if r.id == str(value)), None) or named_employee(
            str(value), representatives
        )
        if chosen is None:
            dispatcher.utter_message(text="Jag hittar inget skyddsombud med det namnet.")
            return {"ra_safety_representative": None}
        return {"ra_safety_representative": chosen.id}

    @unless_unset
    def validate_ra_duration(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        minutes = parse_minutes(str(value))
        if minutes is None or not 15 <= minutes <= 240:
            dispatcher.utter_message(text="Skriv en längd mellan 15 och 240 minuter, t.ex. 45.")
            return {"ra_duration": None}
        result: dict[str, Any] = {"ra_duration": float(minutes)}
        if tracker.get_slot("ra_start"):
            # A longer meeting may no longer fit: the time is checked again.
            result["ra_start"] = None
        return result

    @unless_unset
    def validate_ra_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if len(text) < 2:
            dispatcher.utter_message(text='Skriv var ni ses, till exempel "Teams" eller "rum 3B".')
            return {"ra_place": None}
        if self.answered_question(dispatcher, tracker):
            return {"ra_place": None}
        return {"ra_place": text[:200]}


class ValidateRescheduleForm(ValidateMeetingTime, FormValidationAction):
    def name(self) -> str:
        return "validate_reschedule_form"


class ActionAskMeetingTime(RiskAssessmentActionsBase, Action):
    """Asks for the time: confirms an ambiguous one, otherwise offers the first free slots."""

    def name(self) -> str:
        return "action_ask_ra_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        pending = tracker.get_slot("ra_pending_start")
        if pending:
            start = datetime.fromisoformat(str(pending))
            dispatcher.utter_message(
                text=f"Menar du {swedish_time(start)}?",
                buttons=[
                    {"title": f"Ja, {swedish_time(start)}", "payload": payload_time(start)},
                    {"title": "Nej, visa lediga tider", "payload": "lediga tider"},
                ],
            )
            return []
        slots = self.first_free(tracker)
        text = "När vill ni ses?"
        if slots:
            text += " Här är de första tiderna då alla är lediga, eller skriv en egen tid."
        dispatcher.utter_message(
            text=f"{text} {TIME_EXAMPLES}",
            buttons=[{"title": swedish_time(s), "payload": payload_time(s)} for s in slots],
        )
        return []

    def first_free(self, tracker: Tracker) -> list[datetime]:
        if self.risk_assessments is None:
            return []
        validator = ValidateRescheduleForm(
            self.risk_assessments, self.agreements, self.answerer, self.faq_dir
        )
        employee, representative = validator.meeting_people(tracker)
        if employee is None:
            return []
        try:
            return self.risk_assessments.free_starts(
                employee,
                representative,
                self.duration(tracker),
                moving_id=chosen_assessment(tracker),
            )
        except SQLAlchemyError as error:
            log.warning("Free slots unavailable: %s", error)
            return []


class ActionAskEmployee(RiskAssessmentActionsBase, Action):
    def name(self) -> str:
        return "action_ask_ra_employee"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.user(tracker)
        staff = bookable_for(self, user) if user else []
        dispatcher.utter_message(
            text="Vilken medarbetares distansarbete gäller riskbedömningen?",
            buttons=[{"title": p.name, "payload": p.id} for p in staff[:10]],
        )
        return []


class ActionAskSafetyRepresentative(RiskAssessmentActionsBase, Action):
    def name(self) -> str:
        return "action_ask_ra_safety_representative"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        people = safety_representatives(self) if self.risk_assessments else []
        dispatcher.utter_message(
            text="Vilket skyddsombud ska delta?",
            buttons=[{"title": p.name, "payload": p.id} for p in people[:10]]
            + [{"title": "Inget skyddsombud", "payload": NO_REPRESENTATIVE}],
        )
        return []


def safety_representatives(base: RiskAssessmentActionsBase) -> list[User]:
    assert base.risk_assessments is not None
    return [u for u in base.risk_assessments.directory.all() if u.role == "safety_representative"]


class ActionRiskAssessmentSummary(RiskAssessmentActionsBase, Action):
    def name(self) -> str:
        return "action_risk_assessment_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if self.risk_assessments is None:
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        employee = self.person(tracker.get_slot("ra_employee"))
        manager = self.person(employee.manager) if employee else None
        representative = self.representative(tracker)
        start = datetime.fromisoformat(str(tracker.get_slot("ra_start")))
        end = start + self.duration(tracker)
        lines = [
            f"Riskbedömning av distansarbete för {employee.name if employee else '?'}",
            f"Chef: {manager.name if manager else '?'}",
            f"Skyddsombud: {representative.name if representative else 'inget'}",
            f"Tid: {swedish_time(start)}–{end.astimezone(STOCKHOLM):%H.%M}",
            f"Plats: {tracker.get_slot('ra_place')}",
        ]
        dispatcher.utter_message(
            text="Stämmer det här?\n\n" + "\n".join(lines) + "\n\nSka jag boka mötet?",
            buttons=[
                {"title": "Ja, boka", "payload": "/affirm"},
                *(
                    {"title": f"Ändra {title.lower()}", "payload": change_payload(slot)}
                    for slot, title in FIELD_TITLES.items()
                ),
                {"title": "Avbryt", "payload": "/stop"},
            ],
        )
        return []


class ActionChangeRiskAssessment(Action):
    """Clears one answer and reopens the booking form, which asks only for that answer."""

    def name(self) -> str:
        return "action_change_risk_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        field = next(tracker.get_latest_entity_values("field"), None)
        return change_one_answer(
            dispatcher, field, FIELD_TITLES, change_payload, "risk_assessment_form"
        )


class ActionBookRiskAssessment(RiskAssessmentActionsBase, Action):
    def name(self) -> str:
        return "action_book_risk_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.signed_in(dispatcher, tracker)
        if self.risk_assessments is None or user is None:
            return []
        if any(tracker.get_slot(s) is None for s in BOOKING_SLOTS):
            dispatcher.utter_message(text='Bokningen är inte komplett. Skriv "boka riskbedömning".')
            return list(reset(BOOKING_SLOTS))
        representative = tracker.get_slot("ra_safety_representative")
        try:
            assessment = self.risk_assessments.book(
                user,
                str(tracker.get_slot("ra_employee")),
                datetime.fromisoformat(str(tracker.get_slot("ra_start"))),
                self.duration(tracker),
                str(tracker.get_slot("ra_place")),
                None if representative == NO_REPRESENTATIVE else str(representative),
            )
        except Refused as error:
            # The time was taken while the user confirmed: ask for another one.
            dispatcher.utter_message(text=error.text)
            if error.code in ("double_booked", "time_not_allowed"):
                return [SlotSet("ra_start", None), FollowupAction("risk_assessment_form")]
            return list(reset(BOOKING_SLOTS))
        except SQLAlchemyError as error:
            log.error("Could not store a risk assessment booking: %s", error)
            dispatcher.utter_message(
                text="Det gick inte att boka just nu. Inget har bokats. Svara ja för att "
                "försöka igen."
            )
            return [FollowupAction("action_risk_assessment_summary")]
        booked = "Mötet är bokat" + (
            " och kopplat till din ansökan om distansarbete." if assessment.agreement_id else "."
        )
        dispatcher.utter_message(
            json_message={
                "text": f"{booked} {when(assessment)} ({assessment.place}). "
                "Deltagarna får besked, och kalenderinbjudan kan laddas ner här: "
                f"{invitation_link(assessment)}" + self.send_invitations(assessment),
                "link": invitation_link(assessment),
                "buttons": manage_buttons(assessment),
            }
        )
        dispatcher.utter_message(
            text="Inför samtalet, gå gärna igenom checklistan:\n\n" + load_checklist(self.faq_dir)
        )
        return list(reset(BOOKING_SLOTS + OTHER_SLOTS))

    def send_invitations(self, assessment: RiskAssessment) -> str:
        """E-mails the invitation to every participant when SMTP is configured."""
        if self.mailer is None or self.risk_assessments is None:
            return ""
        directory = self.risk_assessments.directory
        ics = assessment_invitation(assessment, directory, self.faq_dir)
        sent = 0
        for person_id in (
            assessment.employee_id,
            assessment.manager_id,
            assessment.safety_representative_id,
        ):
            person = directory.get(person_id) if person_id else None
            if person is None or not person.email:
                continue
            try:
                self.mailer.send(
                    person.email,
                    "Riskbedömning av distansarbete",
                    f"Riskbedömningen av distansarbete är bokad {when(assessment)}"
                    f" ({assessment.place}). Inbjudan och checklistan finns i bilagan.",
                    calendar=(f"riskbedomning-{assessment.id}.ics", ics),
                )
                sent += 1
            except MailError as error:
                log.error("Invitation e-mail not sent: %s", error)
        return " Inbjudan har också skickats med e-post." if sent else ""


class ActionStopRiskAssessment(Action):
    """Stops booking, moving or documenting; nothing is stored or changed."""

    def name(self) -> str:
        return "action_stop_risk_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        loop = (tracker.active_loop or {}).get("name")
        what = {
            "reschedule_form": "Jag har avbrutit. Mötet ligger kvar på samma tid.",
            "outcome_form": "Jag har avbrutit. Inget har dokumenterats ännu.",
        }.get(str(loop), "Jag har avbrutit bokningen. Inget har bokats.")
        dispatcher.utter_message(text=what)
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *reset(BOOKING_SLOTS + OUTCOME_SLOTS + OTHER_SLOTS),
        ]


class ActionStartReschedule(RiskAssessmentActionsBase, Action):
    def name(self) -> str:
        return "action_start_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        chosen = choose_booking(self, dispatcher, tracker, "flytta", "reschedule_risk_assessment")
        if chosen is None:
            return []
        dispatcher.utter_message(
            text=f"Riskbedömningen är bokad {when(chosen)}. Vilken tid vill ni flytta den till?"
        )
        return [
            *reset(BOOKING_SLOTS + OTHER_SLOTS),
            SlotSet("ra_assessment_id", str(chosen.id)),
            SlotSet("ra_duration", (chosen.end_at - chosen.start_at).total_seconds() / 60),  # type: ignore[operator]
            FollowupAction("reschedule_form"),
        ]


class ActionRescheduleRiskAssessment(RiskAssessmentActionsBase, Action):
    def name(self) -> str:
        return "action_reschedule_risk_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.user(tracker)
        assessment_id = chosen_assessment(tracker)
        if self.risk_assessments is None or user is None or assessment_id is None:
            dispatcher.utter_message(text=UNAVAILABLE)
            return list(reset(BOOKING_SLOTS + OTHER_SLOTS))
        try:
            moved = self.risk_assessments.reschedule(
                user, assessment_id, datetime.fromisoformat(str(tracker.get_slot("ra_start")))
            )
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return list(reset(BOOKING_SLOTS + OTHER_SLOTS))
        dispatcher.utter_message(
            json_message={
                "text": f"Mötet är flyttat till {when(moved)}. Den uppdaterade "
                f"kalenderinbjudan ersätter den gamla: {invitation_link(moved)}",
                "link": invitation_link(moved),
                "buttons": manage_buttons(moved),
            }
        )
        return list(reset(BOOKING_SLOTS + OTHER_SLOTS))


class ActionCancelRiskAssessment(RiskAssessmentActionsBase, Action):
    """Typed "avboka riskbedömningen" shows the booking with a confirming button; the button
    (which names the booking) cancels it."""

    def name(self) -> str:
        return "action_cancel_risk_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.signed_in(dispatcher, tracker)
        if self.risk_assessments is None or user is None:
            return []
        named = next(tracker.get_latest_entity_values("assessment_id"), None)
        if (tracker.latest_message.get("intent") or {}).get("name") == "affirm":
            named = tracker.get_slot("ra_assessment_id")
        if named and str(named).isdigit():
            try:
                cancelled = self.risk_assessments.cancel(user, int(named))
            except Refused as error:
                dispatcher.utter_message(text=error.text)
                return []
            dispatcher.utter_message(
                json_message={
                    "text": f"Riskbedömningen {when(cancelled)} är avbokad. "
                    "Deltagarna får besked, och avbokningen för kalendern finns här: "
                    f"{invitation_link(cancelled)}",
                    "link": invitation_link(cancelled),
                    "buttons": [{"title": "Boka en ny tid", "payload": "/book_risk_assessment"}],
                }
            )
            return [SlotSet("ra_assessment_id", None)]
        chosen = choose_booking(self, dispatcher, tracker, "avboka", "cancel_risk_assessment")
        if chosen is not None:
            dispatcher.utter_message(
                text=f"Vill du avboka riskbedömningen {when(chosen)}?",
                buttons=[
                    {
                        "title": "Ja, avboka",
                        "payload": assessment_payload("cancel_risk_assessment", chosen.id),
                    },
                    {"title": "Nej, behåll mötet", "payload": "/deny"},
                ],
            )
            return [SlotSet("ra_assessment_id", str(chosen.id))]
        return []


def choose_booking(
    base: RiskAssessmentActionsBase,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    verb: str,
    intent: str,
) -> RiskAssessment | None:
    """The booking the user means: named by a button, or their only upcoming one. Several:
    buttons to choose; none: says so."""
    user = base.user(tracker)
    if base.risk_assessments is None or user is None:
        dispatcher.utter_message(text=UNAVAILABLE)
        return None
    upcoming = base.risk_assessments.upcoming(user)
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
                    "title": f"{describe(base, a)} {when(a)}",
                    "payload": assessment_payload(intent, a.id),
                }
                for a in upcoming[:10]
            ],
        )
        return None
    return upcoming[0]


def describe(base: RiskAssessmentActionsBase, assessment: RiskAssessment) -> str:
    employee = base.person(assessment.employee_id)
    return employee.name if employee else assessment.employee_id


class ActionStartOutcome(RiskAssessmentActionsBase, Action):
    """The manager documents a dialogue that has taken place."""

    def name(self) -> str:
        return "action_start_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.signed_in(dispatcher, tracker)
        if self.risk_assessments is None or user is None:
            return []
        waiting = self.risk_assessments.awaiting_outcome(user)
        named = next(tracker.get_latest_entity_values("assessment_id"), None)
        if named:
            waiting = [a for a in waiting if str(a.id) == str(named)]
        if not waiting:
            dispatcher.utter_message(
                text="Du har ingen genomförd riskbedömning som väntar på dokumentation. "
                "Resultatet dokumenteras av chefen efter mötet."
            )
            return []
        if len(waiting) > 1:
            dispatcher.utter_message(
                text="Vilken riskbedömning vill du dokumentera?",
                buttons=[
                    {
                        "title": f"{describe(self, a)} {when(a)}",
                        "payload": assessment_payload("document_risk_assessment", a.id),
                    }
                    for a in waiting[:10]
                ],
            )
            return []
        chosen = waiting[0]
        dispatcher.utter_message(
            text=f"Då dokumenterar vi riskbedömningen med {describe(self, chosen)} "
            f"({when(chosen)}). Tre frågor: risker, åtgärder och uppföljning."
        )
        return [
            *reset(OUTCOME_SLOTS),
            SlotSet("ra_assessment_id", str(chosen.id)),
            FollowupAction("outcome_form"),
        ]


class ValidateOutcomeForm(RiskAssessmentActionsBase, FormValidationAction):
    def name(self) -> str:
        return "validate_outcome_form"

    @unless_unset
    def validate_ra_risks(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if len(text) < 2:
            dispatcher.utter_message(text='Beskriv kort vilka risker ni såg, eller skriv "inga".')
            return {"ra_risks": None}
        return {"ra_risks": text[:5000]}

    @unless_unset
    def validate_ra_actions(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if isinstance(value, list):
            return {"ra_actions": value}
        text = str(value).strip()
        if NONE.match(text):
            return {"ra_actions": []}
        assert self.risk_assessments is not None
        today = self.risk_assessments.now().astimezone(STOCKHOLM).date()
        actions, problems = parse_actions(text, today)
        if problems:
            dispatcher.utter_message(
                text="Jag behöver åtgärd, ansvarig och datum för varje åtgärd, en per rad, t.ex. "
                '"Beställa bildskärm – Maria Berg – 2026-12-15". Kontrollera: '
                + "; ".join(problems)
            )
            return {"ra_actions": None}
        return {"ra_actions": actions}

    @unless_unset
    def validate_ra_follow_up(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        earliest, latest = follow_up_window(self, tracker)
        follow_up = parse_date(str(value), earliest)
        if follow_up is None or not earliest <= follow_up <= latest:
            dispatcher.utter_message(
                text="Riskbedömningen ska följas upp minst en gång per år: skriv ett datum "
                f"mellan {earliest.isoformat()} och {latest.isoformat()}."
            )
            return {"ra_follow_up": None}
        return {"ra_follow_up": follow_up.isoformat()}


def follow_up_window(base: RiskAssessmentActionsBase, tracker: Tracker) -> tuple[date, date]:
    """From the day of the dialogue to a year later: the source requires yearly follow-up."""
    assert base.risk_assessments is not None
    held = base.risk_assessments.now().astimezone(STOCKHOLM).date()
    assessment_id = chosen_assessment(tracker)
    if assessment_id is not None:
        try:
            start = base.risk_assessments.get(base.user(tracker) or _NOBODY, assessment_id).start_at
        except Refused:
            start = None
        held = start.astimezone(STOCKHOLM).date() if start else held
    return held, held + relativedelta(years=1)


class ActionAskFollowUp(RiskAssessmentActionsBase, Action):
    def name(self) -> str:
        return "action_ask_ra_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        earliest, latest = follow_up_window(self, tracker)
        half = earliest + relativedelta(months=6)
        dispatcher.utter_message(
            text="När ska riskbedömningen följas upp? Minst en gång per år, alltså senast "
            f"{latest.isoformat()}.",
            buttons=[
                {"title": f"Om ett år ({latest.isoformat()})", "payload": latest.isoformat()},
                {"title": f"Om sex månader ({half.isoformat()})", "payload": half.isoformat()},
            ],
        )
        return []


class ActionDocumentRiskAssessment(RiskAssessmentActionsBase, Action):
    def name(self) -> str:
        return "action_document_risk_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.user(tracker)
        assessment_id = chosen_assessment(tracker)
        done = list(reset(OUTCOME_SLOTS + OTHER_SLOTS))
        if self.risk_assessments is None or user is None or assessment_id is None:
            dispatcher.utter_message(text=UNAVAILABLE)
            return done
        actions = [
            PlannedAction(a["action"], a["owner"], date.fromisoformat(a["due"]))
            for a in tracker.get_slot("ra_actions") or []
        ]
        try:
            documented = self.risk_assessments.document(
                user,
                assessment_id,
                str(tracker.get_slot("ra_risks")),
                actions,
                date.fromisoformat(str(tracker.get_slot("ra_follow_up"))),
            )
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return done
        except SQLAlchemyError as error:
            log.error("Could not document a risk assessment: %s", error)
            dispatcher.utter_message(text="Det gick inte att spara just nu. Inget har sparats.")
            return done
        text = (
            f"Riskbedömningen är dokumenterad, med {len(actions)} åtgärder och uppföljning "
            f"{documented.follow_up_on}."
        )
        buttons: list[dict[str, str]] = []
        agreement = self.linked_submitted_agreement(user, documented)
        if agreement is not None:
            text += f" Ansökan {agreement[1]} kan nu beslutas."
            buttons = [
                {
                    "title": f"Godkänn {agreement[1]}",
                    "payload": decision_payload(agreement[0], "approve"),
                },
                {
                    "title": f"Avslå {agreement[1]}",
                    "payload": decision_payload(agreement[0], "reject"),
                },
            ]
        dispatcher.utter_message(text=text, buttons=buttons)
        return done

    def linked_submitted_agreement(
        self, user: User, assessment: RiskAssessment
    ) -> tuple[int, str] | None:
        if self.agreements is None or assessment.agreement_id is None:
            return None
        try:
            agreement = self.agreements.get(user, assessment.agreement_id)
        except Refused:
            return None
        if agreement.status != AgreementStatus.SUBMITTED:
            return None
        return agreement.id, agreement.reference


def parse_actions(text: str, today: date) -> tuple[list[dict[str, str]], list[str]]:
    """Lines of "action – owner – date": the actions, and what is wrong with the others."""
    actions: list[dict[str, str]] = []
    problems: list[str] = []
    for line in (line.strip(" •*-") for line in text.splitlines()):
        if not line:
            continue
        parts = [p.strip() for p in ACTION_PARTS.split(line) if p.strip()]
        due = parse_date(parts[-1], today) if len(parts) >= 3 else None
        if len(parts) < 3 or due is None:
            problems.append(f'"{line[:60]}"')
            continue
        actions.append(
            {"action": " ".join(parts[:-2])[:500], "owner": parts[-2][:120], "due": due.isoformat()}
        )
    return actions, problems


def parse_minutes(text: str) -> int | None:
    hours = HOURS.search(text)
    if hours:
        count = hours.group(1).lower()
        return 60 * (1 if count in ("en", "ett", "one") else int(count))
    minutes = MINUTES.search(text)
    return int(minutes.group(1)) if minutes else None


def chosen_assessment(tracker: Tracker) -> int | None:
    value = tracker.get_slot("ra_assessment_id")
    return int(value) if value and str(value).isdigit() else None


def when(assessment: RiskAssessment) -> str:
    return swedish_time(assessment.start_at) if assessment.start_at else "(ingen tid)"


def payload_time(start: datetime) -> str:
    """A button payload the time parser reads back without ambiguity."""
    return start.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def invitation_link(assessment: RiskAssessment) -> str:
    return f"/api/risk-assessments/{assessment.id}.ics"


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


def change_payload(slot: str) -> str:
    return f'/change_risk_assessment{{"field":"{slot}"}}'
