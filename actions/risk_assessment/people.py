"""Who a message means: the staff a user may book for, the safety representatives, and the one
person named ("Annas", "anna.andersson") or spoken of ("boka med henne") among them. Candidates
come from the user directory; a name that fits more than one person means no one.
"""

import re

from rasa_sdk import Tracker

from actions.services import Services
from bot.identity import User


def bookable_for(services: Services, user: User) -> list[User]:
    """The employees ``user`` may book for: their own staff, or everyone for HR."""
    directory = services.directory
    people = directory.all() if directory else []
    return [p for p in people if p.role == "employee" and (user.is_hr or p.manager == user.id)]


def safety_representatives(services: Services) -> list[User]:
    directory = services.directory
    return [u for u in directory.all() if u.role == "safety_representative"] if directory else []


def named_person(text: str, candidates: list[User]) -> User | None:
    """The one candidate whose full name, first name (also "Annas") or id the text mentions."""
    lowered = text.lower()
    found = [
        c
        for c in candidates
        if any(
            re.search(rf"\b{re.escape(name)}s?\b", lowered)
            for name in (c.name.lower(), c.name.split()[0].lower(), c.id.lower())
        )
    ]
    return found[0] if len(found) == 1 else None


# "boka riskbedömning med henne": the employee the last turn was about.
PRONOUN = re.compile(r"\b(henne|honom|hen|her|him|them)\b")


def spoken_of(tracker: Tracker, text: str, candidates: list[User]) -> User | None:
    """The one candidate named in the turn before (the user's message or the assistant's
    replies) when ``text`` says "henne"."""
    if not PRONOUN.search(text.lower()):
        return None
    said: list[str] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 3:
                break
        if event.get("event") in ("user", "bot"):
            said.append(str(event.get("text") or ""))
    # said[0] is this message.
    return named_person(" ".join(said[1:]), candidates)
