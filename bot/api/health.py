"""Health of the app and of each part it depends on.

- ``GET /health/live``: the process answers (a supervisor restarts it when this fails).
- ``GET /health/ready``: it can serve users, i.e. the FAQ index is loaded. Rasa or the database
  being down does not make it unready: FAQ answers still work, so a load balancer keeps sending.
- ``GET /health``: every part; 200 only when Rasa and the FAQ index are both ready (the launcher
  waits for this at start).
"""

from typing import Literal

import anyio
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

router = APIRouter(tags=["health"])

# A hanging database must not hang the health check with it.
DATABASE_CHECK_SECONDS = 3.0


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
    body = Health(
        status="ok" if faq_ready and rasa_ready else "unavailable",
        rasa="ready" if rasa_ready else "unavailable",
        faq_index="ready" if faq_ready else "loading",
        database=await database_state(request),
        faq_entries=len(state.faq.answerer.index.entries) if faq_ready else 0,
        faq_problems=len(state.faq.problems) if faq_ready else 0,
        calendar=calendar_state(request),
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


def calendar_state(request: Request) -> Literal["local", "ready", "paused"]:
    calendar = getattr(request.app.state, "calendar", None)
    if calendar is None:
        return "local"
    return "paused" if calendar.paused else "ready"
