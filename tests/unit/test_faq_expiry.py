"""Entries past their review-by date: served by default, withheld (with whom to ask) when the
region says so."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.faq.answering import FaqAnswerer, Thresholds
from bot.faq.embeddings import EmbeddingCache
from bot.faq.index import FaqIndex
from bot.faq.lexical import SwedishAnalyzer
from tests.conftest import CharTrigramEncoder
from tests.unit.test_ranking import EXAMPLE_ENTRIES, REGION

TODAY = date(2027, 6, 1)
# Low bars: the question below is then answered, or offered as "Menade du …?" with a margin.
THRESHOLDS = Thresholds(answer=0.3, clarify=0.2, margin=0.0)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> FaqIndex:
    """The example entries with the costs entry past its review-by date."""
    entries = [
        replace(e, review_by=date(2027, 1, 1) if e.id == "kostnad" else date(2028, 1, 1))
        for e in EXAMPLE_ENTRIES
    ]
    encoder = CharTrigramEncoder()
    cache = EmbeddingCache(Path(tmp_path_factory.mktemp("cache")), encoder.name)
    return FaqIndex(entries, encoder, cache, SwedishAnalyzer())


def answerer(index: FaqIndex, withhold: bool, thresholds: Thresholds = THRESHOLDS) -> FaqAnswerer:
    return FaqAnswerer(index, REGION, thresholds, withhold_expired=withhold, today=lambda: TODAY)


def test_expired_entry_is_served_by_default(index: FaqIndex) -> None:
    reply = answerer(index, withhold=False).reply_to("Vilka kostnader står arbetsgivaren för?")
    assert reply.kind == "answer" and reply.entry is not None and reply.entry.id == "kostnad"


def test_withheld_expired_entry_sends_the_user_to_hr(index: FaqIndex) -> None:
    reply = answerer(index, withhold=True).reply_to("Vilka kostnader står arbetsgivaren för?")
    assert reply.kind == "withheld" and reply.entry is None
    assert reply.text.startswith("Svaret på den frågan ses över")
    assert reply.text.endswith(REGION.ask_instead)
    english = answerer(index, withhold=True).reply_with_entry("kostnad", english=True)
    assert english.kind == "withheld" and english.text.endswith(REGION.ask_instead_en)


def test_withheld_entry_is_not_answered_through_its_button(index: FaqIndex) -> None:
    assert answerer(index, withhold=True).reply_with_entry("kostnad").kind == "withheld"
    assert answerer(index, withhold=False).reply_with_entry("kostnad").kind == "answer"
    assert answerer(index, withhold=True).reply_with_entry("sjuk").kind == "answer"


def test_withheld_entry_is_left_out_of_did_you_mean(index: FaqIndex) -> None:
    # A high answer bar and a wide margin make every question a "Menade du …?".
    clarify_only = Thresholds(answer=0.99, clarify=0.0, margin=1.0)
    served = answerer(index, withhold=False, thresholds=clarify_only)
    withheld = answerer(index, withhold=True, thresholds=clarify_only)
    question = "vem betalar om jag blir sjuk"
    offered = {b.payload for b in served.reply_to(question).buttons}
    assert any("kostnad" in p for p in offered)
    reply = withheld.reply_to(question)
    assert reply.kind == "clarify"
    assert [b.payload for b in reply.buttons] == [p for p in offered if "kostnad" not in p]
