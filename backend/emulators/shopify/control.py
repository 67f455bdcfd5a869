"""Control API under /_emulator (§4.6): reset, limits, faults, locations, definitions, clock, views, stats."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, HTTPException, Query

from .clock import iso
from .config import DEFAULT_TOKEN, PlanLimits, resolve_plan
from .control_models import (
    BucketBody,
    ClockBody,
    ClockSetBody,
    DefinitionBody,
    DefinitionsBody,
    LocationBody,
    LocationsBody,
    PlanBody,
    ResetBody,
    SettingsBody,
    VariantThrottleBody,
)
from .emulator import Emulator
from .faults import FaultRule
from .models import Location, parse_gid
from .resolvers.metafields import add_definition
from .snapshot import export_state, import_state, product_view


def _location_view(loc: Location) -> dict[str, Any]:
    return {
        "id": loc.id,
        "legacy_id": loc.num,
        "name": loc.name,
        "is_active": loc.is_active,
        "fulfills_online_orders": loc.fulfills_online_orders,
    }


def _location_num(raw: str) -> int:
    num = int(raw) if raw.isdigit() else parse_gid(raw, "Location")
    if num is None:
        raise HTTPException(404, "unknown location")
    return num


def control_router(emu: Emulator) -> APIRouter:
    """Routes of the control API bound to one emulator."""
    router = APIRouter(prefix="/_emulator")

    def plan_view() -> dict[str, Any]:
        """Current plan limits."""
        limits = emu.buckets.limits
        return {**limits.model_dump(), "throttle_http_status": emu.settings.throttle_http_status}

    @router.get("/health")
    async def health() -> dict[str, Any]:
        """Liveness and served versions."""
        return {"ok": True, "versions": list(emu.schemas), "now": iso(emu.clock.now())}

    @router.post("/reset")
    async def reset(body: ResetBody | None = Body(default=None)) -> dict[str, Any]:
        """Back to the start-up state."""
        emu.reset(seed=body.seed if body else None)
        return {"ok": True}

    @router.get("/plan")
    async def get_plan() -> dict[str, Any]:
        """Current plan limits."""
        return plan_view()

    @router.put("/plan")
    async def put_plan(body: PlanBody) -> dict[str, Any]:
        """Switch plan (buckets start full)."""
        if body.plan is not None:
            limits = resolve_plan(body.plan)
        else:
            assert body.restore_rate and body.bucket_size and body.max_query_cost  # checked by PlanBody
            limits = PlanLimits(
                restore_rate=body.restore_rate,
                bucket_size=body.bucket_size,
                max_query_cost=body.max_query_cost,
            )
        emu.buckets.set_limits(limits)
        emu.settings.plan_name = limits.name
        if body.throttle_http_status is not None:
            emu.settings.throttle_http_status = body.throttle_http_status
        return plan_view()

    @router.get("/bucket")
    async def get_bucket(token: str = DEFAULT_TOKEN) -> dict[str, Any]:
        """A token's throttle status."""
        return {"token": token, "throttleStatus": emu.buckets.throttle_status(token)}

    @router.put("/bucket")
    async def put_bucket(body: BucketBody) -> dict[str, Any]:
        """Drain or fill a token's bucket."""
        token = body.token or emu.config.tokens[0]
        emu.buckets.set_available(token, body.currently_available)
        return {"token": token, "throttleStatus": emu.buckets.throttle_status(token)}

    @router.get("/faults")
    async def list_faults() -> list[dict[str, Any]]:
        """Fault rules with their fired counts."""
        return [fault.view() for fault in emu.faults.rules.values()]

    @router.post("/faults", status_code=201)
    async def add_faults(body: FaultRule | list[FaultRule]) -> list[dict[str, Any]]:
        """Add one fault rule or a list of them."""
        rules = body if isinstance(body, list) else [body]
        return [emu.faults.add(rule).view() for rule in rules]

    @router.get("/faults/{fault_id}")
    async def get_fault(fault_id: int) -> dict[str, Any]:
        """One fault rule."""
        fault = emu.faults.rules.get(fault_id)
        if fault is None:
            raise HTTPException(404, "unknown fault")
        return fault.view()

    @router.delete("/faults")
    async def clear_faults() -> dict[str, Any]:
        """Remove every fault rule."""
        count = len(emu.faults.rules)
        emu.faults.clear()
        return {"deleted": count}

    @router.delete("/faults/{fault_id}")
    async def delete_fault(fault_id: int) -> dict[str, Any]:
        """Remove one fault rule."""
        if emu.faults.rules.pop(fault_id, None) is None:
            raise HTTPException(404, "unknown fault")
        return {"deleted": 1}

    @router.get("/locations")
    async def get_locations() -> list[dict[str, Any]]:
        """All locations."""
        return [_location_view(loc) for loc in sorted(emu.store.locations.values(), key=lambda x: x.num)]

    @router.put("/locations")
    async def put_locations(body: list[LocationBody] | LocationsBody) -> list[dict[str, Any]]:
        """Replace the locations (levels at removed locations are dropped)."""
        entries = body.locations if isinstance(body, LocationsBody) else body
        names = [e.name for e in entries]
        if len(set(names)) != len(names):
            raise HTTPException(422, "location names must be unique")
        store = emu.store
        wanted: dict[int, Location] = {}
        next_num = max([e.id or 0 for e in entries] + list(store.locations), default=0) + 1
        for entry in entries:
            num = entry.id or next_num
            if entry.id is None:
                next_num += 1
            wanted[num] = Location(num, entry.name, entry.is_active, entry.fulfills_online_orders)
        for item in store.items.values():
            for gone in [num for num in item.levels if num not in wanted]:
                del item.levels[gone]
        store.locations = dict(sorted(wanted.items()))
        return await get_locations()

    @router.post("/locations/{location_id:path}/deactivate")
    async def deactivate(location_id: str) -> dict[str, Any]:
        """Deactivate a location."""
        return _set_active(location_id, False)

    @router.post("/locations/{location_id:path}/activate")
    async def activate(location_id: str) -> dict[str, Any]:
        """Activate a location."""
        return _set_active(location_id, True)

    def _set_active(location_id: str, active: bool) -> dict[str, Any]:
        location = emu.store.locations.get(_location_num(location_id))
        if location is None:
            raise HTTPException(404, "unknown location")
        location.is_active = active
        return _location_view(location)

    @router.get("/metafield-definitions")
    async def get_definitions() -> list[dict[str, Any]]:
        """All metafield definitions."""
        return [
            {
                "id": d.id,
                "namespace": d.namespace,
                "key": d.key,
                "type": d.type,
                "owner_type": d.owner_type,
                "name": d.name,
                "unique_values": d.unique_values,
                "validations": d.validations,
            }
            for d in emu.store.definitions.values()
        ]

    @router.put("/metafield-definitions")
    async def put_definitions(body: list[DefinitionBody] | DefinitionsBody) -> list[dict[str, Any]]:
        """Create or replace metafield definitions."""
        entries = body.definitions if isinstance(body, DefinitionsBody) else body
        for d in entries:
            add_definition(
                emu.store,
                {
                    "name": d.name or f"{d.namespace}.{d.key}",
                    "namespace": d.namespace,
                    "key": d.key,
                    "type": d.type,
                    "ownerType": d.owner_type,
                    "validations": [v.model_dump() for v in d.validations],
                    "capabilities": {"uniqueValues": {"enabled": d.unique_values}},
                },
            )
        return await get_definitions()

    @router.get("/variant-throttle")
    async def get_variant_throttle() -> dict[str, Any]:
        """Daily variant limit settings and today's count."""
        s = emu.settings
        return {
            "threshold": s.variant_threshold,
            "per_day": s.variant_per_day,
            "store_variant_offset": s.store_variant_offset,
            "variants_created_today": emu.store.variants_created_today(),
            "store_variants": len(emu.store.variants),
        }

    @router.put("/variant-throttle")
    async def put_variant_throttle(body: VariantThrottleBody) -> dict[str, Any]:
        """Change the daily variant limit settings."""
        s = emu.settings
        if body.threshold is not None:
            s.variant_threshold = body.threshold
        if body.per_day is not None:
            s.variant_per_day = body.per_day
        if body.store_variant_offset is not None:
            s.store_variant_offset = body.store_variant_offset
        return await get_variant_throttle()

    @router.get("/clock")
    async def get_clock() -> dict[str, Any]:
        """Virtual time."""
        return {"now": iso(emu.clock.now()), "timestamp": emu.clock.now(), "offset_s": emu.clock.offset_s}

    @router.post("/clock/advance")
    async def advance(body: ClockBody) -> dict[str, Any]:
        """Move virtual time forward."""
        emu.clock.advance(body.seconds)
        return await get_clock()

    @router.put("/clock")
    async def set_clock(body: ClockSetBody) -> dict[str, Any]:
        """Set virtual time to an instant, forward or back (tests pin the date and time of day with it)."""
        emu.clock.set(body.now.timestamp())
        return await get_clock()

    @router.get("/settings")
    async def get_settings() -> dict[str, Any]:
        """Runtime settings."""
        s = emu.settings
        return {
            "fetch_files": s.fetch_files,
            "search_lag_s": s.search_lag_s,
            "throttle_http_status": s.throttle_http_status,
        }

    @router.put("/settings")
    async def put_settings(body: SettingsBody) -> dict[str, Any]:
        """Change runtime settings."""
        s = emu.settings
        if body.fetch_files is not None:
            s.fetch_files = body.fetch_files
        if body.search_lag_s is not None:
            s.search_lag_s = body.search_lag_s
            emu.store.search.lag_s = body.search_lag_s
        if body.throttle_http_status is not None:
            s.throttle_http_status = body.throttle_http_status
        return await get_settings()

    @router.get("/products")
    async def list_products(
        sku: str | None = None,
        handle: str | None = None,
        limit: int = Query(default=100, ge=1, le=10_000),
        offset: int = Query(default=0, ge=0),
    ) -> dict[str, Any]:
        """Products (optionally by SKU or handle), paged with limit/offset."""
        store = emu.store
        products = list(store.products.values())
        if handle is not None:
            found = store.product_by_handle(handle)
            products = [found] if found else []
        if sku is not None:
            owners = {store.variants[n].product_num for n in store.sku_index.get(sku.lower(), ())}
            products = [p for p in products if p.num in owners]
        page = products[offset : offset + limit]
        return {"total": len(products), "products": [product_view(store, p) for p in page]}

    @router.get("/products/{product_id:path}")
    async def get_product(product_id: str) -> dict[str, Any]:
        """One product by numeric id or GID."""
        num = int(product_id) if product_id.isdigit() else parse_gid(product_id, "Product")
        product = emu.store.products.get(num) if num is not None else None
        if product is None:
            raise HTTPException(404, "unknown product")
        return product_view(emu.store, product)

    @router.get("/stats")
    async def stats() -> dict[str, Any]:
        """Request counters."""
        return emu.stats.snapshot(emu.store.variants_created_today())

    @router.post("/stats/reset")
    async def reset_stats() -> dict[str, Any]:
        """Zero the counters and the request log."""
        emu.stats.reset()
        return {"ok": True}

    @router.get("/requests")
    async def requests(limit: int = Query(default=100, ge=0, le=10_000)) -> dict[str, Any]:
        """The most recent requests, oldest first."""
        return {"requests": emu.stats.recent(limit)}

    @router.get("/state/export")
    async def export() -> dict[str, Any]:
        """The whole store as JSON."""
        return export_state(emu.store, emu.clock.offset_s)

    @router.post("/state/import")
    async def import_(body: dict[str, Any]) -> dict[str, Any]:
        """Replace the store with an exported snapshot."""
        try:
            import_state(emu.store, body)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        emu.clock.offset_s = float(body.get("clock_offset_s") or 0.0)
        return {"ok": True, "products": len(emu.store.products), "variants": len(emu.store.variants)}

    return router
