"""HR's list of deliveries given up after their last attempt (``bot.hr.deliveries``): Teams
notices, e-mail and calendar writes nobody has dealt with yet, and marking one handled.

HR only, like the rest of ``/api/hr``. Both HR roles read the list, as they read the agreements;
marking one handled closes it without changing any content, so, like closing a queue question,
it takes an HR admin, and it is audited.
"""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from bot.api.deps import limit_writes
from bot.api.errors import error_responses
from bot.api.hr import HrAdmin, _database, require_hr
from bot.api.inputs import FreeText, PathId, RequestBody
from bot.hr.deliveries import NOTE_LENGTH, GivenUpDelivery, Source, awaiting_hr, mark_handled
from bot.hr.labels import label

router = APIRouter(
    prefix="/api/hr/deliveries",
    tags=["hr"],
    dependencies=[Depends(require_hr), Depends(limit_writes)],
    responses=error_responses(401, 403, 422, 503),
)


class DeliveryOut(BaseModel):
    """A delivery given up after its last attempt, as HR reads it."""

    source: Source
    id: int
    channel: Literal["teams", "email", "calendar"]
    channel_label: str
    recipient: str
    recipient_name: str
    about: str
    text: str
    given_up_at: datetime
    attempts: int
    # Why, in Swedish; ``error``: the last error as stored (masked), for whoever fixes it.
    reason: str
    error: str | None
    # Where an HR admin marks it handled.
    handle: str

    @classmethod
    def of(cls, delivery: GivenUpDelivery) -> "DeliveryOut":
        return cls(
            source=delivery.source,
            id=delivery.id,
            channel=delivery.channel,
            channel_label=label("delivery_channels", delivery.channel),
            recipient=delivery.recipient,
            recipient_name=delivery.recipient_name,
            about=delivery.about,
            text=delivery.text,
            given_up_at=delivery.given_up_at,
            attempts=delivery.attempts,
            reason=delivery.reason,
            error=delivery.error,
            handle=f"/api/hr/deliveries/{delivery.source}/{delivery.id}/handled",
        )


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]
    # All that wait, of which ``deliveries`` are the newest.
    total: int


class Handling(RequestBody):
    # What HR did, e.g. "Ringt chefen"; kept in the audit record, masked.
    note: FreeText = Field(default="", max_length=NOTE_LENGTH)


class HandledOut(BaseModel):
    source: Source
    id: int
    handled_at: datetime
    handled_by: str


# Plain functions: FastAPI runs them in worker threads, off the event loop.
@router.get("")
def deliveries(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeliveryList:
    """Given-up deliveries nobody has marked handled, newest first (a Teams notice shown in
    the web chat since has reached its recipient and is left out)."""
    service = _database(request)
    with service.db.session() as session:
        listed, total = awaiting_hr(session, service.directory, limit)
    return DeliveryList(deliveries=[DeliveryOut.of(d) for d in listed], total=total)


def _handle(
    request: Request, user: HrAdmin, source: Source, item_id: int, body: Handling | None
) -> HandledOut:
    service = _database(request)
    handled = mark_handled(service.db, user, source, item_id, body.note if body else "")
    return HandledOut(
        source=handled.source,
        id=handled.id,
        handled_at=handled.handled_at,
        handled_by=handled.handled_by,
    )


# Two fixed paths rather than "/{source}/{id}/handled", so an unknown source is a plain 404.
@router.post("/teams/{item_id}/handled", responses=error_responses(400, 404, 409, 413, 429))
def handle_teams_notice(
    item_id: PathId, request: Request, user: HrAdmin, body: Handling | None = None
) -> HandledOut:
    """Marks a notice Teams was given up for as handled by the signed-in HR admin."""
    return _handle(request, user, "teams", item_id, body)


@router.post("/outbox/{item_id}/handled", responses=error_responses(400, 404, 409, 413, 429))
def handle_outbox_message(
    item_id: PathId, request: Request, user: HrAdmin, body: Handling | None = None
) -> HandledOut:
    """Marks a given-up e-mail or calendar write as handled by the signed-in HR admin."""
    return _handle(request, user, "outbox", item_id, body)
