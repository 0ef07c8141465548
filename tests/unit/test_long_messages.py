"""A long message's question sentences sharpen what the whole message asks; alone they do not
pick the entry (#15: a short "Kan jag kräva en ny?" after a broken phone was answered with
the *kräva* entry)."""

from pathlib import Path

import pytest

from bot.faq.embeddings import EmbeddingCache
from bot.faq.index import ASKED_GAIN, FaqIndex, Weights
from bot.faq.language import asked_sentences, question_part
from bot.faq.lexical import SwedishAnalyzer
from tests.conftest import CharTrigramEncoder
from tests.unit.test_ranking import entry

ENTRIES = [
    entry(
        "utrustning",
        "Hur får jag en ny telefon eller dator när min jobbtelefon gått sönder?",
        ("min jobbtelefon är trasig, var får jag en ny", "skärmen på telefonen har spruckit"),
    ),
    entry(
        "krav",
        "Kan jag kräva att få jobba hemifrån?",
        ("kan jag kräva det", "kan jag kräva distansarbete"),
    ),
    entry(
        "kostnad",
        "Står arbetsgivaren för elen och bredbandet hemma?",
        ("betalar regionen elen", "vem betalar bredbandet hemma"),
    ),
]
WEIGHTS = Weights(embedding=0.5, lexical=0.5, topic=0.3)


@pytest.fixture
def index(tmp_path: Path) -> FaqIndex:
    encoder = CharTrigramEncoder()
    analyzer = SwedishAnalyzer({})
    return FaqIndex(ENTRIES, encoder, EmbeddingCache(tmp_path, encoder.name), analyzer, WEIGHTS)


def ranked(index: FaqIndex, message: str) -> list[tuple[str, float]]:
    searched = question_part(message)
    hits = index.search(searched, None, 3, asked_sentences(searched))
    return [(h.entry.id, h.score) for h in hits]


def test_a_question_sentence_alone_does_not_pick_an_entry_the_message_is_not_about(
    index: FaqIndex,
) -> None:
    message = (
        "Hej! Min jobbtelefon gick sönder i helgen och skärmen har spruckit, jag jobbar "
        "hemifrån hela veckan. Kan jag kräva det?"
    )
    asked = asked_sentences(question_part(message))
    # The sentence alone points at the kräva entry; the whole message at the broken phone.
    assert asked == "Kan jag kräva det?"
    assert index.search(asked, None, 1)[0].entry.id == "krav"
    assert ranked(index, message)[0][0] == "utrustning"


def test_a_question_sentence_sharpens_the_whole_messages_reading_a_little(
    index: FaqIndex,
) -> None:
    message = (
        "Jag sitter hemma tre dagar i veckan och räkningen har blivit dyr i vinter. "
        "Betalar regionen elen?"
    )
    searched = question_part(message)
    whole = dict((h.entry.id, h.score) for h in index.search(searched, None, 3))
    with_sentence = dict(ranked(index, message))
    assert max(whole, key=lambda i: whole[i]) == "kostnad"
    gain = with_sentence["kostnad"] - whole["kostnad"]
    assert 0 < gain <= ASKED_GAIN * (WEIGHTS.embedding + WEIGHTS.lexical) + 1e-6
