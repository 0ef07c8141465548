"""The questions of a decision on a request, and how a manager's words are read: which request
("godkänn Annas", "den första", "DA-2027-00012"), which decision ("avslå", "kan inte bevilja")
and why."""

import re
from dataclasses import dataclass

from actions.conversation.fields import Field, FormContext, Prompt, Reading
from actions.conversation.reading import Answer, Message, is_chitchat, yes_or_no
from bot.identity import User
from bot.storage.models import Agreement

FORM = "decision_form"
FIELD_SLOTS = ("agreement_id", "decision", "rejection_reason")
SHOWN_SLOT = "agreements_shown"
REFERENCE = re.compile(r"\bda-\d{4}-\d{5}\b", re.IGNORECASE)
# The decision verbs, also typed without å/ä ("avsla", "godkann"); commands' handoff reads a
# decision anywhere in a message with the same words.
APPROVE_VERBS = r"godkänn\w*|godkann\w*|godkän[dt]|godkan[dt]|bevilja\w*|approve\w*|accept\w*"
REJECT_VERBS = (
    r"avslå\w*|avsla|avslar|avslag|neka\w*|reject\w*|decline\w*|say no|säg\w* nej|blir (?:det )?nej"
    r"|turn\w* (?:it |him |her |this one )?down"
)
APPROVE = re.compile(rf"\b({APPROVE_VERBS})\b")
REJECT = re.compile(rf"\b({REJECT_VERBS}|deny)\b")
# What follows "avslå" as the reason: "avslå, för att ...", "jag avslår den. Vi har ..."
REASON = re.compile(
    rf"\b(?:{REJECT_VERBS})\b"
    r"(?:\s+(?:jag|vi))?"
    # "avslå Annas, vi behöver henne": the request named by its owner alone.
    r"(?:\s+\w+'?s(?=\s*[,:.;–-]))?"
    r"(?:\s+(?:till\s+|to\s+)?(?:den|det|it|this one|this|that one|"
    r"(?:\w+'?s\s+|hennes\s+|hans\s+|her\s+|his\s+)?(?:ansökan|ansokan|request|application)"
    r"(?:\s+(?:om|för|for|to)\s+(?:distans\w*|hemarbete|remote work|work from home|"
    r"working from home))?))?"
    r"(?:\s+(?:så länge|tills vidare|för tillfället|for now))?"
    r"\s*(?:[,:.;–-]\s*|\s+)(?:för att|for att|eftersom|på grund av|pga\.?|"
    r"då|skäl:?|because|since|as)?\s*(?!(?:to|till)\b)(?P<reason>.{3,})$",
    re.IGNORECASE,
)


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


# Where a message deciding several requests turns to the next one: "godkänn Eriks. Annas avslår
# vi, …", "godkänn Erik och avslå Anna".
NEXT_PART = re.compile(r"[.!?;]+\s+|,?\s+(?:och|men|samt|but|and)\s+")


@dataclass(frozen=True)
class OneDecision:
    agreement: Agreement
    decision: str
    reason: str | None


def each_decision(ctx: FormContext, message: Message) -> list[OneDecision]:
    """Decisions on two or more waiting requests in one message, in the order said: each
    request with the decision and reason of its own part of the message (the sentence that
    names it and those after it that name no other). [] unless every part names one request
    once and says its decision: the message is then read as a decision on one request."""
    text = " ".join(message.text.split())
    named = {a.id: a for a in pending(ctx) if is_named(ctx, a, text)}
    if len(named) < 2:
        return []
    parts: list[tuple[Agreement | None, str]] = []
    start = 0
    for piece_end in [*(m.end() for m in NEXT_PART.finditer(text)), len(text)]:
        piece = text[start:piece_end]
        start = piece_end
        owners = [a for a in named.values() if is_named(ctx, a, piece)]
        if len(owners) > 1:
            return []
        if owners:
            parts.append((owners[0], piece))
        elif parts:
            parts[-1] = (parts[-1][0], parts[-1][1] + piece)
        else:
            parts.append((None, piece))
    if parts and parts[0][0] is None:
        # "ok. godkänn Eriks, …": what comes before the first name belongs to it.
        opening = parts.pop(0)[1]
        if parts:
            parts[0] = (parts[0][0], opening + parts[0][1])
    # Each request named in one part only: "godkänn Erik, nej avslå Erik" is one decision.
    ids = [agreement.id for agreement, _ in parts if agreement is not None]
    if len(ids) != len(parts) or sorted(ids) != sorted(named):
        return []
    decisions = []
    for agreement, part in parts:
        decision = find_decision(Message(text=part.strip()))
        if agreement is None or decision is None:
            return []
        reason = find_reason(part) if decision == "reject" else None
        decisions.append(OneDecision(agreement, decision, reason))
    return decisions


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
    r"((\w+'?s|hennes|hans|deras|hens|her|his|their|the)\s+)?(ansökan|ansokan|ansökning\w*"
    r"|ansokning\w*|begäran|request|application)"
    # "… om distansarbete": the request named in full.
    r"(\s+(om|för|for|to)\s+(distans\w*|hemarbete|remote work|work from home|working from home))?"
    r"(\s+(nu|now|då|tack|please))?|(da-\d{4}-\d+|\w+s)(\s+(ansökan|ansokan|request))?"
    r"|(om|för|for|to)\s+(distans\w*|hemarbete|remote work|work from home|working from home)",
    re.IGNORECASE,
)


