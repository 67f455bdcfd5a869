"""The control API under ``/_emulator/`` (contract §7.8): JSON, no auth, for tests and benchmarks only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from .api import emulator
from .faults import FaultRule
from .parts import Kind
from .quota import QuotaPolicy
from .state import EmulatorState

router = APIRouter(prefix="/_emulator")
# Kinds whose shape only shows while the part has stock; samples skip parts in an out-of-stock drift epoch.
_STOCK_SHAPED_KINDS = frozenset({"normal", "unpriced", "net_only", "non_us_only", "no_locations"})


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResetBody(_Body):
    """``POST /_emulator/reset``."""

    seed: int | None = Field(default=None, ge=0, le=2**63)
    catalog_size: int | None = Field(default=None, ge=1_000, le=500_000)


class QuotaBody(_Body):
    """``PUT /_emulator/quota``."""

    requests: int = Field(ge=1, le=10**9)
    window_s: float = Field(gt=0, le=86_400)
    scope: Literal["price", "all"] = "price"
    client_id: str | None = Field(default=None, min_length=1)


class ForceBody(_Body):
    """``POST /_emulator/drift/force``; prices as decimal strings or numbers with at most two decimals."""

    code: str = Field(min_length=1)
    listPrice: str | int | float | None = None
    netPrice: str | int | float | None = None
    quantity: int | None = Field(default=None, ge=0)
    locations: dict[str, int] | None = None
    inStock: bool | None = None
    bump: bool = False
    absent: bool | None = None

    @field_validator("listPrice", "netPrice")
    @classmethod
    def _price(cls, value: str | float | None) -> str | None:
        if value is None:
            return None
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("must be a decimal amount such as 31.20") from None
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError("must be a non-negative amount with at most two decimals")
        return str(amount)

    @field_validator("locations")
    @classmethod
    def _locations(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is not None and any(q < 0 for q in value.values()):
            raise ValueError("location quantities must be >= 0")
        if value is not None and any(not name.strip() for name in value):
            raise ValueError("location names must not be empty")
        return value

    def changes(self) -> dict[str, Any]:
        """The override fields in the state's units (cents)."""
        return {
            "list_cents": _cents(self.listPrice),
            "net_cents": _cents(self.netPrice),
            "quantity": self.quantity,
            "locations": self.locations,
            "in_stock": self.inStock,
            "absent": self.absent,
            "bump": self.bump,
        }


def _cents(amount: str | float | None) -> int | None:
    return None if amount is None else int(Decimal(str(amount)) * 100)


class FreezeBody(_Body):
    """``POST /_emulator/drift/freeze``."""

    frozen: bool


class AdvanceBody(_Body):
    """``POST /_emulator/clock/advance``; the clock only moves forward."""

    seconds: float = Field(ge=0, le=10 * 365 * 86_400)


class ClockSetBody(_Body):
    """``PUT /_emulator/clock``: the instant the virtual clock shows now (with its UTC offset)."""

    now: AwareDatetime


class ExpireBody(_Body):
    """``POST /_emulator/tokens/expire``."""

    client_id: str | None = None
    kind: Literal["access", "part", "both"] = "both"


def _state(request: Request) -> EmulatorState:
    return emulator(request)


