"""Writes into faq/ stay inside faq/, never follow a symlink, and are atomic."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.hr.files import UnsafeFileName, faq_file, read_bytes, write_atomically
from bot.settings import PROJECT_ROOT

TRAVERSAL_PAYLOADS = [
    "../x.md",
    "../../x.md",
    "..%2fx.md",
    "%2e%2e%2fx.md",
    "..\\x.md",
    "sub\\..\\..\\x.md",
    "/etc/passwd",
    "/tmp/x.md",
    "faq/../../etc/passwd",
    "faq/x.md",
    "./x.md",
    "x.md\x00.txt",
    "x\x00.md",
    "\u2025/x.md",  # two-dot leader
    "\uff0e\uff0e/x.md",  # full-width full stops
    "x.md/",
    "x.md.",
    "x.md.txt",
    "x.MD",
    "x.md\n",
    "X.md",
    ".hidden.md",
    "-x.md",
    "_synonyms.md",
    ".md",
    "..",
    "",
    "a" * 62 + ".md",
    "a" * 5000 + ".md",
    "~/x.md",
    "x y.md",
    "ä.md",
    "C:\\x.md",
    "\\\\server\\share\\x.md",
    "x.md;rm -rf",
]


def tree(root: Path) -> dict[str, bytes | str]:
    """Every path under ``root`` with its content (or link target)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[Path, Path]:
    faq_dir = tmp_path / "faq"
    faq_dir.mkdir()
    (faq_dir / "fritidsbostad.md").write_text("old\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target.md").write_text("outside\n", encoding="utf-8")
    return faq_dir, tmp_path


@pytest.mark.parametrize("name", TRAVERSAL_PAYLOADS)
def test_names_outside_the_allow_list_are_refused_and_nothing_is_written(
    sandbox: tuple[Path, Path], name: str
) -> None:
    faq_dir, root = sandbox
    before = tree(root)
    with pytest.raises(UnsafeFileName):
        write_atomically(faq_file(faq_dir, name), b"pwned")
    assert tree(root) == before


def test_there_are_at_least_twenty_payloads() -> None:
    assert len(set(TRAVERSAL_PAYLOADS)) >= 20


def test_a_symlink_inside_faq_pointing_outside_is_refused(sandbox: tuple[Path, Path]) -> None:
    faq_dir, root = sandbox
    (faq_dir / "evil.md").symlink_to(root / "outside" / "target.md")
    (faq_dir / "dangling.md").symlink_to(root / "outside" / "new.md")
    before = tree(root)
    for name in ("evil.md", "dangling.md"):
        with pytest.raises(UnsafeFileName):
            faq_file(faq_dir, name)
        with pytest.raises(UnsafeFileName):
            read_bytes(faq_dir / name)
    assert tree(root) == before
    assert (root / "outside" / "target.md").read_text() == "outside\n"


def test_a_directory_with_an_allowed_name_is_refused(sandbox: tuple[Path, Path]) -> None:
    faq_dir, _ = sandbox
    (faq_dir / "folder.md").mkdir()
    with pytest.raises(UnsafeFileName):
        faq_file(faq_dir, "folder.md")


def test_an_allowed_name_is_written_inside_faq(sandbox: tuple[Path, Path]) -> None:
    faq_dir, root = sandbox
    path = faq_file(faq_dir, "ny-post_2.md")
    write_atomically(path, b"new\n", create_only=True)
    assert (faq_dir / "ny-post_2.md").read_bytes() == b"new\n"
    assert [p.name for p in faq_dir.iterdir() if p.name.endswith(".tmp")] == []
    with pytest.raises(FileExistsError):
        write_atomically(path, b"clobber\n", create_only=True)
    assert path.read_bytes() == b"new\n"
    assert (root / "outside" / "target.md").read_text() == "outside\n"


def test_replacing_keeps_the_file_mode(sandbox: tuple[Path, Path]) -> None:
    faq_dir, _ = sandbox
    path = faq_dir / "fritidsbostad.md"
    path.chmod(0o640)
    write_atomically(faq_file(faq_dir, path.name), b"new\n")
    assert path.read_bytes() == b"new\n"
    assert path.stat().st_mode & 0o777 == 0o640


WRITER = """
import os, sys, time
from pathlib import Path
from bot.hr.files import write_atomically
target, size, pause = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "pause"
real_fsync = os.fsync
def slow_fsync(fd):
    if pause:
        print("in-fsync", flush=True)
        time.sleep(60)
    real_fsync(fd)
os.fsync = slow_fsync
print("start", flush=True)
write_atomically(target, b"N" * size)
print("done", flush=True)
"""


def run_writer(target: Path, size: int, pause: bool) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), str(size), "pause" if pause else "go"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_writer_killed_before_the_rename_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "entry.md"
    old = b"O" * 1_000_000
    target.write_bytes(old)
    writer = run_writer(target, 50_000_000, pause=True)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "start"
    # The new content is fully in the temporary file and the writer waits in fsync.
    assert writer.stdout.readline().strip() == "in-fsync"
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    assert target.read_bytes() == old
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert all(p.name.startswith(".entry.md.") and p.suffix == ".tmp" for p in leftovers)


def test_a_writer_killed_at_any_moment_leaves_old_or_new_never_partial(tmp_path: Path) -> None:
    target = tmp_path / "entry.md"
    old = b"O" * 2_000_000
    size = 40_000_000
    outcomes = set()
    for delay in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2):
        target.write_bytes(old)
        writer = run_writer(target, size, pause=False)
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "start"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
        content = target.read_bytes()
        assert content == old or content == b"N" * size, f"partial file after {delay}s"
        outcomes.add("old" if content == old else "new")
    print(f"outcomes over the kill delays: {sorted(outcomes)}")
