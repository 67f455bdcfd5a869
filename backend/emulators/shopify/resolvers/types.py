"""Field resolvers of the output types (computed fields; plain attributes use the default resolver)."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from ..metafield_types import json_value, type_category
from ..models import (
    AdjustmentGroup,
    InventoryItem,
    InventoryLevel,
    Location,
    MediaFile,
    Metafield,
    MetafieldDefinition,
    Product,
    Variant,
    gid,
)
from ..pagination import paginate
from ..scalars import format_decimal
from ..store import QUANTITY_NAMES, Store
from .common import APP_NAMESPACE, RequestContext
from .metafields import compare_digest

Info = GraphQLResolveInfo[RequestContext]
_TAG_RE = re.compile(r"<[^>]+>")


def _store(info: Info) -> Store:
    return info.context.store


def _metafield(info: Info, kind: str, num: int, namespace: str | None, key: str) -> Metafield | None:
    if namespace is None and "." in key:
        namespace, key = key.split(".", 1)
    return _store(info).metafields_of(kind, num).get((namespace or APP_NAMESPACE, key))


def _metafields(
    info: Info, kind: str, num: int, namespace: str | None = None, keys: Any = None, **page: Any
) -> Any:
    found = sorted(_store(info).metafields_of(kind, num).values(), key=lambda mf: mf.num)
    if namespace is not None:
        found = [mf for mf in found if mf.namespace == namespace]
    if keys is not None:
        wanted = set(keys)
        found = [mf for mf in found if f"{mf.namespace}.{mf.key}" in wanted]
    return paginate(found, lambda mf: mf.num, **page)


def _quantity_sum(info: Info, variant: Variant) -> int:
    item = _store(info).items[variant.item_num]
    return sum(level.quantities["available"] for level in item.levels.values())


def _option_views(product: Product, variants: list[Variant]) -> list[dict[str, Any]]:
    used = {(name, value) for v in variants for name, value in v.option_values}
    return [
        {
            "id": gid("ProductOption", option.num),
            "name": option.name,
            "position": position,
            "values": [name for _, name in option.values],
            "optionValues": [
                {
                    "id": gid("ProductOptionValue", num),
                    "name": name,
                    "hasVariants": (option.name, name) in used,
                }
                for num, name in option.values
            ],
        }
        for position, option in enumerate(product.options, start=1)
    ]


def _product_resolvers() -> dict[str, Any]:
    def variants(p: Product, info: Info, **page: Any) -> Any:
        return paginate(_store(info).product_variants(p), lambda v: v.position, **page)

    def media(p: Product, info: Info, **page: Any) -> Any:
        files = [_store(info).files[n] for n in p.file_nums if n in _store(info).files]
        return paginate(files, lambda m: m.num, **page)

    def default_only(p: Product, _info: Info) -> bool:
        return len(p.options) == 1 and [v for _, v in p.options[0].values] == ["Default Title"]

    return {
        "legacyResourceId": lambda p, _i: p.num,
        "descriptionHtml": lambda p, _i: p.description_html,
        "description": lambda p, _i: _TAG_RE.sub("", p.description_html),
        "category": lambda p, _i: {"id": p.category} if p.category else None,
        "totalInventory": lambda p, i: sum(_quantity_sum(i, v) for v in _store(i).product_variants(p)),
        "tracksInventory": lambda p, i: any(
            _store(i).items[v.item_num].tracked for v in _store(i).product_variants(p)
        ),
        "hasOnlyDefaultVariant": default_only,
        "options": lambda p, i, first=None: _option_views(p, _store(i).product_variants(p))[:first],
        "variants": variants,
        "variantsCount": lambda p, _i: {"count": len(p.variant_nums), "precision": "EXACT"},
        "media": media,
        "metafield": lambda p, i, key, namespace=None: _metafield(i, "Product", p.num, namespace, key),
        "metafields": lambda p, i, **kw: _metafields(i, "Product", p.num, **kw),
    }


def _variant_resolvers() -> dict[str, Any]:
    def title(v: Variant, _info: Info) -> str:
        return " / ".join(value for _, value in v.option_values)

    def available(v: Variant, info: Info) -> bool:
        product = _store(info).products[v.product_num]
        item = _store(info).items[v.item_num]
        in_stock = not item.tracked or v.inventory_policy == "CONTINUE" or _quantity_sum(info, v) > 0
        return product.status == "ACTIVE" and in_stock

    return {
        "legacyResourceId": lambda v, _i: v.num,
        "title": title,
        "displayName": lambda v, i: f"{_store(i).products[v.product_num].title} - {title(v, i)}",
        "inventoryQuantity": lambda v, i: _quantity_sum(i, v),
        "availableForSale": available,
        "inventoryItem": lambda v, i: _store(i).items[v.item_num],
        "product": lambda v, i: _store(i).products[v.product_num],
        "selectedOptions": lambda v, _i: [{"name": n, "value": val} for n, val in v.option_values],
        "metafield": lambda v, i, key, namespace=None: _metafield(i, "ProductVariant", v.num, namespace, key),
        "metafields": lambda v, i, **kw: _metafields(i, "ProductVariant", v.num, **kw),
    }


def _item_resolvers() -> dict[str, Any]:
    def level_at(item: InventoryItem, info: Info, locationId: str) -> InventoryLevel | None:
        location = _store(info).location_by_gid(locationId)
        return item.levels.get(location.num) if location else None

    def measurement(item: InventoryItem, _info: Info) -> dict[str, Any]:
        weight = {"value": item.weight[0], "unit": item.weight[1]} if item.weight else None
        return {"id": gid("InventoryItemMeasurement", item.num), "weight": weight}

    return {
        "legacyResourceId": lambda it, _i: it.num,
        "sku": lambda it, i: _store(i).variants[it.variant_num].sku,
        "unitCost": lambda it, _i: (
            {"amount": format_decimal(it.cost), "currencyCode": "USD"} if it.cost is not None else None
        ),
        "measurement": measurement,
        "variant": lambda it, i: _store(i).variants[it.variant_num],
        "inventoryLevels": lambda it, _i, **page: paginate(
            sorted(it.levels.values(), key=lambda lv: lv.location_num), lambda lv: lv.location_num, **page
        ),
        "inventoryLevel": level_at,
    }


def _level_resolvers() -> dict[str, Any]:
    def quantities(level: InventoryLevel, _info: Info, names: list[str]) -> list[dict[str, Any]]:
        unknown = [n for n in names if n not in QUANTITY_NAMES]
        if unknown:
            raise GraphQLError(
                f"Invalid quantity names: {', '.join(unknown)}. Valid: {', '.join(QUANTITY_NAMES)}"
            )
        return [
            {
                "id": f"gid://shopify/InventoryQuantity/{level.num}?name={name}",
                "name": name,
                "quantity": level.quantities[name],
                "updatedAt": level.updated_at,
            }
            for name in names
        ]

    return {
        "item": lambda lv, i: _store(i).items[lv.item_num],
        "location": lambda lv, i: _store(i).locations[lv.location_num],
        "quantities": quantities,
    }


def _location_resolvers() -> dict[str, Any]:
    def level_for(loc: Location, info: Info, inventoryItemId: str) -> InventoryLevel | None:
        item = _store(info).item_by_gid(inventoryItemId)
        return item.levels.get(loc.num) if item else None

    return {
        "legacyResourceId": lambda loc, _i: loc.num,
        "hasActiveInventory": lambda loc, i: any(loc.num in it.levels for it in _store(i).items.values()),
        "inventoryLevel": level_for,
    }


def _metafield_resolvers() -> dict[str, Any]:
    return {
        "legacyResourceId": lambda mf, _i: mf.num,
        "jsonValue": lambda mf, _i: json_value(mf.type, mf.value),
        "compareDigest": lambda mf, _i: compare_digest(mf),
        "definition": lambda mf, i: _store(i).definition(mf.owner_type, mf.namespace, mf.key),
    }


def _definition_resolvers() -> dict[str, Any]:
    def count(d: MetafieldDefinition, info: Info) -> int:
        kind = "Product" if d.owner_type == "PRODUCT" else "ProductVariant"
        return sum(
            1
            for mf in _store(info).metafields.values()
            if (mf.owner_kind, mf.namespace, mf.key) == (kind, d.namespace, d.key)
        )

    return {
        "type": lambda d, _i: {"name": d.type, "category": type_category(d.type)},
        "capabilities": lambda d, _i: {
            "adminFilterable": {"enabled": d.admin_filterable},
            "smartCollectionCondition": {"enabled": d.smart_collection_condition},
            "uniqueValues": {"enabled": d.unique_values},
        },
        "validations": lambda d, _i: [
            {"name": v["name"], "type": "string", "value": v["value"]} for v in d.validations
        ],
        "metafieldsCount": count,
    }


def _media_resolvers() -> dict[str, Any]:
    def errors(m: MediaFile, _info: Info) -> list[dict[str, Any]]:
        if m.status != "FAILED":
            return []
        return [{"code": "IMAGE_DOWNLOAD_FAILURE", "details": m.error, "message": "Media failed to process"}]

    return {
        "mediaContentType": lambda m, _i: "IMAGE" if m.content_type == "IMAGE" else "VIDEO",
        "mediaErrors": errors,
        "fileStatus": lambda m, _i: m.status,
        "image": lambda m, _i: (
            {"id": gid("ImageSource", m.num), "url": m.original_source, "altText": m.alt}
            if m.status == "READY"
            else None
        ),
        "originalSource": lambda m, _i: {"url": m.original_source, "fileSize": None},
    }


def _group_resolvers() -> dict[str, Any]:
    def changes(
        group: AdjustmentGroup,
        info: Info,
        inventoryItemIds: list[str] | None = None,
        locationIds: list[str] | None = None,
        quantityNames: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        store = _store(info)
        result = []
        for change in group.changes:
            if inventoryItemIds is not None and gid("InventoryItem", change.item_num) not in inventoryItemIds:
                continue
            if locationIds is not None and gid("Location", change.location_num) not in locationIds:
                continue
            if quantityNames is not None and change.name not in quantityNames:
                continue
            result.append(
                {
                    "name": change.name,
                    "delta": change.delta,
                    "quantityAfterChange": change.quantity_after,
                    "item": store.items.get(change.item_num),
                    "location": store.locations.get(change.location_num),
                    "ledgerDocumentUri": None,
                }
            )
        return result

    return {"changes": changes}


def type_resolvers() -> dict[str, dict[str, Any]]:
    """Resolver table: type name -> field name -> resolver."""
    return {
        "Product": _product_resolvers(),
        "ProductVariant": _variant_resolvers(),
        "InventoryItem": _item_resolvers(),
        "InventoryLevel": _level_resolvers(),
        "Location": _location_resolvers(),
        "Metafield": _metafield_resolvers(),
        "MetafieldDefinition": _definition_resolvers(),
        "MediaImage": _media_resolvers(),
        "InventoryAdjustmentGroup": _group_resolvers(),
    }
