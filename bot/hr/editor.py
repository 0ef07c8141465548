"""HR's FAQ editor: the entries with their review dates, opening one as a form, checking an edit
as ``make faq-check`` would, and saving or restoring a version of its file.

A save writes ``faq/<id>.md`` atomically, only if the file is still the one the editor loaded
(its SHA-256, else 409) and only if the checker finds no error (else 422). The version and an
audit record are committed with the write; if the commit fails, the file is put back.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import Refused
from bot.faq.check import check_files
from bot.faq.entry import ENTRY_ID
from bot.faq.entry_file import CheckedFile
from bot.hr.audit import record_change
from bot.hr.entry_check import FieldMessage, NearDuplicates, check_entry
from bot.hr.faq_form import EntryDocument, EntryForm, entry_document, form_of
from bot.hr.files import (
    UnsafeFileName,
    content_hash,
    faq_file,
    faq_write_lock,
    read_bytes,
    write_atomically,
)
from bot.hr.versions import (
    DiffLine,
    Origin,
    add_version,
    entry_version,
    entry_versions,
    line_diff,
    note_file,
    previous_version,
)
from bot.identity import User
from bot.storage.database import Database
from bot.storage.models import FaqEntryVersion

# A file name no entry can have (ids start with a letter or digit): where an edit whose id is
# not valid yet is checked, so the checker can still say what is wrong with it.
UNSAVED_NAME = "-.md"


@dataclass(frozen=True)
class EntrySummary:
    id: str
    file: str
    question: str
    topic: str
    owner: str
    region: str
    status: Literal["draft", "published"]
    reviewed: date | None
    review_by: date | None
    # Days until the review-by date; negative once it has passed.
    days_left: int | None
    has_errors: bool


@dataclass(frozen=True)
class OpenedEntry:
    id: str
    file: str
    text: str
    content_hash: str
    # None when the front matter cannot be read as fields; HR then rewrites it in the form.
    form: EntryForm | None
    # The file's own problems as it is on disk.
    messages: list[FieldMessage]


@dataclass(frozen=True)
class SavedEntry:
    id: str
    file: str
    content_hash: str
    version_id: int | None
    changed: bool
    warnings: list[FieldMessage]


class FaqEditor:
    def __init__(
        self,
        db: Database,
        faq_dir: Path,
        regions: set[str] | None,
        today: date,
        near: NearDuplicates | None = None,
    ) -> None:
        self.db = db
        self.faq_dir = faq_dir
        self.regions = regions
        self.today = today
        self.near = near

    def summaries(self, due_within_days: int | None = None) -> list[EntrySummary]:
        """Every entry file, by question; with ``due_within_days``, only published entries
        whose review-by date is at most that many days away or has passed."""
        rows = [self._summary(f) for f in check_files(self.faq_dir, self.regions)]
        if due_within_days is not None:
            rows = [
                r
                for r in rows
                if r.status == "published"
                and r.days_left is not None
                and r.days_left <= due_within_days
            ]
        return sorted(rows, key=lambda r: (r.question.casefold(), r.id))

    def _summary(self, checked: CheckedFile) -> EntrySummary:
        form = form_of("\n".join(checked.text_lines))
        entry = checked.entry
        review_by = entry.review_by if entry else None
        return EntrySummary(
            id=entry.id if entry else (form.id if form and form.id else checked.path.stem),
            file=checked.path.name,
            question=entry.question if entry else (form.question if form else ""),
            topic=entry.topic if entry else (form.topic if form else ""),
            owner=entry.owner if entry else (form.owner if form else ""),
            region=entry.region if entry else (form.region if form else ""),
            status=entry.status
            if entry
            else ("draft" if form and form.status == "draft" else "published"),
            reviewed=entry.reviewed if entry else None,
            review_by=review_by,
            days_left=(review_by - self.today).days if review_by else None,
            has_errors=checked.has_errors,
        )

    def open(self, entry_id: str) -> OpenedEntry:
        """The entry's file as a form, recorded as a version if it is new to the history."""
        path = self.path_of(entry_id)
        data = read_bytes(path)
        if data is None:
            raise _not_found(entry_id)
        text = _decoded(data)
        with self.db.session() as session:
            note_file(session, entry_id, data)
        own = check_entry(EntryDocument.of(text), path, self.faq_dir, self.regions, self.today)
        return OpenedEntry(
            entry_id,
            path.name,
            text,
            content_hash(data) or "",
            form_of(text),
            [m for m in own if m.severity == "error" and m.file is None],
        )

    def check(self, form: EntryForm, editing: str | None = None) -> list[FieldMessage]:
        """The checker's messages for ``form`` written as a file; ``editing``: the id of the
        entry being edited (its file on disk is the one replaced, not a second entry)."""
        path = self._checked_path(editing or form.id)
        return check_entry(
            entry_document(form), path, self.faq_dir, self.regions, self.today, self.near
        )

    def save(
        self, user: User, form: EntryForm, base_hash: str | None, entry_id: str | None = None
    ) -> SavedEntry:
        """Creates the entry (``entry_id`` None) or replaces its file; see the module doc."""
        if entry_id is not None and form.id.strip() != entry_id:
            raise Refused(
                422,
                "faq_id_changed",
                "Id:t kan inte ändras på en befintlig post. Skapa en ny post med det nya id:t "
                "i stället.",
                "An existing entry's id cannot be changed. Create a new entry with the new id "
                "instead.",
            )
        document = entry_document(form)
        target = entry_id or form.id.strip()
        if not ENTRY_ID.fullmatch(target):
            # The checker says what is wrong with the id, next to the field.
            self._refuse_errors(self.check(form))
        origin: Origin = "created" if entry_id is None else "saved"
        return self._write(user, target, document, base_hash, origin)

    def restore(
        self, user: User, entry_id: str, version_id: int, base_hash: str | None
    ) -> SavedEntry:
        """Saves an earlier version's text again: checked, concurrency-checked and audited like
        any save, as a new version."""
        with self.db.session() as session:
            version = entry_version(session, entry_id, version_id)
        if version is None:
            raise _version_not_found(version_id)
        document = EntryDocument.of(version.content)
        return self._write(user, entry_id, document, base_hash, "restored", version.id)

    def history(self, entry_id: str) -> tuple[str | None, list[FaqEntryVersion]]:
        """The file's current hash (None once it is gone) and its versions, newest first."""
        path = self.path_of(entry_id)
        data = read_bytes(path)
        with self.db.session() as session:
            note_file(session, entry_id, data)
            versions = entry_versions(session, entry_id)
        if data is None and not versions:
            raise _not_found(entry_id)
        return content_hash(data), versions

    def compare(
        self, entry_id: str, version_id: int, against: Literal["previous", "current"]
    ) -> tuple[FaqEntryVersion, list[DiffLine]]:
        """What ``version_id`` changed from the version before it, or what restoring it would
        change in the file as it is now."""
        with self.db.session() as session:
            version = entry_version(session, entry_id, version_id)
            if version is None:
                raise _version_not_found(version_id)
            if against == "current":
                data = read_bytes(self.path_of(entry_id))
                return version, line_diff(_decoded(data) if data else "", version.content)
            previous = previous_version(session, version)
        return version, line_diff(previous.content if previous else "", version.content)

    def path_of(self, entry_id: str) -> Path:
        try:
            return faq_file(self.faq_dir, f"{entry_id}.md")
        except UnsafeFileName:
            raise Refused(
                422,
                "invalid_file_name",
                "Ogiltigt id: använd 1–61 små bokstäver a–z, siffror, bindestreck eller "
                "understreck.",
                "Invalid id: use 1–61 lower-case letters a–z, digits, hyphens or underscores.",
            ) from None

    def _checked_path(self, entry_id: str) -> Path:
        if ENTRY_ID.fullmatch(entry_id.strip()):
            return self.path_of(entry_id.strip())
        return self.faq_dir.resolve() / UNSAVED_NAME

    def _write(
        self,
        user: User,
        entry_id: str,
        document: EntryDocument,
        base_hash: str | None,
        origin: Origin,
        restored_from: int | None = None,
    ) -> SavedEntry:
        path = self.path_of(entry_id)
        data = document.text.encode("utf-8")
        creating = origin == "created"
        with faq_write_lock(self.faq_dir):
            before = read_bytes(path)
            if creating and before is not None:
                raise _taken(entry_id)
            if not creating and content_hash(before) != base_hash:
                raise _changed_meanwhile(before is None)
            messages = check_entry(
                document, path, self.faq_dir, self.regions, self.today, self.near
            )
            self._refuse_errors(messages)
            warnings = [m for m in messages if m.severity == "warning"]
            if before == data:
                return SavedEntry(
                    entry_id, path.name, content_hash(data) or "", None, False, warnings
                )
            written = False
            try:
                with self.db.session() as session:
                    note_file(session, entry_id, before)
                    version = add_version(session, entry_id, data, origin, user.id, restored_from)
                    record_change(
                        session,
                        user.id,
                        user.role,
                        f"faq_entry_{origin}",
                        f"faq/{path.name}",
                        content_hash(before),
                        content_hash(data),
                        detail=json.dumps({"version": version.id, "restored_from": restored_from}),
                    )
                    write_atomically(path, data, create_only=creating)
                    written = True
            except FileExistsError:
                raise _taken(entry_id) from None
            except SQLAlchemyError:
                if written:
                    _put_back(path, before)
                raise
        return SavedEntry(entry_id, path.name, content_hash(data) or "", version.id, True, warnings)

    @staticmethod
    def _refuse_errors(messages: list[FieldMessage]) -> None:
        errors = [m for m in messages if m.severity == "error"]
        if not errors:
            return
        first = errors[0]
        more = f" (och {len(errors) - 1} fel till)" if len(errors) > 1 else ""
        more_en = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise Refused(
            422,
            "faq_entry_invalid",
            f"Posten har fel och sparades inte: {first.sv}{more}",
            f"The entry has errors and was not saved: {first.en}{more_en}",
        )


