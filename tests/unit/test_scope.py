"""The scope gate, the question part of a long message, and whom a region sends questions to."""

from pathlib import Path

import pytest

from bot.faq.answering import ASKED_OUT_OF_SCOPE, NAMED_BUT_DOUBTED, asked_scope
from bot.faq.content import load_faq
from bot.faq.language import asked_part, asked_sentences, question_part
from bot.faq.nlu import nlu_examples
from bot.faq.scope import ScopeGate, scope_gate
from bot.regions import load_region
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def gate() -> ScopeGate:
    """The gate the app builds: the FAQ's phrasings and Rasa's examples in the repository."""
    content = load_faq(PROJECT_ROOT / "faq")
    phrasings = [t for e in content.for_region("vastmanland") for t in e.phrasings]
    built = scope_gate(
        PROJECT_ROOT / "data" / "nlu", phrasings, PROJECT_ROOT / "data" / "scope.yml"
    )
    assert built is not None
    return built


@pytest.mark.parametrize(
    "question",
    [
        # Written for this test, not taken from the evaluation set or the training examples.
        "vad kostar det att försäkra mitt fritidshus mot storm",
        "min dotter är förkyld, hur sjukanmäler jag henne i skolan",
        "när betalas julbonusen ut",
        "kan IT hjälpa mig att flytta bilder från min privata telefon",
        # Office matters phrased like the FAQ (workplace, desk, manager, office).
        "får man ha med sig hunden in på kontoret om den är lugn",
        "vi ska flytta till nya lokaler i vår, får jag behålla mitt rum",
        "när stänger lunchrestaurangen i regionhuset",
        "can my colleague and I share a desk in the new open-plan office",
    ],
)
def test_questions_that_share_the_faqs_words_are_out_of_scope(
    gate: ScopeGate, question: str
) -> None:
    assert gate.in_scope(question) < 0.5


@pytest.mark.parametrize(
    "question",
    [
        "får jag sitta i vår stuga i dalarna och jobba en vecka",
        "vem står för kostnaden om jag behöver en extra skärm hemma",
        "måste jag sjukanmäla mig fast jag kan jobba hemifrån",
        "what happens if I get hurt while working at home",
        # The office, where it is about remote work.
        "får chefen ta bort min plats på kontoret när jag distansjobbar",
        "vem betalar skrivbordet jag behöver hemma",
    ],
)
def test_remote_work_questions_are_in_scope(gate: ScopeGate, question: str) -> None:
    assert gate.in_scope(question) >= 0.5


@pytest.mark.parametrize(
    ("question", "in_scope"),
    [
        # Written for this test, not taken from the evaluation set or data/scope.yml.
        ("sitter hemma o jobbar på torsdagar, när betalas semesterersättningen ut?", False),
        ("Jag har distansarbete två dagar i veckan. Hur byter jag fackförbund?", False),
        ("I work from home on Fridays - how do I book a parking space at the hospital?", False),
        ("sitter hemma o jobbar på torsdagar, vem betalar headsetet jag behöver?", True),
        ("Jag har distansarbete två dagar i veckan. Vad gäller om jag skadar mig hemma då?", True),
        ("I work from home on Fridays - who do I call when my work laptop will not start?", True),
    ],
)
def test_remote_work_named_as_context_does_not_carry_another_question(
    gate: ScopeGate, question: str, in_scope: bool
) -> None:
    assert (gate.in_scope(question) >= NAMED_BUT_DOUBTED) is in_scope, gate.in_scope(question)


def test_context_examples_leave_questions_without_remote_work_as_they_were(tmp_path: Path) -> None:
    content = load_faq(PROJECT_ROOT / "faq")
    phrasings = [t for e in content.for_region("vastmanland") for t in e.phrasings]
    nlu = PROJECT_ROOT / "data" / "nlu"
    without = scope_gate(nlu, phrasings, tmp_path / "missing.yml")
    with_context = scope_gate(nlu, phrasings, PROJECT_ROOT / "data" / "scope.yml")
    assert without is not None and with_context is not None
    for question in ("min chef är sur på mig, vad gör jag", "vem betalar resan till kursen"):
        assert with_context.in_scope(question) == pytest.approx(without.in_scope(question))
    named = "jobbar hemifrån idag, hur många semesterdagar har jag kvar"
    assert with_context.in_scope(named) < without.in_scope(named)


