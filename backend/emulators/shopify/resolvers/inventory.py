"""inventorySetQuantities: absolute quantities with per-version compare-and-set and idempotency keys."""

from __future__ import annotations

import json
import re
from typing import Any

from graphql import GraphQLResolveInfo

from ..models import AdjustmentGroup, IdempotencyRecord, InventoryChange
from ..sdl import version_at_least
from .common import MAX_QUANTITY, RequestContext, user_error

REASONS = (
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
)
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_MISMATCH = "The same idempotency key cannot be used with different operation parameters."


def fingerprint(field_name: str, args: dict[str, Any]) -> str:
    """Canonical form of a mutation's arguments, to compare retries that reuse an idempotency key."""
    return field_name + json.dumps(args, sort_keys=True, default=str, separators=(",", ":"))


def resolve_inventory_set_quantities(
    _root: Any, info: GraphQLResolveInfo[RequestContext], input: dict[str, Any]
) -> dict[str, Any]:
    """Set absolute quantities; replays the original result for a repeated idempotency key."""
    ctx: RequestContext = info.context
    store = ctx.store
    key = ctx.idempotency_keys.get(id(info.field_nodes[0]))
    print_ = fingerprint(info.field_name, input)
    if key is not None:
        store.expire_idempotency(ctx.config.idempotency_ttl_s)
        record = store.idempotency.get(key)
        if record is not None:
            if record.fingerprint != print_:
                error = user_error(None, _MISMATCH, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")
                return {"inventoryAdjustmentGroup": None, "userErrors": [error]}
            group = store.groups.get(record.group_num) if record.group_num is not None else None
            return {"inventoryAdjustmentGroup": group, "userErrors": record.user_errors}
    result = _set_quantities(ctx, input)
    if key is not None:
        group = result["inventoryAdjustmentGroup"]
        store.idempotency[key] = IdempotencyRecord(
            fingerprint=print_,
            group_num=group.num if group is not None else None,
            user_errors=result["userErrors"],
            created_at=store.clock.now(),
        )
    return result


def _set_quantities(ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
    store = ctx.store
    errors: list[dict[str, Any]] = []
    name = data["name"]
    if name not in ("available", "on_hand"):
        msg = "The quantity name must be either 'available' or 'on_hand'."
        errors.append(user_error(["input", "name"], msg, "INVALID_NAME"))
    if data["reason"] not in REASONS:
        msg = f"The specified reason is invalid. Valid values: {', '.join(REASONS)}."
        errors.append(user_error(["input", "reason"], msg, "INVALID_REASON"))
    uri = data.get("referenceDocumentUri")
    if uri is not None and not _URI_RE.match(uri):
        msg = "The reference document URI isn't a valid URI."
        errors.append(user_error(["input", "referenceDocumentUri"], msg, "INVALID_REFERENCE_DOCUMENT"))
    planned = []
    seen: set[tuple[str, str]] = set()
    for i, q in enumerate(data["quantities"]):
        path = ["input", "quantities", i]
        item = store.item_by_gid(q["inventoryItemId"])
        location = store.location_by_gid(q["locationId"])
        if item is None:
            msg = "The specified inventory item could not be found."
            errors.append(user_error([*path, "inventoryItemId"], msg, "INVALID_INVENTORY_ITEM"))
        if location is None or not location.is_active:
            msg = (
                "The specified location could not be found."
                if location is None
                else "The location is inactive."
            )
            errors.append(user_error([*path, "locationId"], msg, "INVALID_LOCATION"))
        pair = (q["inventoryItemId"], q["locationId"])
        if pair in seen:
            msg = "The combination of inventoryItemId and locationId must be unique."
            errors.append(user_error(path, msg, "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"))
        seen.add(pair)
        if q["quantity"] < 0:
            errors.append(
                user_error(
                    [*path, "quantity"], "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE"
                )
            )
        elif q["quantity"] > MAX_QUANTITY:
            msg = "The total quantity can't be higher than 1,000,000,000."
            errors.append(user_error([*path, "quantity"], msg, "INVALID_QUANTITY_TOO_HIGH"))
        if item is None or location is None or not location.is_active:
            continue
        level = item.levels.get(location.num)
        if level is None:
            msg = "The specified inventory item is not stocked at the location."
            errors.append(user_error([*path, "locationId"], msg, "ITEM_NOT_STOCKED_AT_LOCATION"))
            continue
        if name in ("available", "on_hand"):
            problem = _compare_problem(ctx.version, data, q, level.quantities[name], path)
            if problem is not None:
                errors.append(problem)
            planned.append((item, location, level, q["quantity"]))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes = []
    for item, location, level, quantity in planned:
        delta = store.set_quantity(level, name, quantity)
        changes.append(InventoryChange(name, delta, quantity, item.num, location.num))
    group = AdjustmentGroup(
        num=store.next_num("InventoryAdjustmentGroup"),
        created_at=store.clock.now(),
        reason=data["reason"],
        reference_document_uri=uri,
        changes=changes,
    )
    store.groups[group.num] = group
    return {"inventoryAdjustmentGroup": group, "userErrors": []}


def _compare_problem(
    version: str, data: dict[str, Any], q: dict[str, Any], current: int, path: list[Any]
) -> dict[str, Any] | None:
    """Compare-and-set check: compareQuantity until 2026-01, changeFromQuantity from 2026-01."""
    if version_at_least(version, "2026-01") and q.get("changeFromQuantity") is not None:
        if q["changeFromQuantity"] != current:
            msg = "The changeFromQuantity value does not match persisted value."
            return user_error([*path, "changeFromQuantity"], msg, "CHANGE_FROM_QUANTITY_STALE")
        return None
    if version_at_least(version, "2026-04"):
        return None  # changeFromQuantity: null opts out (its presence is checked before execution)
    if q.get("compareQuantity") is not None:
        if q["compareQuantity"] != current:
            msg = "The compareQuantity value does not match persisted value."
            return user_error([*path, "compareQuantity"], msg, "COMPARE_QUANTITY_STALE")
        return None
    if data.get("ignoreCompareQuantity") is True or "changeFromQuantity" in q:
        return None
    msg = (
        "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity."
    )
    return user_error([*path, "compareQuantity"], msg, "COMPARE_QUANTITY_REQUIRED")
