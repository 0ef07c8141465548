"""The agreement request (distansöverenskommelse) as a Rasa form, and the manager's decision.

Identity never comes from what the user types: the app sends the signed-in user's id as message
metadata, and the manager comes from the user directory.
"""

import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.forms import answered_question, change_one_answer, reset
from bot.agreements.parsing import parse_date, parse_share
from bot.agreements.policy import check_end, check_share, check_start
from bot.agreements.service import AgreementRequest, AgreementService
from bot.errors import Refused
from bot.faq.answering import FaqAnswerer
from bot.identity import User
from bot.regions import AgreementPolicy

log = logging.getLogger(__name__)

FORM_SLOTS = (
    "agreement_share",
    "agreement_place",
    "agreement_start",
    "agreement_end",
    "agreement_tasks",
    "agreement_equipment",
    "agreement_it_security",
)
DECISION_SLOTS = ("agreement_id", "decision", "rejection_reason")
PLACE_KINDS = {
    "holiday_home": ("fritidsbostad", "stuga", "sommarhus", "fritidshus", "landet", "summer house"),
    "home": ("hemma", "hemmet", "hem", "bostad", "lägenhet", "villa", "home"),
}
PLACE_NAMES = {"home": "Hemmet", "holiday_home": "Fritidsbostaden", "other": "Annan plats"}
YES = re.compile(r"^\s*(ja|japp|jajamen|yes|absolut|det har jag|jag har läst)", re.IGNORECASE)
NO = re.compile(r"^\s*(nej|no|inte än|inte ännu)", re.IGNORECASE)
NOTHING = re.compile(r"^\s*(ingen|inget|inga|nej|none|nothing)\b", re.IGNORECASE)
UNAVAILABLE = (
    "Ansökningar om distansarbete går inte att göra just nu. Försök igen senare, eller prata "
    "direkt med din chef."
)


class AgreementActionsBase:
    """What every agreement action needs: the service, the FAQ answerer and today's date."""

    def __init__(
        self,
        agreements: AgreementService | None,
        answerer: Callable[[], FaqAnswerer],
        today: Callable[[], date] = date.today,
    ) -> None:
        self.agreements = agreements
        # A provider, not the answerer: the FAQ index is replaced when HR edits the content.
        self.answerer = answerer
        self.today = today

    def user(self, tracker: Tracker) -> User | None:
        user_id = (tracker.latest_message.get("metadata") or {}).get("user_id")
        if self.agreements is None or not user_id:
            return None
        return self.agreements.directory.get(str(user_id))

    @property
    def policy(self) -> AgreementPolicy:
        assert self.agreements is not None
        return self.agreements.region.agreement


class ActionStartAgreement(AgreementActionsBase, Action):
    def name(self) -> str:
        return "action_start_agreement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.user(tracker)
        if self.agreements is None or user is None:
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        manager = self.agreements.directory.get(user.manager) if user.manager else None
        if manager is None:
            dispatcher.utter_message(
                text="Jag hittar ingen chef för dig i personalkatalogen, så ansökan kan inte "
                "skickas härifrån. Kontakta HR."
            )
            return []
        dispatcher.utter_message(text=introduction(self.policy, manager))
        return [*reset(FORM_SLOTS), FollowupAction("agreement_form")]


Validator = Callable[..., dict[str, Any]]


def unless_unset(validate: Validator) -> Validator:
    """rasa-sdk validates every slot set since the user's last message, including those the start
    action has just reset: a reset slot stays unset, so the form asks for it."""
    slot = validate.__name__.removeprefix("validate_")

    @functools.wraps(validate)
    def checked(self: Any, value: Any, *args: Any) -> dict[str, Any]:
        return {slot: None} if value is None else validate(self, value, *args)

    return checked


