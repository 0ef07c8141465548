"""``make faq-check`` on a file HR is about to save: the file's own rules, its conflicts with the
other entries (only those it would bring), a passed review-by date and near-duplicate questions,
each message placed at the form's field it is about."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.faq.check import check_file, check_files, review_overdue
from bot.faq.conflicts import check_across_files, near_duplicates
from bot.faq.embeddings import EmbeddingCache, Encoder
from bot.faq.findings import CheckMessage, Severity
from bot.hr.faq_form import EntryDocument


@dataclass(frozen=True)
class FieldMessage:
    """One checker message for the editor. ``field`` None: about the entries as a whole, such
    as another file's link to this one (then ``file`` names that file)."""

    field: str | None
    item: int | None
    line: int
    rule: str
    severity: Severity
    sv: str
    en: str
    file: str | None = None


class VectorMemo(EmbeddingCache):
    """The embedding cache as the app last wrote it, read once and kept in memory: checking an
    edit encodes only the texts HR has just typed, and never writes the cache the hot reload
    owns."""

    def _save(self) -> None:
        return None


@dataclass(frozen=True)
class NearDuplicates:
    encoder: Encoder
    memo: VectorMemo
    similarity: float


def check_entry(
    document: EntryDocument,
    path: Path,
    faq_dir: Path,
    regions: set[str] | None,
    today: date,
    near: NearDuplicates | None = None,
) -> list[FieldMessage]:
    """Errors first, then warnings. ``path``: where the file would be written. Warnings are
    looked for only once there are no errors, as ``make faq-check`` does."""
    edited = check_file(path, regions, text=document.text)
    if edited.has_errors:
        return [_placed(m, document, path) for m in edited.messages]
    others = [f for f in check_files(faq_dir, regions) if f.path.resolve() != path.resolve()]

    def key(m: CheckMessage) -> tuple[str, int, str, str]:
        return (m.path.name, m.line, m.rule, m.en)

    # The edited file last: a conflict is reported on the later of two files, so on this one.
    before = {key(m) for m in check_across_files(others)}
    conflicts = [m for m in check_across_files([*others, edited]) if key(m) not in before]
    messages = [*edited.messages, *conflicts]
    if not conflicts:
        messages += review_overdue([edited], today)
        if near is not None:
            good = [f for f in others if not f.has_errors and f.entry is not None]
            found = near_duplicates([*good, edited], near.encoder, near.similarity, near.memo)
            messages += [m for m in found if m.path == edited.path]
    placed = [_placed(m, document, path) for m in messages]
    return sorted(placed, key=lambda m: (m.severity != "error", m.line))


def _placed(message: CheckMessage, document: EntryDocument, path: Path) -> FieldMessage:
    if message.path != path:
        return FieldMessage(
            None,
            None,
            message.line,
            message.rule,
            message.severity,
            message.sv,
            message.en,
            message.path.name,
        )
    place = document.place_of(message.line)
    return FieldMessage(
        place.field if place else None,
        place.item if place else None,
        message.line,
        message.rule,
        message.severity,
        message.sv,
        message.en,
    )
