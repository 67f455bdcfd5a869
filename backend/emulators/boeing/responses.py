"""Response builders for the emulated API: the contract's error bodies (§5) and the special fault answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

CYCLE_SCOPE_KEY = "emulator.cycle"
_HTML_ERROR = (
    "<!DOCTYPE html><html><head><title>{status} {reason}</title></head>"
    "<body><h1>{status} {reason}</h1><p>The upstream service did not answer in time.</p></body></html>"
)
_HTML_OK = (
    "<!DOCTYPE html><html><head><title>Service notice</title></head>"
    "<body><h1>Temporarily unavailable</h1><p>Please try again later.</p></body></html>"
)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """Compact JSON response."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    return Response(payload, status_code=status, media_type="application/json", headers=headers)


def invalid_token(reason: str) -> Response:
    """401 for a missing, unknown or expired access token."""
    return json_response(
        401,
        {"error": "invalid_token", "error_description": f"access token {reason}"},
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def invalid_part_token(reason: str) -> Response:
    """401 for a missing, unknown, expired or foreign part-access token."""
    return json_response(
        401, {"error": "invalid_part_token", "error_description": f"part access token {reason}"}
    )


def bad_request(message: str) -> Response:
    """400 for an invalid price-call body."""
    return json_response(400, {"error": "bad_request", "message": message})


def oauth_error(status: int, error: str, description: str) -> Response:
    """Azure-AD-style OAuth error."""
    return json_response(status, {"error": error, "error_description": description})


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def rate_limited(retry_after_s: int, requests: int, window_s: float) -> Response:
    """429 with ``Retry-After`` in whole seconds."""
    return json_response(
        429,
        {
            "error": "rate_limited",
            "message": f"quota {requests} per {_number_text(window_s)} s exceeded",
            "retryAfterSeconds": retry_after_s,
        },
        {"Retry-After": str(retry_after_s)},
    )


def server_error(status: int, retry_after_s: int | None = None) -> Response:
    """An injected 5xx: JSON for 500/503, an HTML gateway page for 502/504, as real gateways mix both."""
    headers = {"Retry-After": str(retry_after_s)} if retry_after_s is not None else None
    if status in (502, 504):
        reason = "Bad Gateway" if status == 502 else "Gateway Timeout"
        page = _HTML_ERROR.format(status=status, reason=reason)
        return Response(page, status_code=status, media_type="text/html", headers=headers)
    message = "service unavailable" if status == 503 else "internal server error"
    return json_response(status, {"error": "server_error", "message": message}, headers)


def html_page() -> Response:
    """A 200 that carries an HTML page instead of JSON."""
    return Response(_HTML_OK, status_code=200, media_type="text/html")


def empty_body() -> Response:
    """A 200 JSON answer with no body at all."""
    return Response(b"", status_code=200, media_type="application/json")


def truncated(resp: Response) -> Response:
    """The same answer cut in half: a 200 whose JSON no parser accepts."""
    body = bytes(resp.body)
    cut = body[: max(1, len(body) // 2)]
    headers = {k: v for k, v in resp.headers.items() if k.lower() not in ("content-length", "content-type")}
    return Response(cut, status_code=resp.status_code, media_type=resp.media_type, headers=headers)


class DropConnection(Response):
    """Closes the TCP connection without answering (the ``drop_connection`` fault)."""

    def __init__(self) -> None:
        super().__init__(b"", status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cycle = scope.get(CYCLE_SCOPE_KEY)
        transport = getattr(cycle, "transport", None)
        if transport is None:
            # No socket (in-process ASGI): announce a body and stop short, which clients also see as a break.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"currency":', "more_body": False})
            return
        transport.close()
        # Let the server notice the closed connection before we return, so it does not write a 500 into it.
        for _ in range(50):
            if getattr(cycle, "disconnected", True):
                break
            await asyncio.sleep(0)
