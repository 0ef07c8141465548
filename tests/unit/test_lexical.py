"""Swedish lexical matching: inflections, HR's synonyms, compounds and typos meet their entry."""

import pytest

from bot.faq.lexical import LexicalIndex, SwedishAnalyzer

SYNONYMS = {
    "fritidsbostad": ["stuga", "sommarstuga", "landet", "summer house"],
    "vård av sjukt barn": ["vab"],
    "el": ["elektricitet", "elräkning"],
}


@pytest.fixture(scope="module")
def analyzer() -> SwedishAnalyzer:
    return SwedishAnalyzer(SYNONYMS)


@pytest.fixture(scope="module")
def index(analyzer: SwedishAnalyzer) -> LexicalIndex:
    return LexicalIndex(
        analyzer,
        [
            ["Får medarbetaren arbeta på distans från exempelvis fritidsbostaden?"],
            ["Vad menas med huvudarbetsplats och distansarbetsplats?"],
            ["Vilka kostnader står arbetsgivaren för?"],
            ["Vad gäller om medarbetaren blir sjuk?"],
        ],
        [
            "Ja, förutsatt att chef och medarbetare kommer överens.",
            "Distansarbetsplats är normalt sett medarbetarens hem.",
            "Arbetsgivaren står inte för kostnader, exempelvis elektricitet eller internet.",
            "Sjukfrånvaro, vård av sjukt barn eller annan frånvaro ska anmälas.",
        ],
    )


def test_inflected_forms_share_a_term(analyzer: SwedishAnalyzer) -> None:
    assert analyzer.terms("kostnaderna") == analyzer.terms("kostnad")
    assert analyzer.terms("bildskärmar") == analyzer.terms("bildskärm")


def test_synonyms_fold_words_and_phrases_to_one_term(analyzer: SwedishAnalyzer) -> None:
    holiday_home = analyzer.terms("fritidsbostaden")
    assert analyzer.terms("stugan") == holiday_home
    assert analyzer.terms("sommarstugan") == holiday_home
    assert analyzer.terms("summer house") == holiday_home
    assert analyzer.terms("vab") == analyzer.terms("vård av sjukt barn")


def test_stop_words_are_dropped(analyzer: SwedishAnalyzer) -> None:
    assert analyzer.terms("vad är det som gäller för mig") == analyzer.terms("gäller")


def test_compounds_are_also_indexed_by_their_parts(analyzer: SwedishAnalyzer) -> None:
    workplace = analyzer.terms("arbetsplatsen")[0]
    assert workplace in analyzer.terms("hemarbetsplatsen")
    assert workplace in analyzer.terms("distansarbetsplatsen")
    # A known simple word is not cut into short pieces.
    assert analyzer.terms("betalar") == analyzer.terms("betala")


def test_colloquial_question_finds_its_entry(index: LexicalIndex) -> None:
    scores = index.coverage("kan jag jobba från stugan")
    assert scores.argmax() == 0
    assert index.coverage("vem betalar elen").argmax() == 2


def test_typo_is_mapped_to_a_known_term(index: LexicalIndex) -> None:
    assert index.query_terms("kostnderna") == index.query_terms("kostnaderna")
    assert index.coverage("kostnderna").argmax() == 2


def test_words_the_faq_never_uses_lower_coverage(index: LexicalIndex) -> None:
    on_topic = index.coverage("kostnader").max()
    off_topic = index.coverage("kostnader för semesterresan till Thailand").max()
    assert on_topic == pytest.approx(1.0)
    assert off_topic < 0.5


def test_question_terms_count_more_than_answer_terms(index: LexicalIndex) -> None:
    scores = index.coverage("sjuk")
    assert scores[3] == pytest.approx(1.0)
    assert index.coverage("frånvaro")[3] == pytest.approx(0.5)


def test_bm25_baseline_ranks_the_matching_entry_first(index: LexicalIndex) -> None:
    assert index.bm25("kostnader arbetsgivaren").argmax() == 2
    assert index.bm25("semester").max() == 0.0


def test_a_question_naming_an_entrys_cue_is_covered_by_that_entry(
    analyzer: SwedishAnalyzer,
) -> None:
    # A long message about a cabin shares few of the cabin entry's words; the cue (with the
    # synonym list's "stuga", "landet") says what it is about.
    phrasings = [
        ["Får jag arbeta från fritidsbostaden?"],
        ["Vilka kostnader står arbetsgivaren för?"],
    ]
    answers = ["Ja, om chefen och du är överens.", "Arbetsgivaren står inte för el."]
    cued = LexicalIndex(analyzer, phrasings, answers, [["fritidsbostad"], []])
    plain = LexicalIndex(analyzer, phrasings, answers)
    message = "Hej! Vi ska vara i stugan hela juni när barnen har lov, kan jag sitta där och jobba?"
    assert plain.coverage(message)[0] < 0.5
    assert cued.coverage(message)[0] == pytest.approx(1.0)
    assert cued.coverage("vi är på landet i juli, går det att jobba därifrån")[0] == pytest.approx(
        1.0
    )
    # Without the cue word the entry is covered only by the words it shares.
    without = "kan jag jobba hemifrån i juni"
    assert cued.coverage(without)[0] == pytest.approx(plain.coverage(without)[0])
    assert cued.coverage(message)[1] == pytest.approx(plain.coverage(message)[1])
