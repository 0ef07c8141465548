"""``/api/risk-assessments``: book, move, cancel, invitation and outcome, with who may do what."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient
from icalendar import Calendar

from bot.risk_assessments.scheduling import WorkingHours, check_meeting_time
from tests.api.test_agreements import as_user, submit

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def working_day(offset: int, hour: int = 10) -> datetime:
    """The ``offset``-th working day from today (no weekend, public holiday or day treated as
    one, such as julafton), at ``hour``. Counting working days, not calendar days, keeps two
    tests' offsets on two days even around christmas, when skipping would land them together."""
    day = date.today()
    now = datetime.now(STOCKHOLM)
    counted = 0
    while counted < offset:
        day += timedelta(days=1)
        meeting = datetime.combine(day, time(10), STOCKHOLM)
        counted += not check_meeting_time(meeting, timedelta(minutes=45), now, WorkingHours())
    return datetime.combine(day, time(hour), STOCKHOLM)


def after_the_meeting(booked: dict[str, str]) -> Any:
    """The clock an hour after the booked dialogue ended: only a held dialogue is documented."""
    return time_machine.travel(datetime.fromisoformat(booked["end"]) + timedelta(hours=1))


def book(client: TestClient, start: datetime, user: str = "anna.andersson", **extra: object):  # type: ignore[no-untyped-def]
    body = {"employee": "anna.andersson", "start": start.isoformat(), **extra}
    return client.post("/api/risk-assessments", json=body, headers=as_user(user))


def test_booking_proposes_the_units_safety_representative(client: TestClient) -> None:
    response = book(client, working_day(20))
    assert response.status_code == 200, response.text
    booked = response.json()
    assert booked["manager"] == "maria.berg"
    assert booked["safety_representative"] == "sven.skog"
    assert booked["status"] == "booked"
    seen_by = {
        u: [a["id"] for a in client.get("/api/risk-assessments", headers=as_user(u)).json()]
        for u in ("anna.andersson", "maria.berg", "sven.skog", "johan.lind", "hanna.holm")
    }
    assert booked["id"] in seen_by["sven.skog"] and booked["id"] in seen_by["hanna.holm"]
    assert booked["id"] not in seen_by["johan.lind"]


def test_times_outside_working_hours_are_refused_with_a_suggestion(client: TestClient) -> None:
    response = book(client, working_day(21, hour=18))
    assert response.status_code == 422
    assert response.json()["code"] == "time_not_allowed"
    assert "Förslag" in response.json()["detail"]


def test_double_booking_the_same_people_is_refused(client: TestClient) -> None:
    start = working_day(22, hour=13)
    assert book(client, start).status_code == 200
    again = book(client, start + timedelta(minutes=15), user="maria.berg")
    assert again.status_code == 409
    assert again.json()["code"] == "double_booked"


def test_another_manager_cannot_book_for_someone_elses_employee(client: TestClient) -> None:
    assert book(client, working_day(23), user="johan.lind").status_code == 403


def test_reschedule_keeps_one_record_and_one_calendar_uid(client: TestClient) -> None:
    booked = book(client, working_day(24)).json()
    first = Calendar.from_ical(
        client.get(
            f"/api/risk-assessments/{booked['id']}.ics", headers=as_user("anna.andersson")
        ).content
    )
    moved_to = working_day(26, hour=14)
    moved = client.post(
        f"/api/risk-assessments/{booked['id']}/reschedule",
        json={"start": moved_to.isoformat()},
        headers=as_user("maria.berg"),
    )
    assert moved.status_code == 200
    assert moved.json()["id"] == booked["id"]
    second = Calendar.from_ical(
        client.get(
            f"/api/risk-assessments/{booked['id']}.ics", headers=as_user("sven.skog")
        ).content
    )
    (event_1,) = first.walk("VEVENT")
    (event_2,) = second.walk("VEVENT")
    assert str(event_1["UID"]) == str(event_2["UID"])
    assert int(event_2["SEQUENCE"]) == int(event_1["SEQUENCE"]) + 1
    assert event_2.decoded("DTSTART") == moved_to
    attendees = " ".join(str(a) for a in event_2.get("ATTENDEE"))
    assert "anna.andersson@example.org" in attendees and "sven.skog@example.org" in attendees


