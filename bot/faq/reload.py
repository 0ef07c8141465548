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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import anyio
from watchfiles import Change, awatch

from bot.faq.check import check_files, check_synonyms
from bot.faq.conflicts import check_across_files
from bot.faq.content import FaqContent, FaqProblem, expired_entries
from bot.faq.embeddings import Encoder
from bot.faq.entry_file import CheckedFile
from bot.faq.findings import CheckMessage
from bot.faq.loader import FaqLoader, LoadedFaq
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
        self._loader: FaqLoader | None = None
        # The version of each file now in service, with the synonym list in service.
        self._serving: dict[Path, CheckedFile] = {}
        self._synonyms: dict[str, list[str]] = {}
        self.last_outcome: ReloadOutcome | None = None

    def load(self) -> LoadedFaq:
        """The first version, at start-up: files with errors, and the later file of each
        conflict, are left out and logged, so the service starts whatever HR saved. Raises
        ``UntunedModelError`` for a model without tuned ranking values (see ``FaqLoader``)."""
        with self._lock:
            self._loader = FaqLoader(self.settings, self._encoder)
            loaded = self._loader.load()
            self._serving = {f.path: f for f in loaded.content.files}
            self._synonyms = loaded.content.synonyms
            self._log_expired(loaded.content)
            return loaded

    def reload(self) -> ReloadOutcome:
        """Check the folder again and serve what passes; see the module docstring."""
        with self._lock:
            if self._loader is None:
                raise RuntimeError("FaqReloader.load() must run before reload()")
            files = check_files(self.settings.faq_dir, self._loader.regions)
            rejected = [f for f in files if f.has_errors]
            kept = [self._serving.get(f.path) if f.has_errors else f for f in files]
            candidate = [f for f in kept if f is not None]
            errors = [m for f in rejected for m in f.messages if m.severity == "error"]
            conflicts = check_across_files(candidate)
            synonyms, synonym_errors = check_synonyms(self.settings.faq_dir / "_synonyms.yml")
            errors += synonym_errors + conflicts
            for error in errors:
                log.error("FAQ change rejected: %s", error.one_line())
            if conflicts:
                log.error("FAQ reload rejected as a whole; the previous version keeps serving")
                self.last_outcome = ReloadOutcome(False, errors, sorted({m.path for m in errors}))
                return self.last_outcome
            content = FaqContent(
                candidate,
                [FaqProblem.of(m) for m in errors],
                self._synonyms if synonyms is None else synonyms,
            )
            loaded = self._loader.build(content)
            self._log_expired(content)
            self._serving = {f.path: f for f in candidate}
            self._synonyms = content.synonyms
            if self._publish is not None:
                self._publish(loaded)
            index = loaded.answerer.index
            self.last_outcome = ReloadOutcome(
                True, errors, [f.path for f in rejected], index.encoded_on_build, len(index.entries)
            )
            return self.last_outcome

    def _log_expired(self, content: FaqContent) -> None:
        if expired := expired_entries(content, self._today()):
            log.warning(
                "FAQ entries past their review-by date (%s): %s",
                "withheld" if self.settings.withhold_expired_faq else "still served",
                ", ".join(f"{e.id} ({e.review_by})" for e in expired),
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
