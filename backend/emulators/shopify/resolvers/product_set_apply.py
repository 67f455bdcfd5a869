"""The write half of productSet: runs only after the whole input validated."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..models import InventoryItem, Product, ProductOption, Variant
from .common import RequestContext, replace_files, replace_metafields

if TYPE_CHECKING:
    from ..store import Store
    from .product_set import ProductSetPlan, VariantPlan

_SCALARS = {
    "title": "title",
    "descriptionHtml": "description_html",
    "vendor": "vendor",
    "productType": "product_type",
    "category": "category",
    "status": "status",
}


def normalize_tags(tags: list[str]) -> list[str]:
    """Shopify trims, de-duplicates (case-insensitively) and sorts tags."""
    seen: dict[str, str] = {}
    for tag in tags:
        cleaned = tag.strip()
        if cleaned and cleaned.lower() not in seen:
            seen[cleaned.lower()] = cleaned
    return sorted(seen.values(), key=str.lower)


def apply_product_set(store: Store, ctx: RequestContext, plan: ProductSetPlan) -> Product:
    """Write a validated productSet plan and return the product."""
    data = plan.data
    product = plan.product
    if product is None:
        product = store.create_product(plan.handle or "", data["title"])
        product.vendor = ctx.config.shop_name
    elif plan.handle is not None and plan.handle != product.handle:
        store.set_handle(product, plan.handle)
    for key, attr in _SCALARS.items():
        if data.get(key) is not None:
            setattr(product, attr, data[key])
    if data.get("tags") is not None:
        product.tags = normalize_tags(data["tags"])
    if plan.options is not None:
        _set_options(store, product, plan.options)
    if plan.variants is not None:
        _set_variants(store, product, plan.variants)
    elif not product.variant_nums:
        _default_variant(store, product)
    if plan.metafields is not None:
        replace_metafields(store, "Product", product.num, plan.metafields)
    if data.get("files") is not None:
        replace_files(store, ctx, product, data["files"])
    store.reindex(product)
    return product


def _set_options(store: Store, product: Product, options: list[tuple[str, list[str]]]) -> None:
    # Same-named options and values keep their ids, like Shopify's option update.
    old = {o.name.lower(): o for o in product.options}
    result = []
    for name, values in options:
        previous = old.get(name.lower())
        known = {v.lower(): num for num, v in previous.values} if previous else {}
        pairs = [(known.get(v.lower()) or store.next_num("ProductOptionValue"), v) for v in values]
        num = previous.num if previous else store.next_num("ProductOption")
        result.append(ProductOption(num=num, name=name, values=pairs))
    product.options = result


def _default_variant(store: Store, product: Product) -> None:
    if not product.options:
        product.options = [
            ProductOption(
                num=store.next_num("ProductOption"),
                name="Title",
                values=[(store.next_num("ProductOptionValue"), "Default Title")],
            )
        ]
    chosen = [(o.name, o.values[0][1]) for o in product.options]
    store.create_variant(product, None, Decimal("0.00"), chosen)


def _set_variants(store: Store, product: Product, plans: list[VariantPlan]) -> None:
    keep = {p.existing.num for p in plans if p.existing is not None}
    for num in list(product.variant_nums):
        if num not in keep:
            store.delete_variant(store.variants[num])
    order = []
    for position, vplan in enumerate(plans, start=1):
        data = vplan.data
        created = vplan.existing is None
        if vplan.existing is None:
            price: Decimal = data["price"] if data.get("price") is not None else Decimal("0.00")
            variant = store.create_variant(product, None, price, vplan.option_values)
        else:
            variant = vplan.existing
            variant.option_values = list(vplan.option_values)
        _set_variant_fields(store, variant, data)
        variant.position = position
        order.append(variant.num)
        item = store.items[variant.item_num]
        _set_item_fields(item, data.get("inventoryItem") or {})
        _stock(store, item, data.get("inventoryQuantities") or [], created)
        if vplan.metafields is not None:
            replace_metafields(store, "ProductVariant", variant.num, vplan.metafields)
    product.variant_nums = order


def _set_variant_fields(store: Store, variant: Variant, data: dict[str, Any]) -> None:
    for key, attr in (
        ("price", "price"),
        ("compareAtPrice", "compare_at_price"),
        ("barcode", "barcode"),
        ("taxable", "taxable"),
        ("inventoryPolicy", "inventory_policy"),
    ):
        if data.get(key) is not None:
            setattr(variant, attr, data[key])
    sku = data.get("sku")
    if sku is None:
        sku = (data.get("inventoryItem") or {}).get("sku")
    if sku is not None:
        store.set_sku(variant, sku or None)
    variant.updated_at = store.clock.now()


def _set_item_fields(item: InventoryItem, data: dict[str, Any]) -> None:
    """Inventory item scalars; shared with productVariantsBulkUpdate."""
    if data.get("cost") is not None:
        item.cost = data["cost"]
    for key, attr in (
        ("tracked", "tracked"),
        ("requiresShipping", "requires_shipping"),
        ("harmonizedSystemCode", "harmonized_system_code"),
    ):
        if data.get(key) is not None:
            setattr(item, attr, data[key])
    weight = (data.get("measurement") or {}).get("weight")
    if weight is not None:
        item.weight = (float(weight["value"]), weight["unit"])


set_item_fields = _set_item_fields


def _stock(store: Store, item: InventoryItem, quantities: list[dict[str, Any]], created: bool) -> None:
    # A new variant is stocked at every listed location; an existing one only where already stocked.
    for entry in quantities:
        location = store.location_by_gid(entry["locationId"])
        if location is None:
            continue
        if not created and location.num not in item.levels:
            continue
        level = store.stock(item, location)
        store.set_quantity(level, entry["name"], entry["quantity"])
