"""The action plans' actions in chat: "visa åtgärder" lists the open actions the user may see
(overdue ones marked), each with "Klar" and "Flytta" where the user may change it; "Flytta"
asks for the new date and the reason. Who may see and change an action, and which dates are
allowed, are the action-plan service's rules (``bot.risk_assessments.action_plans``): this
module presents them and says why when the service refuses.
"""

import re
from datetime import date, timedelta

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.agreement.fields import swedish_date
from actions.conversation.fields import NOTHING, Field, FormContext, Prompt, Reading, reset
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Message
from actions.conversation.steps import Completion, ProcessStep
from actions.services import Services
from bot.agreements.dates import find_date, parse_date
from bot.errors import Refused
from bot.identity import User
from bot.risk_assessments.action_plans import ActionPlanService, can_change, is_overdue
from bot.storage.models import ActionItem, ActionStatus

FORM = "move_action_form"
FIELD_SLOTS = ("ap_due_on", "ap_reason")
SLOTS = (*FIELD_SLOTS, "ap_action_id")
SHOWN = 10
UNAVAILABLE = "Handlingsplanerna går inte att visa eller ändra just nu. Försök igen om en stund."
# Refusals of the new date or of the reason: that answer is asked again, the other kept.
DATE_REFUSALS = ("due_in_the_past", "same_due_date")
REASON_REFUSALS = ("reason_required", "reason_too_long")


class ActionPlanStep(ProcessStep):
    """A step on the action plans: it needs the action-plan service (the database)."""

    needs = "action_plans"
    unavailable = UNAVAILABLE


def action_plans(services: Services) -> ActionPlanService:
    service = services.action_plans
    assert service is not None
    return service


def done_payload(action_id: int) -> str:
    return f'/mark_action_done{{"action_id":"{action_id}"}}'


def move_payload(action_id: int) -> str:
    return f'/move_action{{"action_id":"{action_id}"}}'


def describe(services: Services, user: User, item: ActionItem, today: date) -> str:
    """One line: the action, whose plan, the owner, the due date, and whether it is late."""
    employee_id = item.risk_assessment.employee_id
    directory = services.directory
    employee = directory.get(employee_id) if directory is not None else None
    whose = (
        "din handlingsplan"
        if employee_id == user.id
        else (f"{employee.name if employee else employee_id}s handlingsplan")
    )
    text = (
        f"”{item.text}” ({whose}), ansvarig: {item.owner}, klar senast {swedish_date(item.due_on)}"
    )
    if is_overdue(item, today):
        text += " – **försenad**"
    if item.moved_count:
        text += f" (flyttad {item.moved_count} gånger)"
    return text + "."


def show(
    services: Services,
    user: User,
    dispatcher: CollectingDispatcher,
    items: list[ActionItem],
    heading: str,
) -> None:
    """The actions, one message each with its buttons when the user may change it."""
    today = services.clock.today()
    late = sum(is_overdue(i, today) for i in items)
    dispatcher.utter_message(
        text=f"{heading} ({len(items)} öppna"
        + (f", varav {late} försenade)" if late else ")")
        + (f". Här är de {SHOWN} som ska vara klara först." if len(items) > SHOWN else ":")
    )
    for item in items[:SHOWN]:
        buttons = (
            [
                {"title": "Klar", "payload": done_payload(item.id)},
                {"title": "Flytta", "payload": move_payload(item.id)},
            ]
            if can_change(user, item)
            else []
        )
        dispatcher.utter_message(text=describe(services, user, item, today), buttons=buttons)


def open_actions(services: Services, user: User) -> list[ActionItem]:
    return action_plans(services).visible_to(user, status=ActionStatus.OPEN)


def named_action(tracker: Tracker) -> int | None:
    value = next(tracker.get_latest_entity_values("action_id"), None)
    return int(value) if value is not None and str(value).isdigit() else None


def chosen_action(
    services: Services, user: User, tracker: Tracker, dispatcher: CollectingDispatcher, what: str
) -> ActionItem | None:
    """The action a button names, or the user's only one they may change; otherwise the
    actions are listed to choose from, and None is returned."""
    service = action_plans(services)
    named = named_action(tracker)
    if named is not None:
        try:
            return service.get(user, named)
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return None
    changeable = [i for i in open_actions(services, user) if can_change(user, i)]
    if len(changeable) == 1:
        return changeable[0]
    if not changeable:
        dispatcher.utter_message(text="Du har inga öppna åtgärder som du kan ändra.")
        return None
    show(services, user, dispatcher, changeable, f"Vilken åtgärd {what}?")
    return None


class ActionShowActions(ActionPlanStep):
    """ "visa åtgärder", "mina åtgärder": the open actions the user may see, by due date."""

    step_name = "action_show_actions"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        items = open_actions(self.services, user)
        if not items:
            dispatcher.utter_message(
                text="Det finns inga öppna åtgärder i de handlingsplaner du kan se. Åtgärder "
                "kommer från dokumenterade riskbedömningar och uppföljningar."
            )
            return []
        show(self.services, user, dispatcher, items, "Åtgärder i handlingsplanerna")
        return []


