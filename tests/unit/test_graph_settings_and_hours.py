"""Microsoft Graph as the calendar: its settings (DG_GRAPH_*, the secret kept out of logs, a
configuration that cannot work refused at start-up, nothing asked of the network until a
booking needs it), Exchange's working hours shown at the region's time whatever the mailbox's
time zone, and the directory's working hours where no calendar states any."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.calendars.configured import configured_calendar
from bot.calendars.graph_calendar import GRAPH_SCOPE, GraphCalendar, weekly_hours
from bot.calendars.guard import GuardedCalendar
from bot.identity import Directory, User, demo_directory
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import GraphSettings, Settings
from bot.storage.database import Database

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEEK = ["monday", "tuesday", "wednesday", "thursday", "friday"]
# Tuesday 24 November 2026 (winter time) and Tuesday 16 June 2026 (summer time).
WINTER = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
SUMMER = datetime(2026, 6, 16, 9, 0, tzinfo=STOCKHOLM)
GRAPH = {
    "tenant_id": "5d1c7e2a-9b4f-4c61-8a3e-2f7b6c9d0e15",
    "client_id": "3f8a2b1c-6d4e-4f7a-9c2b-1e5d8a7f6b40",
    "client_secret": "hemligt",
}


def test_graph_is_read_from_the_environment_and_asks_nothing_until_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "DG_CALENDAR": "graph",
        "DG_GRAPH_TENANT_ID": GRAPH["tenant_id"],
        "DG_GRAPH_CLIENT_ID": GRAPH["client_id"],
        "DG_GRAPH_CLIENT_SECRET": "hemligt-värde",
        "DG_GRAPH_ONLINE_MEETINGS": "false",
        "DG_GRAPH_TIMEOUT_SECONDS": "4",
        "DG_GRAPH_PAUSE_SECONDS": "60",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.calendar == "graph"
    assert settings.graph.base_url == "https://graph.microsoft.com/v1.0"
    assert settings.graph.authority == "https://login.microsoftonline.com"
    assert not settings.graph.online_meetings and settings.graph.timeout_seconds == 4
    assert "hemligt-värde" not in repr(settings)
    calendar = configured_calendar(settings)
    assert isinstance(calendar, GuardedCalendar) and calendar.name == "graph"
    assert calendar.sends_invitations and not calendar.online_meetings
    assert calendar.timeout == 4 and calendar.pause == 60
    assert isinstance(calendar.inner, GraphCalendar) and calendar.inner.scope == GRAPH_SCOPE
    calendar.close()


def test_a_national_cloud_gets_a_token_for_its_own_graph() -> None:
    us = GraphCalendar(
        GraphSettings(
            **GRAPH,  # type: ignore[arg-type]
            base_url="https://graph.microsoft.us/v1.0",
            authority="https://login.microsoftonline.us",
        )
    )
    assert us.scope == "https://graph.microsoft.us/.default"
    us.close()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"calendar": "graph"}, "DG_GRAPH_TENANT_ID"),
        ({"calendar": "graph", "graph": {**GRAPH, "tenant_id": "common"}}, "own tenant"),
        ({"calendar": "graph", "graph": {**GRAPH, "client_secret": None}}, "CLIENT_SECRET"),
        ({"graph": {"base_url": "http://graph.microsoft.com/v1.0"}}, "https only"),
        ({"graph": {"authority": "http://login.microsoftonline.com"}}, "https only"),
        ({"graph": {"timeout_seconds": 0}}, "timeout_seconds"),
        ({"graph": {"ca_file": "/nonexistent/proxy-ca.pem"}}, "DG_GRAPH_CA_FILE"),
        (
            {"mode": "production", "graph": {**GRAPH, "client_secret": "change-me"}},
            "DG_GRAPH_CLIENT_SECRET must be a real secret",
        ),
    ],
)
def test_a_graph_configuration_that_cannot_work_is_refused(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**values)  # type: ignore[arg-type]


def working(days: list[str], start: str, end: str, zone: dict[str, object]) -> dict[str, object]:
    return {
        "daysOfWeek": days,
        "startTime": f"{start}:00.0000000",
        "endTime": f"{end}:00.0000000",
        "timeZone": zone,
    }


@pytest.mark.parametrize(
    ("zone", "around", "expected"),
    [
        # Stockholm's own Windows zone: the same clock.
        ({"name": "W. Europe Standard Time"}, WINTER, (time(8), time(17))),
        # London is an hour behind, winter and summer alike.
        ({"name": "GMT Standard Time"}, WINTER, (time(9), time(18))),
        ({"name": "GMT Standard Time"}, SUMMER, (time(9), time(18))),
        # UTC: an hour behind in winter, two in summer.
        ({"name": "UTC"}, WINTER, (time(9), time(18))),
        ({"name": "UTC"}, SUMMER, (time(10), time(19))),
        # An IANA name, as some mailboxes state it.
        ({"name": "Europe/Helsinki"}, WINTER, (time(7), time(16))),
        # A custom zone by its bias (minutes west of UTC): -120 is UTC+2.
        (
            {
                "@odata.type": "#microsoft.graph.customTimeZone",
                "bias": -120,
                "name": "Customized Time Zone",
            },
            WINTER,
            (time(7), time(16)),
        ),
    ],
)
def test_exchange_working_hours_are_shown_at_the_regions_time(
    zone: dict[str, object], around: datetime, expected: tuple[time, time]
) -> None:
    weekly = weekly_hours(working(WEEK, "08:00", "17:00", zone), around)
    assert weekly is not None
    assert sorted(weekly) == [0, 1, 2, 3, 4], "Saturday and Sunday are days off"
    assert all(list(weekly[day]) == [expected] for day in weekly)


def test_hours_that_run_past_midnight_here_continue_the_next_morning() -> None:
    # 08-17 in Seattle is 17:00 to 02:00 in Stockholm in November.
    weekly = weekly_hours(
        working(["monday"], "08:00", "17:00", {"name": "Pacific Standard Time"}), WINTER
    )
    assert weekly == {0: [(time(17), time.max)], 1: [(time(0), time(2))]}


def test_no_days_or_no_hours_leave_the_regions_hours() -> None:
    assert weekly_hours(None, WINTER) is None
    assert weekly_hours(working([], "08:00", "17:00", {"name": "UTC"}), WINTER) is None


def test_the_directorys_working_hours_keep_offers_within_them_without_a_calendar(
    db: Database,
) -> None:
    users = [
        user.model_copy(
            update={"working_hours": {"monday": "13:00-16:00", "thursday": "08:00-12:00"}}
        )
        if user.id == "anna.andersson"
        else user
        for user in demo_directory().all()
    ]
    directory = Directory(users)
    anna = directory.get("anna.andersson")
    assert anna is not None
    service = RiskAssessmentService(db, directory, now=lambda: WINTER)

    offer = service.offer(anna, None)

    assert offer.calendars_checked is None
    # Only Thursday mornings and Monday afternoons: 26 November, 30 November, 3 December.
    assert offer.starts == [
        datetime(2026, 11, 26, 8, tzinfo=STOCKHOLM),
        datetime(2026, 11, 30, 13, tzinfo=STOCKHOLM),
        datetime(2026, 12, 3, 8, tzinfo=STOCKHOLM),
    ]
    friday = service.check_time(
        datetime(2026, 11, 27, 10, tzinfo=STOCKHOLM), timedelta(minutes=45), anna, None
    )
    assert friday is not None and friday.code == "outside_working_hours"
    assert "utanför arbetstiden för Anna Andersson" in friday.text


def test_unreadable_working_hours_in_the_directory_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"working_hours\.monday"):
        User(id="x", name="X", role="employee", unit="U", working_hours={"monday": "8 till 16"})
    with pytest.raises(ValidationError, match=r"working_hours\.friday"):
        User(id="x", name="X", role="employee", unit="U", working_hours={"friday": "16:00-08:00"})