# The reason before the decision: "vi behöver alla på plats fram till sommaren, så avslå den".
REASON_BEFORE = re.compile(
    r"^(?P<reason>.{3,}?)[\s,;.–-]+(?:så|sa|so|and so|därför|darfor|therefore)\s+"
    rf"(?:jag\s+|I\s+|I'll\s+|I will\s+)?(?:{REJECT_VERBS})\b"
    # Then the end, or more sentences: "…, sa avsla den. hon far garna soka 20% till varen".
    r"(?:\s+(?:den|det|it|this one|this|ansökan|ansokan|the request))?(?:[\s.!]*$|[.!]\s)",
    re.IGNORECASE,
)
# What names the request before the reason: "annas ansökan om distansarbete: ...", "har kollat
# annas distansansokan. …".
NAMED_FIRST = re.compile(
    r"^[^:]{0,60}\b(?:ansökan|ansokan|request|application)\b[^:]{0,40}:\s*"
    r"|^(?:[^.!?]*\b(?:\w*ansökan|\w*ansokan|request|application)\b[^.!?]*[.!?]\s+)+",
    re.IGNORECASE,
)


def find_reason(text: str) -> str | None:
    """The reason given with a rejection, before a "så avslå den" that concludes it, or after
    the verb; None when none is."""
    text = " ".join(text.split())
    after = REASON.search(text)
    before = REASON_BEFORE.match(text)
    said = [
        reason
        for reason in (
            NAMED_FIRST.sub("", before.group("reason").strip(" .")) if before else None,
            after.group("reason").strip(" .") if after else None,
        )
        # "avslå Annas ansökan" names the request; the reason is still to be asked.
        if reason and len(reason.split()) >= 2 and not ONLY_THE_REQUEST.fullmatch(reason)
    ]
    if not said:
        return None
    return said[0][0].upper() + said[0][1:]


def read_agreement(ctx: FormContext, message: Message) -> Reading:
    return find_agreement(ctx, message)


def read_decision(ctx: FormContext, message: Message) -> Reading:
    decision = find_decision(message)
    return Reading.of(decision) if decision else Reading()


def read_reason(ctx: FormContext, message: Message) -> Reading:
    text = " ".join(message.text.split())
    if len(text) < 3 or is_chitchat(message) or not re.search(r"[a-zåäöA-ZÅÄÖ]{2}", text):
        return Reading()
    if len(message.words) <= 2 and yes_or_no(message) is not Answer.NONE:
        # "yes" to "What is the reason?", by one who thinks it was given: asked again.
        return Reading()
    if REJECT.search(message.lowered) and find_reason(text) is None:
        # "oj fel person, det är annas jag ska avslå" says the decision again; no reason yet.
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


def named_request(ctx: FormContext, message: Message) -> Agreement | None:
    """The waiting request a message names by its reference or the employee's name."""
    named = [a for a in pending(ctx) if is_named(ctx, a, message.text)]
    return named[0] if len(named) == 1 else None


def is_named(ctx: FormContext, agreement: Agreement, text: str) -> bool:
    """``text`` names the request by its reference or its employee's name."""
    lowered = text.lower()
    return agreement.reference.lower() in lowered or names_employee(
        lowered, employee_name(ctx, agreement)
    )
