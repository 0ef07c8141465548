"""What the FAQ checks report: one finding with its file, line and rule, in two languages."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class CheckMessage:
    """One finding: where, which rule, and what to do, in Swedish (``sv``) and English."""

    path: Path
    line: int
    rule: str
    severity: Severity
    sv: str
    en: str

    def render(self, shown_path: str | None = None) -> str:
        label = "FEL" if self.severity == "error" else "VARNING"
        where = f"{shown_path or self.path}:{self.line}"
        return f"{where}: {label} [{self.rule}] {self.sv}\n    EN: {self.en}"

    def one_line(self) -> str:
        """For the log, which is read in English."""
        return f"{self.path}:{self.line}: [{self.rule}] {self.en}"

    def __str__(self) -> str:
        return self.render()


def error(path: Path, line: int, rule: str, sv: str, en: str) -> CheckMessage:
    return CheckMessage(path, line, rule, "error", sv, en)
