"""The manager's side: the requests waiting for a decision, and the decision itself, by button
("Godkänn DA-2027-00012") or typed ("godkänn den", "avslå, för att vi behöver dig på plats");
how the words are read is in ``decision_fields``.

Who may decide is the agreement service's rule (the employee's manager or HR, never the
employee); this module only finds which request and which decision the user means.
"""

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.agreement.decision_fields import (
    FIELD_SLOTS,
    FORM,
    SHOWN_SLOT,
    OneDecision,
    changed_to_approval,
    decision_fields,
    decision_for,
    decision_payload,
    each_decision,
    employee_name,
    find_agreement,
    find_reason,
    may_decide,
    named_request,
    pending,
)
from actions.agreement.request import AgreementCompletion, AgreementStep
from actions.agreement.withdrawal import withdraw_payload
from actions.conversation.fields import (
    Field,
    FormContext,
    fresh_message,
    reset,
)
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Message, asks_the_assistant
from actions.services import Services
from bot.agreements.parsing import place_label
from bot.agreements.service import AgreementService
from bot.errors import Refused
from bot.faq.language import is_english_reply
from bot.identity import User
from bot.storage.models import Agreement, AgreementStatus

# A question about deciding ("hur avslår man en ansökan?"), which Rasa may read as the decision
# itself: how it is done, and nothing decided.
HOW_TO_DECIDE = (
    'Skriv "visa ansökningar" för att se dem som väntar på ditt beslut och välj Godkänn eller '
    'Avslå. Du kan också skriva, till exempel "godkänn Annas ansökan" eller "avslå DA-2027-00012, '
    'för att …". Vid ett avslag frågar jag efter skälet, som sparas med beslutet och visas för '
    "den som ansökte."
)

HOW_TO_DECIDE_EN = (
    'Write "show pending requests" to see those waiting for your decision and choose Approve or '
    'Reject. You can also write, for example, "approve Anna\'s request" or "reject '
    'DA-2027-00012, because …". When you reject, I ask for the reason, which is kept with the '
    "decision and shown to the employee."
)

STATUS_NAMES = {
    "submitted": "inskickad",
    "approved": "godkänd",
    "rejected": "avslagen",
    "active": "gäller",
    "expiring": "går snart ut",
    "expired": "har gått ut",
    "renewed": "förnyad",
    "withdrawn": "återtagen",
}


class ValidateDecisionForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    noun = "beslutet"
    process = "decide"
    stopped = "Jag har avbrutit. Inget beslut är fattat, och ansökan väntar kvar."
    change_intent = "change_decision"

    def fields(self, ctx: FormContext) -> list[Field]:
        return decision_fields(ctx)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        ctx = self.context(tracker)
        if (
            fresh_message(tracker, self.form_name)
            and ctx.requested == "rejection_reason"
            and ctx.get("decision") == "reject"
            and changed_to_approval(Message.from_tracker(tracker))
        ):
            # rasa-sdk filled the reason with the raw text; an approval has none.
            ctx.set("decision", "approve")
            self.after_change(ctx, "decision")
            dispatcher.utter_message(text="Ändrat: beslut godkänn i stället för avslå.")
            return ctx.events()
        return await super().run(dispatcher, tracker, domain)

    def after_change(self, ctx: FormContext, slot: str) -> str | None:
        if slot == "decision":
            # An approval needs no reason; the form does not ask for one.
            approving = ctx.get("decision") == "approve"
            if approving or ctx.get("rejection_reason") == "":
                ctx.set("rejection_reason", "" if approving else None)
        return None


def request_line(agreements: AgreementService, agreement: Agreement) -> str:
    """One request as a manager sees it in the list."""
    employee = agreements.directory.get(agreement.employee_id)
    who = employee.name if employee else agreement.employee_id
    place = place_label(agreement.place_kind, agreement.place_description)
    return (
        f"{agreement.reference} från {who}: {agreement.share_percent} % på distans ({place}), "
        f"{agreement.start_date} – {agreement.end_date}. Arbetsuppgifter: {agreement.tasks}."
    )