def _readable(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


@router.post("/reset")
async def reset(request: Request, body: ResetBody | None = None) -> dict[str, Any]:
    """Rebuild the catalogue (new seed/size if given) and clear all runtime state."""
    state = _state(request)
    body = body or ResetBody()
    state.reset(seed=body.seed, catalog_size=body.catalog_size)
    return {"status": "reset", "seed": state.config.seed, "catalog_size": state.config.catalog_size}


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    """Every live setting."""
    return _state(request).config.model_dump()


@router.patch("/config")
async def patch_config(request: Request, changes: dict[str, Any]) -> dict[str, Any]:
    """Change live settings; catalogue keys rebuild the catalogue, quota keys reset every client's quota."""
    state = _state(request)
    try:
        return state.patch_config(changes).model_dump()
    except ValidationError as exc:
        raise HTTPException(422, detail=_readable(exc)) from None


@router.get("/quota")
async def get_quota(request: Request) -> dict[str, Any]:
    """Quota policies and current window usage."""
    state = _state(request)
    return state.quota.describe(state.now())


@router.put("/quota")
async def put_quota(request: Request, body: QuotaBody) -> dict[str, Any]:
    """Set the quota for all clients, or for one ``client_id``."""
    state = _state(request)
    state.set_quota(QuotaPolicy(body.requests, body.window_s, body.scope), body.client_id)
    return state.quota.describe(state.now())


@router.post("/faults")
async def add_fault(request: Request, rule: FaultRule) -> dict[str, str]:
    """Add a fault rule."""
    return {"id": _state(request).faults.add(rule)}


@router.get("/faults")
async def list_faults(request: Request) -> dict[str, Any]:
    """All fault rules with how often each fired."""
    return {"faults": _state(request).faults.describe()}


@router.delete("/faults")
async def clear_faults(request: Request) -> dict[str, int]:
    """Remove every fault rule."""
    return {"deleted": _state(request).faults.clear()}


@router.delete("/faults/{rule_id}")
async def delete_fault(request: Request, rule_id: str) -> dict[str, int]:
    """Remove one fault rule."""
    if not _state(request).faults.remove(rule_id):
        raise HTTPException(404, detail=f"no fault rule {rule_id!r}")
    return {"deleted": 1}


@router.post("/drift/force")
async def force(request: Request, body: ForceBody) -> dict[str, Any]:
    """Override, bump or hide one code (a base code applies to each of its variants)."""
    state = _state(request)
    changes = body.changes()
    if not body.bump and all(v is None for k, v in changes.items() if k != "bump"):
        raise HTTPException(
            422, detail="give at least one of listPrice, netPrice, quantity, locations, inStock, bump, absent"
        )
    records = state.resolve(body.code)
    if not records:
        raise HTTPException(404, detail=f"unknown part code {body.code!r}")
    state.force(records, changes)
    return {"codes": [rec.code for rec in records], **_truth(state, body.code, _base_url(state, request))}


@router.post("/drift/freeze")
async def freeze(request: Request, body: FreezeBody) -> dict[str, Any]:
    """Stop or resume time-based drift."""
    state = _state(request)
    window = state.freeze(body.frozen)
    return {"frozen": state.frozen_window is not None, "window": window}


@router.post("/clock/advance")
async def advance(request: Request, body: AdvanceBody) -> dict[str, Any]:
    """Move the virtual clock forward (tokens, quota windows and drift all follow it)."""
    state = _state(request)
    state.clock.advance(body.seconds)
    return {"offset_s": state.clock.offset, "now": state.now(), "window": state.window()}


@router.put("/clock")
async def set_clock(request: Request, body: ClockSetBody) -> dict[str, Any]:
    """Set the virtual clock to an instant, forward or back; it runs on from there. Tests use it right after
    a reset to run at a fixed date and time of day."""
    state = _state(request)
    state.clock.set(body.now.timestamp())
    return {"offset_s": state.clock.offset, "now": state.now(), "window": state.window()}


@router.post("/tokens/expire")
async def expire_tokens(request: Request, body: ExpireBody | None = None) -> dict[str, int]:
    """Expire live tokens now, for one client or all."""
    state = _state(request)
    body = body or ExpireBody()
    kinds = ("access", "part") if body.kind == "both" else (body.kind,)
    return {"expired": state.tokens.expire(kinds, body.client_id, state.now())}


def _base_url(state: EmulatorState, request: Request) -> str:
    # Same default as the price call: image URLs point at the address this request came in on.
    return state.config.public_base_url or str(request.base_url).rstrip("/")


def _truth(state: EmulatorState, code: str, base_url: str) -> dict[str, Any]:
    records = state.resolve(code)
    absent = [rec.code for rec in records if (o := state.overrides.get(rec.code)) is not None and o.absent]
    base = state.catalog.index[records[0].base] if records else None
    items = state.line_items(
        [rec.code for rec in records], show_no_stock=True, show_location=True, base_url=base_url
    )
    return {
        "kinds": state.catalog.base_class(base).kinds() if base is not None else [],
        "window": state.window(),
        "absent": absent,
        "currency": "USD",
        "lineItems": items,
    }


@router.get("/catalog/{code}")
async def catalog_code(request: Request, code: str) -> dict[str, Any]:
    """The current truth for a code (a base shows every variant), as a price call would answer it."""
    state = _state(request)
    if not state.resolve(code):
        raise HTTPException(404, detail=f"unknown part code {code!r}")
    return {"code": code.strip().upper(), **_truth(state, code, _base_url(state, request))}


@router.get("/catalog")
async def catalog_sample(
    request: Request,
    kind: Kind = Query(...),
    limit: int = Query(20, ge=1, le=1000),
    offset: int = Query(0, ge=0, description="first base index to scan from"),
) -> dict[str, Any]:
    """Sample base codes of one class, in catalogue order; querying a returned base shows the class."""
    state = _state(request)
    catalog = state.catalog
    window = state.window()
    codes: list[str] = []
    for i in catalog.bases_of_kind(kind, offset):
        records = [catalog.record(i, s) for s in catalog.suffixes(i)]
        if any((o := state.overrides.get(rec.code)) is not None and o.absent for rec in records):
            continue
        if kind in _STOCK_SHAPED_KINDS and not all(state.snapshot(rec, window).in_stock for rec in records):
            continue
        codes.append(catalog.codes[i])
        if len(codes) >= limit:
            break
    return {"kind": kind, "codes": codes}


@router.get("/stats")
async def stats(request: Request) -> dict[str, Any]:
    """Counters since the last reset."""
    return _state(request).stats.describe()


@router.post("/stats/reset")
async def stats_reset(request: Request) -> dict[str, Any]:
    """Zero the counters and empty the request log."""
    state = _state(request)
    state.stats.reset(state.now())
    return state.stats.describe()


@router.get("/requests")
async def recent_requests(request: Request, limit: int = Query(100, ge=1, le=100_000)) -> dict[str, Any]:
    """The most recent emulated API calls, oldest first."""
    return {"requests": _state(request).stats.recent(limit)}


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    """Liveness plus the catalogue identity."""
    config = _state(request).config
    return {"status": "ok", "seed": config.seed, "catalog_size": config.catalog_size}
