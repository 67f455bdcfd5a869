"""The error bodies every route may answer (http-api §1.3), as models for the OpenAPI schema.

``core/error_handlers.py`` renders them; these models only describe them, and the route tests check that
real answers validate against them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ErrorResponse", "FieldErrorEntry", "ValidationErrorResponse"]


class ErrorResponse(BaseModel):
    """Every non-2xx body except ``/health``'s 503: one readable sentence and a snake_case code."""

    model_config = ConfigDict(extra="forbid")

    detail: str
    code: str


class FieldErrorEntry(BaseModel):
    """One invalid input: a parameter name, a body JSON path (``part_numbers[3]``) or ``body``."""

    model_config = ConfigDict(extra="forbid")

    field: str
    message: str


class ValidationErrorResponse(ErrorResponse):
    """A 422: the error body plus each invalid field."""

    errors: list[FieldErrorEntry]
