"""A message that opens with a command for a process starts it, whatever Rasa's intent was; a
question about the process is still answered from the FAQ."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions import build_actions
from actions.agreement.decision_fields import find_reason
from actions.conversation.commands import COMMANDS, PROCESSES, command_in, commands
from actions.conversation.handoff import Handoff
from actions.conversation.steps import ProcessStep
from actions.services import Services
from bot.agreements.service import AgreementService
from bot.clock import Clock
from bot.faq.answering import Reply
from bot.identity import demo_directory
from bot.regions import CommandProcess, Region, load_region
from bot.settings import Settings
from bot.storage.models import RiskAssessment
from tests.unit.agreements import waiting_request
from tests.unit.trackers import process_services, texts, tracker

CLOCK = Clock.frozen(datetime(2026, 11, 23, 10))  # a Monday
FAQ_TEXT = "Svaret från FAQ:n."


class Faq:
    """An FAQ that answers everything: a message that reaches it was taken for a question."""

    def reply_to(self, text: str, **_: Any) -> Reply:
        return Reply(kind="answer", text=FAQ_TEXT)


@pytest.mark.parametrize(
    ("text", "process"),
    [
        ("reject it, the team needs him on site", "decide"),
        ("rejcet it, we need him here during the audit", "decide"),
        ("Godkän Annas ansökan", "decide"),
        ("ok då avslår jag den så länge, vi behöver henne på plats", "decide"),
        ("avsla DA-2027-00012, för att bokslutet kräver det", "decide"),
        ("please approve Anna's request", "decide"),
        ("dokumentera riskbedömningen med Anna. Risker: trappan till förrådet", "document"),
        ("dokumnetera riskbedömnigen med Erik", "document"),
        ("kan du boka riskbedömningen med Anna kl 13, vi ses i rum 4", "book"),
        ("hej! kan du boka en riskbedömning med Anna på tisdag?", "book"),
        ("Book the risk assessment with Erik on Tuesday at 10", "book"),
        # Flow batches 2026-12-06d and 06f, after a retrain read them as an FAQ question.
        ("can you set up the risk assessment meeting with Anna", "book"),
        ("dags för årlig uppföljning av Annas distansarbete", "follow_up"),
        ("it's time for Erik's annual follow-up", "follow_up"),
        ("jag vill ansöka om distansarbete två dagar i veckan", "request"),
        ("I'd like to apply for remote work from February", "request"),
        ("avboka mötet om riskbedömningen", "cancel"),
        ("cancel the risk assessment meeting", "cancel"),
        ("boka om riskbedömningen till fredag kl 10", "reschedule"),
        ("I want to reschedule the meeting to Friday", "reschedule"),
        ("Hej, jag vill jobba hemifrån fyrtio procent, måndagar och tisdagar", "request"),
        ("Hi! I'd like to work from home on Mondays and Fridays. I do payroll.", "request"),
        ("vill jobba på distans två dagar i veckan", "request"),
        ("I'm going to say no to this one for now, we're short-staffed", "decide"),
        ("jag tänker säga nej till den, vi har för lite folk", "decide"),
        # A decision closing a message about the request.
        (
            "Johan är på semester och bad mig ta hand om Erik Eks ansökan, riskbedömningen är "
            "gjord och han har sagt ok, så godkänn den",
            "decide",
        ),
        ("I talked to him about it, so approve it", "decide"),
        # Without å, ä and ö (flow batch 2026-12-06s).
        (
            "vet inte riktigt vad jag ska kolla mer, annas ansokan ser bra ut sa godkann den",
            "decide",
        ),
        # The yearly follow-up: DIET read this one as nothing after a retrain.
        ("I need to do the uppföljning with Anna", "follow_up"),
        ("följ upp Annas distansarbete", "follow_up"),
        ("ha uppföljningssamtalet med Erik", "follow_up"),
        # Flipped by a retrain on the test split (2026-12-04c): a decision left to the assistant,
        # a cancellation one has to make.
        (
            "Jag har pratat med Anna och det är okej för mig, du kan godkänna hennes "
            "distansansökan",
            "decide",
        ),
        ("jag måste tyvärr ställa in riskbedömningen nästa vecka, är sjuk", "cancel"),
        # A request told by its values, without a verb.
        ("Distansarbete hemma en dag i veckan, från 4 januari till 4 juni", "request"),
        # Asked for in the last sentence, after the story (DIET fell below its threshold on a
        # retrain, flow batch 2026-12-06).
        (
            "Hej! I höstas flyttade vi till Sala, så pendlingen tar en timme. Jag kunde söka om "
            "att jobba hemifrån två dagar i veckan från 1 februari. Kan du hjälpa mig att ansöka?",
            "request",
        ),
        ("I want to work from home two days a week. Can you help me apply?", "request"),
        # A manager on a phone, without å and ö (batch 2026-12-06b).
        ("arsuppfoljning anna", "follow_up"),
        # A noun in any order, and extending (batch 2026-12-06c).
        ("distansarbete ansökan tack", "request"),
        ("vill förlänga mitt distansavtal, de går ut i augusti", "request"),
        # Filling in the outcome (batch 2026-12-06d: Rasa answered it from the FAQ).
        ("fylla i riskbedömningen för Anna", "document"),
        # Without å/ä/ö, and asked about the user's own meeting (batch 2026-12-06f: out of
        # scope).
        ("jag maste avboka motet nasta torsdag, ska pa utbildning", "cancel"),
        ("behover flytta motet pa torsdag", "reschedule"),
        ("kan jag flytta mitt möte?", "reschedule"),
        ("hey, can I move my risk assessment meeting? something came up", "reschedule"),
        # A renewal asked about one's own agreement, a change of the request waiting, and a
        # decision in a sentence of its own (batch 2026-12-06g).
        ("hi, can I extend my remote work agreement by six months?", "request"),
        ("vill andra slutdatumet i min ansokan", "request"),
        ("kan du ändra min ansökan till 3 dagar i veckan?", "request"),
        (
            "Har pratat med Anna och vi är överens. Jag godkänner hennes ansökan. Hon når mig "
            "på telefon om något strular.",
            "decide",
        ),
        # Flow batch 2026-12-06u: the request named first, then the decision; it got the FAQ's
        # "no answer" and the request stayed waiting.
        (
            "eriks distansansökan – tyvärr blir det nej. vi driftsätter nya ärendesystemet i "
            "mars o då måste han va på plats",
            "decide",
        ),
        ("annas ansökan: godkänn", "decide"),
    ],
)
def test_a_command_at_the_start_names_its_process(text: str, process: str) -> None:
    command = command_in(text)
    assert command is not None and command.process == process


def test_a_noun_opening_a_longer_message_is_its_command() -> None:
    """Flow x-01: "arsuppfoljning med anna idag, kan vi kora den" was out of scope, and the
    whole follow-up with it."""
    command = command_in("arsuppfoljning med anna idag, kan vi kora den")
    assert command is not None and command.process == "follow_up"
    assert command_in("uppföljning av läkemedelsstatistik, hur funkar det") is None
    assert command_in("distansarbete ansökan, hur gör man?") is None


@pytest.mark.parametrize(
    "text",
    [
        "hur avslår man en ansökan?",
        "hur avslår man en ansökn?",
        # An employee asking about a no is no decision.
        "om det blir nej, kan jag överklaga?",
        "blir det nej om jag ansöker om 80 %?",
        "kan jag avslå utan att ange skäl?",
        "avslår man en ansökan utan skäl?",
        "bokar man riskbedömningen själv?",
        "can I reject a request?",
        "How do I book a risk assessment?",
        "What happens if my manager rejects my application?",
        "avslå inte Annas ansökan än",
        "I work from home on Mondays, am I insured?",
        "jag jobbar hemifrån på måndagar, är jag försäkrad då",
        "får jag jobba hemifrån?",
        "boka tid hos företagshälsan",
        "flytta åtgärden till fredag",
        "cancel",
        "avbryt",
        "/reject_agreement",
        "can my manager say no to remote work?",
        "säger nej till hemarbete om jag ber om det?",
        "my manager will say no",
        "hon har rätt, så godkänn inte den",
        "hur gör man uppföljningen?",
        "måste jag boka riskbedömningen?",
        "hon sa att du kan godkänna det mesta",
        "Erik ansökte i går, chefen godkände den",
        "Jag jobbar hemma två dagar i veckan sedan 1 mars och är försäkrad",
        "Distansarbete två dagar i veckan från 1 mars, hur gör jag?",
        # Help with something else than applying, or no remote work named before.
        "Jag jobbar hemifrån ibland. Kan du hjälpa mig att söka ersättning för internet?",
        "Kan du hjälpa mig att ansöka?",
        "Min kollega jobbar hemifrån. Hur ansöker man?",
        "uppföljning?",
        # A task that begins with the noun, at the tasks question.
        "uppföljning av läkemedelsstatistik",
        "hur förlänger jag mitt distansavtal?",
        "uppföljningen av riskbedömningen görs av chefen, eller",
        # How moving works, and someone else's appointment.
        "kan jag flytta riskbedömningen?",
        "kan jag avboka min tid hos företagshälsan?",
        "hur ändrar jag min ansökan?",
        "Min chef sa nej. Avslår hon alltid?",
        "Anna ansökte igår. Jag godkänner inte det än.",
    ],
)
def test_a_question_about_a_process_or_no_command_is_none(text: str) -> None:
    assert command_in(text) is None


def test_a_region_adds_its_own_command_words() -> None:
    assert command_in("underkänn Annas ansökan, verksamheten kräver det") is None
    extended = commands({"decide": ["underkänn"], "book": ["lägg in"]})
    decided = command_in("underkänn Annas ansökan, verksamheten kräver det", extended)
    assert decided is not None and decided.process == "decide"
    booked = command_in("lägg in riskbedömningen med Anna på fredag", extended)
    assert booked is not None and booked.process == "book"


def test_the_regions_file_names_the_processes_the_commands_have() -> None:
    assert set(get_args(CommandProcess)) == set(PROCESSES) == {c.process for c in COMMANDS}
    region = load_region(Settings().regions_dir, "vasternorrland")
    data = region.model_dump() | {"commands": {"decide": ["underkänn"]}}
    assert Region.model_validate(data).commands == {"decide": ["underkänn"]}
    with pytest.raises(ValueError, match="commands"):
        Region.model_validate(data | {"commands": {"approve_all": ["x"]}})


# --- handed over by the actions ------------------------------------------------------------------


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    with process_services(tmp_path / "c.db", Faq(), CLOCK) as made:
        yield made


@pytest.fixture
def agreements(services: Services) -> AgreementService:
    assert services.agreements is not None
    return services.agreements


def action(services: Services, name: str) -> Action:
    return next(a for a in build_actions(services) if a.name() == name)


async def run(
    services: Services, name: str, text: str, intent: str, confidence: float, user: str
) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await action(services, name).run(
        dispatcher,
        tracker(text, intent=intent, confidence=confidence, user=user, active_loop=None),
        {},
    )
    return events, dispatcher


def followups(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e["event"] == "followup"]


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_a_rejection_read_as_an_it_question_opens_the_decision_with_its_reason(
    services: Services,
    agreements: AgreementService,
) -> None:
    """After a retrain DIET read it as an IT question; two requests wait, so the form asks
    which one, and the reason is kept for it."""
    waiting_request(agreements)
    waiting_request(agreements, start=date(2027, 8, 1), end=date(2027, 12, 31))
    events, dispatcher = await run(
        services, "action_answer_faq", "reject it, the team needs him on site",
        "faq_it_support_home", 0.62, "maria.berg",
    )  # fmt: skip
    assert FAQ_TEXT not in texts(dispatcher)
    assert followups(events) == ["decision_form"]
    assert slots(events)["decision"] == "reject"
    assert slots(events)["rejection_reason"] == "The team needs him on site"
    assert slots(events)["agreement_id"] is None, "two wait: the form asks which"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("vet inte riktigt vad jag ska kolla mer, annas ansokan ser bra ut sa godkann den", "help"),
        ("tack, godkänn den", "thanks"),
    ],
)
async def test_small_talk_that_also_decides_opens_the_decision(
    services: Services, agreements: AgreementService, text: str, intent: str
) -> None:
    """Flows 2026-12-06s, with the model this machine trained: Rasa read the approval as a
    plea for help, and the manager got the list of what the assistant covers."""
    waiting_request(agreements)
    _, dispatcher = await run(services, f"action_{intent}", text, intent, 0.8, "maria.berg")
    # The decision is taken up: this request has no documented risk assessment yet.
    assert "kan inte godkännas förrän riskbedömningen är gjord" in texts(dispatcher)
    assert not any(m.get("response") for m in dispatcher.messages)
    # Without a command it is small talk, answered by Rasa's response.
    events, dispatcher = await run(services, f"action_{intent}", "tack", intent, 0.8, "maria.berg")
    assert [m.get("response") for m in dispatcher.messages] == [f"utter_{intent}"]
    assert followups(events) == []


async def test_a_manager_asking_what_waits_is_shown_the_requests(
    services: Services, agreements: AgreementService
) -> None:
    """Flow u-18: a substitute manager's "vad ligger och väntar?" got the list of what the
    assistant covers (Rasa read a plea for help)."""
    waiting_request(agreements)
    text = "hej, jag hoppar in för cheferna den här veckan. vad ligger och väntar?"
    events, dispatcher = await run(services, "action_help", text, "help", 0.7, "maria.berg")
    assert "från Anna Andersson: 40 % på distans" in texts(dispatcher)
    assert slots(events)["agreements_shown"]
    # An employee, or a question about the rules, is not a manager's list.
    _, employee = await run(services, "action_help", text, "help", 0.7, "anna.andersson")
    assert [m.get("response") for m in employee.messages] == ["utter_help"]
    question = "vad väntar mig om jag jobbar hemma utan avtal?"
    _, asked = await run(
        services, "action_answer_faq", question, "faq_agreement", 0.7, "maria.berg"
    )
    assert texts(asked) == FAQ_TEXT


async def test_a_decision_or_a_question_naming_a_waiting_request_opens_it(
    services: Services, agreements: AgreementService
) -> None:
    """Flows v-03 and v-13: a manager's long rejection typed without å/ä/ö, and "anna har visst
    skickat in en distansansökan?", got the FAQ's "not my area"."""
    waiting_request(agreements)
    asked, dispatcher = await run(
        services, "action_answer_faq", "hej, anna har visst skickat in en distansansökan?",
        "out_of_scope", 0.6, "maria.berg",
    )  # fmt: skip
    assert "från Anna Andersson: 40 %" in texts(dispatcher)
    assert followups(asked) == ["decision_form"]
    _, rules = await run(
        services, "action_answer_faq", "kan annas ansökan gälla i tre år?", "faq_agreement",
        0.7, "maria.berg",
    )  # fmt: skip
    assert texts(rules) == FAQ_TEXT
    text = (
        "har kollat annas distansansokan. 40% funkar inte nu nar tva i gruppen ar sjukskrivna, "
        "sa avsla den. hon far garna soka 20% till varen istallet"
    )
    await run(services, "action_answer_faq", text, "faq_sickness", 0.6, "maria.berg")
    maria = demo_directory().get("maria.berg")
    assert maria is not None
    (decided,) = agreements.visible_to(maria)
    assert (decided.status, decided.decision_reason) == (
        "rejected",
        "40% funkar inte nu nar tva i gruppen ar sjukskrivna",
    )


