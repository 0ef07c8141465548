"""The follow-up dialogue's questions: who is followed up, HR's supporting questions one at a
time, new risks, new actions and whether the agreement continues, and how each answer is read.
The form and its steps are in ``dialogue.py``."""

import re
from typing import Any

from actions.agreement.fields import swedish_date
from actions.conversation.fields import NOTHING, Field, FormContext, Prompt, Reading
from actions.conversation.reading import (
    CHITCHAT_PARTS,
    Message,
    is_chitchat,
    is_skip,
    normalised,
    only_hedging,
)
from actions.conversation.repair import PROCESS_INTENTS
from actions.risk_assessment.outcome_fields import (
    changes_to_actions,
    read_actions,
    show_actions,
)
from actions.risk_assessment.people import bookable_for, named_person
from actions.services import Services
from bot.identity import User
from bot.risk_assessments.action_plans import is_overdue
from bot.risk_assessments.follow_ups import (
    FollowUpService,
    FollowUpSubject,
)
from bot.spelling import without_diacritics
from bot.storage.models import ActionStatus, FollowUpOutcome

NO_REMARKS = "Inget att anmärka"
# A supporting question left unanswered ("hoppa över"), as the follow-up's text records it.
SKIPPED = "Hoppades över"
# Short answers that are answers here, though elsewhere they only keep the conversation going.
SHORT_ANSWERS = {
    "ok", "okej", "okey", "okay", "bra", "fint", "toppen", "perfekt", "super", "ja", "nej",
    "inget", "inga", "ingen", "funkar", "fungerar", "fungerar bra", "funkar bra",
}  # fmt: skip
DASHES = {"-", "–", "—", "--"}
NO_RISKS = re.compile(
    r"^(?:(?:nej|nä|no)\s+)?(nej|nä|no|none|inga|ingen|inget)(\s+(nya|fler|ytterligare|new))?"
    r"(\s+(risker|risk|risks))?(\s+(alls|här|har (kommit fram|uppstått)))?$"
    r"|^inget att anmärka$|^no new risks$"
)
# Matched without å, ä and ö, so that "fortsatter" typed on a foreign keyboard counts.
CONTINUE = re.compile(
    r"\b(fortsatt\w*|oforandrad\w*|som (forut|tidigare|den ar)|behall\w*|continue\w*|"
    r"keep|unchanged)\b"
)
CHANGE = re.compile(r"\b(andras|andrad\w*|forandr\w*|juster\w*|changed?|modif\w*)\b")
END = re.compile(r"\b(avslut\w*|upphor\w*|avbryts|slutar|ends?|ended|terminat\w*|stop(s|ped)?)\b")
DECISION_NAMES = {
    FollowUpOutcome.CONTINUE: "fortsätter som tidigare",
    FollowUpOutcome.CHANGE: "ändras",
    FollowUpOutcome.END: "avslutas",
}
# A question to the assistant rather than an answer: "?" at the end, or a question's opening.
# A bare verb first is no question here: "Kan inte sitta länge vid köksbordet" is an answer.
QUESTION_OPENING = re.compile(
    r"^(vad|vem|vilka|vilken|vilket|hur|varför|när|what|who|how|why|when)\b"
    r"|^(får|måste|kan|ska|behöver|gäller|finns|är|har)\s+(jag|man|vi|du|hon|han|det|den|"
    r"medarbetaren|chefen)\b"
)


def follow_ups(services: Services) -> FollowUpService:
    service = services.follow_ups
    assert service is not None
    return service


def may_follow_up(user: User) -> bool:
    """The manager or HR records a follow-up, never the employee."""
    return user.role == "manager" or user.is_hr


def name_of(services: Services, user_id: Any) -> str:
    directory = services.directory
    person = directory.get(str(user_id)) if directory is not None and user_id else None
    return person.name if person else str(user_id)


def first_name(services: Services, user_id: Any) -> str:
    return name_of(services, user_id).split()[0]


# --- the questions -----------------------------------------------------------------------------


def questions(ctx: FormContext) -> list[dict[str, str]]:
    return list(ctx.get("fu_questions") or [])


def progress(ctx: FormContext) -> dict[str, list[dict[str, str]]]:
    value = ctx.get("fu_progress") or {}
    return {"given": list(value.get("given") or []), "earlier": list(value.get("earlier") or [])}