class ValidateAgreementForm(AgreementActionsBase, FormValidationAction):
    def name(self) -> str:
        return "validate_agreement_form"

    def answered_question(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        return answered_question(
            self.answerer(), dispatcher, tracker, going_on="utter_agreement_continue"
        )

    def free_text(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        hint: str,
        limit: int,
    ) -> dict[str, Any]:
        """A description in the user's own words: anything of a few letters, cut to ``limit``."""
        text = str(value).strip()
        if self.answered_question(dispatcher, tracker):
            return {slot: None}
        if len(text) < 2:
            dispatcher.utter_message(text=hint)
            return {slot: None}
        return {slot: text[:limit]}

    @unless_unset
    def validate_agreement_share(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        share = parse_share(str(value), self.policy.working_days_per_week)
        if share is None and self.answered_question(dispatcher, tracker):
            return {"agreement_share": None}
        problem = check_share(share, self.policy)
        if problem:
            dispatcher.utter_message(text=problem.text)
            return {"agreement_share": None}
        return {"agreement_share": share}

    @unless_unset
    def validate_agreement_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        hint = 'Skriv var du ska arbeta, till exempel "hemma".'
        return self.free_text("agreement_place", value, dispatcher, tracker, hint, limit=300)

    @unless_unset
    def validate_agreement_start(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        start = parse_date(str(value), self.today())
        if start is None and self.answered_question(dispatcher, tracker):
            return {"agreement_start": None}
        problem = check_start(start, self.today())
        if problem or start is None:
            dispatcher.utter_message(text=problem.text if problem else "")
            return {"agreement_start": None}
        result: dict[str, Any] = {"agreement_start": start.isoformat()}
        end = tracker.get_slot("agreement_end")
        if end and check_end(start, date.fromisoformat(str(end)), self.policy):
            # A corrected start date the earlier end date no longer fits: ask for the end again.
            result["agreement_end"] = None
        return result

    @unless_unset
    def validate_agreement_end(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        start_slot = tracker.get_slot("agreement_start")
        if start_slot is None:
            # The start is being corrected: keep the validated end; the start's validator
            # clears it if the new start no longer fits.
            return {"agreement_end": value}
        start = date.fromisoformat(str(start_slot))
        end = parse_date(str(value), start)
        if end is None and self.answered_question(dispatcher, tracker):
            return {"agreement_end": None}
        problem = check_end(start, end, self.policy)
        if problem or end is None:
            dispatcher.utter_message(text=problem.text if problem else "")
            return {"agreement_end": None}
        return {"agreement_end": end.isoformat()}

    @unless_unset
    def validate_agreement_tasks(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        hint = "Beskriv kort vilka arbetsuppgifter det gäller."
        return self.free_text("agreement_tasks", value, dispatcher, tracker, hint, limit=1000)

    @unless_unset
    def validate_agreement_equipment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = " ".join(value) if isinstance(value, list) else str(value)
        if NOTHING.match(text):
            return {"agreement_equipment": []}
        if self.answered_question(dispatcher, tracker):
            return {"agreement_equipment": None}
        items = [item.strip() for item in re.split(r",|\boch\b|\band\b|\n", text) if item.strip()]
        return {"agreement_equipment": [match_equipment(i, self.policy) for i in items][:20]}

    @unless_unset
    def validate_agreement_it_security(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value)
        if YES.match(text) or value is True:
            return {"agreement_it_security": True}
        if not NO.match(text) and self.answered_question(dispatcher, tracker):
            return {"agreement_it_security": None}
        dispatcher.utter_message(
            text="Reglerna för IT-användare och riktlinjerna för informationssäkerhet gäller även "
            "på distansarbetsplatsen, så du behöver ha läst dem innan ansökan skickas. De finns "
            'på intranätet. Svara ja när du har läst dem, eller skriv "avbryt".'
        )
        return {"agreement_it_security": None}


class ActionAskEquipment(AgreementActionsBase, Action):
    """Asks for the borrowed equipment with the region form's own items as quick replies."""

    def name(self) -> str:
        return "action_ask_agreement_equipment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        options = self.policy.equipment_options if self.agreements else []
        listed = f" På regionens blankett finns: {', '.join(options)}." if options else ""
        dispatcher.utter_message(
            text="Vilken utrustning lånar du hem från arbetsgivaren? Skriv dem med kommatecken "
            f'emellan, eller "ingen".{listed}',
            buttons=[{"title": o, "payload": o} for o in options[:6]]
            + [{"title": "Ingen", "payload": "ingen"}],
        )
        return []


class ActionAgreementSummary(AgreementActionsBase, Action):
    def name(self) -> str:
        return "action_agreement_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            text="Stämmer det här?\n\n"
            + summary(tracker)
            + "\n\nVill du skicka ansökan till din chef?",
            buttons=[
                {"title": "Ja, skicka ansökan", "payload": "/affirm"},
                {"title": "Ändra något", "payload": "/change_agreement"},
                {"title": "Avbryt", "payload": "/stop"},
            ],
        )
        return []


class ActionSubmitAgreement(AgreementActionsBase, Action):
    def name(self) -> str:
        return "action_submit_agreement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.user(tracker)
        if self.agreements is None or user is None:
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        values = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        if any(values[slot] is None for slot in FORM_SLOTS):
            dispatcher.utter_message(
                text='Ansökan är inte komplett. Börja om med "ansök om distansarbete".'
            )
            return list(reset(FORM_SLOTS))
        request = AgreementRequest(
            employee=user,
            share_percent=round(float(values["agreement_share"])),
            place_kind=place_kind(str(values["agreement_place"])),
            place_description=str(values["agreement_place"]),
            start_date=date.fromisoformat(str(values["agreement_start"])),
            end_date=date.fromisoformat(str(values["agreement_end"])),
            tasks=str(values["agreement_tasks"]),
            equipment=list(values["agreement_equipment"] or []),
            it_security_confirmed=bool(values["agreement_it_security"]),
            submission_key=submission_key(tracker.sender_id, values),
        )
        try:
            agreement = self.agreements.submit(request)
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return []
        except SQLAlchemyError as error:
            log.error("Could not store an agreement request: %s", error)
            dispatcher.utter_message(
                text="Det gick inte att spara ansökan just nu. Inget har sparats. "
                "Svara ja för att försöka igen."
            )
            return [FollowupAction("action_agreement_summary")]
        manager = self.agreements.directory.get(agreement.manager_id)
        text = (
            f"Tack! Din ansökan är skickad med referensnummer {agreement.reference}. "
            f"{manager.name if manager else 'Din chef'} beslutar om den."
        )
        buttons = []
        if self.policy.risk_assessment_required:
            text += (
                " Innan den kan godkännas ska din distansarbetsplats riskbedömas i dialog mellan "
                "dig, din chef och skyddsombudet, och riskbedömningen dokumenteras. Vill du boka "
                "det mötet nu?"
            )
            buttons = [{"title": "Boka riskbedömningen", "payload": "/book_risk_assessment"}]
        dispatcher.utter_message(text=text, buttons=buttons)
        return list(reset(FORM_SLOTS))


class ActionCancelAgreement(Action):
    def name(self) -> str:
        return "action_cancel_agreement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_agreement_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *reset(FORM_SLOTS + DECISION_SLOTS),
        ]


class ActionChangeAgreement(Action):
    """Clears one answer and reopens the form, which then asks only for that answer."""

    def name(self) -> str:
        return "action_change_agreement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        field = next(tracker.get_latest_entity_values("field"), None) or field_named_in(
            str(tracker.latest_message.get("text") or "")
        )
        return change_one_answer(dispatcher, field, FIELD_TITLES, change_payload, "agreement_form")


class ActionShowPendingAgreements(AgreementActionsBase, Action):
    def name(self) -> str:
        return "action_show_pending_agreements"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.user(tracker)
        if self.agreements is None or user is None:
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        if user.role != "manager" and not user.is_hr:
            own = self.agreements.visible_to(user)
            if not own:
                dispatcher.utter_message(text="Du har inga ansökningar om distansarbete.")
            for agreement in own:
                status = STATUS_NAMES.get(agreement.status, agreement.status)
                dispatcher.utter_message(
                    text=f"{agreement.reference}: {agreement.share_percent} %, "
                    f"{agreement.start_date}–{agreement.end_date}, status: {status}."
                )
            return []
        pending = self.agreements.pending_for(user)
        if not pending:
            dispatcher.utter_message(text="Du har inga ansökningar som väntar på beslut.")
            return []
        for agreement in pending[:10]:
            employee = self.agreements.directory.get(agreement.employee_id)
            who = employee.name if employee else agreement.employee_id
            place = f"{PLACE_NAMES.get(agreement.place_kind, '')}: {agreement.place_description}"
            dispatcher.utter_message(
                text=f"{agreement.reference} från {who}: {agreement.share_percent} % på distans "
                f"({place}), {agreement.start_date}–{agreement.end_date}. "
                f"Arbetsuppgifter: {agreement.tasks}.",
                buttons=[
                    {
                        "title": f"Godkänn {agreement.reference}",
                        "payload": decision_payload(agreement.id, "approve"),
                    },
                    {
                        "title": f"Avslå {agreement.reference}",
                        "payload": decision_payload(agreement.id, "reject"),
                    },
                ],
            )
        return []


class ActionDecideAgreement(AgreementActionsBase, Action):
    def name(self) -> str:
        return "action_decide_agreement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user = self.user(tracker)
        if self.agreements is None or user is None:
            dispatcher.utter_message(text=UNAVAILABLE)
            return list(reset(DECISION_SLOTS))
        agreement_id = str(tracker.get_slot("agreement_id") or "")
        decision = tracker.get_slot("decision")
        reason = str(tracker.get_slot("rejection_reason") or "")
        if not agreement_id.isdigit() or decision not in ("approve", "reject"):
            dispatcher.utter_message(text="Jag förstod inte vilket beslut du menade.")
            return list(reset(DECISION_SLOTS))
        if decision == "reject" and not reason:
            return [FollowupAction("rejection_form")]
        try:
            agreement = self.agreements.decide(
                user, int(agreement_id), decision == "approve", reason
            )
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return list(reset(DECISION_SLOTS))
        verb = "godkänd" if decision == "approve" else "avslagen"
        dispatcher.utter_message(
            text=f"{agreement.reference} är {verb}. Medarbetaren får besked här i chatten."
            + (
                " Kom ihåg att arkivera överenskommelsen i personalakten; dokumentet finns att "
                f"ladda ner: /api/agreements/{agreement.id}/document.pdf"
                if decision == "approve"
                else ""
            )
        )
        return list(reset(DECISION_SLOTS))


class ValidateRejectionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_rejection_form"

    def validate_rejection_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if len(text) < 3:
            dispatcher.utter_message(
                text="Skriv ett kort skäl, så att medarbetaren förstår beslutet."
            )
            return {"rejection_reason": None}
        return {"rejection_reason": text[:2000]}


FIELD_TITLES = {
    "agreement_share": "Andel",
    "agreement_place": "Plats",
    "agreement_start": "Startdatum",
    "agreement_end": "Slutdatum",
    "agreement_tasks": "Arbetsuppgifter",
    "agreement_equipment": "Utrustning",
}
FIELD_WORDS = {
    "agreement_share": ("andel", "procent", "dagar", "share", "percent"),
    "agreement_place": ("plats", "var ", "adress", "place"),
    "agreement_start": ("start", "från", "börja", "begin"),
    "agreement_end": ("slut", "till och med", "end"),
    "agreement_tasks": ("uppgift", "tasks"),
    "agreement_equipment": ("utrustning", "dator", "skärm", "equipment"),
}


def field_named_in(text: str) -> str | None:
    lowered = text.lower()
    return next(
        (slot for slot, words in FIELD_WORDS.items() if any(w in lowered for w in words)), None
    )


def change_payload(slot: str) -> str:
    return f'/change_agreement{{"field":"{slot}"}}'


STATUS_NAMES = {
    "submitted": "inskickad",
    "approved": "godkänd",
    "rejected": "avslagen",
    "active": "gäller",
    "expiring": "går snart ut",
    "expired": "har gått ut",
    "renewed": "förnyad",
}


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
        '"avbryt" när som helst, eller ställa en fråga om distansarbete på vägen.'
    )


def place_kind(text: str) -> str:
    lowered = text.lower()
    for kind, words in PLACE_KINDS.items():
        if any(re.search(rf"\b{re.escape(w)}", lowered) for w in words):
            return kind
    return "other"


def match_equipment(item: str, policy: AgreementPolicy) -> str:
    """The form's own name for an item when the user's word is part of it ("skärm" -> Bildskärm)."""
    lowered = item.lower()
    for option in policy.equipment_options:
        if lowered in option.lower() or option.lower() in lowered:
            return option
    return item[:80]


def summary(tracker: Tracker) -> str:
    equipment = tracker.get_slot("agreement_equipment") or []
    place = str(tracker.get_slot("agreement_place"))
    share = float(tracker.get_slot("agreement_share"))
    return "\n".join(
        [
            f"Andel på distans: {share:g} % av arbetstiden",
            f"Distansarbetsplats: {PLACE_NAMES[place_kind(place)]} ({place})",
            f"Period: {tracker.get_slot('agreement_start')} – {tracker.get_slot('agreement_end')}",
            f"Arbetsuppgifter: {tracker.get_slot('agreement_tasks')}",
            f"Hemlånad utrustning: {', '.join(equipment) if equipment else 'ingen'}",
            "Regler för IT-användare och informationssäkerhet: lästa",
        ]
    )


def submission_key(sender_id: str, values: dict[str, Any]) -> str:
    """Same conversation, same answers: same key, so a repeated confirmation stores one request."""
    return hashlib.sha256(f"{sender_id}:{json.dumps(values, sort_keys=True)}".encode()).hexdigest()


def decision_payload(agreement_id: int, decision: str) -> str:
    return f'/decide_agreement{{"agreement_id":"{agreement_id}","decision":"{decision}"}}'