async def test_a_question_about_rejecting_is_answered_from_the_faq(
    services: Services, agreements: AgreementService
) -> None:
    waiting_request(agreements)
    for text in ("hur avslår man en ansökan?", "can I reject a request?"):
        events, dispatcher = await run(
            services, "action_answer_faq", text, "faq_agreement", 0.7, "maria.berg"
        )
        assert texts(dispatcher) == FAQ_TEXT and followups(events) == []


async def test_a_question_about_rejecting_read_as_a_rejection_decides_nothing(
    services: Services,
    agreements: AgreementService,
) -> None:
    """In CI DIET read "hur avslår man en ansökan?" as the rejection itself, sure of it: the
    manager is told how it is done, and no form asks which request."""
    waiting_request(agreements)
    for text, how in (
        ("hur avslår man en ansökan?", "Vid ett avslag frågar jag efter skälet"),
        ("how do I reject a request?", "When you reject, I ask for the reason"),
    ):
        events, dispatcher = await run(
            services, "action_start_decision", text, "reject_agreement", 0.97, "maria.berg"
        )
        assert how in texts(dispatcher) and followups(events) == [] and slots(events) == {}


async def test_only_someone_with_requests_to_decide_decides_by_command(
    services: Services, agreements: AgreementService
) -> None:
    """An employee quoting "avslå …", or a manager with nothing waiting, gets the FAQ."""
    waiting_request(agreements)
    text = "avslå den, vi behöver dig på plats"
    _, employee = await run(
        services, "action_answer_faq", text, "out_of_scope", 0.5, "anna.andersson"
    )
    _, other = await run(services, "action_answer_faq", text, "nlu_fallback", 0.3, "johan.lind")
    assert texts(employee) == FAQ_TEXT and texts(other) == FAQ_TEXT


