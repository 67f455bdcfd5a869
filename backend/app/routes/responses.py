"""Answers several routes share: the error answers a route declares in OpenAPI (http-api §1.3), built
from status codes, and the bulk endpoints' accepted answer (http-api §1.8).

Every declared error has the app's real body: ``{detail, code}``, and on 422 also ``errors``. A route lists
the statuses its contract row names; ``UPSTREAM`` is the contract's Up(boeing)/Up(shopify) shorthand. A route
with parameters declares 422 even if its parameters cannot fail, so OpenAPI never falls back to FastAPI's
default 422 body, which this app never sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response, status
from pydantic import BaseModel

from app.schemas.batches import BulkAccepted
from app.schemas.errors import ErrorResponse, ValidationErrorResponse

UPSTREAM = (429, 502, 504)
"""Up(boeing) / Up(shopify): the upstream's quota is spent, it failed, or it timed out."""

_RETRY_AFTER = {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}

_ERRORS: dict[int, tuple[type[BaseModel], str, dict[str, Any]]] = {
    401: (
        ErrorResponse,
        "No valid access token: `missing_token`, `invalid_token`, `token_expired` or `token_revoked`.",
        {"WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}},
    ),
    403: (
        ErrorResponse,
        "The access token's groups do not grant the role this route needs: `insufficient_role`; `detail` "
        "names the Cognito groups that would.",
        {},
    ),
    404: (ErrorResponse, "The resource does not exist; `code` names which one.", {}),
    409: (ErrorResponse, "The resource's state forbids this request; `code` says why.", {}),
    413: (ErrorResponse, "The request body is over the size limit: `payload_too_large`.", {}),
    422: (
        ValidationErrorResponse,
        "The request is invalid (`validation_error`; part-number input also `no_part_numbers` or "
        "`too_many_part_numbers`); `errors` names each invalid field.",
        {},
    ),
    429: (
        ErrorResponse,
        "No upstream quota slot opened in time: `boeing_rate_limited` or `shopify_rate_limited`.",
        {"Retry-After": _RETRY_AFTER},
    ),
    502: (ErrorResponse, "The upstream system failed: `boeing_error` or `shopify_error`.", {}),
    504: (ErrorResponse, "The upstream system timed out: `boeing_timeout` or `shopify_timeout`.", {}),
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries of ``statuses``, each with its body model, description and headers."""
    declared: dict[int | str, dict[str, Any]] = {}
    for code in statuses:
        model, description, headers = _ERRORS[code]
        declared[code] = {"model": model, "description": description}
        if headers:
            declared[code]["headers"] = headers
    return declared


IDEMPOTENT_REPEAT: dict[int | str, dict[str, Any]] = {
    200: {"model": BulkAccepted, "description": "A repeated idempotency key: the original batch."}
}
"""The 200 a bulk endpoint answers besides its 202."""


def bulk_accepted(accepted: BulkAccepted, response: Response) -> BulkAccepted:
    """The bulk answer: 202 for a new batch (the route's status), 200 for a repeated idempotency key."""
    if not accepted.created:
        response.status_code = status.HTTP_200_OK
    return accepted