def current(ctx: FormContext) -> tuple[int, dict[str, str]] | None:
    """The number and the question being asked, or None once all are answered."""
    asked = questions(ctx)
    given = len(progress(ctx)["given"])
    return (given, asked[given]) if given < len(asked) else None


def question_line(ctx: FormContext) -> str:
    found = current(ctx)
    if found is None:
        return ""
    number, question = found
    count = len(questions(ctx))
    return f"{question['area']}, fråga {number + 1} av {count}: {question['question']}"


def answers_prompt(ctx: FormContext) -> Prompt:
    found = current(ctx)
    if found is None:
        return Prompt("Vad kom ni fram till?")
    number, _ = found
    text = question_line(ctx)
    if number == 0:
        text += f' Svara kort med det ni kom fram till, eller "{NO_REMARKS.lower()}".'
    buttons = [{"title": NO_REMARKS, "payload": NO_REMARKS.lower()}]
    earlier = progress(ctx)["earlier"]
    if number < len(earlier) and earlier[number].get("answer"):
        before = str(earlier[number]["answer"])
        title = before if len(before) <= 40 else before[:39] + "…"
        buttons.insert(0, {"title": f"Som förut: {title}", "payload": before})
    return Prompt(text, buttons)


def read_answer(ctx: FormContext, message: Message) -> Reading:
    """A short free-text answer; "ok", "-", "vet inte" and "inget att anmärka" are answers too.
    Questions, thanks, greetings and a request for another process are left to the
    conversation layer."""
    text = " ".join(message.text.split())
    lowered = message.lowered
    if message.is_payload or not text:
        return NOTHING
    if text in DASHES:
        return Reading.of(NO_REMARKS)
    if is_skip(message):
        return Reading.of(SKIPPED)
    # "Bra, tack": the answer with a thank-you, not a thank-you alone.
    first = normalised(CHITCHAT_PARTS.split(lowered)[0])
    if first in SHORT_ANSWERS or lowered.startswith("inget att anmärka"):
        return Reading.of(text[:1000])
    if text.endswith("?") or QUESTION_OPENING.match(lowered):
        return NOTHING
    if is_chitchat(message):
        return NOTHING
    if only_hedging(message):
        # "vet inte": what the dialogue found, as "hoppa över" is what it left.
        return Reading.of(text[:1000])
    few_words = len(message.words) <= 6
    if message.intent in PROCESS_INTENTS and message.confidence >= 0.9 and few_words:
        return NOTHING
    if not re.search(r"[0-9a-zåäöéü]", lowered):
        return NOTHING
    return Reading.of(text[:1000])


# Words every support question may use; what is left names what a question is about.
COMMON_WORDS = ("funger", "finns", "något", "några", "eller", "under", "mellan", "arbeta",
                "distan", "region", "inte", "hålla")  # fmt: skip


def key_words(text: str) -> set[str]:
    """The beginnings (six letters) of a text's longer words: "tillbud", "olycksfall"."""
    words = {w[:6] for w in re.findall(r"[a-zåäöéü]{5,}", text.lower())}
    return {w for w in words if not w.startswith(COMMON_WORDS)}


# A longer answer that names the next question's subject also says something of this one ("ja
# men uppkopplingen är seg ibland" to the question on screens and calls).
SHORT_ANSWER_WORDS = 4


def answers_the_next(answer: str, question: str, following: str) -> bool:
    """ "nej, inga tillbud" to the question on breaks: a short answer that names what the next
    question is about and nothing of this one's, so the message before it answered both (flow
    n-free_text-04: "hon loggar ut i tid och tar alltid en lunchpromenad")."""
    if len(answer.split()) > SHORT_ANSWER_WORDS:
        return False
    said, here, there = key_words(answer), key_words(question), key_words(following)
    return bool(said & (there - here)) and not said & (here - there)


def show_answers(value: Any) -> str:
    """The answers by area, one line each."""
    lines: list[str] = []
    area = None
    for answer in value or []:
        if answer["area"] != area:
            area = answer["area"]
            lines.append(f"{area}:")
        lines.append(f"- {answer['question']} **{answer['answer']}**")
    return "\n".join(lines)


# --- risks, actions, the decision --------------------------------------------------------------


