"""``python -m bot.faq.check``: checks HR's FAQ files before, and whenever, they go live.

Every message names the file and line and a rule code, and says in Swedish and in English what
is wrong and how to fix it. Errors fail the check; warnings (near-duplicate questions, a passed
review-by date) are printed but fail it only with ``--strict``. The entry rules are the entry
model's (``bot/faq/entry.py``), and the loader, the hot reload and HR's page use this module, so
a file that passes here is a file the service accepts.
"""

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.faq.conflicts import check_across_files, near_duplicates
from bot.faq.embeddings import EmbeddingCache, Encoder
from bot.faq.entry_file import CheckedFile, is_entry_file, read_entry_file
from bot.faq.findings import CheckMessage, error
from bot.faq.links import check_links

DEFAULT_NEAR_DUPLICATE_SIMILARITY = 0.92


@dataclass
class CheckReport:
    files: list[CheckedFile]
    messages: list[CheckMessage]
    synonyms: dict[str, list[str]] | None = None

    @property
    def errors(self) -> list[CheckMessage]:
        return [m for m in self.messages if m.severity == "error"]

    @property
    def warnings(self) -> list[CheckMessage]:
        return [m for m in self.messages if m.severity == "warning"]


def known_regions(regions_dir: Path) -> set[str] | None:
    """The region ids with a ``regions/<id>.yml``; None (unchecked) when there are none."""
    return {p.stem for p in regions_dir.glob("*.yml")} or None


def check_faq(
    faq_dir: Path,
    *,
    regions: Iterable[str] | None = None,
    today: date | None = None,
    encoder: Encoder | None = None,
    cache: EmbeddingCache | None = None,
    near_duplicate_similarity: float = DEFAULT_NEAR_DUPLICATE_SIMILARITY,
) -> CheckReport:
    """Check every entry file and ``_synonyms.yml`` in ``faq_dir``.

    ``regions``: the known region ids (unchecked when None). ``today``: review-by dates are
    compared with it (unchecked when None). ``encoder``: near-duplicate questions are looked
    for with it (skipped when None); ``cache`` spares re-encoding texts seen before.
    """
    files = check_files(faq_dir, set(regions) if regions is not None else None)
    messages = [m for f in files for m in f.messages]
    messages += check_across_files(files)
    synonyms, synonym_messages = check_synonyms(faq_dir / "_synonyms.yml")
    messages += synonym_messages
    good = [f for f in files if not f.has_errors]
    if today is not None:
        messages += review_overdue(good, today)
    if encoder is not None:
        messages += near_duplicates(good, encoder, near_duplicate_similarity, cache)
    messages.sort(key=lambda m: (str(m.path), m.line, m.rule))
    return CheckReport(files, messages, synonyms)


def check_files(faq_dir: Path, regions: set[str] | None = None) -> list[CheckedFile]:
    """Every entry file in ``faq_dir``, checked on its own, in name order."""
    paths = sorted(p for p in faq_dir.glob("*.md") if is_entry_file(p))
    return [check_file(path, regions) for path in paths]


def check_file(path: Path, regions: set[str] | None = None, text: str | None = None) -> CheckedFile:
    """The rules that concern one file alone; ``text`` instead of reading ``path`` if given."""
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        unreadable = error(
            path,
            1,
            "unreadable",
            f"Filen går inte att läsa som UTF-8-text ({problem}). Spara den som UTF-8.",
            f"The file cannot be read as UTF-8 text ({problem}). Save it as UTF-8.",
        )
        return CheckedFile(path, messages=[unreadable])
    checked = read_entry_file(text, path, regions)
    check_links(checked)
    if checked.has_errors:
        checked.entry = None
    return checked


