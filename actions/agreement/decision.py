"""The manager's side: the requests waiting for a decision, and the decision itself, by button
("Godkänn DA-2027-00012") or typed ("godkänn den", "avslå, för att vi behöver dig på plats").

Who may decide is the agreement service's rule (the employee's manager or HR, never the
employee); this module only finds which request and which decision the user means.
"""

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.agreement.request import AgreementCompletion, AgreementStep
from actions.conversation.fields import (
    Field,
    FormContext,
    Prompt,
    Reading,
    fresh_message,
    reset,
)
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Message, asks_the_assistant, is_chitchat
from actions.services import Services
from bot.agreements.parsing import place_label
from bot.agreements.service import AgreementService
from bot.errors import Refused
from bot.faq.language import is_english_reply
from bot.identity import User
from bot.storage.models import Agreement

FORM = "decision_form"
FIELD_SLOTS = ("agreement_id", "decision", "rejection_reason")
SHOWN_SLOT = "agreements_shown"
REFERENCE = re.compile(r"\bda-\d{4}-\d{5}\b", re.IGNORECASE)
# Also typed without å/ä: "avsla", "godkann".
APPROVE = re.compile(r"\b(godkänn\w*|godkann\w*|bevilja\w*|approve\w*|accept\w*)\b")
REJECT = re.compile(
    r"\b(avslå\w*|avsla\b|avslar\b|avslag|neka\w*|reject\w*|decline\w*|deny|say no|säg\w* nej"
    r"|turn\w* (?:it )?down)\b"
)
# What follows "avslå" as the reason: "avslå, för att ...", "jag avslår den. Vi har ..."
REASON = re.compile(
    r"\b(?:avslå\w*|avsla|avslar|avslag|neka\w*|reject\w*|decline\w*|say no|säg\w* nej)\b"
    r"(?:\s+jag)?"
    r"(?:\s+(?:till\s+|to\s+)?(?:den|det|ansökan|\w+s\s+ansökan|it|this one|this|that one))?"
    r"(?:\s+(?:så länge|tills vidare|för tillfället|for now))?"
    r"\s*(?:[,:.;–-]\s*|\s+)(?:för att|for att|eftersom|på grund av|pga\.?|"
    r"då|skäl:?|because|since|as)?\s*(?!(?:to|till)\b)(?P<reason>.{3,})$",
    re.IGNORECASE,
)
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


def decision_payload(agreement_id: int, decision: str) -> str:
    return f'/decide_agreement{{"agreement_id":"{agreement_id}","decision":"{decision}"}}'


def may_decide(user: User) -> bool:
    return user.role == "manager" or user.is_hr


def pending(ctx: FormContext) -> list[Agreement]:
    if ctx.services.agreements is None or ctx.user is None:
        return []
    return ctx.services.agreements.pending_for(ctx.user)


def employee_name(ctx: FormContext, agreement: Agreement) -> str:
    assert ctx.services.agreements is not None
    employee = ctx.services.agreements.directory.get(agreement.employee_id)
    return employee.name if employee else agreement.employee_id


def find_agreement(ctx: FormContext, message: Message) -> Reading:
    """The request meant: a button's id, a reference, the employee's name ("Annas"), or "den"
    when only one request was shown or is waiting."""
    if chosen := message.entities.get("agreement_id"):
        return Reading.of(str(chosen)) if str(chosen).isdigit() else Reading()
    candidates = pending(ctx)
    text = message.text.lower()
    if reference := REFERENCE.search(text):
        match = next((a for a in candidates if a.reference.lower() == reference.group(0)), None)
        if match is not None:
            return Reading.of(str(match.id))
        visible = find_by_reference(ctx, reference.group(0))
        return (
            Reading.of(str(visible.id))
            if visible
            else Reading.refused(
                f"Jag hittar ingen ansökan {reference.group(0).upper()} som du kan besluta om."
            )
        )
    named = [a for a in candidates if names_employee(text, employee_name(ctx, a))]
    if len(named) > 1:
        # "godkänn Eriks men vänta med Annas": the one named where the decision is.
        clause = decided_clause(text)
        named = [a for a in named if names_employee(clause, employee_name(ctx, a))]
    if len(named) == 1:
        return Reading.of(str(named[0].id))
    shown = [a for a in candidates if a.id in (ctx.get(SHOWN_SLOT) or [])]
    if (place := ORDINAL.search(text)) is not None and ORDINALS[place.group(1)] < len(shown):
        return Reading.of(str(shown[ORDINALS[place.group(1)]].id))
    for group in (shown, candidates):
        if len(group) == 1:
            return Reading.of(str(group[0].id))
    return Reading()


def find_by_reference(ctx: FormContext, reference: str) -> Agreement | None:
    if ctx.services.agreements is None or ctx.user is None:
        return None
    return next(
        (
            a
            for a in ctx.services.agreements.visible_to(ctx.user)
            if a.reference.lower() == reference.lower()
        ),
        None,
    )


