"""Safe writes into ``faq/``: names from an allow-list, never outside the directory, never
through a symlink, and atomic (temporary file, fsync, rename, fsync of the directory), so a
crash leaves either the old file or the new one, never half of it."""

import fcntl
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.faq.entry import ENTRY_ID

# HR's page writes only files named after the entry's id.
FILE_NAME = re.compile(rf"{ENTRY_ID.pattern}\.md")


class UnsafeFileName(ValueError):
    """The name is not an allowed FAQ file name, or it would lead outside ``faq/``."""


def content_hash(data: bytes | None) -> str | None:
    """SHA-256 of a file's bytes; None for a file that does not exist."""
    return hashlib.sha256(data).hexdigest() if data is not None else None


def faq_file(faq_dir: Path, name: str) -> Path:
    """The path of ``name`` inside ``faq_dir``; raises UnsafeFileName for anything else."""
    if not isinstance(name, str) or not FILE_NAME.fullmatch(name):
        raise UnsafeFileName(f"not an allowed FAQ file name: {name!r}")
    root = faq_dir.resolve(strict=True)
    path = root / name
    if path.is_symlink():
        raise UnsafeFileName(f"{name!r} is a symbolic link")
    if path.resolve().parent != root:
        raise UnsafeFileName(f"{name!r} leads outside {root}")
    if path.exists() and not stat.S_ISREG(path.lstat().st_mode):
        raise UnsafeFileName(f"{name!r} is not a regular file")
    return path


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes (None when it does not exist), refusing to follow a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UnsafeFileName(f"cannot open {path.name!r}: {error}") from error
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


@contextmanager
def faq_write_lock(faq_dir: Path) -> Iterator[None]:
    """Held while a file in ``faq_dir`` is read, compared and replaced: an exclusive lock on the
    directory itself, so editors in other threads, workers or replicas on this host wait, and
    no lock file shows up among HR's files."""
    fd = os.open(faq_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes, *, create_only: bool = False) -> None:
    """Replace (or, with ``create_only``, create) ``path`` with ``data`` in one step.

    ``create_only`` raises FileExistsError instead of overwriting: the final step is a hard link,
    which the file system refuses when the name is taken, so two drafts cannot clobber each other.
    """
    directory = path.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            mode = _mode_of(path)
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if create_only:
            os.link(temporary, path)
            os.unlink(temporary)
        else:
            os.replace(temporary, path)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _mode_of(path: Path) -> int:
    try:
        return stat.S_IMODE(path.lstat().st_mode)
    except FileNotFoundError:
        return 0o644


def _fsync_directory(directory: Path) -> None:
    """Makes the rename itself durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
