"""Builds the FAQ answerer for the active region from the markdown content."""

import logging
from dataclasses import dataclass, field

from bot.faq.answering import FaqAnswerer
from bot.faq.content import FaqContent, FaqProblem, load_faq
from bot.faq.embeddings import EmbeddingCache, Encoder, SentenceTransformerEncoder
from bot.faq.index import FaqIndex
from bot.faq.lexical import SwedishAnalyzer
from bot.regions import Region, load_region
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class LoadedFaq:
    answerer: FaqAnswerer
    problems: list[FaqProblem]
    # Everything served, all regions (HR's page lists the expired entries from it).
    content: FaqContent = field(default_factory=FaqContent)


def load_answerer(settings: Settings, encoder: Encoder | None = None) -> LoadedFaq:
    """Load content, embed what the cache lacks and return the answerer; problems are logged."""
    region = load_region(settings.regions_dir, settings.region)
    content = load_faq(settings.faq_dir)
    for problem in content.problems:
        log.error("FAQ file skipped: %s", problem)
    encoder = encoder or SentenceTransformerEncoder(settings.embedding_model)
    index = FaqIndex(
        content.for_region(region.id),
        encoder,
        EmbeddingCache(settings.cache_dir, settings.embedding_model),
        SwedishAnalyzer(content.synonyms),
    )
    log.info(
        "FAQ index for %s: %d entries, %d texts newly encoded",
        region.id,
        len(index.entries),
        index.encoded_on_build,
    )
    return LoadedFaq(make_answerer(index, region, settings), content.problems, content)


def make_answerer(index: FaqIndex, region: Region, settings: Settings) -> FaqAnswerer:
    return FaqAnswerer(index, region, withhold_expired=settings.withhold_expired_faq)
