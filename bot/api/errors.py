"""Every error the API returns has a stable code and a clear Swedish and English text.

One handler per kind of failure turns it into the documented body (``ErrorBody``): the domain's
refusals (``Refused``), the API's own (``ApiError``), bad input, unknown paths, and the database.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from bot.errors import ApiError, Refused

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """What every refusal looks like: a stable code to act on, and text to show a person."""

    code: str
    detail: str
    detail_en: str


# What each status means in this API, for the OpenAPI document.
ERROR_MEANINGS: dict[int, str] = {
    400: "The body is not valid JSON (UTF-8, not too deeply nested).",
    401: "Not signed in: no or an invalid SSO token, or (local mode) an unknown demo user.",
    403: "Signed in, but the user's role may not do this.",
    404: "No such thing, or the user may not see it.",
    409: "Conflicts with the current state (already decided, double booked, taken).",
    413: "The body is larger than the configured limit.",
    422: "A field is missing, unknown or invalid (ids are 1 to 2147483647), or the domain's "
    "rules refuse the values.",
    429: "Too many requests from this user in the current window; see Retry-After.",
    503: "The database, the FAQ index or the sign-in keys are unavailable, or the assistant is "
    "busy (then with Retry-After); nothing was changed.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for an operation or a router: these statuses carry an ``ErrorBody``."""
    return {
        status: {"model": ErrorBody, "description": ERROR_MEANINGS[status]} for status in statuses
    }


def error_body(code: str, detail: str, detail_en: str) -> dict[str, str]:
    return ErrorBody(code=code, detail=detail, detail_en=detail_en).model_dump()


def error_response(
    status: int, code: str, detail: str, detail_en: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, detail, detail_en), status_code=status, headers=headers)


def describe_validation_error(error: RequestValidationError) -> ApiError:
    """Turn pydantic's first complaint into a message a person can act on."""
    first = error.errors()[0] if error.errors() else {}
    kind = first.get("type", "")
    field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "body"
    limits = first.get("ctx") or {}
    if kind == "json_invalid":
        return ApiError(
            400,
            "invalid_json",
            "Förfrågan är inte giltig JSON.",
            "The request body is not valid JSON.",
        )
    if kind == "extra_forbidden":
        return ApiError(
            422, "unknown_field", f"Okänt fält: '{field}'.", f"Unknown field: '{field}'."
        )
    if kind == "missing":
        return ApiError(
            422, "missing_field", f"Fältet '{field}' saknas.", f"The field '{field}' is missing."
        )
    # pydantic refuses a lone surrogate itself where a field has a length limit, and
    # ``RequestBody`` does where it has none.
    if kind in ("invalid_text", "string_unicode"):
        return ApiError(
            422,
            "invalid_text",
            f"Fältet '{field}' innehåller tecken som inte är giltig text.",
            f"The field '{field}' contains characters that are not valid text.",
        )
    if kind == "date_out_of_range":
        return ApiError(
            422,
            "invalid_field",
            f"Fältet '{field}' måste vara ett datum mellan år 1900 och 2999.",
            f"The field '{field}' must be a date in the years 1900 to 2999.",
        )
    if kind == "string_too_short" and limits.get("min_length") == 1:
        return ApiError(
            422,
            "invalid_field",
            f"Fältet '{field}' får inte vara tomt.",
            f"The field '{field}' must not be empty.",
        )
    if kind == "string_too_long" and "max_length" in limits:
        return ApiError(
            422,
            "invalid_field",
            f"Fältet '{field}' får vara högst {limits['max_length']} tecken.",
            f"The field '{field}' must be at most {limits['max_length']} characters.",
        )
    if kind == "greater_than_equal" and "ge" in limits:
        return ApiError(
            422,
            "invalid_field",
            f"Fältet '{field}' måste vara minst {limits['ge']}.",
            f"The field '{field}' must be at least {limits['ge']}.",
        )
    if kind == "less_than_equal" and "le" in limits:
        return ApiError(
            422,
            "invalid_field",
            f"Fältet '{field}' får vara högst {limits['le']}.",
            f"The field '{field}' must be at most {limits['le']}.",
        )
    return ApiError(
        422,
        "invalid_field",
        f"Fältet '{field}' har ett ogiltigt värde.",
        f"The field '{field}' has an invalid value.",
    )


def describe_http_error(request: Request, error: HTTPException) -> ApiError:
    """Starlette's and FastAPI's own refusals (unknown path, wrong method, unreadable body)."""
    if error.status_code == 400:
        # FastAPI could not parse the body at all: invalid UTF-8, or JSON nested too deeply.
        return ApiError(
            400,
            "invalid_json",
            "Förfrågan är inte giltig JSON i UTF-8 (eller är för djupt nästlad).",
            "The request body is not valid JSON in UTF-8 (or is nested too deeply).",
        )
    if error.status_code == 404:
        return ApiError(404, "not_found", "Adressen finns inte.", "No such address.")
    if error.status_code == 405:
        return ApiError(
            405,
            "method_not_allowed",
            "Adressen finns, men inte för den här metoden.",
            "The address exists, but not for this method.",
            headers={"Allow": ", ".join(allowed_methods(request))},
        )
    return ApiError(
        error.status_code,
        f"http_{error.status_code}",
        "Förfrågan kunde inte behandlas.",
        "The request could not be handled.",
        headers=dict(error.headers or {}),
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path; Starlette's own Allow names only the first
    route's (GET of ``/api/risk-assessments``, not its POST)."""
    return [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return error_response(
            error.status_code, error.code, error.detail, error.detail_en, error.headers
        )

    @app.exception_handler(Refused)
    async def refused(_: Request, error: Refused) -> JSONResponse:
        return error_response(error.status, error.code, error.text, error.text_en)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        return await api_error(_, describe_validation_error(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return await api_error(request, describe_http_error(request, error))

    @app.exception_handler(IntegrityError)
    async def conflict(request: Request, error: IntegrityError) -> JSONResponse:
        # A unique key or a reference that changed under our feet (two requests at once): the
        # database kept its state, and the user can reload and try again.
        log.warning("Conflict on %s %s: %s", request.method, request.url.path, error.orig)
        return error_response(
            409,
            "conflict",
            "Ändringen krockar med en annan som gjordes samtidigt. Inget har ändrats. "
            "Ladda om och försök igen.",
            "The change conflicts with another made at the same time. Nothing was changed. "
            "Reload and try again.",
        )

    # Only an outage is a 503; any other database error is a defect and gets the 500 below.
    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeoutError)
    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        log.error("Database unavailable on %s %s: %s", request.method, request.url.path, error)
        return error_response(
            503,
            "database_unavailable",
            "Det gick inte att spara eller läsa just nu. Inget har ändrats. Försök igen.",
            "Could not save or read right now. Nothing was changed. Please try again.",
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("Unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            500,
            "internal_error",
            "Något gick fel hos oss. Försök igen om en stund.",
            "Something went wrong on our side. Please try again shortly.",
        )