async def test_a_booking_read_unsure_as_a_move_books(services: Services) -> None:
    """ "kan du boka riskbedömningen med … kl 13, vi ses i rum …" was read as a reschedule."""
    text = "kan du boka riskbedömningen med Anna på tisdag 1 december kl 13, vi ses i rum 4"
    events, dispatcher = await run(
        services, "action_start_reschedule", text, "reschedule_risk_assessment", 0.55, "maria.berg"
    )
    assert followups(events) == ["risk_assessment_form"]
    assert slots(events)["ra_employee"] == "anna.andersson"
    assert "Då bokar vi riskbedömningen" in texts(dispatcher)
    sure, said = await run(
        services, "action_start_reschedule", text, "reschedule_risk_assessment", 0.92, "maria.berg"
    )
    assert followups(sure) == [] and "Då bokar vi" not in texts(said), "Rasa sure: its process"


async def test_documenting_below_the_fallback_threshold_documents_with_the_risks(
    services: Services,
) -> None:
    """ "dokumentera riskbedömningen med Anna. Risker: …" fell below the fallback threshold."""
    assert services.agreements is not None
    with services.agreements.db.session() as session:
        session.add(
            RiskAssessment(
                employee_id="anna.andersson",
                manager_id="maria.berg",
                safety_representative_id="sven.skog",
                status="held",
                start_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
                end_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
            )
        )
    text = "dokumentera riskbedömningen med Anna. Risker: trappan till förrådet är brant"
    events, dispatcher = await run(
        services, "action_answer_faq", text, "nlu_fallback", 0.3, "maria.berg"
    )
    assert followups(events) == ["outcome_form"] and FAQ_TEXT not in texts(dispatcher)
    assert slots(events)["ra_risks"] == "trappan till förrådet är brant"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "I'm going to say no to this one for now, we're short-staffed until February",
            "We're short-staffed until February",
        ),
        ("jag tänker säga nej till den, vi har för lite folk", "Vi har för lite folk"),
        ("reject it, the team needs him on site", "The team needs him on site"),
        ("say no to it", None),
        ("avslå den", None),
        # Flows 2026-12-05b: the request named was stored as the reason.
        ("avslå Annas ansökan", None),
        ("reject Anna's request", None),
        ("avslå Eriks ansökan eftersom budgeten saknas", "Budgeten saknas"),
        # Typed without å (flows 2026-12-05c).
        ("avsla, for att vi inte kan bemanna mottagningen", "Vi inte kan bemanna mottagningen"),
        # The request named in full or without å (flows 2026-12-06g: stored as the reason).
        ("avsla annas ansokan", None),
        ("avslå annas ansökan om distansarbete", None),
        ("reject Anna's request to work from home", None),
        # Flows 2026-12-06t: the reason before the decision was asked for again.
        (
            "annas ansökan om distansarbete: vi har två sjukskrivna och behöver alla på plats, "
            "så avslå den",
            "Vi har två sjukskrivna och behöver alla på plats",
        ),
        ("we are short-staffed until summer, so reject it", "We are short-staffed until summer"),
        (
            "eriks distansansökan – tyvärr blir det nej. vi driftsätter nya ärendesystemet i mars",
            "Vi driftsätter nya ärendesystemet i mars",
        ),
        # Flow v-18: "turn it down" had no reason after it, and "yes" was stored as the reason.
        (
            "I have to turn it down for now, we're short-staffed on the service desk until March",
            "We're short-staffed on the service desk until March",
        ),
        # Flow v-03: the reason before "sa avsla den", with more said after it.
        (
            "har kollat annas distansansokan. 40% funkar inte nu nar tva i gruppen ar "
            "sjukskrivna, sa avsla den. hon far garna soka 20% till varen istallet",
            "40% funkar inte nu nar tva i gruppen ar sjukskrivna",
        ),
    ],
)
def test_the_reason_follows_the_rejection_never_its_object(text: str, reason: str | None) -> None:
    assert find_reason(text) == reason


