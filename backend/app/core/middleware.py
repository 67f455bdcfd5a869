"""HTTP middleware: request ids and request logs, security headers, body size limit, CORS, legacy-path
deprecation headers."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.error_handlers import internal_error_response
from app.core.logging import request_id_var

logger = logging.getLogger("app.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RequestContextMiddleware:
    """Accept or generate ``X-Request-ID``, return it, put it in every log line, log one line per request.

    It also answers what no exception handler did: the 500 goes out through it (so it carries the id) and the
    failure is logged inside the request's context (so the line names the request and its id).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        started_response = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status, started_response = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("%s %s failed with an unexpected error", scope["method"], scope["path"])
            if started_response:
                raise
            await internal_error_response()(scope, receive, send_with_id)
        finally:
            logger.info(
                "%s %s -> %s in %.1f ms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                extra={"status": status, "path": scope["path"], "method": scope["method"]},
            )
            request_id_var.reset(token)


SECURITY_HEADERS: dict[str, str] = {"X-Content-Type-Options": "nosniff"}
"""Sent on every response: browsers must not guess a content type other than the declared one."""


class SecurityHeadersMiddleware:
    """Adds ``SECURITY_HEADERS`` to every HTTP response that passes through the middleware stack."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [header for header in self._headers if header[0] not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Answer 413 ``payload_too_large`` for bodies over the limit, declared or streamed (chunked)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await _too_large(self.max_bytes)(scope, receive, send)


class _BodyTooLarge(HTTPException):
    """Raised by the body's reader once it passes the limit. An ``HTTPException``: FastAPI passes those
    on from its body reading (any other exception there becomes a 400), and the error handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=_too_large_detail(limit))


def _too_large_detail(limit: int) -> str:
    return f"The request body exceeds the {limit // (1024 * 1024)} MiB limit."


def _too_large(limit: int) -> Response:
    body = {"detail": _too_large_detail(limit), "code": "payload_too_large"}
    return Response(json.dumps(body), status_code=413, media_type="application/json")


class CorsMiddleware(CORSMiddleware):
    """Starlette's CORS with the contract's 204 preflight answer (no auth needed)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            return Response(status_code=204, headers=headers)
        return response


def cors_options(origins: Iterable[str]) -> dict[str, Any]:
    """The contract's CORS policy (http-api §1.2)."""
    return {
        "allow_origins": list(origins),
        "allow_methods": ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        "allow_headers": ["Authorization", "Content-Type", "Accept", "X-Request-ID"],
        "expose_headers": ["Deprecation", "Link", "Retry-After", "X-Request-ID"],
        "allow_credentials": False,
        "max_age": 600,
    }


class LegacyPathMiddleware:
    """Every response on a legacy path says it is deprecated and names its successor (http-api §1.9)."""

    def __init__(self, app: ASGIApp, successors: list[tuple[str, str]]) -> None:
        self.app = app
        self._rules = [(_template_regex(legacy), successor) for legacy, successor in successors]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        successor = self._successor(scope) if scope["type"] == "http" else None
        if successor is None:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"deprecation", b"true"),
                    (b"link", f'<{successor}>; rel="successor-version"'.encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _successor(self, scope: Scope) -> str | None:
        path = scope.get("raw_path", scope["path"].encode()).decode("latin-1").split("?", 1)[0]
        for regex, successor in self._rules:
            match = regex.match(path)
            if match:
                target = successor.format(**match.groupdict())
                query = scope.get("query_string", b"").decode("latin-1")
                return f"{target}?{query}" if query else target
        return None


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}/?$")


def _header(scope: Scope, name: bytes) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None
