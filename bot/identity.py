"""Who is asking. In local mode a small demo directory stands in for the region's SSO."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel

Role = Literal["employee", "manager", "hr", "safety_representative"]
DEMO_DIRECTORY = Path(__file__).with_name("demo_directory.yml")
DEFAULT_DEMO_USER = "anna.andersson"


class User(BaseModel):
    id: str
    name: str
    role: Role
    unit: str
    manager: str | None = None
    email: str | None = None


class Directory:
    def __init__(self, users: list[User]) -> None:
        self._users = {user.id: user for user in users}

    def get(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def all(self) -> list[User]:
        return list(self._users.values())


@lru_cache
def demo_directory() -> Directory:
    data = yaml.safe_load(DEMO_DIRECTORY.read_text(encoding="utf-8"))
    return Directory([User.model_validate(u) for u in data["users"]])
