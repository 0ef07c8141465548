"""The FAQ content in service: the entry files that pass ``make faq-check``'s errors.

A broken file is reported with its name and line and left out; the other entries still load,
so one bad edit never takes the assistant down. The app at start-up, ``make index``, HR's review
queue and the benchmarks all load the content here, so they all see the same entries.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.faq.check import check_files, check_synonyms
from bot.faq.conflicts import check_across_files
from bot.faq.entry import FaqEntry
from bot.faq.entry_file import CheckedFile
from bot.faq.findings import CheckMessage


@dataclass(frozen=True)
class FaqProblem:
    path: Path
    line: int
    # For the log, in English: "[rule] what is wrong".
    message: str
    # The rule and the Swedish text, for HR's page.
    rule: str = ""
    sv: str = ""

    @classmethod
    def of(cls, message: CheckMessage) -> "FaqProblem":
        return cls(
            message.path, message.line, f"[{message.rule}] {message.en}", message.rule, message.sv
        )

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class FaqContent:
    # The checked files in service, entries and drafts, all regions.
    files: list[CheckedFile] = field(default_factory=list)
    problems: list[FaqProblem] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def entries(self) -> list[FaqEntry]:
        """The published entries, which are served."""
        return [f.entry for f in self.files if f.entry is not None and not f.entry.draft]

    @property
    def drafts(self) -> list[FaqEntry]:
        return [f.entry for f in self.files if f.entry is not None and f.entry.draft]

    def for_region(self, region: str) -> list[FaqEntry]:
        return [entry for entry in self.entries if entry.region == region]


def load_faq(faq_dir: Path, regions: set[str] | None = None) -> FaqContent:
    """Every entry file in ``faq_dir`` plus ``_synonyms.yml``. Files with errors are left out,
    and so is the later file of each conflict (an id or a wording in two entries); each reason
    becomes a problem. ``regions``: the known region ids (unchecked when None)."""
    files = check_files(faq_dir, regions)
    errors = [m for f in files for m in f.messages if m.severity == "error"]
    accepted = [f for f in files if not f.has_errors]
    while conflicts := check_across_files(accepted):
        errors += conflicts
        named = {m.path for m in conflicts}
        accepted = [f for f in accepted if f.path not in named]
    synonyms, synonym_errors = check_synonyms(faq_dir / "_synonyms.yml")
    return FaqContent(accepted, [FaqProblem.of(m) for m in errors + synonym_errors], synonyms or {})


def expired_entries(content: FaqContent, today: date) -> list[FaqEntry]:
    """Served entries past their review-by date (the date itself still counts), for HR."""
    return [entry for entry in content.entries if entry.is_expired(today)]