def read_risks(ctx: FormContext, message: Message) -> Reading:
    text = " ".join(message.text.split())
    # "Nej, inga nya risker" is the same no as "nej inga nya risker".
    if NO_RISKS.match(" ".join(re.sub(r"[,.!;:]", " ", message.lowered).split())):
        return Reading.of("")
    if len(text) < 2 or not re.search(r"[a-zåäöA-ZÅÄÖ]{2}", text):
        return NOTHING
    if len(message.words) <= 6 and THE_DECISION.search(message.lowered):
        # "ok, den fortsätter tills vidare" answers a later question, and names no risk.
        return NOTHING
    return Reading.of(text[:5000])


# The decision on the remote work, said early: "den fortsätter", "det avslutas".
THE_DECISION = re.compile(
    r"\b(den|det|distansarbetet|it)\s+(fortsätter|ändras|avslutas|continues|ends)\b"
)


def show_risks(value: Any) -> str:
    return str(value) if value else "inga"


def risks_prompt(ctx: FormContext) -> Prompt:
    return Prompt(
        "Har nya risker kommit fram sedan riskbedömningen, i arbetsmiljön eller för "
        'informationssäkerheten? Beskriv dem kort, eller skriv "inga".',
        [{"title": "Inga nya risker", "payload": "inga nya risker"}],
    )


def actions_prompt(ctx: FormContext) -> Prompt:
    ask = (
        "Vilka åtgärder behövs för de nya riskerna?"
        if ctx.get("fu_risks")
        else "Behövs några nya åtgärder i handlingsplanen?"
    )
    return Prompt(
        f'{ask} Skriv en per rad: åtgärd – ansvarig – datum, till exempel "Beställa '
        'headset – Anna Andersson – 15 januari". Skriv "inga" om inga nya åtgärder behövs.',
        [{"title": "Inga nya åtgärder", "payload": "inga"}],
    )


def find_decision(ctx: FormContext, text: str) -> Reading:
    lowered = without_diacritics(text.lower())
    for outcome, pattern in (
        (FollowUpOutcome.END, END),
        (FollowUpOutcome.CHANGE, CHANGE),
        (FollowUpOutcome.CONTINUE, CONTINUE),
    ):
        if pattern.search(lowered):
            return Reading.of(outcome.value)
    return NOTHING


def read_decision(ctx: FormContext, message: Message) -> Reading:
    return find_decision(ctx, message.text)


def show_decision(value: Any) -> str:
    return DECISION_NAMES.get(FollowUpOutcome(value), str(value)) if value else ""


def decision_prompt(ctx: FormContext) -> Prompt:
    return Prompt(
        "Ska distansarbetet fortsätta som det är, ska överenskommelsen ändras, eller ska "
        "distansarbetet avslutas?",
        [
            {"title": "Fortsätter", "payload": "fortsätter"},
            {"title": "Ändras", "payload": "ändras"},
            {"title": "Avslutas", "payload": "avslutas"},
        ],
    )


# --- the employee and what is followed up ------------------------------------------------------


def subject_ids(subject: FollowUpSubject) -> dict[str, int | None]:
    return {
        "assessment_id": subject.assessment.id if subject.assessment else None,
        "agreement_id": subject.agreement.id if subject.agreement else None,
    }


def has_assessment(ctx: FormContext) -> bool:
    return bool((ctx.get("fu_subject") or {}).get("assessment_id"))


def describe_subject(services: Services, subject: FollowUpSubject) -> str:
    """What the follow-up builds on: the earlier risk assessment with its open actions, and
    the agreement."""
    today = services.clock.today()
    parts: list[str] = []
    assessment = subject.assessment
    if assessment is not None:
        line = "Senaste riskbedömningen"
        if assessment.documented_on:
            line += f" dokumenterades {swedish_date(assessment.documented_on)}"
        if assessment.outcome:
            outcome = " ".join(assessment.outcome.split())
            line += f" (risker då: {outcome if len(outcome) <= 120 else outcome[:119] + '…'})"
        open_items = [i for i in assessment.action_items if i.status == ActionStatus.OPEN]
        late = sum(is_overdue(i, today) for i in open_items)
        line += f". Handlingsplanen har {len(open_items)} öppna åtgärder"
        line += f", varav {late} försenade." if late else "."
        parts.append(line)
    else:
        parts.append(
            "Det finns ingen dokumenterad riskbedömning, så nya åtgärder kan inte föras in i en "
            "handlingsplan förrän en riskbedömning är gjord."
        )
    agreement = subject.agreement
    if agreement is not None:
        parts.append(
            f"Distansöverenskommelsen {agreement.reference} gäller "
            f"{swedish_date(agreement.start_date)}–{swedish_date(agreement.end_date)}, "
            f"{agreement.share_percent} % på distans."
        )
    else:
        parts.append("Det finns ingen gällande distansöverenskommelse.")
    return " ".join(parts)


