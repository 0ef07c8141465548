"""One clock for the whole service: "now" in UTC and "today" in the region's time zone.

A host running in UTC would otherwise lag the Swedish date for an hour or two after midnight.
Services and actions take a ``Clock``; tests give them a frozen one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    time_zone: ZoneInfo = STOCKHOLM
    utc_now: Callable[[], datetime] = field(default=_utc_now)

    def now(self) -> datetime:
        """The current moment, time-zone aware, in the region's time zone."""
        return self.utc_now().astimezone(self.time_zone)

    def today(self) -> date:
        """The region's calendar date now."""
        return self.now().date()

    @classmethod
    def frozen(cls, at: datetime, time_zone: ZoneInfo = STOCKHOLM) -> "Clock":
        """A clock that always says ``at`` (aware; a naive time is taken as the zone's)."""
        moment = at if at.tzinfo else at.replace(tzinfo=time_zone)
        return cls(time_zone, lambda: moment)

    @classmethod
    def from_file(cls, path: Path, time_zone: ZoneInfo = STOCKHOLM) -> "Clock":
        """A clock that says the ISO 8601 time written in ``path``, read at every call: tests
        and demos move the service's date by rewriting the file (local mode only)."""

        def written() -> datetime:
            moment = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
            return moment if moment.tzinfo else moment.replace(tzinfo=time_zone)

        return cls(time_zone, written)
