"""Who is asking. In local mode a small demo directory stands in for the region's SSO."""

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

    @field_validator("employee_number")
    @classmethod
    def not_an_identity_number(cls, value: str | None) -> str | None:
        # An export that put the personnummer in this column would print it on every agreement.
        if value is not None and mask_identity_numbers(value).found:
            raise ValueError("employee_number holds a personal identity number (personnummer)")
        return value

    @property
    def is_hr(self) -> bool:
        return self.role in HR_ROLES


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