def read_employee(ctx: FormContext, message: Message) -> Reading:
    if ctx.user is None:
        return NOTHING
    staff = bookable_for(ctx.services, ctx.user)
    chosen = next((p for p in staff if p.id == message.text), None) or named_person(
        message.text, staff
    )
    if chosen is None:
        return NOTHING
    if follow_ups(ctx.services).subject_for(ctx.user, chosen.id) is None:
        return Reading.refused(nothing_to_follow_up(chosen.name))
    return Reading.of(chosen.id)


def nothing_to_follow_up(name: str) -> str:
    return (
        f"Jag hittar ingen dokumenterad riskbedömning eller gällande distansöverenskommelse för "
        f"{name} som du kan följa upp."
    )


def employee_prompt(ctx: FormContext) -> Prompt:
    due = follow_ups(ctx.services).employees_to_follow_up(ctx.user) if ctx.user else []
    return Prompt(
        "Vems distansarbete vill du följa upp?",
        [{"title": name_of(ctx.services, e), "payload": e} for e in due[:10]],
    )


def follow_up_fields(ctx: FormContext) -> list[Field]:
    return [
        Field(
            slot="fu_employee",
            title="Medarbetare",
            prompt=employee_prompt,
            read=read_employee,
            not_understood="Jag hittar ingen av dina medarbetare med det namnet.",
            changeable=False,
        ),
        Field(
            slot="fu_answers",
            title="Svaren på stödfrågorna",
            prompt=answers_prompt,
            reprompt=question_line(ctx),
            read=read_answer,
            show=show_answers,
            hedge_help="Skriv kort vad ni kom fram till, även om det bara är en del av svaret, "
            f'eller "{NO_REMARKS.lower()}" om ni inte har något att ta upp.',
            not_understood=f'Skriv kort vad ni kom fram till, eller "{NO_REMARKS.lower()}".',
            # HR's supporting questions are support: one may be left unanswered.
            skippable=True,
        ),
        Field(
            slot="fu_risks",
            title="Nya risker",
            prompt=risks_prompt,
            reprompt='har nya risker kommit fram? Beskriv dem kort, eller skriv "inga".',
            read=read_risks,
            free_text=True,
            words=("nya risker", "riskerna", "new risks"),
            show=show_risks,
            hedge_help='Beskriv det ni ser som en risk nu, eller skriv "inga". En ny '
            "riskbedömning kan bokas efteråt.",
            not_understood='Beskriv kort de nya riskerna, eller skriv "inga".',
        ),
        Field(
            slot="fu_actions",
            title="Nya åtgärder",
            prompt=actions_prompt,
            reprompt="vilka nya åtgärder behövs (åtgärd – ansvarig – datum), eller inga?",
            read=read_actions,
            find=changes_to_actions("fu_actions"),
            words=("åtgärd", "actions"),
            show=show_actions,
            hedge_help='Skriv de åtgärder ni är överens om, eller "inga".',
            not_understood='Skriv åtgärd – ansvarig – datum, en per rad, eller "inga".',
            changeable=has_assessment(ctx),
        ),
        Field(
            slot="fu_decision",
            title="Överenskommelsen",
            prompt=decision_prompt,
            reprompt="ska distansarbetet fortsätta, ändras eller avslutas?",
            read=read_decision,
            find=find_decision,
            words=("överenskommelse", "distansarbetet ska", "agreement"),
            show=show_decision,
            hedge_help="Välj fortsätter om allt är som förut, ändras om till exempel andelen "
            "eller platsen behöver ändras, eller avslutas.",
            not_understood='Svara "fortsätter", "ändras" eller "avslutas".',
        ),
    ]