# Where one part of a message ends and another begins: "godkänn Eriks, men vänta med Annas".
# "kan jag inte bevilja", "godkänner inte", "can't approve": a refusal.
NOT_APPROVED = re.compile(
    r"\b(?:inte|ej|not|can't|cannot|won't)\s+(?:\w+\s+)?(?:godkänn\w*|godkann\w*|bevilja\w*"
    r"|approve\w*)|\b(?:godkänn\w*|bevilja\w*)\s+(?:\w+\s+)?(?:inte|ej)\b"
)
# "den första", "den andra": a request by its place in the list shown.
ORDINALS = {"första": 0, "andra": 1, "tredje": 2, "first": 0, "second": 1, "third": 2}
ORDINAL = re.compile(r"\b(?:den|the)\s+(första|andra|tredje|first|second|third)\b")
CLAUSE_BREAK = re.compile(r"[,;.]|\b(?:men|but|och inte|and not)\b")


def decided_clause(text: str) -> str:
    """The part of ``text`` that says the decision ("godkänn Eriks" in "godkänn Eriks men vänta
    med Annas"); "" when no part does."""
    for clause in CLAUSE_BREAK.split(text):
        if APPROVE.search(clause) or REJECT.search(clause):
            return clause
    return ""


def names_employee(text: str, name: str) -> bool:
    first = name.split()[0].lower()
    return bool(re.search(rf"\b({re.escape(name.lower())}|{re.escape(first)})s?\b", text))


def find_decision(message: Message) -> str | None:
    if message.entities.get("decision") in ("approve", "reject"):
        return str(message.entities["decision"])
    if message.intent in ("approve_agreement", "reject_agreement") and message.confidence >= 0.8:
        return "approve" if message.intent == "approve_agreement" else "reject"
    text = message.lowered
    if REJECT.search(text) or NOT_APPROVED.search(text):
        return "reject"
    if APPROVE.search(text):
        return "approve"
    return None


def decision_for(ctx: FormContext, message: Message, agreement_id: str | None) -> str | None:
    """The decision on one request: in "den första godkänner jag, den andra avslår jag" the
    clause that names it (by the employee's name or its place in the list) says it."""
    text = message.lowered
    both = (REJECT.search(text) or NOT_APPROVED.search(text)) and APPROVE.search(text)
    if not both or agreement_id is None:
        return find_decision(message)
    shown = [str(a) for a in ctx.get(SHOWN_SLOT) or []]
    agreement = next((a for a in pending(ctx) if str(a.id) == agreement_id), None)
    for clause in CLAUSE_BREAK.split(text):
        place = ORDINAL.search(clause)
        by_place = place is not None and shown[ORDINALS[place.group(1)] :][:1] == [agreement_id]
        by_name = agreement is not None and names_employee(clause, employee_name(ctx, agreement))
        if by_place or by_name:
            return find_decision(Message(text=clause))
    # "jag tänkte godkänna den men nej, jag avslår": no clause names it; the refusal stands.
    return find_decision(message)


# A change of mind at the reason question: "nej vänta, jag godkänner den ändå", "actually
# approve it". The approval must open the statement, so a reason that only mentions approving
# ("vi kan godkänna det i höst") stays a reason.
CHANGE_OPENING = re.compile(
    r"^(?:(?:nej|nä|vänta|oj|förlåt|sorry|ok|okej|no|wait|actually|oops|då|then|förresten"
    r"|(?:jag )?ångrar mig|i(?: have|'ve)? changed my mind)\b[\s,.!:;–-]*)*"
)
APPROVAL_STATEMENT = re.compile(
    r"^(?:(?:jag|vi|i|we|i'll|we'll|i will|we will)\s+)?(?:godkän\w*|bevilja\w*|approve\w*)\b"
    r"(?!\s+(?:\w+\s+)?(?:inte|ej|icke|not)\b)"
)


# A sentence that is nothing but an approval, after the explanation: "nej, jag har pratat med
# henne nu. jag godkänner den".
ONLY_AN_APPROVAL = re.compile(
    r"(?:(?:jag|vi|i|we|i'll|we'll)\s+)?(?:godkän\w*|bevilja\w*|approve\w*)"
    r"(?:\s+(?:den|det|ansökan|hennes|hans|hens|it|the request|her request|his request))?"
    r"(?:\s+(?:ändå|istället|i stället|trots allt|då|nu|anyway|instead|after all|then|now))*"
)
SENTENCE_END = re.compile(r"[.!?;]+\s*|\s+(?:så|so)\s+(?=(?:jag|vi|i|we)\b)")


