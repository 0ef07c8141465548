"""HR's edits in ``faq/`` go live without a restart.

A watcher notices a change in the FAQ folder and calls ``FaqReloader.reload``, which checks
every file with the errors of ``make faq-check``. A file with errors is rejected, the error is
logged, and that file's previous version keeps serving while the other files' changes go live.
A conflict between files (an id or a wording in two entries) rejects the whole reload. The new
index is built in a worker thread and swapped in with one assignment, so a chat in flight
finishes with the answerer it started with; the embedding cache lives on between reloads, so
only changed texts are encoded.
"""

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import anyio
from watchfiles import Change, awatch

from bot.faq.check import (
    CheckedFile,
    CheckMessage,
    check_across_files,
    check_file,
    check_synonyms,
)
from bot.faq.content import FaqContent, FaqEntry, FaqProblem, expired_entries, is_entry_file
from bot.faq.embeddings import EmbeddingCache, Encoder, SentenceTransformerEncoder
from bot.faq.index import FaqIndex
from bot.faq.lexical import SwedishAnalyzer
from bot.faq.loader import LoadedFaq, make_answerer
from bot.regions import Region, load_region
from bot.settings import Settings

log = logging.getLogger(__name__)

# Editors save in several steps; changes closer together than this make one reload.
DEBOUNCE_MS = 400


@dataclass(frozen=True)
class ReloadOutcome:
    """``applied``: the new content is being served. ``rejected_files``: files whose errors
    kept their previous version (or, for a new file, nothing) in service."""

    applied: bool
    errors: list[CheckMessage]
    rejected_files: list[Path]
    encoded: int = 0
    entries: int = 0


