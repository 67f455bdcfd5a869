"""productVariantsBulkUpdate: price, cost and other variant scalars of existing variants."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from .common import (
    CheckedMetafield,
    MetafieldProblem,
    RequestContext,
    attach_file,
    check_metafield,
    check_source,
    is_negative,
    user_error,
)
from .product_set_apply import set_item_fields

_NO_QUANTITIES = (
    "Inventory quantities can only be provided during create. To update inventory for existing variants, "
    "use inventoryAdjustQuantities."
)


def resolve_variants_bulk_update(
    _root: Any,
    info: GraphQLResolveInfo[RequestContext],
    productId: str,
    variants: list[dict[str, Any]],
    allowPartialUpdates: bool = False,
    media: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Update variants of one product; all-or-nothing unless allowPartialUpdates."""
    ctx: RequestContext = info.context
    store = ctx.store
    product = store.product_by_gid(productId)
    if product is None:
        error = user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
        return {"product": None, "productVariants": None, "userErrors": [error]}
    errors: list[dict[str, Any]] = []
    accepted: list[tuple[Any, dict[str, Any], list[Any] | None]] = []
    for i, data in enumerate(variants):
        before = len(errors)
        path: list[Any] = ["variants", i]
        variant = None
        if data.get("id") is None:
            errors.append(
                user_error([*path, "id"], "Product variant id is missing", "PRODUCT_VARIANT_ID_MISSING")
            )
        else:
            variant = store.variant_by_gid(data["id"])
            if variant is None or variant.product_num != product.num:
                msg = "Product variant does not exist"
                errors.append(user_error([*path, "id"], msg, "PRODUCT_VARIANT_DOES_NOT_EXIST"))
                variant = None
        if is_negative(data.get("price")):
            msg = "The price of the variant must be greater than or equal to zero."
            errors.append(user_error([*path, "price"], msg, "GREATER_THAN_OR_EQUAL_TO"))
        if is_negative(data.get("compareAtPrice")):
            msg = "The compare at price must be greater than or equal to zero."
            errors.append(user_error([*path, "compareAtPrice"], msg, "GREATER_THAN_OR_EQUAL_TO"))
        item_input = data.get("inventoryItem") or {}
        if is_negative(item_input.get("cost")):
            msg = "The cost must be greater than or equal to zero."
            errors.append(user_error([*path, "inventoryItem", "cost"], msg, "GREATER_THAN_OR_EQUAL_TO"))
        if data.get("inventoryQuantities") is not None:
            qpath = [*path, "inventoryQuantities"]
            errors.append(user_error(qpath, _NO_QUANTITIES, "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE"))
        checked: list[CheckedMetafield] | None = None
        if data.get("metafields") is not None and variant is not None:
            checked = []
            for j, mf in enumerate(data["metafields"]):
                result = check_metafield(store, "PRODUCTVARIANT", variant.num, mf)
                if isinstance(result, MetafieldProblem):
                    errors.append(
                        user_error([*path, "metafields", j, result.field], result.message, "INVALID_VALUE")
                    )
                else:
                    checked.append(result)
        if len(errors) == before and variant is not None:
            accepted.append((variant, data, checked))
    for k, entry in enumerate(media or []):
        problem = check_source(entry.get("originalSource"))
        if problem:
            errors.append(user_error(["media", k, "originalSource"], problem, "INVALID_INPUT"))
    if errors and not allowPartialUpdates:
        return {"product": None, "productVariants": None, "userErrors": errors}
    for variant, data, checked in accepted:
        _apply(store, variant, data, checked)
    for entry in media or []:
        if not check_source(entry.get("originalSource")):
            attach_file(
                store, ctx, product, entry["originalSource"], entry["mediaContentType"], entry.get("alt")
            )
    store.reindex(product)
    return {"product": product, "productVariants": [v for v, _, _ in accepted], "userErrors": errors}


def _apply(store: Any, variant: Any, data: dict[str, Any], checked: list[Any] | None) -> None:
    for key, attr in (
        ("price", "price"),
        ("compareAtPrice", "compare_at_price"),
        ("barcode", "barcode"),
        ("taxable", "taxable"),
        ("inventoryPolicy", "inventory_policy"),
    ):
        if data.get(key) is not None:
            setattr(variant, attr, data[key])
    item_input = data.get("inventoryItem") or {}
    if item_input.get("sku") is not None:
        store.set_sku(variant, item_input["sku"] or None)
    set_item_fields(store.items[variant.item_num], item_input)
    if checked:
        # Variant metafields given here are upserted, not replaced (bulk update is not a full-state write).
        for mf in checked:
            store.set_metafield("ProductVariant", variant.num, mf.namespace, mf.key, mf.type, mf.value)
    variant.updated_at = store.clock.now()