class ActionShowAgreements(AgreementStep):
    """A manager's (or HR's) requests waiting for a decision, with buttons; an employee's own."""

    step_name = "action_show_pending_agreements"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        agreements = self.services.agreements
        assert agreements is not None
        if not may_decide(user):
            own = agreements.visible_to(user)
            if not own:
                dispatcher.utter_message(text="Du har inga ansökningar om distansarbete.")
            for agreement in own:
                status = STATUS_NAMES.get(agreement.status, agreement.status)
                undecided = agreement.status == AgreementStatus.SUBMITTED
                dispatcher.utter_message(
                    text=f"{agreement.reference}: {agreement.share_percent} %, "
                    f"{agreement.start_date} – {agreement.end_date}, status: {status}.",
                    buttons=[
                        {
                            "title": f"Ta tillbaka {agreement.reference}",
                            "payload": withdraw_payload(agreement.id),
                        }
                    ]
                    if undecided
                    else [],
                )
            return []
        waiting = agreements.pending_for(user)
        if not waiting:
            dispatcher.utter_message(text="Du har inga ansökningar som väntar på beslut.")
            return [SlotSet(SHOWN_SLOT, [])]
        for agreement in waiting[:10]:
            dispatcher.utter_message(
                text=request_line(agreements, agreement),
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
        if len(waiting) > 1:
            dispatcher.utter_message(
                text='Du kan också skriva, till exempel "godkänn Annas ansökan" eller "avslå '
                'DA-2027-00012, för att …".'
            )
        return [SlotSet(SHOWN_SLOT, [a.id for a in waiting[:10]])]


class ActionStartDecision(AgreementStep):
    """A decision by button or typed: fills what the message says, and the form asks the rest."""

    step_name = "action_start_decision"

    form_class = ValidateDecisionForm

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        message = Message.from_tracker(tracker)
        if not may_decide(user):
            dispatcher.utter_message(
                text="Det är din chef som beslutar om ansökningar om distansarbete. Skriv "
                '"visa mina ansökningar" för att se hur det går med din.'
            )
            return []
        ctx = self.context(tracker)
        for slot in FIELD_SLOTS:
            ctx.set(slot, None)
        if asks_the_assistant(message):
            asked_about = named_request(ctx, message)
            if asked_about is None or self.services.agreements is None:
                english = is_english_reply(message.text)
                dispatcher.utter_message(text=HOW_TO_DECIDE_EN if english else HOW_TO_DECIDE)
                return []
            # "what share did Erik ask for?": his request, and the decision on it asked.
            dispatcher.utter_message(text=request_line(self.services.agreements, asked_about))
            ctx.set("agreement_id", str(asked_about.id))
            return [*reset(FIELD_SLOTS), *ctx.events(), FollowupAction(FORM)]
        if several := each_decision(ctx, message):
            return decide_each(self.services, user, dispatcher, ctx, several)
        target = find_agreement(ctx, message)
        if target.problem:
            dispatcher.utter_message(text=target.problem)
            return []
        if not target.found and not pending(ctx):
            dispatcher.utter_message(text="Du har inga ansökningar som väntar på beslut.")
            return []
        ctx.set("agreement_id", target.value if target.found else None)
        decision = decision_for(ctx, message, ctx.get("agreement_id"))
        ctx.set("decision", decision)
        asked_after = next(
            (a for a in pending(ctx) if target.found and str(a.id) == str(target.value)), None
        )
        asks = message.text.rstrip().endswith("?")
        if decision is None and asked_after is not None and asks and self.services.agreements:
            # "anna har visst skickat in en distansansökan?": the request, then the decision.
            dispatcher.utter_message(text=request_line(self.services.agreements, asked_after))
        if decision == "approve":
            ctx.set("rejection_reason", "")
        elif decision == "reject" and not message.is_payload:
            ctx.set("rejection_reason", find_reason(message.text))
        if all(ctx.get(slot) is not None for slot in FIELD_SLOTS):
            # Everything is said: decided now, without a form that would have nothing to ask.
            decide(self.services, user, dispatcher, ctx.get)
            return reset(FIELD_SLOTS)
        return [*reset(FIELD_SLOTS), *ctx.events(), FollowupAction(FORM)]


def decide_each(
    services: Services,
    user: User,
    dispatcher: CollectingDispatcher,
    ctx: FormContext,
    several: list[OneDecision],
) -> list[EventType]:
    """Several decisions in one message, made in the order said. A rejection without its
    reason is asked for after the others; any further one waits, and the reply says so."""
    unexplained = [d for d in several if d.decision == "reject" and not d.reason]
    for one in several:
        if one not in unexplained:
            slots = {
                "agreement_id": str(one.agreement.id),
                "decision": one.decision,
                "rejection_reason": one.reason or "",
            }
            decide(services, user, dispatcher, slots.get, employee_name(ctx, one.agreement))
    if not unexplained:
        return reset(FIELD_SLOTS)
    first, *rest = unexplained
    if rest:
        waiting = ", ".join(f"{employee_name(ctx, d.agreement)}s" for d in rest)
        dispatcher.utter_message(
            text=f"Avslagen på {waiting} ansökan väntar: skriv dem ett i taget med skälet."
        )
    ctx.set("agreement_id", str(first.agreement.id))
    ctx.set("decision", "reject")
    return [*reset(FIELD_SLOTS), *ctx.events(), FollowupAction(FORM)]


class ActionDecideAgreement(AgreementCompletion):
    """Completes the decision form: the service decides, or says why not."""

    step_name = "action_decide_agreement"
    slots = FIELD_SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        decide(self.services, user, dispatcher, tracker.get_slot)
        return reset(FIELD_SLOTS)


def decide(
    services: Services,
    user: User,
    dispatcher: CollectingDispatcher,
    slot: Callable[[str], Any],
    whose: str | None = None,
) -> None:
    """The agreement service decides, or says why not. ``whose``: the employee's name, said
    with the reference when one message decides several requests."""
    assert services.agreements is not None
    agreement_id = str(slot("agreement_id") or "")
    decision = slot("decision")
    if not agreement_id.isdigit() or decision not in ("approve", "reject"):
        dispatcher.utter_message(text="Jag förstod inte vilket beslut du menade.")
        return
    reason = str(slot("rejection_reason") or "")
    try:
        agreement = services.agreements.decide(
            user, int(agreement_id), decision == "approve", reason
        )
    except Refused as error:
        dispatcher.utter_message(text=error.text)
        return
    verb = "godkänd" if decision == "approve" else "avslagen"
    named = f"{agreement.reference} ({whose})" if whose else agreement.reference
    told = f"{named} är {verb}. Medarbetaren får besked här i chatten."
    if decision != "approve":
        dispatcher.utter_message(text=told)
        return
    # The channel offers the link: the web chat on its own host, Teams on the public address.
    dispatcher.utter_message(
        json_message={
            "text": f"{told} Skriv ut överenskommelsen, låt er båda skriva under och arkivera "
            "den i personalakten.",
            "link": f"/api/agreements/{agreement.id}/document.pdf",
            "link_title": f"{agreement.reference}.pdf",
        }
    )