@pytest.mark.parametrize(
    ("before", "text", "moved"),
    [
        # Flow batch 2026-12-06: this started a new booking instead of moving the meeting again.
        (
            "action_reschedule_risk_assessment",
            "nej vänta, tisdag går inte, jag har tandläkartid. Onsdag kl 10 i stället",
            True,
        ),
        ("action_book_risk_assessment", "förresten, kan vi ta onsdag kl 10 istället?", True),
        ("action_book_risk_assessment", "nej vänta, onsdag kl 10 istället", True),
        # No correction, or nothing just booked: no move.
        ("action_reschedule_risk_assessment", "onsdag kl 10 har jag tandläkaren", False),
        ("action_answer_faq", "nej vänta, onsdag kl 10 i stället", False),
    ],
)
def test_a_new_time_right_after_booking_or_moving_moves_the_meeting_again(
    services: Services, before: str, text: str, moved: bool
) -> None:
    steps = [a for a in build_actions(services) if isinstance(a, ProcessStep)]
    latest = tracker(text, intent="out_of_scope", confidence=0.9, active_loop=None)
    latest.events[:0] = [
        {"event": "user", "text": "tisdag kl 10"},
        {"event": "action", "name": before},
        {"event": "action", "name": "action_listen"},
    ]
    step = Handoff(services, steps).step_for(latest)
    assert (step is not None and step.name() == "action_start_reschedule") is moved


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("ja flytta den till tisdag kl 13 då", "action_start_reschedule"),
        ("avboka den istället", "action_start_cancel_booking"),
        ("ok, move it to friday at 10", "action_start_reschedule"),
        ("kan man flytta den?", None),
        ("tack", None),
    ],
)
def test_told_it_is_booked_already_a_move_or_a_cancellation_goes_to_that_step(
    services: Services, text: str, step: str | None
) -> None:
    """Flow batch 2026-12-06f: after "Din riskbedömning är redan bokad … Vill du flytta mötet
    eller avboka det?" a retrained Rasa read "ja flytta den till tisdag kl 13 då" as out of
    scope."""
    steps = [a for a in build_actions(services) if isinstance(a, ProcessStep)]
    latest = tracker(text, intent="out_of_scope", confidence=0.9, active_loop=None)
    latest.events[:0] = [
        {"event": "user", "text": "boka riskbedömning"},
        {"event": "action", "name": "action_start_risk_assessment"},
        {"event": "action", "name": "action_listen"},
    ]
    found = Handoff(services, steps).step_for(latest)
    assert (found.name() if found is not None else None) == step


async def test_small_talk_speaks_the_domains_text_so_it_can_be_translated(
    services: Services,
) -> None:
    """Spoken by name, Rasa filled in the Swedish text after the action endpoint had seen the
    reply: "thanks" after "ok" in an English conversation got "Varsågod!"."""
    domain = {"responses": {"utter_thanks": [{"text": "Varsågod! Fråga gärna igen."}]}}
    dispatcher = CollectingDispatcher()
    await action(services, "action_thanks").run(
        dispatcher, tracker("tack", intent="thanks", active_loop=None), domain
    )
    assert texts(dispatcher) == "Varsågod! Fråga gärna igen."
