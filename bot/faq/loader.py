"""Builds the FAQ answerer for the active region from the markdown content.

The app (at start-up and on each hot reload), ``make index`` and the benchmarks all build it
here: the same checked files, the same index, the ranking values tuned for the model.
"""

import logging
from dataclasses import dataclass, field

from bot.faq.answering import FaqAnswerer
from bot.faq.check import known_regions
from bot.faq.content import FaqContent, FaqProblem, load_faq
from bot.faq.embeddings import EmbeddingCache, Encoder, cache_name, load_encoder
from bot.faq.index import FaqIndex
from bot.faq.lexical import SwedishAnalyzer
from bot.faq.scope import scope_gate
from bot.faq.stance import DEMAND_TOPICS, learned_stance
from bot.faq.tuning import tuned_values
from bot.regions import load_region
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class LoadedFaq:
    answerer: FaqAnswerer
    problems: list[FaqProblem]
    # Everything served, all regions (HR's page lists the expired entries from it).
    content: FaqContent = field(default_factory=FaqContent)


class FaqLoader:
    """One region, one embedding model and its tuned values; builds each version of the FAQ.

    Raises ``UntunedModelError`` before loading the model when it has no tuned values and
    ``DG_ALLOW_UNTUNED_MODEL`` is not set. ``encoder`` stands in for the configured model (tests).
    """

    def __init__(self, settings: Settings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self.region = load_region(settings.regions_dir, settings.region)
        self.regions = known_regions(settings.regions_dir)
        self.tuned = tuned_values(settings)
        self.encoder = encoder or load_encoder(settings)
        self.cache = EmbeddingCache(settings.cache_dir, cache_name(settings))

    def load(self) -> LoadedFaq:
        """The files as they are on disk, those with errors left out and logged."""
        content = load_faq(self.settings.faq_dir, self.regions)
        for problem in content.problems:
            log.error("FAQ file left out: %s", problem)
        return self.build(content)

    def build(self, content: FaqContent) -> LoadedFaq:
        """Index ``content``'s entries of the region (encoding only texts the cache lacks)."""
        index = FaqIndex(
            content.for_region(self.region.id),
            self.encoder,
            self.cache,
            # A new analyzer each time: its stemmer keeps state per call, and the analyzer in
            # service is busy with chats while a reload builds the next one in a worker thread.
            SwedishAnalyzer(content.synonyms),
            self.tuned.weights,
        )
        log.info(
            "FAQ index for %s: %d entries, %d texts newly encoded",
            self.region.id,
            len(index.entries),
            index.encoded_on_build,
        )
        gate = scope_gate(
            self.settings.nlu_dir,
            [text for entry in index.entries for text in entry.phrasings],
            self.settings.scope_file,
        )
        if gate is None:
            log.warning("No out-of-scope examples in %s: no scope gate", self.settings.nlu_dir)
        stance = learned_stance(
            self.settings.stance_file,
            self.settings.nlu_dir,
            {
                topic: [t for e in index.entries if e.topic == topic for t in e.phrasings]
                for topic in DEMAND_TOPICS
            },
        )
        answerer = FaqAnswerer(
            index,
            self.region,
            self.tuned.thresholds,
            withhold_expired=self.settings.withhold_expired_faq,
            gate=gate,
            stance=stance,
        )
        return LoadedFaq(answerer, content.problems, content)


def load_answerer(settings: Settings, encoder: Encoder | None = None) -> LoadedFaq:
    """What the app serves at start-up, built the same way."""
    return FaqLoader(settings, encoder).load()
