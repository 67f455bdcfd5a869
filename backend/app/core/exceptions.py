"""The application's exceptions. Services raise these, never ``HTTPException``; one handler renders them as
``{"detail": str, "code": str}`` (DESIGN §3).

Outside systems fail in three ways that decide what a task does next:
- ``QuotaWait``: no quota slot yet, a 429 or a THROTTLED answer; the task is re-sent after ``wait_s`` without
  counting an attempt;
- ``RetryableError``: timeouts, 5xx, malformed 200 bodies; the task retries with backoff;
- ``NonRetryableError``: other 4xx, userErrors, bad data; the work fails with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class AppError(Exception):
    """Base class: a readable one-sentence message, an HTTP status and a snake_case code."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code
        self.headers = dict(headers or {})


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


class ValidationFailed(AppError):
    """422 with a readable detail and the per-field errors of the contract (§1.3)."""

    status_code = 422
    code = "validation_error"

    def __init__(self, message: str, *, errors: list[FieldError] | None = None, code: str | None = None):
        super().__init__(message, code=code)
        self.errors = list(errors or [])


class AuthenticationError(AppError):
    status_code = 401
    code = "invalid_token"

    def __init__(self, message: str, *, code: str = "invalid_token") -> None:
        super().__init__(message, code=code, headers={"WWW-Authenticate": "Bearer"})


class PermissionDenied(AppError):
    """The caller is authenticated, but its groups do not grant the role the request needs."""

    status_code = 403
    code = "insufficient_role"


class ServiceUnavailableError(AppError):
    """The database or Redis cannot be reached."""

    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, retry_after_s: int = 5) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after_s)})


class UpstreamError(AppError):
    """Base for failures of Boeing or Shopify; ``system`` is ``boeing`` or ``shopify``."""

    status_code = 502

    def __init__(self, message: str, *, system: str, code: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, code=code or f"{system}_error", **kwargs)
        self.system = system


class QuotaWait(UpstreamError):
    """No quota slot is free yet (or the upstream said 429/THROTTLED): wait ``wait_s`` and send again."""

    status_code = 429

    def __init__(self, message: str, *, system: str, wait_s: float) -> None:
        self.wait_s = max(0.0, float(wait_s))
        super().__init__(
            message,
            system=system,
            code=f"{system}_rate_limited",
            headers={"Retry-After": str(max(1, math.ceil(self.wait_s)))},
        )


class RetryableError(UpstreamError):
    """A transient failure (timeout, 5xx, malformed success body): worth another attempt."""

    def __init__(self, message: str, *, system: str, timeout: bool = False) -> None:
        code = f"{system}_timeout" if timeout else f"{system}_error"
        super().__init__(message, system=system, code=code, status_code=504 if timeout else 502)
        self.timeout = timeout


class NonRetryableError(UpstreamError):
    """A permanent failure (4xx, userErrors, bad data): another attempt would fail the same way."""

    def __init__(self, message: str, *, system: str, details: list[str] | None = None) -> None:
        super().__init__(message, system=system)
        self.details = list(details or [])


class DatabaseError(AppError):
    """An unexpected database failure that is not the caller's fault."""

    status_code = 500
    code = "internal_error"