def test_without_out_of_scope_examples_there_is_no_gate(tmp_path: Path) -> None:
    assert scope_gate(tmp_path, ["får jag jobba hemma"]) is None


def test_nlu_examples_drop_entity_markup(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hej [Anna](person)\n'
        "    - tjena\n",
        encoding="utf-8",
    )
    assert nlu_examples(tmp_path / "x.yml") == {"greet": ["hej Anna", "tjena"]}
    assert nlu_examples(tmp_path / "missing.yml") == {}


@pytest.mark.parametrize(
    ("message", "searched"),
    [
        (
            "Hej! Jag är controller på ekonomistaben och undrar vad huvudarbetsplats betyder?",
            "undrar vad huvudarbetsplats betyder?",
        ),
        (
            "Hi, I'm a nurse at the hospital and wonder if I can work from my cabin",
            "wonder if I can work from my cabin",
        ),
        ("Hej hej, får jag jobba från stugan?", "får jag jobba från stugan?"),
        # A word that only begins like a greeting stays.
        ("tjänsteställe vad betyder det", "tjänsteställe vad betyder det"),
        # Too little left after the greeting: the whole message is searched.
        ("Hej! Stugan?", "Hej! Stugan?"),
    ],
)
def test_question_part(message: str, searched: str) -> None:
    assert question_part(message) == searched


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        (
            "Står regionen för bredbandet? Jag frågar för att räkningen har ökat.",
            "Står regionen för bredbandet?",
        ),
        (
            "Min chef har sagt ja till två dagar. Var sparas avtalet? Och vem skriver under?",
            "Var sparas avtalet? Och vem skriver under?",
        ),
        # One sentence, or none that asks: nothing to search apart.
        ("får jag jobba från stugan?", None),
        ("Jag jobbar hemma. Bredbandet är långsamt.", None),
    ],
)
def test_asked_sentences(message: str, asked: str | None) -> None:
    assert asked_sentences(message) == asked


def test_each_region_names_whom_to_ask_about_salary_and_home_insurance() -> None:
    for region_id in ("vastmanland", "vasternorrland"):
        region = load_region(PROJECT_ROOT / "regions", region_id)
        salary = region.contact_for("När kommer OB-ersättningen på lönen?")
        insurance = region.contact_for("Behöver jag drulleförsäkring på hemförsäkringen?")
        assert salary is not None and "HR" in salary.name
        assert insurance is not None and "försäkringsbolag" in insurance.name
        # "lön" is a word beginning: "belöning" is not about salary.
        assert region.contact_for("får jag en belöning") is None


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        # Written for this test, not taken from the evaluation set.
        (
            "Jag jobbar hemifrån på tisdagar – vet du när gymmet i källaren öppnar igen?",
            "vet du när gymmet i källaren öppnar igen?",
        ),
        (
            "Jag har distansavtal men undrar om en annan sak: hur byter jag bank för lönen?",
            "hur byter jag bank för lönen?",
        ),
        (
            "Jag sitter hemma tre dagar i veckan. Hur anmäler jag mig till julbordet?",
            "Hur anmäler jag mig till julbordet?",
        ),
        ("Får jag jobba hemifrån på fredagar?", None),
        ("Jag jobbar hemifrån. Jag undrar över elen.", None),
    ],
)
def test_asked_part(message: str, asked: str | None) -> None:
    assert asked_part(message) == asked


@pytest.mark.parametrize(
    ("message", "refused"),
    [
        # Remote work only the context of another question: what is asked is judged.
        ("Jag jobbar hemifrån på tisdagar – vet du när gymmet i källaren öppnar igen?", True),
        ("Jag sitter hemma tre dagar i veckan. Hur anmäler jag mig till julbordet?", True),
        # The question points back at its context, or is itself about remote work.
        (
            "Jag jobbar hemma två dagar i veckan och elräkningen har ökat. Får jag ersättning?",
            False,
        ),
        ("Jag har fritidshus i Sälen. Kan jag sitta där och jobba en vecka i februari?", False),
        ("Jag jobbar hemma ibland. Vem betalar om jag vill jobba hemifrån med två skärmar?", False),
    ],
)
def test_a_question_after_remote_work_context_is_judged_alone(
    gate: ScopeGate, message: str, refused: bool
) -> None:
    asked = asked_scope(gate, message)
    assert (asked is not None and asked < ASKED_OUT_OF_SCOPE) is refused, asked
