"""Score fusion, the answer/clarify/unknown decision, and the embedding cache."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from bot.faq.answering import Evidence, FaqAnswerer, Thresholds, choose_payload, decide
from bot.faq.embeddings import EmbeddingCache
from bot.faq.entry import FaqEntry
from bot.faq.index import FaqIndex, Hit, Weights, fuse
from bot.faq.language import is_english
from bot.faq.lexical import SwedishAnalyzer
from bot.faq.scope import ScopeGate, at_the_workplace, names_remote_work
from bot.regions import AgreementPolicy, Contact, Region
from tests.conftest import CharTrigramEncoder

REGION = Region(
    id="test",
    name="Testregionen",
    ask_instead="Fråga HR.",
    ask_instead_en="Ask HR.",
    agreement=AgreementPolicy(source="Testpolicyn"),
)


def entry(
    entry_id: str, question: str, alternates: tuple[str, ...] = (), topic: str = "t", **extra: str
) -> FaqEntry:
    return FaqEntry(
        id=entry_id,
        question=question,
        # An entry needs an alternate and a review-by date, like any file HR writes.
        alternates=alternates or (question,),
        topic=topic,
        region="test",
        source="Testkällan",
        owner="HR",
        reviewed=date(2026, 11, 1),
        review_by=date(2027, 11, 1),
        answer=extra.get("answer", f"Svar om {question}"),
        answer_en=extra.get("answer_en"),
    )


def hit(score: float, entry_id: str = "a", topic: str = "t") -> Hit:
    return Hit(entry(entry_id, entry_id, topic=topic), score, score, score)


@pytest.fixture(scope="module")
def analyzer() -> SwedishAnalyzer:
    return SwedishAnalyzer({"fritidsbostad": ["stuga", "landet"]})


EXAMPLE_ENTRIES = [
    entry(
        "fritid",
        "Får jag arbeta från fritidsbostaden?",
        ("jobba från stugan",),
        topic="place",
        answer_en="Yes, if your manager agrees.",
    ),
    entry(
        "kostnad",
        "Vilka kostnader står arbetsgivaren för?",
        ("vem betalar internet",),
        topic="costs",
    ),
    entry("sjuk", "Vad gäller om jag blir sjuk?", ("sjukanmälan",), topic="sickness"),
]


def example_index(cache_dir: Path, analyzer: SwedishAnalyzer) -> FaqIndex:
    """Three small entries over the trigram encoder: ranking logic without the real model."""
    encoder = CharTrigramEncoder()
    # Fixed weights: the tuned defaults move with every retune on the real model.
    weights = Weights(embedding=0.5, lexical=0.5, topic=0.3)
    cache = EmbeddingCache(cache_dir, encoder.name)
    return FaqIndex(EXAMPLE_ENTRIES, encoder, cache, analyzer, weights)


@pytest.fixture
def index(tmp_path: Path, analyzer: SwedishAnalyzer) -> FaqIndex:
    return example_index(tmp_path, analyzer)


def test_fuse_is_a_weighted_sum_of_the_scores() -> None:
    embedding = np.array([0.8, 0.2], dtype=np.float32)
    lexical = np.array([0.0, 1.0], dtype=np.float32)
    topic = np.array([0.0, 1.0], dtype=np.float32)
    fused = fuse(embedding, lexical, topic, Weights(embedding=0.5, lexical=0.5, topic=0.1))
    assert fused == pytest.approx([0.4, 0.7])


@pytest.mark.parametrize(
    ("scores", "out_of_scope", "expected"),
    [
        ([0.70, 0.30], 0.0, "answer"),
        ([0.70, 0.68], 0.0, "clarify"),
        ([0.45, 0.25], 0.0, "unknown"),
        ([0.30, 0.29], 0.0, "unknown"),
        ([0.58, 0.20], 1.0, "out_of_scope"),
        ([0.70, 0.20], 1.0, "answer"),
        ([], 0.0, "unknown"),
        # Between the bars: answered only with a clear lead over the runner-up.
        ([0.46, 0.20], 0.0, "answer"),
        ([0.46, 0.30], 0.0, "unknown"),
        ([0.46], 0.0, "answer"),
        ([0.38, 0.00], 0.0, "unknown"),
        ([0.52, 0.20], 1.0, "out_of_scope"),
    ],
)
def test_decide(scores: list[float], out_of_scope: float, expected: str) -> None:
    thresholds = Thresholds(
        answer=0.5, clarify=0.4, margin=0.04, clear_lead=0.25, out_of_scope_raise=0.15
    )
    hits = [hit(s, f"e{i}") for i, s in enumerate(scores)]
    assert decide(Evidence(hits, out_of_scope=out_of_scope), thresholds) == expected


def test_the_scope_gate_overrules_a_strong_hit() -> None:
    """A home-insurance question scores high against the accident entry; the gate says it is
    not about remote work, so it is not answered."""
    thresholds = Thresholds(answer=0.5, clarify=0.4, in_scope=0.5)
    strong = [hit(0.9, "olycka"), hit(0.3, "kostnad")]
    assert decide(Evidence(strong, in_scope=0.2), thresholds) == "out_of_scope"
    assert decide(Evidence(strong, in_scope=0.8), thresholds) == "answer"


def test_a_doubtful_gate_does_not_refuse_an_entry_everything_else_points_to() -> None:
    """ "vem betalar elen": the costs entry's words, the sentence model and Rasa agree (0.96),
    and the gate says 0.49; a gate sure of itself still refuses."""
    thresholds = Thresholds(answer=0.5, clarify=0.4, in_scope=0.5)
    overwhelming = [hit(0.96, "kostnader"), hit(0.3, "b")]
    assert decide(Evidence(overwhelming, in_scope=0.45), thresholds) == "answer"
    assert decide(Evidence(overwhelming, in_scope=0.3), thresholds) == "out_of_scope"
    fair = [hit(0.82, "omfattning"), hit(0.3, "b")]
    assert decide(Evidence(fair, in_scope=0.45), thresholds) == "out_of_scope"


def test_a_question_naming_remote_work_is_not_refused_by_the_gate() -> None:
    thresholds = Thresholds(answer=0.5, clarify=0.4, in_scope=0.5)
    strong = [hit(0.9), hit(0.3, "b")]
    named = Evidence(strong, in_scope=0.3, names_remote_work=True)
    assert decide(named, thresholds) == "answer"
    weak = Evidence([hit(0.2)], in_scope=0.3, names_remote_work=True)
    assert decide(weak, thresholds) == "unknown", "the ranking must still find an answer"
    for question in (
        "hur mycke distans får man ha",
        "tak för hemmadagar",
        "Can I work from home",
        "kollar nån hur hemjobbet går",
        "far man jobba hemifran pa fredagar",
    ):
        assert names_remote_work(question), question
    for question in ("hur länge ska barnet vara hemma från förskolan", "var är hemförsäkringen"):
        assert not names_remote_work(question), question


def test_a_question_set_at_the_workplace_is_answered_only_by_workplace_entries(
    index: FaqIndex,
) -> None:
    answerer = FaqAnswerer(index, REGION, Thresholds(answer=0.1, clarify=0.05))
    costs = answerer.reply_to("vem betalar internet på kontoret")
    assert costs.kind == "out_of_scope", "the costs entry is about the costs of working at home"
    assert answerer.reply_to("vem betalar internet hemma").kind == "answer"
    assert at_the_workplace("behöver jag skyddsskor när jag jobbar på avdelningen")
    assert not at_the_workplace("får jag ta hem skärmen från kontoret till mitt hemmakontor")
    assert not at_the_workplace("vem betalar internet när jag jobbar hemifrån")


def test_siblings_are_asked_back_within_their_wider_margin() -> None:
    thresholds = Thresholds(answer=0.5, clarify=0.4, margin=0.04, sibling_margin=0.15)
    close = [hit(0.9, "krav-chef", "ordered_remote"), hit(0.8, "krav-medarbetare")]
    assert decide(Evidence(close), thresholds) == "answer"
    assert decide(Evidence(close, siblings=True), thresholds) == "clarify"
    far = [hit(0.9, "krav-chef", "ordered_remote"), hit(0.7, "krav-medarbetare")]
    assert decide(Evidence(far, siblings=True), thresholds) == "answer"
    # Siblings a guess would not mix up (the IT-support pair) keep the usual margin.
    support = [hit(0.9, "support-hemma", "it_support_home"), hit(0.8, "support-pa-plats")]
    assert decide(Evidence(support, siblings=True), thresholds) == "answer"


def test_a_known_phrasing_is_answered_even_when_the_topic_favours_another(index: FaqIndex) -> None:
    index.weights = Weights(embedding=0.7, lexical=0.3, topic=5.0)  # the NLU is sure, and wrong
    answerer = FaqAnswerer(index, REGION)
    assert index.search("Vad gäller om jag blir sjuk?", {"costs": 1.0})[0].entry.id == "kostnad"
    reply = answerer.reply_to("Vad gäller om jag blir sjuk?", {"costs": 1.0})
    assert reply.kind == "answer"
    assert reply.entry is not None and reply.entry.id == "sjuk"


def test_search_ranks_colloquial_question_to_its_entry(index: FaqIndex) -> None:
    assert index.search("kan jag jobba från landet")[0].entry.id == "fritid"
    assert index.search("vem betalar internet hemma")[0].entry.id == "kostnad"


def test_a_long_message_is_answered_on_its_question_sentence(index: FaqIndex) -> None:
    # The context after the question dilutes the whole message below the bars; its question
    # sentence lifts the entry the whole message ranks best (by at most ASKED_GAIN a score).
    message = (
        "Vem betalar internet hemma? Jag frågar eftersom jag har varit sjuk och jobbat från "
        "sjuksängen hela veckan när jag blev sjuk."
    )
    thresholds = Thresholds(answer=0.42, clarify=0.35, margin=0.04, clear_lead=0.25)
    assert index.search(message)[0].score < thresholds.clarify
    reply = FaqAnswerer(index, REGION, thresholds).reply_to(message)
    assert (reply.kind, reply.entry and reply.entry.id) == ("answer", "kostnad")


def test_topic_confidence_breaks_a_tie(index: FaqIndex) -> None:
    query = "xyzzy"
    neutral = index.search(query, limit=3)
    favoured = index.search(query, {"costs": 1.0}, limit=3)
    assert favoured[0].entry.id == "kostnad"
    assert favoured[0].score == pytest.approx(
        next(h.score for h in neutral if h.entry.id == "kostnad") + index.weights.topic
    )


def test_answer_names_its_source_and_adds_english_for_english_questions(index: FaqIndex) -> None:
    answerer = FaqAnswerer(index, REGION, Thresholds(answer=0.3, clarify=0.2, margin=0.0))
    swedish = answerer.reply_to("får jag jobba från stugan")
    assert swedish.kind == "answer"
    assert swedish.text.endswith("Källa: Testkällan")
    assert "In English" not in swedish.text
    english = answerer.reply_to("Can I work from the stuga?")
    assert "In English: Yes, if your manager agrees." in english.text


def test_unknown_reply_says_whom_to_ask(index: FaqIndex) -> None:
    answerer = FaqAnswerer(index, REGION)
    reply = answerer.reply_to("xyzzy qwerty")
    assert reply.kind == "unknown"
    assert "Fråga HR." in reply.text
    assert "Ask HR." in answerer.reply_to("what is the weather like today").text
    # On topic but unanswered: no lecture about what the assistant covers.
    assert REGION.scope not in reply.text


def test_out_of_scope_reply_says_what_is_covered_and_whom_to_ask(index: FaqIndex) -> None:
    region = REGION.model_copy(
        update={
            "contacts": [
                Contact(
                    name="Lönecenter",
                    reach="ring 021-00 00 00.",
                    reach_en="call 021-00 00 00.",
                    words=["lön", "salary"],
                )
            ]
        }
    )
    gate = ScopeGate(
        inside=["får jag jobba hemma", "vem betalar internet hemma", "jobba från stugan"],
        outside=["när kommer lönen", "hur mycket är lönen", "when do I get my salary"],
    )
    answerer = FaqAnswerer(index, region, Thresholds(in_scope=0.5), gate=gate)
    reply = answerer.reply_to("när betalas lönen ut")
    assert reply.kind == "out_of_scope"
    assert region.scope in reply.text
    assert "Lönecenter: ring 021-00 00 00." in reply.text
    english = answerer.reply_to("when is the salary paid")
    assert english.kind == "out_of_scope"
    assert region.scope_en in english.text and "ask Lönecenter: call" in english.text
    # Without a contact for the kind of question, the region's general advice.
    other = FaqAnswerer(index, REGION, Thresholds(in_scope=0.5), gate=gate)
    assert "Fråga HR." in other.reply_to("när betalas lönen ut").text


def test_a_long_message_is_searched_without_greeting_and_introduction(index: FaqIndex) -> None:
    answerer = FaqAnswerer(index, REGION)
    evidence = answerer.weigh(
        "Hej! Jag är undersköterska på akuten och undrar om jag får jobba från stugan i juli?"
    )
    assert evidence.searched == "undrar om jag får jobba från stugan i juli?"
    assert evidence.hits[0].entry.id == "fritid"


def test_close_candidates_are_offered_as_buttons(index: FaqIndex) -> None:
    answerer = FaqAnswerer(index, REGION, Thresholds(answer=0.99, clarify=0.0, margin=1.0))
    reply = answerer.reply_to("sjuk kostnader")
    assert reply.kind == "clarify"
    assert reply.text == "Menade du någon av dessa?"
    assert {b.payload for b in reply.buttons} == {choose_payload("sjuk"), choose_payload("kostnad")}
    chosen = answerer.reply_with_entry("sjuk")
    assert chosen.kind == "answer" and chosen.entry is not None and chosen.entry.id == "sjuk"


def test_choosing_an_unknown_entry_is_an_honest_unknown(index: FaqIndex) -> None:
    assert FaqAnswerer(index, REGION).reply_with_entry("finns-inte").kind == "unknown"


def test_cache_reencodes_only_changed_texts(tmp_path: Path) -> None:
    encoder = CharTrigramEncoder()
    first = EmbeddingCache(tmp_path, "m").embed(["a", "b", "c"], encoder)
    reopened = EmbeddingCache(tmp_path, "m")
    second = reopened.embed(["a", "b", "changed"], encoder)
    assert encoder.calls == [["a", "b", "c"], ["changed"]]
    assert reopened.encoded_last_time == 1
    assert np.allclose(first[:2], second[:2])
    assert not list((tmp_path / "embeddings").glob("*/*.tmp.*")), "no temporary files left behind"


def test_cache_is_per_model(tmp_path: Path) -> None:
    encoder = CharTrigramEncoder()
    EmbeddingCache(tmp_path, "model-a").embed(["a"], encoder)
    EmbeddingCache(tmp_path, "model-b").embed(["a"], encoder)
    assert len(encoder.calls) == 2


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    encoder = CharTrigramEncoder()
    cache = EmbeddingCache(tmp_path, "m")
    cache.embed(["a"], encoder)
    (next((tmp_path / "embeddings").iterdir()) / "vectors.npy").write_bytes(b"not numpy")
    EmbeddingCache(tmp_path, "m").embed(["a"], encoder)
    assert len(encoder.calls) == 2


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Can I work from my summer house?", True),
        ("who pays for my internet", True),
        ("kan jag jobba från stugan", False),
        ("vem betalar elen", False),
        ("Får jag jobba hemma?", False),
    ],
)
def test_is_english(text: str, english: bool) -> None:
    assert is_english(text) is english