class FaqReloader:
    def __init__(
        self,
        settings: Settings,
        encoder: Encoder | None = None,
        publish: Callable[[LoadedFaq], None] | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        """``publish`` puts a new version in service (the app assigns ``app.state.faq``)."""
        self.settings = settings
        self._encoder = encoder
        self._publish = publish
        self._today = today
        self._lock = threading.Lock()
        self._region: Region | None = None
        self._cache: EmbeddingCache | None = None
        # The version of each file now in service, with the synonym list in service.
        self._serving: dict[Path, CheckedFile] = {}
        self._synonyms: dict[str, list[str]] = {}
        self.last_outcome: ReloadOutcome | None = None

    def load(self) -> LoadedFaq:
        """The first version, at start-up: files with errors, and the later file of each
        conflict, are left out and logged, so the service starts whatever HR saved."""
        with self._lock:
            self._region = load_region(self.settings.regions_dir, self.settings.region)
            if self._encoder is None:
                self._encoder = SentenceTransformerEncoder(self.settings.embedding_model)
            self._cache = EmbeddingCache(self.settings.cache_dir, self.settings.embedding_model)
            files = self._check_files()
            errors = [m for f in files for m in f.messages if m.severity == "error"]
            accepted = [f for f in files if not f.has_errors]
            while conflicts := check_across_files(accepted, self.settings.faq_dir):
                errors += conflicts
                named = {m.path for m in conflicts}
                accepted = [f for f in accepted if f.path not in named]
            synonyms, synonym_errors = check_synonyms(self.settings.faq_dir / "_synonyms.yml")
            errors += synonym_errors
            for error in errors:
                log.error("FAQ file left out: %s", _one_line(error))
            return self._serve(accepted, synonyms or {}, errors)

    def reload(self) -> ReloadOutcome:
        """Check the folder again and serve what passes; see the module docstring."""
        with self._lock:
            if self._region is None:
                raise RuntimeError("FaqReloader.load() must run before reload()")
            files = self._check_files()
            rejected = [f for f in files if f.has_errors]
            kept = [self._serving.get(f.path) if f.has_errors else f for f in files]
            candidate = [f for f in kept if f is not None]
            errors = [m for f in rejected for m in f.messages if m.severity == "error"]
            conflicts = check_across_files(candidate, self.settings.faq_dir)
            synonyms, synonym_errors = check_synonyms(self.settings.faq_dir / "_synonyms.yml")
            errors += synonym_errors + conflicts
            for error in errors:
                log.error("FAQ change rejected: %s", _one_line(error))
            if conflicts:
                log.error("FAQ reload rejected as a whole; the previous version keeps serving")
                self.last_outcome = ReloadOutcome(False, errors, sorted({m.path for m in errors}))
                return self.last_outcome
            loaded = self._serve(
                candidate, self._synonyms if synonyms is None else synonyms, errors
            )
            if self._publish is not None:
                self._publish(loaded)
            index = loaded.answerer.index
            self.last_outcome = ReloadOutcome(
                True, errors, [f.path for f in rejected], index.encoded_on_build, len(index.entries)
            )
            return self.last_outcome

    def _check_files(self) -> list[CheckedFile]:
        regions = {p.stem for p in self.settings.regions_dir.glob("*.yml")} or None
        faq_dir = self.settings.faq_dir
        paths = sorted(p for p in faq_dir.glob("*.md") if is_entry_file(p))
        return [check_file(path, regions) for path in paths]

    def _serve(
        self,
        files: Sequence[CheckedFile],
        synonyms: dict[str, list[str]],
        errors: Sequence[CheckMessage],
    ) -> LoadedFaq:
        assert self._region is not None and self._encoder is not None and self._cache is not None
        checked = [f.entry for f in files if f.entry is not None]
        content = FaqContent(
            entries=[e for e in checked if not e.draft],
            problems=[FaqProblem(m.path, m.line, f"[{m.rule}] {m.en}") for m in errors],
            synonyms=synonyms,
            drafts=[e for e in checked if e.draft],
        )
        index = FaqIndex(
            content.for_region(self._region.id),
            self._encoder,
            self._cache,
            # A new analyzer each time: its stemmer keeps state per call, and the analyzer in
            # service is busy with chats while this runs in a worker thread.
            SwedishAnalyzer(synonyms),
        )
        log.info(
            "FAQ index for %s: %d entries, %d texts newly encoded",
            self._region.id,
            len(index.entries),
            index.encoded_on_build,
        )
        _log_expired(expired_entries(content, self._today()), self.settings.withhold_expired_faq)
        self._serving = {f.path: f for f in files}
        self._synonyms = synonyms
        return LoadedFaq(
            make_answerer(index, self._region, self.settings), content.problems, content
        )


async def watch_faq(reloader: FaqReloader, stop: asyncio.Event | None = None) -> None:
    """Reload whenever an entry file or the synonym list in the FAQ folder changes, until
    ``stop`` is set. A failure is logged and the watch goes on."""
    settings = reloader.settings
    try:
        async for changes in awatch(
            settings.faq_dir,
            watch_filter=is_faq_change,
            debounce=DEBOUNCE_MS,
            stop_event=stop,
            force_polling=settings.faq_reload_polling,
            recursive=False,
        ):
            names = ", ".join(sorted({Path(path).name for _, path in changes}))
            log.info("FAQ files changed (%s); reloading", names)
            try:
                outcome = await anyio.to_thread.run_sync(reloader.reload)
            except Exception:
                log.exception("FAQ reload failed; the previous version keeps serving")
                continue
            if outcome.applied:
                log.info(
                    "FAQ reloaded: %d entries, %d texts newly encoded, %d files rejected",
                    outcome.entries,
                    outcome.encoded,
                    len(outcome.rejected_files),
                )
    except Exception:
        log.exception("Stopped watching %s; FAQ edits apply at the next restart", settings.faq_dir)


def is_faq_change(change: Change, path: str) -> bool:
    """Markdown files and the synonym list; not HR's guide, nor editors' and HR page's
    temporary files."""
    name = Path(path).name
    if name.startswith(".") or name == "README.md":
        return False
    return name.endswith(".md") or name == "_synonyms.yml"


def _log_expired(entries: list[FaqEntry], withheld: bool) -> None:
    if entries:
        log.warning(
            "FAQ entries past their review-by date (%s): %s",
            "withheld" if withheld else "still served",
            ", ".join(f"{e.id} ({e.review_by})" for e in entries),
        )


def _one_line(message: CheckMessage) -> str:
    return f"{message.path}:{message.line}: [{message.rule}] {message.en}"
