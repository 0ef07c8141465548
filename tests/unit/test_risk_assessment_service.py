"""The risk-assessment service's own rules, whichever channel asks: a meeting of 15 minutes to
four hours, and an outcome documented by the manager only after the dialogue has been held."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import Refused
from bot.identity import User, demo_directory
from bot.risk_assessments.service import RiskAssessmentService
from bot.storage.database import Database

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
MEETING = datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tmp_path: Path, clock: Clock) -> Iterator[RiskAssessmentService]:
    db = Database(f"sqlite:///{tmp_path}/r.db")
    db.migrate()
    yield RiskAssessmentService(db, demo_directory(), now=clock)
    db.dispose()


def person(user_id: str) -> User:
    user = demo_directory().get(user_id)
    assert user is not None
    return user


@pytest.mark.parametrize("minutes", [10, 241])
def test_a_meeting_outside_15_to_240_minutes_is_refused(
    service: RiskAssessmentService, minutes: int
) -> None:
    with pytest.raises(Refused) as refused:
        service.book(person("maria.berg"), "anna.andersson", MEETING, timedelta(minutes=minutes))
    assert refused.value.code == "duration_not_allowed"
    booked = service.book(person("maria.berg"), "anna.andersson", MEETING, timedelta(minutes=15))
    with pytest.raises(Refused):
        service.reschedule(
            person("maria.berg"), booked.id, MEETING + timedelta(days=1), timedelta(hours=5)
        )


def test_the_outcome_is_documented_only_after_the_meeting(
    service: RiskAssessmentService, clock: Clock
) -> None:
    booked = service.book(person("anna.andersson"), "anna.andersson", MEETING)
    follow_up = date(2027, 6, 1)
    with pytest.raises(Refused) as early:
        service.document(person("maria.berg"), booked.id, "Inga risker.", [], follow_up)
    assert early.value.code == "not_held_yet"
    clock.now = MEETING + timedelta(minutes=30)
    with pytest.raises(Refused) as during:
        service.document(person("maria.berg"), booked.id, "Inga risker.", [], follow_up)
    assert during.value.code == "not_held_yet", "the meeting lasts 45 minutes"
    clock.now = MEETING + timedelta(hours=1)
    with pytest.raises(Refused) as own:
        service.document(person("anna.andersson"), booked.id, "Inga risker.", [], follow_up)
    assert own.value.code == "not_the_manager"
    documented = service.document(person("maria.berg"), booked.id, "Inga risker.", [], follow_up)
    assert documented.status == "documented"
    assert documented.documented_on == date(2026, 12, 1)
