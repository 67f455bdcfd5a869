"""Control-API views of products, and whole-state export/import (benchmark snapshots)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

from .clock import iso
from .models import (
    AdjustmentGroup,
    IdempotencyRecord,
    InventoryChange,
    InventoryItem,
    InventoryLevel,
    Location,
    MediaFile,
    Metafield,
    MetafieldDefinition,
    Product,
    ProductOption,
    Variant,
)
from .scalars import format_decimal, format_money
from .store import Store

STATE_FORMAT = "shopify-emulator-state"


def _metafield_views(store: Store, kind: str, num: int) -> list[dict[str, Any]]:
    return [
        {"id": mf.id, "namespace": mf.namespace, "key": mf.key, "type": mf.type, "value": mf.value}
        for mf in sorted(store.metafields_of(kind, num).values(), key=lambda m: m.num)
    ]


def product_view(store: Store, product: Product) -> dict[str, Any]:
    """A product with variants (price, cost), inventory per location name, metafields and files."""
    variants = []
    for variant in store.product_variants(product):
        item = store.items[variant.item_num]
        levels = sorted(item.levels.values(), key=lambda lv: lv.location_num)
        names = {lv.location_num: store.locations[lv.location_num].name for lv in levels}
        variants.append(
            {
                "id": variant.id,
                "sku": variant.sku,
                "title": " / ".join(v for _, v in variant.option_values),
                "options": dict(variant.option_values),
                "price": format_money(variant.price),
                "compare_at_price": format_money(variant.compare_at_price)
                if variant.compare_at_price
                else None,
                "inventory_item_id": item.id,
                "cost": format_decimal(item.cost) if item.cost is not None else None,
                "tracked": item.tracked,
                "weight": {"value": item.weight[0], "unit": item.weight[1]} if item.weight else None,
                "inventory": {names[lv.location_num]: lv.quantities["available"] for lv in levels},
                "on_hand": {names[lv.location_num]: lv.quantities["on_hand"] for lv in levels},
                "metafields": _metafield_views(store, "ProductVariant", variant.num),
            }
        )
    files = [store.files[n] for n in product.file_nums if n in store.files]
    return {
        "id": product.id,
        "legacy_id": product.num,
        "handle": product.handle,
        "title": product.title,
        "status": product.status,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "tags": list(product.tags),
        "category": product.category,
        "description_html": product.description_html,
        "created_at": iso(product.created_at),
        "updated_at": iso(product.updated_at),
        "options": [{"name": o.name, "values": [v for _, v in o.values]} for o in product.options],
        "variants": variants,
        "metafields": _metafield_views(store, "Product", product.num),
        "files": [
            {
                "id": m.id,
                "original_source": m.original_source,
                "content_type": m.content_type,
                "alt": m.alt,
                "status": m.status,
                "error": m.error,
            }
            for m in files
        ],
    }


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def export_state(store: Store, clock_offset_s: float) -> dict[str, Any]:
    """Everything in the store as JSON-ready data."""
    return {
        "format": STATE_FORMAT,
        "clock_offset_s": clock_offset_s,
        "sequences": dict(store._seq),
        "locations": [_plain(x) for x in store.locations.values()],
        "definitions": [_plain(x) for x in store.definitions.values()],
        "products": [_plain(x) for x in store.products.values()],
        "variants": [_plain(x) for x in store.variants.values()],
        "items": [_plain(x) for x in store.items.values()],
        "metafields": [_plain(x) for x in store.metafields.values()],
        "files": [_plain(x) for x in store.files.values()],
        "groups": [_plain(x) for x in store.groups.values()],
        "idempotency": {k: _plain(v) for k, v in store.idempotency.items()},
        "variants_created_by_day": {str(k): v for k, v in store.variants_created_by_day.items()},
    }


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _load_into(store: Store, state: dict[str, Any]) -> None:
    for d in state["locations"]:
        store.locations[d["num"]] = Location(**d)
    for d in state["definitions"]:
        definition = MetafieldDefinition(**d)
        store.definitions[(definition.owner_type, definition.namespace, definition.key)] = definition
    for d in sorted(state["products"], key=lambda x: x["num"]):
        options = [ProductOption(o["num"], o["name"], [tuple(v) for v in o["values"]]) for o in d["options"]]
        product = Product(**{**d, "options": options})
        store.products[product.num] = product
        store.handle_index[product.handle.lower()] = product.num
    for d in sorted(state["items"], key=lambda x: x["num"]):
        levels = {int(k): InventoryLevel(**v) for k, v in d["levels"].items()}
        weight = tuple(d["weight"]) if d["weight"] else None
        store.items[d["num"]] = InventoryItem(
            **{**d, "cost": _dec(d["cost"]), "weight": weight, "levels": levels}
        )
    for d in sorted(state["variants"], key=lambda x: x["num"]):
        variant = Variant(
            **{
                **d,
                "price": _dec(d["price"]),
                "compare_at_price": _dec(d["compare_at_price"]),
                "option_values": [tuple(v) for v in d["option_values"]],
                "sku": None,
            }
        )
        store.variants[variant.num] = variant
        store.set_sku(variant, d["sku"])
    for d in sorted(state["metafields"], key=lambda x: x["num"]):
        mf = Metafield(**d)
        store.metafields[mf.num] = mf
        store.owner_metafields[(mf.owner_kind, mf.owner_num)][(mf.namespace, mf.key)] = mf
        store.value_index[(mf.owner_kind, mf.namespace, mf.key, mf.value)].add(mf.owner_num)
    for d in state["files"]:
        store.files[d["num"]] = MediaFile(**d)
    for d in state["groups"]:
        changes = [InventoryChange(**c) for c in d["changes"]]
        store.groups[d["num"]] = AdjustmentGroup(**{**d, "changes": changes})
    for key, d in state["idempotency"].items():
        store.idempotency[key] = IdempotencyRecord(**d)
    for day, count in state["variants_created_by_day"].items():
        store.variants_created_by_day[int(day)] = count
    store._seq = {str(k): int(v) for k, v in state["sequences"].items()}
    lag = store.search.lag_s
    store.search.lag_s = 0  # an imported snapshot is fully indexed
    for product in store.products.values():
        updated = product.updated_at
        store.reindex(product)
        product.updated_at = updated
    store.search.lag_s = lag


def import_state(store: Store, state: Any) -> None:
    """Replace the store's content with an exported snapshot; raises ValueError when it is malformed."""
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise ValueError(f"not a snapshot: expected an object with format {STATE_FORMAT!r}")
    fresh = Store(store.clock, store.search.lag_s)
    fresh.locations.clear()
    try:
        _load_into(fresh, state)
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as exc:
        raise ValueError(f"malformed snapshot: {type(exc).__name__}: {exc}") from None
    generation = store.generation + 1
    store.__dict__.update(fresh.__dict__)
    store.generation = generation
