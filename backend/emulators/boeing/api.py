"""The emulated Boeing PNA surface: OAuth token, part-access token, price & availability, and images.

Every call runs auth → quota → fault → normal handling (contract §7.6), then sleeps the configured latency
(asyncio, so one slow call never holds up another) and is counted in the stats and request log.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.responses import Response

from . import responses as r
from .faults import DEFAULT_SLOW_DELAY_S, DEFAULT_TIMEOUT_HOLD_S, ActiveRule
from .images import part_image
from .parts import digest, u32
from .quota import Decision
from .state import EmulatorState
from .stats import CallRecord

OAUTH_TOKEN_PATH = "/oauth2/v2.0/token"
PART_TOKEN_PATH = "/boeing-part-price-availability/token/v1/oauth"
PRICE_PATH = "/boeing-part-price-availability/price-availability/v1/wtoken"
MAX_CODES = 10
# Base latency per endpoint in milliseconds (contract §7.7); price adds PRICE_MS_PER_CODE per code.
BASE_LATENCY_MS = {"oauth_token": 80.0, "part_token": 80.0, "price": 250.0, "image": 20.0}
PRICE_MS_PER_CODE = 30.0

router = APIRouter()


def emulator(request: Request) -> EmulatorState:
    """The state of the app serving this request."""
    state: EmulatorState = request.app.state.emulator
    return state


@dataclass(slots=True)
class Call:
    """One emulated API call in flight."""

    state: EmulatorState
    request: Request
    endpoint: str
    client_id: str | None = None
    codes: Sequence[str] = ()
    started: float = field(default_factory=time.perf_counter)
    fault: str | None = None
    throttled: bool = False
    line_items: int | None = None

    def base_url(self) -> str:
        """Where image URLs point: the configured public URL, else the URL this request came in on."""
        return self.state.config.public_base_url or str(self.request.base_url).rstrip("/")


def _latency_s(call: Call) -> float:
    scale = call.state.config.latency_scale
    if scale <= 0:
        return 0.0
    base = BASE_LATENCY_MS[call.endpoint]
    if call.endpoint == "price":
        base += PRICE_MS_PER_CODE * len(call.codes)
    # Jitter of ±25% drawn from the seed and the per-endpoint call number: same sequence, same delays.
    n = call.state.next_call_number(call.endpoint)
    jitter = 0.75 + 0.5 * u32(digest(call.state.config.seed, n, f"latency|{call.endpoint}"), 0) / 2**32
    return base * jitter * scale / 1000


async def _finish(call: Call, resp: Response, *, latency: bool = True) -> Response:
    if latency:
        delay = _latency_s(call)
        if delay > 0:
            await asyncio.sleep(delay)
    call.state.stats.record(
        CallRecord(
            time=call.state.now(),
            client_id=call.client_id,
            endpoint=call.endpoint,
            codes=tuple(call.codes),
            status=None if isinstance(resp, r.DropConnection) else resp.status_code,
            latency_ms=(time.perf_counter() - call.started) * 1000,
            fault=call.fault,
            throttled=call.throttled,
            line_items=call.line_items,
        )
    )
    return resp


async def _hold(call: Call, seconds: float) -> None:
    # Hold the connection like a hung upstream, but stop early once the client has given up.
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(0.05, left))
        if await call.request.is_disconnected():
            return


async def _apply_fault(call: Call, active: ActiveRule, normal: Callable[[], Response]) -> Response:
    rule = active.rule
    call.fault = rule.kind
    kind = rule.kind
    if kind == "timeout":
        await _hold(call, DEFAULT_TIMEOUT_HOLD_S if rule.delay_s is None else rule.delay_s)
        return await _finish(call, r.server_error(504), latency=False)
    if kind == "slow":
        await asyncio.sleep(DEFAULT_SLOW_DELAY_S if rule.delay_s is None else rule.delay_s)
        return await _finish(call, normal())
    if kind == "http_401":
        return await _finish(call, r.invalid_token("revoked"))
    if kind == "http_429":
        retry = 1 if rule.retry_after_s is None else rule.retry_after_s
        policy = call.state.quota.policy(call.client_id or "")
        return await _finish(call, r.rate_limited(retry, policy.requests, policy.window_s))
    if kind.startswith("http_5"):
        return await _finish(call, r.server_error(int(kind[5:]), rule.retry_after_s))
    if kind == "malformed_json":
        return await _finish(call, r.truncated(normal()))
    if kind == "html_body":
        return await _finish(call, r.html_page())
    if kind == "empty_body":
        return await _finish(call, r.empty_body())
    return await _finish(call, r.DropConnection(), latency=False)


async def _run(call: Call, normal: Callable[[], Response]) -> Response:
    """Quota, then faults, then the normal answer (auth has already passed)."""
    state = call.state
    decision: Decision | None = None
    if call.client_id is not None:
        decision = state.quota.try_admit(call.client_id, call.endpoint, state.now())
        if decision is not None and not decision.admitted:
            call.throttled = True
            policy = state.quota.policy(call.client_id)
            return await _finish(
                call, r.rate_limited(decision.retry_after_s, policy.requests, policy.window_s)
            )
    active = state.faults.select(call.endpoint, call.client_id, call.codes)
    if active is not None:
        return await _apply_fault(call, active, normal)
    resp = normal()
    if decision is not None:
        resp.headers["X-Emulator-Quota-Remaining"] = str(decision.remaining)
    return await _finish(call, resp)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


# --- call 1: OAuth client-credentials token -----------------------------------------------------------------


@router.post(OAUTH_TOKEN_PATH)
async def oauth_token(request: Request) -> Response:
    """Issue an access token for valid client credentials and scope."""
    state = emulator(request)
    call = Call(state, request, "oauth_token")
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    client_id, secret = form.get("client_id", ""), form.get("client_secret")
    call.client_id = client_id or None
    config = state.config
    if form.get("grant_type") != "client_credentials":
        return await _finish(
            call, r.oauth_error(400, "invalid_request", "grant_type must be client_credentials")
        )
    if not client_id:
        return await _finish(call, r.oauth_error(400, "invalid_request", "client_id is required"))
    if not config.accept_any_credentials and (secret is None or config.clients.get(client_id) != secret):
        return await _finish(call, r.oauth_error(401, "invalid_client", "client authentication failed"))
    if form.get("scope") != config.scope:
        return await _finish(call, r.oauth_error(400, "invalid_scope", "the requested scope is not valid"))

    def normal() -> Response:
        ttl = state.config.access_token_ttl_s
        token = state.tokens.issue("access", client_id, ttl, state.now())
        state.stats.token_issued("access")
        # Like Azure AD, report a second less than the real lifetime.
        body = {"token_type": "Bearer", "expires_in": max(1, int(ttl) - 1), "access_token": token}
        return r.json_response(200, body)

    return await _run(call, normal)


# --- call 2: part-access token ------------------------------------------------------------------------------


@router.get(PART_TOKEN_PATH)
async def part_token(request: Request) -> Response:
    """Issue a part-access token (bound to the caller's client id) for valid user credentials."""
    state = emulator(request)
    call = Call(state, request, "part_token")
    access, reason = state.tokens.check("access", _bearer(request), state.now())
    if access is None:
        return await _finish(call, r.invalid_token(reason))
    call.client_id = access.client_id
    config = state.config
    user, password = request.headers.get("x-username"), request.headers.get("x-password")
    if not config.accept_any_credentials and (user is None or config.users.get(user) != password):
        body = {"error": "invalid_user_credentials", "error_description": "username or password is incorrect"}
        return await _finish(call, r.json_response(401, body))

    def normal() -> Response:
        ttl = state.config.part_token_ttl_s
        token = state.tokens.issue("part", access.client_id, ttl, state.now())
        state.stats.token_issued("part")
        body = {"x-part-access-token": token, "expires_in": max(1, int(ttl))}
        return r.json_response(200, body, {"x-part-access-token": token})

    return await _run(call, normal)


# --- call 3: price & availability ---------------------------------------------------------------------------


def _parse_price_body(raw: bytes) -> tuple[Any, list[str]]:
    """The decoded body (or None) and the normalised, de-duplicated codes it names (for fault matching)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None, []
    codes: dict[str, None] = {}  # insertion-ordered set
    listed = body.get("productCodes") if isinstance(body, dict) else None
    if isinstance(listed, list):
        for item in listed:
            if isinstance(item, str) and (code := item.strip().upper()):
                codes[code] = None
    return body, list(codes)


def _price_body_error(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "body must be a JSON object"
    listed = body.get("productCodes")
    if not isinstance(listed, list) or not all(isinstance(c, str) for c in listed):
        return "productCodes must be an array of strings"
    if not 1 <= len(listed) <= MAX_CODES:
        return f"productCodes must contain 1..{MAX_CODES} items"
    for flag in ("showNoStock", "showLocation"):
        if flag in body and not isinstance(body[flag], bool):
            return f"{flag} must be a boolean"
    return None


@router.post(PRICE_PATH)
async def price_availability(request: Request) -> Response:
    """Price and availability for 1..10 part numbers."""
    state = emulator(request)
    call = Call(state, request, "price")
    now = state.now()
    access, reason = state.tokens.check("access", _bearer(request), now)
    if access is None:
        return await _finish(call, r.invalid_token(reason))
    call.client_id = access.client_id
    part, reason = state.tokens.check("part", request.headers.get("x-boeing-parts-authorization"), now)
    if part is None:
        return await _finish(call, r.invalid_part_token(reason))
    if part.client_id != access.client_id:
        return await _finish(call, r.invalid_part_token("belongs to another client"))
    body, codes = _parse_price_body(await request.body())
    call.codes = codes

    def normal() -> Response:
        error = _price_body_error(body)
        if error is not None:
            return r.bad_request(error)
        items = state.line_items(
            codes,
            show_no_stock=body.get("showNoStock", True),
            show_location=body.get("showLocation", True),
            base_url=call.base_url(),
        )
        call.line_items = len(items)
        return r.json_response(200, {"currency": "USD", "lineItems": items})

    return await _run(call, normal)


# --- images -------------------------------------------------------------------------------------------------


async def _image(request: Request, filename: str, thumbnail: bool) -> Response:
    state = emulator(request)
    code = filename[:-4].strip().upper() if filename.lower().endswith(".png") else ""
    call = Call(state, request, "image", codes=(code,) if code else ())

    def normal() -> Response:
        if not code or not state.image_available(code):
            return r.json_response(404, {"error": "not_found", "message": "no image for this part"})
        return Response(part_image(code, thumbnail), media_type="image/png")

    return await _run(call, normal)


@router.get("/media/products/{filename}")
async def product_image(request: Request, filename: str) -> Response:
    """64x64 product image; 404 for unknown codes and broken-image parts."""
    return await _image(request, filename, thumbnail=False)


@router.get("/media/thumbnails/{filename}")
async def thumbnail_image(request: Request, filename: str) -> Response:
    """16x16 thumbnail; 404 for unknown codes and broken-image parts."""
    return await _image(request, filename, thumbnail=True)
