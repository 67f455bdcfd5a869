"""Boeing Part Price & Availability API: OAuth, part-access token and the price call (boeing-pna.md §1-5).

Transport only: tokens are cached per process (shared by every thread, refreshed by one thread at a time)
until shortly before they expire; a 401 drops both tokens and re-authenticates once. Errors are translated by
status and ``Retry-After`` only: 429 -> ``QuotaWait`` (waited out, never an attempt: DESIGN §3 wins over
the contract's "retryable"); 5xx, timeouts, connection errors and malformed 200 bodies -> ``RetryableError``;
other 4xx -> ``NonRetryableError``. No retry loops: tasks own retries.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.core.config import BoeingSettings
from app.core.exceptions import NonRetryableError, QuotaWait, RetryableError

logger = logging.getLogger(__name__)

TOKEN_EXPIRY_SKEW_S = 60.0
DEFAULT_PART_TOKEN_TTL_S = 1800.0
DEFAULT_RETRY_AFTER_S = 5.0
LOGGED_BODY_CHARS = 500


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    expires_at: float


class _AuthExpired(Exception):
    """A 401 on an authenticated call: drop the tokens and authenticate again (once)."""


class BoeingClient:
    """The three Boeing calls with cached tokens; safe to share between threads."""

    def __init__(
        self,
        settings: BoeingSettings,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (settings.client_id and settings.client_secret and settings.username and settings.password):
            raise ValueError("Boeing credentials (client id/secret, username/password) are not configured")
        self._settings = settings
        self._clock = clock
        self._http = http or httpx.Client(
            timeout=httpx.Timeout(settings.timeout_price_s, connect=settings.timeout_connect_s),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )
        self._owns_http = http is None
        self._lock = threading.Lock()
        self._access: _Token | None = None
        self._part: _Token | None = None
        self._secrets = [
            s for s in (settings.client_secret, settings.password, settings.client_id, settings.username) if s
        ]

    @property
    def batch_size(self) -> int:
        """Most part numbers one price call may carry (``BOEING_BATCH_SIZE``)."""
        return self._settings.batch_size

    def close(self) -> None:
        """Close the HTTP connections this client opened."""
        if self._owns_http:
            self._http.close()

    # --- public calls ---------------------------------------------------------------------------------------
    def ensure_tokens(self) -> None:
        """Obtain the access and part-access tokens now unless valid ones are cached."""
        self._tokens()

    def price_availability(self, part_numbers: Sequence[str]) -> dict[str, Any]:
        """Price and availability of 1..``BOEING_BATCH_SIZE`` part numbers: Boeing's JSON body as received."""
        codes = list(dict.fromkeys(code.strip().upper() for code in part_numbers if code and code.strip()))
        if not codes or len(codes) > self._settings.batch_size:
            raise NonRetryableError(
                f"A Boeing price call takes 1 to {self._settings.batch_size} part numbers, not {len(codes)}.",
                system="boeing",
            )
        body = {"showNoStock": True, "showLocation": True, "productCodes": codes}
        for attempt in (1, 2):
            access, part = self._tokens()
            try:
                response = self._send(
                    "POST",
                    self._settings.price_url,
                    "price call",
                    timeout=self._settings.timeout_price_s,
                    json=body,
                    headers={"Authorization": f"Bearer {access}", "x-boeing-parts-authorization": part},
                )
                self._raise_for_status(response, "price call", auth_retry=attempt == 1)
            except _AuthExpired:
                self._drop_tokens()
                continue
            return self._price_body(response)
        raise NonRetryableError(
            "Boeing rejected freshly issued tokens (401 twice); check the Boeing credentials.",
            system="boeing",
        )

    # --- tokens ---------------------------------------------------------------------------------------------
    def _tokens(self) -> tuple[str, str]:
        now = self._clock()
        access, part = self._access, self._part
        if access and part and access.expires_at > now and part.expires_at > now:
            return access.value, part.value
        with self._lock:  # single flight: one thread refreshes, the others reuse its tokens
            now = self._clock()
            if self._access is None or self._access.expires_at <= now:
                self._access = self._fetch_access_token()
                self._part = None
            if self._part is None or self._part.expires_at <= now:
                try:
                    self._part = self._fetch_part_token(self._access.value)
                except _AuthExpired:
                    self._access = self._fetch_access_token()
                    try:
                        self._part = self._fetch_part_token(self._access.value)
                    except _AuthExpired:
                        raise NonRetryableError(
                            "Boeing refused a fresh access token for the part-access token call.",
                            system="boeing",
                        ) from None
            return self._access.value, self._part.value

    def _drop_tokens(self) -> None:
        with self._lock:
            self._access = None
            self._part = None

    def _fetch_access_token(self) -> _Token:
        settings = self._settings
        response = self._send(
            "POST",
            settings.token_url,
            "OAuth token call",
            timeout=settings.timeout_token_s,
            data={
                "grant_type": "client_credentials",
                "client_id": settings.client_id,
                "client_secret": settings.client_secret,
                "scope": settings.scope,
            },
        )
        self._raise_for_status(response, "OAuth token call", auth_retry=False)
        body = self._json_object(response, "OAuth token call")
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise RetryableError("Boeing's OAuth answer carried no access_token.", system="boeing")
        return _Token(token, self._expiry(body.get("expires_in"), default_s=3600.0))

    def _fetch_part_token(self, access: str) -> _Token:
        settings = self._settings
        response = self._send(
            "GET",
            settings.part_token_url,
            "part-access token call",
            timeout=settings.timeout_token_s,
            headers={
                "Authorization": f"Bearer {access}",
                "x-username": settings.username or "",
                "x-password": settings.password or "",
                "Content-Type": "application/json",
            },
        )
        self._raise_for_status(response, "part-access token call", auth_retry=_is_token_error(response))
        token = response.headers.get("x-part-access-token")
        body: dict[str, Any] = {}
        try:
            parsed = response.json()
            body = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            pass
        token = token or body.get("x-part-access-token") or body.get("access_token")
        if not isinstance(token, str) or not token:
            raise RetryableError("Boeing's part-access token answer carried no token.", system="boeing")
        return _Token(token, self._expiry(body.get("expires_in"), default_s=DEFAULT_PART_TOKEN_TTL_S))

    def _expiry(self, expires_in: object, *, default_s: float) -> float:
        try:
            lifetime = float(expires_in)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            lifetime = default_s
        # Refresh shortly before expiry; very short lifetimes (tests) keep at least half of their span.
        skew = min(TOKEN_EXPIRY_SKEW_S, lifetime / 2)
        return self._clock() + max(0.0, lifetime - skew)

    # --- transport and error translation --------------------------------------------------------------------
    def _send(self, method: str, url: str, what: str, *, timeout: float, **kwargs: Any) -> httpx.Response:
        request_timeout = httpx.Timeout(timeout, connect=self._settings.timeout_connect_s)
        try:
            return self._http.request(method, url, timeout=request_timeout, **kwargs)
        except httpx.TimeoutException as exc:
            raise RetryableError(f"Boeing {what} timed out.", system="boeing", timeout=True) from exc
        except httpx.TransportError as exc:
            raise RetryableError(
                f"Boeing {what} failed to connect or was cut off ({type(exc).__name__}).", system="boeing"
            ) from exc

    def _raise_for_status(self, response: httpx.Response, what: str, *, auth_retry: bool) -> None:
        status = response.status_code
        if status < 400:
            return
        self._log_failure(response, what)
        if status == 401 and auth_retry:
            raise _AuthExpired()
        if status == 429:
            wait = _retry_after(response) or DEFAULT_RETRY_AFTER_S
            raise QuotaWait(f"Boeing answered 429 to the {what}.", system="boeing", wait_s=wait)
        if status >= 500:
            raise RetryableError(f"Boeing answered {status} to the {what}.", system="boeing")
        if status == 401:
            raise NonRetryableError(
                f"Boeing refused our credentials on the {what} (401); check the Boeing settings.",
                system="boeing",
            )
        raise NonRetryableError(f"Boeing rejected the {what} with {status}.", system="boeing")

    def _price_body(self, response: httpx.Response) -> dict[str, Any]:
        body = self._json_object(response, "price call")
        items = body.get("lineItems")
        if items is not None and not isinstance(items, list):
            raise RetryableError("Boeing's price answer has a lineItems that is not a list.", system="boeing")
        return body

    def _json_object(self, response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            body = json.loads(response.content)
        except ValueError:
            self._log_failure(response, what)
            raise RetryableError(
                f"Boeing's answer to the {what} is not valid JSON.", system="boeing"
            ) from None
        if not isinstance(body, dict):
            self._log_failure(response, what)
            raise RetryableError(f"Boeing's answer to the {what} is not a JSON object.", system="boeing")
        return body

    def _log_failure(self, response: httpx.Response, what: str) -> None:
        text = response.text[:LOGGED_BODY_CHARS]
        for secret in [*self._secrets, *(t.value for t in (self._access, self._part) if t is not None)]:
            text = text.replace(secret, "[redacted]")
        logger.warning("Boeing %s answered %s: %s", what, response.status_code, text)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _is_token_error(response: httpx.Response) -> bool:
    """A 401 from the part-token call caused by the bearer token (not by the user's credentials)."""
    if response.status_code != 401:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == "invalid_token"
