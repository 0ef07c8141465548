"""The calendar's settings: read from DG_CALENDAR, DG_CALDAV_*, DG_BOOKING_* and DG_PUBLIC_URL,
the password kept out of logs, and a configuration that cannot work refused at start-up."""

import pytest
from pydantic import ValidationError

from bot.calendars.configured import configured_calendar
from bot.calendars.guard import GuardedCalendar
from bot.settings import Settings


def test_the_calendar_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "DG_CALENDAR": "caldav",
        "DG_CALDAV_URL": "https://kalender.region.se/dav",
        "DG_CALDAV_USERNAME": "distansguiden",
        "DG_CALDAV_PASSWORD": "hemligt",
        "DG_CALDAV_CALENDAR_URL": "{local}/arbete/",
        "DG_CALDAV_TIMEOUT_SECONDS": "3",
        "DG_CALDAV_ATTENDEE_COPIES": "true",
        "DG_BOOKING_NOTICE_WORKING_DAYS": "2",
        "DG_BOOKING_SEARCH_WORKING_DAYS": "15",
        "DG_PUBLIC_URL": "https://distansguiden.region.se/",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.calendar == "caldav"
    assert settings.caldav.url == "https://kalender.region.se/dav/"
    assert settings.caldav.calendar_url == "{local}/arbete/"
    assert settings.caldav.timeout_seconds == 3 and settings.caldav.attendee_copies
    assert settings.booking.notice_working_days == 2
    assert settings.booking.search_working_days == 15
    assert settings.public_base_url == "https://distansguiden.region.se"
    assert "hemligt" not in repr(settings)
    calendar = configured_calendar(settings)
    assert isinstance(calendar, GuardedCalendar) and calendar.name == "caldav"
    assert calendar.timeout == 3
    calendar.close()


def test_the_default_is_the_local_store_and_links_on_this_computer() -> None:
    settings = Settings()
    assert settings.calendar == "local" and configured_calendar(settings) is None
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert Settings(mode="local", public_url="https://x.example").public_base_url == (
        "https://x.example"
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"calendar": "caldav"}, "DG_CALDAV_URL"),
        ({"public_url": "ftp://distansguiden.region.se"}, "DG_PUBLIC_URL"),
        ({"booking": {"search_working_days": 0}}, "search_working_days"),
        ({"caldav": {"url": "https://k.se/", "timeout_seconds": 120}}, "timeout_seconds"),
    ],
)
def test_a_calendar_that_cannot_work_is_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**values)  # type: ignore[arg-type]
