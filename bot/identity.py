"""Who is asking. In local mode a small demo directory stands in for the region's SSO."""

import re
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, field_validator

from bot.privacy import mask_identity_numbers

# HR editors maintain the FAQ content; HR admins also see statistics and resolve the review queue.
Role = Literal["employee", "manager", "hr_editor", "hr_admin", "safety_representative"]
HR_ROLES = ("hr_editor", "hr_admin")
DEMO_DIRECTORY = Path(__file__).with_name("demo_directory.yml")
DEFAULT_DEMO_USER = "anna.andersson"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class User(BaseModel):
    id: str
    name: str
    role: Role
    unit: str
    manager: str | None = None
    email: str | None = None
    # Microsoft Entra object id: how a Teams message (from.aadObjectId) finds the user.
    aad_object_id: str | None = None
    # Anställningsnummer from the HR system, printed on the agreement for the personnel file.
    employee_number: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,20}$")
    # Hours other than the region's (part time, another schedule), by weekday, for example
    # {"monday": "08:00-16:30", "friday": "08:00-12:00, 13:00-15:00"}; a weekday left out is a
    # day off. Meeting times keep within them where the calendar states no hours of its own.
    working_hours: dict[Weekday, str] | None = None

    @field_validator("employee_number")
    @classmethod
    def not_an_identity_number(cls, value: str | None) -> str | None:
        # An export that put the personnummer in this column would print it on every agreement.
        if value is not None and mask_identity_numbers(value).found:
            raise ValueError("employee_number holds a personal identity number (personnummer)")
        return value

    @field_validator("working_hours")
    @classmethod
    def readable_hours(cls, value: dict[Weekday, str] | None) -> dict[Weekday, str] | None:
        for day, spans in (value or {}).items():
            for span in spans.split(","):
                if _span(span) is None:
                    raise ValueError(f"working_hours.{day}: {span.strip()!r} is not HH:MM-HH:MM")
        return value

    @property
    def is_hr(self) -> bool:
        return self.role in HR_ROLES

    def weekly_hours(self) -> dict[int, list[tuple[time, time]]] | None:
        """The directory's working hours as local clock windows per ISO weekday (Monday = 0),
        or None when the directory has none for this person."""
        if self.working_hours is None:
            return None
        return {
            WEEKDAYS.index(day): sorted(w for w in map(_span, spans.split(",")) if w is not None)
            for day, spans in self.working_hours.items()
        }


def _span(text: str) -> tuple[time, time] | None:
    """ "08:00-16:30" as (08:00, 16:30); None unless it is a window of one day."""
    match = _HOURS.match(text)
    if match is None:
        return None
    hour, minute, end_hour, end_minute = map(int, match.groups())
    if hour > 23 or minute > 59 or end_hour > 23 or end_minute > 59:
        return None
    start, end = time(hour, minute), time(end_hour, end_minute)
    return (start, end) if start < end else None


class Directory:
    def __init__(self, users: list[User], demo: bool = False) -> None:
        self._users = {user.id: user for user in users}
        # Made-up people only: local mode, where the X-Demo-User header picks anyone, runs on
        # nothing else.
        self.demo = demo

    def get(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def all(self) -> list[User]:
        return list(self._users.values())


@lru_cache
def load_directory(path: Path = DEMO_DIRECTORY) -> Directory:
    """The people the processes need (employees with their manager, managers, safety
    representatives, HR), from a YAML export in the demo file's format."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Directory([User.model_validate(u) for u in data["users"]], data.get("demo") is True)


def demo_directory() -> Directory:
    return load_directory(DEMO_DIRECTORY)