def changed_to_approval(message: Message) -> bool:
    """An answer to the reason question that approves instead of giving a reason."""
    text = message.lowered
    if message.is_payload or REJECT.search(text):
        return False
    if APPROVAL_STATEMENT.match(CHANGE_OPENING.sub("", text)):
        return True
    sentences = [s.strip(" ,") for s in SENTENCE_END.split(text)]
    return any(ONLY_AN_APPROVAL.fullmatch(s) for s in sentences if s)


ONLY_THE_REQUEST = re.compile(
    r"((\w+'?s|hennes|hans|deras|hens|her|his|their|the)\s+)?(ansökan|ansökning\w*|begäran|request"
    r"|application)(\s+(nu|now|då|tack|please))?|(da-\d{4}-\d+|\w+s)(\s+(ansökan|request))?",
    re.IGNORECASE,
)


def find_reason(text: str) -> str | None:
    match = REASON.search(" ".join(text.split()))
    if match is None:
        return None
    reason = match.group("reason").strip(" .")
    if ONLY_THE_REQUEST.fullmatch(reason):
        # "avslå Annas ansökan" names the request; the reason is still to be asked.
        return None
    reason = reason[0].upper() + reason[1:] if reason else reason
    return reason if len(reason.split()) >= 2 else None


def read_agreement(ctx: FormContext, message: Message) -> Reading:
    return find_agreement(ctx, message)


def read_decision(ctx: FormContext, message: Message) -> Reading:
    decision = find_decision(message)
    return Reading.of(decision) if decision else Reading()


def read_reason(ctx: FormContext, message: Message) -> Reading:
    text = " ".join(message.text.split())
    if len(text) < 3 or is_chitchat(message) or not re.search(r"[a-zåäöA-ZÅÄÖ]{2}", text):
        return Reading()
    return Reading.of(text[:2000])


def agreement_prompt(ctx: FormContext) -> Prompt:
    candidates = pending(ctx)
    if not candidates:
        return Prompt(
            'Vilken ansökan gäller det? Skriv referensnumret, till exempel "DA-2027-00012".'
        )
    return Prompt(
        "Vilken ansökan gäller det?",
        [
            {
                "title": f"{employee_name(ctx, a)}, {a.reference}",
                "payload": f'/decide_agreement{{"agreement_id":"{a.id}"}}',
            }
            for a in candidates[:10]
        ],
    )


def decision_fields(ctx: FormContext) -> list[Field]:
    return [
        Field(
            slot="agreement_id",
            title="Ansökan",
            prompt=agreement_prompt,
            read=read_agreement,
            not_understood="Jag förstod inte vilken ansökan du menar.",
        ),
        Field(
            slot="decision",
            title="Beslut",
            prompt=lambda _: Prompt(
                "Vill du godkänna eller avslå ansökan?",
                [
                    {"title": "Godkänn", "payload": "godkänn"},
                    {"title": "Avslå", "payload": "avslå"},
                ],
            ),
            read=read_decision,
            not_understood='Svara "godkänn" eller "avslå".',
        ),
        Field(
            slot="rejection_reason",
            title="Skäl",
            prompt=lambda _: Prompt(
                "Vad är skälet till att du avslår ansökan? Medarbetaren får se det."
            ),
            reprompt="vad är skälet till att du avslår ansökan?",
            read=read_reason,
            free_text=True,
            hedge_help="Skälet behövs för att medarbetaren ska förstå beslutet, till exempel "
            '"Verksamheten behöver dig på plats under våren." Skriv "avbryt" om du vill vänta '
            "med beslutet.",
            not_understood="Skriv ett kort skäl, så att medarbetaren förstår beslutet.",
        ),
    ]


class ValidateDecisionForm(GuidedForm):
    form_name = FORM
    field_slots = FIELD_SLOTS
    noun = "beslutet"
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


def named_request(ctx: FormContext, message: Message) -> Agreement | None:
    """The waiting request a message names by its reference or the employee's name."""
    text = message.text.lower()
    candidates = pending(ctx)
    named = [
        a
        for a in candidates
        if a.reference.lower() in text or names_employee(text, employee_name(ctx, a))
    ]
    return named[0] if len(named) == 1 else None


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
                dispatcher.utter_message(
                    text=f"{agreement.reference}: {agreement.share_percent} %, "
                    f"{agreement.start_date} – {agreement.end_date}, status: {status}."
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
        if decision == "approve":
            ctx.set("rejection_reason", "")
        elif decision == "reject" and not message.is_payload:
            ctx.set("rejection_reason", find_reason(message.text))
        if all(ctx.get(slot) is not None for slot in FIELD_SLOTS):
            # Everything is said: decided now, without a form that would have nothing to ask.
            decide(self.services, user, dispatcher, ctx.get)
            return reset(FIELD_SLOTS)
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
) -> None:
    """The agreement service decides, or says why not."""
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
    told = f"{agreement.reference} är {verb}. Medarbetaren får besked här i chatten."
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