def test_cancelled_dialogue_gives_a_cancelling_invitation(client: TestClient) -> None:
    booked = book(client, working_day(27)).json()
    assert (
        client.post(
            f"/api/risk-assessments/{booked['id']}/cancel", headers=as_user("anna.andersson")
        ).json()["status"]
        == "cancelled"
    )
    calendar = Calendar.from_ical(
        client.get(
            f"/api/risk-assessments/{booked['id']}.ics", headers=as_user("maria.berg")
        ).content
    )
    assert str(calendar["METHOD"]) == "CANCEL"


def test_documenting_the_outcome_unlocks_the_agreement(client: TestClient) -> None:
    agreement = submit(client, "with-assessment")
    booked = book(client, working_day(28), agreement_id=agreement).json()
    url = f"/api/agreements/{agreement}/decision"
    assert (
        client.post(url, json={"decision": "approve"}, headers=as_user("maria.berg")).status_code
        == 409
    )
    held_on = date.fromisoformat(booked["start"][:10])
    outcome = {
        "risks": "Bildskärmen är för låg.",
        "actions": [
            {"action": "Låna ut bildskärm", "owner": "maria.berg", "due": held_on.isoformat()}
        ],
        "follow_up_on": (held_on + timedelta(days=300)).isoformat(),
    }
    with after_the_meeting(booked):
        by_employee = client.post(
            f"/api/risk-assessments/{booked['id']}/outcome",
            json=outcome,
            headers=as_user("anna.andersson"),
        )
        documented = client.post(
            f"/api/risk-assessments/{booked['id']}/outcome",
            json=outcome,
            headers=as_user("maria.berg"),
        )
    assert by_employee.status_code == 403
    assert documented.status_code == 200
    assert documented.json()["status"] == "documented"
    assert (
        client.post(url, json={"decision": "approve"}, headers=as_user("maria.berg")).json()[
            "status"
        ]
        == "approved"
    )


@pytest.mark.parametrize("days_after", [400, -1])
def test_follow_up_must_be_within_a_year(client: TestClient, days_after: int) -> None:
    booked = book(client, working_day(30 + days_after % 7)).json()
    held_on = date.fromisoformat(booked["start"][:10])
    outcome = {"risks": "Inga.", "follow_up_on": (held_on + timedelta(days=days_after)).isoformat()}
    with after_the_meeting(booked):
        response = client.post(
            f"/api/risk-assessments/{booked['id']}/outcome",
            json=outcome,
            headers=as_user("maria.berg"),
        )
    assert response.status_code == 422
    assert response.json()["code"] == "follow_up_too_late"


def test_naive_times_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/risk-assessments",
        headers=as_user("anna.andersson"),
        json={"employee": "anna.andersson", "start": "2027-01-12T10:00:00"},
    )
    assert response.status_code == 422


def test_a_busy_time_entered_by_the_safety_representative_blocks_booking(
    client: TestClient,
) -> None:
    start = working_day(40, hour=9)
    busy = client.post(
        "/api/risk-assessments/busy-times",
        json={"start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat()},
        headers=as_user("sven.skog"),
    )
    assert busy.status_code == 201, busy.text
    mine = client.get("/api/risk-assessments/busy-times", headers=as_user("sven.skog")).json()
    assert busy.json()["id"] in [b["id"] for b in mine]
    refused = book(client, start + timedelta(hours=1))
    assert refused.status_code == 409
    assert "Första lediga tid" in refused.json()["detail"]
    assert book(client, start + timedelta(hours=3)).status_code == 200


def test_a_busy_time_that_ends_before_it_starts_is_refused(client: TestClient) -> None:
    start = working_day(41)
    response = client.post(
        "/api/risk-assessments/busy-times",
        json={"start": start.isoformat(), "end": (start - timedelta(hours=1)).isoformat()},
        headers=as_user("sven.skog"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_busy_time"
