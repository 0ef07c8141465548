"""The Rasa action endpoint, hosted in the app so actions share its loaded FAQ index.

Only Rasa may call it: every call carries the shared token from endpoints.yml.
"""

import logging
import secrets
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)
from sqlalchemy.exc import SQLAlchemyError

from actions.in_english import conversation_language, in_users_language
from bot.api.deps import SettingsDep
from bot.storage.database import answer_within

log = logging.getLogger(__name__)

STORAGE_UNAVAILABLE_TEXT = (
    "Jag kommer inte åt ärendena just nu, så inget har sparats eller ändrats. Försök igen om "
    "en stund."
)
STORAGE_UNAVAILABLE_TEXT_EN = (
    "I cannot reach the records right now, so nothing was saved or changed. Please try again "
    "shortly."
)
# An action's database work gives up at this share of Rasa's turn timeout (DG_RASA_TIMEOUT_SECONDS),
# and at least after MIN_DATABASE_SECONDS: a hanging database is then said in the turn, instead
# of the turn running out into limited mode. The rest is Rasa's own work and the reply.
DATABASE_SHARE_OF_TURN = 0.5
MIN_DATABASE_SECONDS = 1.0
router = APIRouter(prefix="/internal/rasa", include_in_schema=False)


@router.post("/webhook")
async def run_action(request: Request, settings: SettingsDep, token: str = "") -> JSONResponse:
    expected = settings.action_token.get_secret_value().encode()
    if not secrets.compare_digest(token.encode(), expected):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    try:
        action_call: dict[str, Any] = await request.json()
    except ValueError:
        return JSONResponse({"error": "invalid body"}, status_code=400)
    executor: ActionExecutor = request.app.state.action_executor
    budget = max(MIN_DATABASE_SECONDS, settings.rasa_timeout_seconds * DATABASE_SHARE_OF_TURN)
    try:
        # The actions call the services synchronously; their database work runs in a worker
        # thread (with its own event loop) so a slow database never stalls other users.
        result = await anyio.to_thread.run_sync(partial(run_within, budget, executor, action_call))
    except SQLAlchemyError as error:
        # No events: nothing of this turn is kept, in the database or in the conversation.
        log.error("Database unavailable during %s: %s", action_call.get("next_action"), error)
        english = conversation_language(action_call.get("tracker") or {}) == "en"
        text = STORAGE_UNAVAILABLE_TEXT_EN if english else STORAGE_UNAVAILABLE_TEXT
        return JSONResponse({"events": [], "responses": [{"text": text}]})
    except ActionExecutionRejection as error:
        return JSONResponse(
            {"error": error.message, "action_name": error.action_name}, status_code=400
        )
    except ActionNotFoundException as error:
        log.error("Rasa asked for an unknown action: %s", error.action_name)
        return JSONResponse(
            {"error": error.message, "action_name": error.action_name}, status_code=404
        )
    except ActionMissingDomainException as error:
        # Rasa resends the call with its domain on 449.
        return JSONResponse(
            {"error": error.message, "action_name": error.action_name}, status_code=449
        )
    response = in_users_language(action_call, result.model_dump()) if result else None
    request.app.state.rest_points.observe(action_call, response)
    return JSONResponse(response)


def run_within(seconds: float, executor: ActionExecutor, action_call: dict[str, Any]) -> Any:
    """The action, on an event loop of this worker thread, its database work under a deadline."""
    with answer_within(seconds):
        return anyio.run(executor.run, action_call)
