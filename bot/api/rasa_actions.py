"""The Rasa action endpoint, hosted in the app so actions share its loaded FAQ index.

Only Rasa may call it: every call carries the shared token from endpoints.yml.
"""

import logging
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from bot.api.deps import SettingsDep

log = logging.getLogger(__name__)
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
    try:
        result = await executor.run(action_call)
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
    return JSONResponse(result.model_dump() if result else None)