def _put_back(path: Path, before: bytes | None) -> None:
    """The records of a write were not committed: the file goes back to what it was."""
    if before is None:
        path.unlink(missing_ok=True)
    else:
        write_atomically(path, before)


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _not_found(entry_id: str) -> Refused:
    return Refused(
        404,
        "faq_entry_not_found",
        f"Det finns ingen FAQ-post med id '{entry_id}'.",
        f"There is no FAQ entry with id '{entry_id}'.",
    )


def _version_not_found(version_id: int) -> Refused:
    return Refused(
        404,
        "faq_version_not_found",
        f"Versionen {version_id} finns inte för den här posten.",
        f"Version {version_id} does not exist for this entry.",
    )


def _taken(entry_id: str) -> Refused:
    return Refused(
        409,
        "faq_id_taken",
        f"Id:t '{entry_id}' används redan. Välj ett annat eller öppna den posten.",
        f"The id '{entry_id}' is already in use. Choose another or open that entry.",
    )


def _changed_meanwhile(removed: bool) -> Refused:
    if removed:
        return Refused(
            409,
            "faq_entry_removed",
            "Posten har tagits bort av någon annan sedan du öppnade den. Kopiera din text och "
            "ladda om sidan.",
            "The entry was removed by someone else since you opened it. Copy your text and "
            "reload the page.",
        )
    return Refused(
        409,
        "faq_entry_changed",
        "Posten har ändrats av någon annan sedan du öppnade den. Ladda om posten, se vad som "
        "ändrats under Versioner och gör din ändring igen.",
        "The entry was changed by someone else since you opened it. Reload the entry, see what "
        "changed under Versions and make your change again.",
    )
