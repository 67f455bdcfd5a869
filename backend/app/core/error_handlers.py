"""One rendering for every error: ``{"detail": str, "code": str}`` (+ ``errors`` on 422), http-api §1.3.

An exception no handler answers is caught by ``RequestContextMiddleware``, inside the request's context, so
its 500 carries ``X-Request-ID`` and its log line names the request (``internal_error_response``).
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.exceptions import AppError, FieldError, ValidationFailed

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: ("bad_request", "The request is malformed."),
    401: ("missing_token", "Authentication is required."),
    404: ("not_found", "No such resource."),
    405: ("method_not_allowed", "This method is not allowed on this path."),
    413: ("payload_too_large", "The request body is too large."),
}


def error_body(detail: str, code: str, errors: list[FieldError] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors is not None:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return body


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "part_numbers", 3)`` -> ``part_numbers[3]``; ``("query", "limit")`` -> ``limit``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        source, parts = parts[0], parts[1:]
        if not parts:
            return str(source)
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "body"


def internal_error_response() -> JSONResponse:
    """The 500 of an unexpected failure: a generic sentence; the cause goes to the log."""
    return JSONResponse(error_body("An internal error occurred.", "internal_error"), 500)


def _invalid_json_response() -> JSONResponse:
    errors = [FieldError("body", "The body is not valid JSON.")]
    return JSONResponse(error_body("The request body is not valid JSON.", "validation_error", errors), 422)


def _allowed_methods(request: Request) -> str | None:
    """Every method the OpenAPI document lists for this path (FastAPI's 405 names only the methods of the one
    route it tried, and a path's methods are spread over several), or None for a path it does not list."""
    path = request.url.path
    methods = {
        method.upper()
        for template, operations in request.app.openapi()["paths"].items()
        if _template_regex(template).fullmatch(path)
        for method in operations
    }
    return ", ".join(sorted(methods)) or None


@functools.cache
def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)))


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors: list[FieldError] = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            errors.append(FieldError("body", "The body is not valid JSON."))
            continue
        message = str(err.get("msg", "is invalid"))
        message = message.removeprefix("Value error, ")
        errors.append(FieldError(field_path(err.get("loc", ())), message))
    return errors or [FieldError("body", "The request is invalid.")]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        errors = exc.errors if isinstance(exc, ValidationFailed) else None
        if isinstance(exc, ValidationFailed) and not errors:
            errors = [FieldError("body", exc.message)]
        if exc.status_code >= 500:
            logger.error(
                "%s %s failed: %s (%s)",
                request.method,
                request.url.path,
                exc.message,
                exc.code,
                exc_info=exc.__cause__ or exc,
            )
        return JSONResponse(error_body(exc.message, exc.code, errors), exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        first = errors[0]
        detail = (
            "The request body is not valid JSON."
            if first.field == "body" and "JSON" in first.message
            else f"Invalid request: {first.field}: {first.message}."
        )
        return JSONResponse(error_body(detail.replace("..", "."), "validation_error", errors), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:
            # FastAPI could not read the body as JSON (not UTF-8, numbers past Python's digit limit, nested
            # too deep): to the contract that is invalid JSON like any other, a 422 naming the body.
            return _invalid_json_response()
        code, default = _HTTP_CODES.get(exc.status_code, ("error", "The request failed."))
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in (404, 405) else default
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return JSONResponse(error_body(detail, code), exc.status_code, headers=headers or None)
