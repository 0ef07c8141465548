"""Every error the API returns has a stable code and a clear Swedish and English text."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import ApiError

log = logging.getLogger(__name__)


def error_body(code: str, detail: str, detail_en: str) -> dict[str, str]:
    return {"code": code, "detail": detail, "detail_en": detail_en}


def describe_validation_error(error: RequestValidationError) -> ApiError:
    """Turn pydantic's first complaint into a message a person can act on."""
    first = error.errors()[0] if error.errors() else {}
    kind = first.get("type", "")
    field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "body"
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
    return ApiError(
        422,
        "invalid_field",
        f"Fältet '{field}' har ett ogiltigt värde.",
        f"The field '{field}' has an invalid value.",
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(error.code, error.detail, error.detail_en),
            status_code=error.status_code,
            headers=error.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        described = describe_validation_error(error)
        return JSONResponse(
            error_body(described.code, described.detail, described.detail_en),
            status_code=described.status_code,
        )

    @app.exception_handler(SQLAlchemyError)
    async def database_error(request: Request, error: SQLAlchemyError) -> JSONResponse:
        log.error("Database error on %s %s: %s", request.method, request.url.path, error)
        return JSONResponse(
            error_body(
                "database_unavailable",
                "Det gick inte att spara eller läsa just nu. Inget har ändrats. Försök igen.",
                "Could not save or read right now. Nothing was changed. Please try again.",
            ),
            status_code=503,
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("Unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body(
                "internal_error",
                "Något gick fel hos oss. Försök igen om en stund.",
                "Something went wrong on our side. Please try again shortly.",
            ),
            status_code=500,
        )
