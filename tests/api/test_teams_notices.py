"""Notices sent to Teams back off one by one (#19): a failing notice waits 30 s, then a minute
…, while newer ones go out; a 429 is retried after the connector's Retry-After and ends the
round; after the last attempt Teams is given up, logged, counted, and the web chat shows it."""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from fastapi.testclient import TestClient
from multidict import CIMultiDict, CIMultiDictProxy
from sqlalchemy import select, update

from bot.channels.teams_proactive import retry_after_seconds
from bot.main import create_app
from bot.notifications import TEAMS_MAX_ATTEMPTS, given_up_in_teams
from bot.storage.models import Notification
from tests.api.test_teams import BOT_ID, Teams, stack, teams, teams_settings
from tests.conftest import CharTrigramEncoder, FakeRasa

__all__ = ["stack", "teams"]  # the Teams stand-ins' fixtures, shared with test_teams.py


def add_notices(teams: Teams, *texts: str) -> list[int]:
    """Anna, reachable in Teams, has these notices waiting and no others."""
    teams.post(teams.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]))
    teams.connector.received.clear()
    with teams.db.session() as session:
        session.execute(
            update(Notification)
            .where(Notification.delivered_at.is_(None))
            .values(delivered_at=datetime.now(UTC))
        )
        notices = [Notification(recipient_id="anna.andersson", text=text) for text in texts]
        session.add_all(notices)
        session.flush()
        return [notice.id for notice in notices]


def state(teams: Teams, notice_id: int) -> dict[str, Any]:
    with teams.db.session() as session:
        row = session.get(Notification, notice_id)
        return {
            "attempts": row.teams_attempts,
            "next": row.teams_next_attempt_at,
            "error": row.teams_last_error,
            "given_up": row.teams_given_up_at,
            "delivered": row.delivered_at,
        }


def due_now(teams: Teams, notice_id: int) -> None:
    """As if its wait were over."""
    with teams.db.session() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == notice_id)
            .values(teams_next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def seconds_until(when: datetime | None, since: datetime) -> float:
    assert when is not None
    return (when - since).total_seconds()


def sent_texts(teams: Teams) -> list[str]:
    return [m["body"]["text"] for m in teams.connector.messages()]


def test_a_failing_notice_waits_its_own_backoff_while_newer_ones_go_out(teams: Teams) -> None:
    (failing,) = add_notices(teams, "Din överenskommelse löper ut om 60 dagar.")
    teams.connector.status = 502
    started = datetime.now(UTC)
    assert teams.deliver_notifications() == 0
    first = state(teams, failing)
    assert first["attempts"] == 1 and first["delivered"] is None
    assert 29 <= seconds_until(first["next"], started) <= 35
    assert "502" in first["error"]
    # Not due yet: the next round leaves it alone.
    assert teams.deliver_notifications() == 0
    assert len(teams.connector.messages()) == 1

    teams.connector.status = 200
    with teams.db.session() as session:
        newer = Notification(recipient_id="anna.andersson", text="Mötet är flyttat.")
        session.add(newer)
    assert teams.deliver_notifications() == 1
    assert sent_texts(teams)[-1] == "Mötet är flyttat."
    assert state(teams, failing)["delivered"] is None

    due_now(teams, failing)
    teams.connector.status = 502
    started = datetime.now(UTC)
    assert teams.deliver_notifications() == 0
    second = state(teams, failing)
    assert second["attempts"] == 2
    assert 59 <= seconds_until(second["next"], started) <= 65

    due_now(teams, failing)
    teams.connector.status = 200
    assert teams.deliver_notifications() == 1
    assert sent_texts(teams)[-1] == "Din överenskommelse löper ut om 60 dagar."
    assert state(teams, failing)["delivered"] is not None


def test_a_429_is_tried_again_after_retry_after_and_nothing_more_is_sent_until_then(
    teams: Teams, rasa: FakeRasa, tmp_path: Path
) -> None:
    # An app of its own: the pause after a 429 must not reach the module's other tests.
    app = create_app(teams_settings(tmp_path, rasa.url), CharTrigramEncoder())
    with TestClient(app, raise_server_exceptions=False) as client:
        own = teams.through(client)
        throttled, untried = add_notices(own, "Första påminnelsen", "Andra påminnelsen")
        teams.connector.status = 429
        teams.connector.retry_after = "120"
        started = datetime.now(UTC)
        assert own.deliver_notifications() == 0
        assert sent_texts(own) == ["Första påminnelsen"]
        first = state(own, throttled)
        assert first["attempts"] == 1
        assert 119 <= seconds_until(first["next"], started) <= 125
        # The other was handed back untried: no attempt counted, due as soon as Teams allows.
        assert state(own, untried) == {
            "attempts": 0,
            "next": None,
            "error": None,
            "given_up": None,
            "delivered": None,
        }
        teams.connector.status = 200
        assert own.deliver_notifications() == 0
        assert len(own.connector.messages()) == 1


def test_after_the_last_attempt_teams_is_given_up_logged_counted_and_the_web_chat_shows_it(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    (notice,) = add_notices(teams, "Din riskbedömning behöver dokumenteras.")
    with teams.db.session() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == notice)
            .values(teams_attempts=TEAMS_MAX_ATTEMPTS - 1)
        )
    teams.connector.status = 503
    started = datetime.now(UTC)
    with caplog.at_level(logging.ERROR, logger="bot.channels.teams_proactive"):
        assert teams.deliver_notifications() == 0
    assert f"given up in Teams after {TEAMS_MAX_ATTEMPTS} attempts" in caplog.text
    given_up = state(teams, notice)
    assert given_up["given_up"] is not None and given_up["next"] is None
    assert given_up_in_teams(teams.db, started - timedelta(seconds=1)) == 1

    teams.connector.status = 200
    assert teams.deliver_notifications() == 0
    assert len(teams.connector.messages()) == 1
    shown = teams.client.get("/api/notifications", headers={"X-Demo-User": "anna.andersson"})
    assert shown.status_code == 200
    assert [n["text"] for n in shown.json()] == ["Din riskbedömning behöver dokumenteras."]
    with teams.db.session() as session:
        assert session.scalars(
            select(Notification.delivered_at).where(Notification.id == notice)
        ).one()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("Thu, 04 Dec 2026 10:02:00 GMT", 120.0), ("soon", None), (None, None)],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(
    header: str | None, seconds: float | None
) -> None:
    headers = CIMultiDictProxy(CIMultiDict({"Retry-After": header} if header else {}))
    error = aiohttp.ClientResponseError(None, (), status=429, headers=headers)  # type: ignore[arg-type]
    assert retry_after_seconds(error, datetime(2026, 12, 4, 10, 0, tzinfo=UTC)) == seconds
