"""Health of the app and of each part it depends on.

- ``GET /health/live``: the process answers (a supervisor restarts it when this fails).
- ``GET /health/ready``: it can serve users, i.e. the FAQ index is loaded. Rasa or the database
  being down does not make it unready: FAQ answers still work, so a load balancer keeps sending.
- ``GET /health``: every part; 200 only when Rasa and the FAQ index are both ready (the launcher
  waits for this at start). It also counts the deliveries given up in the last
  ``GIVEN_UP_WINDOW`` (``deliveries``, ``given_up``), for a monitor to alert on; they never
  change ``status``: users are served all the same.
"""

from datetime import timedelta
from typing import Literal

import anyio
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from bot.hr.deliveries import GivenUpCounts, count_given_up
from bot.storage.models import utc_now

router = APIRouter(tags=["health"])

# A hanging database must not hang the health check with it.
DATABASE_CHECK_SECONDS = 3.0
# A give-up counts this long: an alert clears by itself a day after the last one, so an old
# failure does not keep a monitor red; HR's page keeps each one until it is marked handled.
GIVEN_UP_WINDOW = timedelta(hours=24)


class GivenUp(BaseModel):
    """Deliveries given up after their last attempt (about six hours of trying), counts only.
    By channel, those given up in the last ``hours``; ``awaiting_hr``: given up at any time and
    not yet marked handled on HR's page (nor, for a Teams notice, shown in the web chat since)."""

    hours: int
    teams_notices: int
    emails: int
    calendar_writes: int
    awaiting_hr: int

    @classmethod
    def of(cls, counts: GivenUpCounts) -> "GivenUp":
        return cls(
            hours=int(GIVEN_UP_WINDOW.total_seconds() // 3600),
            teams_notices=counts.teams_notices,
            emails=counts.emails,
            calendar_writes=counts.calendar_writes,
            awaiting_hr=counts.awaiting_hr,
        )


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    rasa: Literal["ready", "unavailable"]
    faq_index: Literal["ready", "loading"]
    # "migrating": reachable at start-up was not possible, the app keeps trying.
    database: Literal["ready", "migrating", "unavailable"]
    faq_entries: int
    faq_problems: int
    # The region's calendar system: "local" when none is configured (DG_CALENDAR=local);
    # "paused" after a failure, while bookings use the local store alone (bot/calendars/guard.py).
    # Not part of "status": bookings go on without it.
    calendar: Literal["local", "ready", "paused"] = "local"
    # "given_up": a Teams notice, e-mail or calendar write was given up in the last 24 hours
    # (what a monitor alerts on); "unknown" while the database does not answer. Not part of
    # "status" either.
    deliveries: Literal["ok", "given_up", "unknown"] = "unknown"
    given_up: GivenUp | None = None


class Liveness(BaseModel):
    status: Literal["alive"]


class Readiness(BaseModel):
    status: Literal["ready", "loading"]


@router.get(
    "/health",
    responses={503: {"model": Health, "description": "Rasa or the FAQ index is not ready."}},
)
async def health(request: Request, response: Response) -> Health:
    state = request.app.state
    faq_ready = getattr(state, "faq", None) is not None
    rasa_ready = await state.rasa.is_ready()
    database = await database_state(request)
    given_up = await given_up_counts(request) if database == "ready" else None
    body = Health(
        status="ok" if faq_ready and rasa_ready else "unavailable",
        rasa="ready" if rasa_ready else "unavailable",
        faq_index="ready" if faq_ready else "loading",
        database=database,
        faq_entries=len(state.faq.answerer.index.entries) if faq_ready else 0,
        faq_problems=len(state.faq.problems) if faq_ready else 0,
        calendar=calendar_state(request),
        deliveries="unknown" if given_up is None else "given_up" if given_up.total else "ok",
        given_up=GivenUp.of(given_up) if given_up is not None else None,
    )
    response.status_code = 200 if body.status == "ok" else 503
    return body


# The probes are for the platform (README, "Faults and recovery"), not part of the API.
@router.get("/health/live", include_in_schema=False)
async def live() -> Liveness:
    return Liveness(status="alive")


@router.get("/health/ready", include_in_schema=False)
async def ready(request: Request, response: Response) -> Readiness:
    loaded = getattr(request.app.state, "faq", None) is not None
    response.status_code = 200 if loaded else 503
    return Readiness(status="ready" if loaded else "loading")


async def database_state(request: Request) -> Literal["ready", "migrating", "unavailable"]:
    storage = getattr(request.app.state, "storage", None)
    if storage is None:
        return "unavailable"
    if not storage.migrated:
        return "migrating"
    with anyio.move_on_after(DATABASE_CHECK_SECONDS):
        if await anyio.to_thread.run_sync(storage.database.is_reachable, abandon_on_cancel=True):
            return "ready"
    return "unavailable"


async def given_up_counts(request: Request) -> GivenUpCounts | None:
    """The deliveries given up in the window; None when the database does not answer in time."""
    database = request.app.state.storage.database
    since = utc_now() - GIVEN_UP_WINDOW
    with anyio.move_on_after(DATABASE_CHECK_SECONDS):
        try:
            return await anyio.to_thread.run_sync(
                count_given_up, database, since, abandon_on_cancel=True
            )
        except SQLAlchemyError:
            return None
    return None


def calendar_state(request: Request) -> Literal["local", "ready", "paused"]:
    calendar = getattr(request.app.state, "calendar", None)
    if calendar is None:
        return "local"
    return "paused" if calendar.paused else "ready"