class ActionMarkActionDone(ActionPlanStep):
    """ "Klar": the service marks the action done, or says why not."""

    step_name = "action_mark_action_done"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        item = chosen_action(self.services, user, tracker, dispatcher, "är klar")
        if item is None:
            return []
        try:
            done = action_plans(self.services).mark_done(user, item.id)
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return []
        dispatcher.utter_message(
            text=f"Klart: ”{done.text}” är markerad som klar "
            f"{swedish_date(self.services.clock.today())}."
        )
        return []


# --- moving an action: the new date and the reason ------------------------------------------


def item_of(ctx: FormContext) -> ActionItem | None:
    value = ctx.get("ap_action_id")
    if ctx.user is None or not value or not str(value).isdigit():
        return None
    try:
        return action_plans(ctx.services).get(ctx.user, int(value))
    except Refused:
        return None


def find_due(ctx: FormContext, text: str) -> Reading:
    today = ctx.today()
    found = find_date(text, today)
    if found is None and len(text.split()) <= 4:
        found = parse_date(text, today)
    return Reading.of(found.isoformat()) if found else NOTHING


def read_due(ctx: FormContext, message: Message) -> Reading:
    return find_due(ctx, message.text)


def due_prompt(ctx: FormContext) -> Prompt:
    item = item_of(ctx)
    today = ctx.today()
    what = f"”{item.text}” (ska nu vara klar {swedish_date(item.due_on)})" if item else "åtgärden"
    options = (("Om en vecka", today + timedelta(days=7)), ("Om en månad", today + timedelta(30)))
    return Prompt(
        f"Till vilket datum ska {what} flyttas?",
        [
            {"title": f"{title} ({swedish_date(d)})", "payload": d.isoformat()}
            for title, d in options
        ],
    )


def read_reason(ctx: FormContext, message: Message) -> Reading:
    text = " ".join(message.text.split())
    if len(text) < 3 or not re.search(r"[a-zåäöA-ZÅÄÖ]{2}", text):
        return NOTHING
    return Reading.of(text[:500])


def move_fields(ctx: FormContext) -> list[Field]:
    return [
        Field(
            slot="ap_due_on",
            title="Nytt datum",
            prompt=due_prompt,
            reprompt="till vilket datum ska åtgärden flyttas?",
            read=read_due,
            find=find_due,
            words=("datum", "datumet", "date"),
            show=swedish_date,
            hedge_help="Välj ett datum då åtgärden rimligen kan vara klar; det kan flyttas igen "
            "om det behövs.",
            not_understood="Skriv ett datum, till exempel 15 januari eller 2027-01-15.",
        ),
        Field(
            slot="ap_reason",
            title="Skäl",
            prompt=lambda _: Prompt(
                "Varför flyttas den? Skälet sparas i åtgärdens historik, så att uppföljningen "
                "visar hur handlingsplanen har genomförts."
            ),
            reprompt="varför flyttas åtgärden?",
            read=read_reason,
            free_text=True,
            words=("skäl", "skälet", "anledning", "reason"),
            hedge_help='Skriv kort varför, till exempel "Leveransen är försenad".',
            not_understood="Skriv kort varför åtgärden flyttas.",
        ),
    ]


class ValidateMoveActionForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    noun = "flytten av åtgärden"
    stopped = "Jag har avbrutit. Åtgärden har kvar sitt datum."
    change_intent = "change_move_action"

    def fields(self, ctx: FormContext) -> list[Field]:
        return move_fields(ctx)


class ActionStartMoveAction(ActionPlanStep):
    """ "Flytta": which action (the button's, or the user's only one), then the form."""

    step_name = "action_start_move_action"
    form_class = ValidateMoveActionForm

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        item = chosen_action(self.services, user, tracker, dispatcher, "vill du flytta")
        if item is None:
            return []
        if item.status == ActionStatus.DONE:
            dispatcher.utter_message(text=f"”{item.text}” är redan klar.")
            return []
        if not can_change(user, item):
            dispatcher.utter_message(
                text="Bara chefen, den som är ansvarig för åtgärden eller HR kan flytta den."
            )
            return []
        ctx = self.context(tracker)
        for slot in FIELD_SLOTS:
            ctx.set(slot, None)
        ctx.set("ap_action_id", str(item.id))
        return [*reset(SLOTS), *ctx.events(), FollowupAction(FORM)]


class ActionMoveAction(Completion, ActionPlanStep):
    """The service moves the action; a refused date or reason is asked for again."""

    step_name = "action_move_action"
    slots = SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        done = reset(SLOTS)
        action_id = str(tracker.get_slot("ap_action_id") or "")
        due = tracker.get_slot("ap_due_on")
        if not action_id.isdigit() or not due:
            return done
        try:
            moved = action_plans(self.services).move(
                user,
                int(action_id),
                date.fromisoformat(str(due)),
                str(tracker.get_slot("ap_reason") or ""),
            )
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            again = ask_again(error.code)
            return [SlotSet(again, None), FollowupAction(FORM)] if again else done
        dispatcher.utter_message(
            text=f"Flyttat: ”{moved.text}” ska nu vara klar senast {swedish_date(moved.due_on)}. "
            "Skälet finns i åtgärdens historik, och påminnelsen kommer det nya datumet."
        )
        return done


def ask_again(code: str) -> str | None:
    """The answer a refusal is about, asked for again; None when the move cannot be made."""
    if code in DATE_REFUSALS:
        return "ap_due_on"
    if code in REASON_REFUSALS:
        return "ap_reason"
    return None