def edit_errors(
    text: str, path: Path, faq_dir: Path, regions: Iterable[str] | None = None
) -> list[CheckMessage]:
    """The errors writing ``text`` to ``path`` would bring: the file's own, and conflicts with
    the other files that are not there already (HR's page refuses such a write)."""
    known = set(regions) if regions is not None else None
    others = [f for f in check_files(faq_dir, known) if f.path.resolve() != path.resolve()]
    edited = check_file(path, known, text=text)
    own = [m for m in edited.messages if m.severity == "error"]
    if own:
        return own

    def key(m: CheckMessage) -> tuple[str, str, str]:
        return (m.path.name, m.rule, m.en)

    before = {key(m) for m in check_across_files(others)}
    return [m for m in check_across_files([*others, edited]) if key(m) not in before]


def check_synonyms(path: Path) -> tuple[dict[str, list[str]] | None, list[CheckMessage]]:
    """HR's synonym list, ``synonyms: {term: [variant, ...]}`` lower-cased: its groups, or None
    and the message when it cannot be used."""
    if not path.exists():
        return {}, []
    line = 1
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as unreadable:
        problem = str(unreadable)
    except yaml.YAMLError as invalid:
        mark = getattr(invalid, "context_mark", None) or getattr(invalid, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = f"invalid YAML: {getattr(invalid, 'problem', None) or invalid}"
    else:
        groups = data.get("synonyms") if isinstance(data, dict) else None
        if not isinstance(groups, dict):
            problem = "expected a mapping 'synonyms: {term: [variants]}'"
        elif bad := [c for c, v in groups.items() if not _words(v)]:
            problem = f"synonyms for '{bad[0]}' must be a list of words"
        else:
            return {str(c).lower(): [v.lower() for v in vs] for c, vs in groups.items()}, []
    return None, [
        error(
            path,
            line,
            "synonyms",
            f"Synonymlistan kan inte läsas ({problem}). Formatet är 'synonyms:' följt av rader "
            "som '  term: [variant, variant]'.",
            f"The synonym list cannot be read ({problem}). The format is 'synonyms:' followed by "
            "lines like '  term: [variant, variant]'.",
        )
    ]


def _words(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def review_overdue(files: Sequence[CheckedFile], today: date) -> list[CheckMessage]:
    """A warning for each published entry whose review-by date has passed."""
    messages = []
    for checked in files:
        entry = checked.entry
        if entry is None or entry.draft or not entry.is_expired(today):
            continue
        messages.append(
            CheckMessage(
                checked.path,
                checked.line_of("review_by"),
                "review-overdue",
                "warning",
                f"Granskningsdatumet {entry.review_by} har passerat. Granska svaret mot källan, "
                "sätt 'reviewed' till dagens datum och 'review_by' till nästa granskning.",
                f"The review-by date {entry.review_by} has passed. Check the answer against the "
                "source, set 'reviewed' to today and 'review_by' to the next review.",
            )
        )
    return messages


def main(argv: Sequence[str] | None = None) -> int:
    from bot.settings import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m bot.faq.check",
        description="Kontrollerar FAQ-filerna / Checks the FAQ files.",
    )
    parser.add_argument("--faq-dir", type=Path, default=settings.faq_dir)
    parser.add_argument(
        "--strict", action="store_true", help="varningar fäller också / warnings fail too"
    )
    parser.add_argument(
        "--no-embeddings",
        action="store_true",
        help="hoppa över nästan-dubbletter / skip near-duplicate questions",
    )
    args = parser.parse_args(argv)
    encoder: Encoder | None = None
    cache: EmbeddingCache | None = None
    if not args.no_embeddings:
        from bot.faq.embeddings import cache_name, load_encoder

        encoder = load_encoder(settings)
        cache = EmbeddingCache(settings.cache_dir, cache_name(settings))
    report = check_faq(
        args.faq_dir,
        regions=known_regions(settings.regions_dir),
        today=date.today(),
        encoder=encoder,
        cache=cache,
        near_duplicate_similarity=settings.faq_near_duplicate_similarity,
    )
    for message in report.messages:
        print(message.render(_shown(message.path)))
    files = len(report.files)
    errors, warnings = len(report.errors), len(report.warnings)
    print(
        f"FAQ-kontroll: {files} filer, {errors} fel, {warnings} varningar. "
        f"/ FAQ check: {files} files, {errors} errors, {warnings} warnings."
    )
    return 1 if errors or (args.strict and warnings) else 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
