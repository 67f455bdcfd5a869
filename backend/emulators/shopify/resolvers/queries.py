"""Root query fields: shop, locations, products, productVariants, lookups by id/identifier."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphql import GraphQLResolveInfo

from ..models import Location, Product, Variant, parse_gid
from ..pagination import paginate
from ..search import search
from ..store import Store
from .common import APP_NAMESPACE, RequestContext
from .products import shop_view

Info = GraphQLResolveInfo[RequestContext]
PRIMARY_LOCATION = 4  # "Shop location"


def _num(value: str) -> int | None:
    tail = value.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _variant_lookup(store: Store) -> Callable[[str, str], Iterable[int] | None]:
    def lookup(field: str, value: str) -> Iterable[int] | None:
        if field == "sku":
            return store.sku_index.get(value, ())
        if field == "id":
            num = _num(value)
            return {num} if num in store.variants else ()
        if field in ("product_id", "handle"):
            product = (
                store.products.get(_num(value) or 0)
                if field == "product_id"
                else store.product_by_handle(value)
            )
            return product.variant_nums if product else ()
        return None

    return lookup


def _product_lookup(store: Store) -> Callable[[str, str], Iterable[int] | None]:
    def lookup(field: str, value: str) -> Iterable[int] | None:
        if field == "handle":
            product = store.product_by_handle(value)
            return {product.num} if product else ()
        if field == "id":
            num = _num(value)
            return {num} if num in store.products else ()
        if field == "sku":
            return {store.variants[n].product_num for n in store.sku_index.get(value, ())}
        return None

    return lookup


def _inventory_total(store: Store, product: Product) -> int:
    return sum(
        level.quantities["available"]
        for num in product.variant_nums
        for level in store.items[store.variants[num].item_num].levels.values()
    )


def _product_sort(store: Store, sort_key: str) -> Callable[[Product], Any]:
    keys: dict[str, Callable[[Product], Any]] = {
        "TITLE": lambda p: [p.title.lower(), p.num],
        "CREATED_AT": lambda p: [p.created_at, p.num],
        "UPDATED_AT": lambda p: [p.updated_at, p.num],
        "VENDOR": lambda p: [p.vendor.lower(), p.num],
        "PRODUCT_TYPE": lambda p: [p.product_type.lower(), p.num],
        "INVENTORY_TOTAL": lambda p: [_inventory_total(store, p), p.num],
    }
    return keys.get(sort_key, lambda p: p.num)


def _variant_sort(store: Store, sort_key: str) -> Callable[[Variant], Any]:
    def quantity(v: Variant) -> int:
        return sum(level.quantities["available"] for level in store.items[v.item_num].levels.values())

    keys: dict[str, Callable[[Variant], Any]] = {
        "SKU": lambda v: [(v.sku or "").lower(), v.num],
        "TITLE": lambda v: [" / ".join(x for _, x in v.option_values).lower(), v.num],
        "POSITION": lambda v: [v.product_num, v.position, v.num],
        "INVENTORY_QUANTITY": lambda v: [quantity(v), v.num],
    }
    return keys.get(sort_key, lambda v: v.num)


def _sorted(items: list[Any], key: Callable[[Any], Any], sort_key: str) -> list[Any]:
    return items if sort_key in ("ID", "RELEVANCE") else sorted(items, key=key)


def resolve_products(
    _root: Any, info: Info, query: str | None = None, sortKey: str = "ID", **page: Any
) -> Any:
    """products(query:) over the search index."""
    store: Store = info.context.store
    nums = search(store.search, "Product", query, store.products.keys(), _product_lookup(store))
    key = _product_sort(store, sortKey)
    return paginate(_sorted([store.products[n] for n in nums], key, sortKey), key, **page)


def resolve_product_variants(
    _root: Any,
    info: Info,
    query: str | None = None,
    sortKey: str = "ID",
    **page: Any,
) -> Any:
    """productVariants(query:) over the search index."""
    store: Store = info.context.store
    nums = search(store.search, "ProductVariant", query, store.variants.keys(), _variant_lookup(store))
    key = _variant_sort(store, sortKey)
    return paginate(_sorted([store.variants[n] for n in nums], key, sortKey), key, **page)


def _count(kind: str) -> Callable[..., dict[str, Any]]:
    def resolve(_root: Any, info: Info, query: str | None = None) -> dict[str, Any]:
        store: Store = info.context.store
        if kind == "Product":
            nums = search(store.search, kind, query, store.products.keys(), _product_lookup(store))
        else:
            nums = search(store.search, kind, query, store.variants.keys(), _variant_lookup(store))
        return {"count": len(nums), "precision": "EXACT"}

    return resolve


def resolve_locations(
    _root: Any,
    info: Info,
    includeInactive: bool = False,
    sortKey: str = "NAME",
    query: str | None = None,
    **page: Any,
) -> Any:
    """locations: active ones unless includeInactive; sorted by name by default, as on Shopify."""
    store: Store = info.context.store
    found = [loc for loc in store.locations.values() if includeInactive or loc.is_active]
    if query:
        needle = query.split(":", 1)[-1].strip().strip('"').lower()
        found = [loc for loc in found if needle in loc.name.lower()]
    key: Callable[[Location], Any] = (
        (lambda loc: [loc.name.lower(), loc.num]) if sortKey == "NAME" else (lambda loc: loc.num)
    )
    page.pop("includeLegacy", None)
    return paginate(sorted(found, key=key), key, **page)


def resolve_location(_root: Any, info: Info, id: str | None = None) -> Location | None:
    """location(id:), or the primary location without an id."""
    store: Store = info.context.store
    if id is None:
        return store.locations.get(PRIMARY_LOCATION)
    return store.location_by_gid(id)


def resolve_product_by_identifier(_root: Any, info: Info, identifier: dict[str, Any]) -> Product | None:
    """productByIdentifier: exact lookup by id, handle or customId (no search index, so no lag)."""
    store: Store = info.context.store
    if identifier.get("id") is not None:
        return store.product_by_gid(identifier["id"])
    if identifier.get("handle") is not None:
        return store.product_by_handle(identifier["handle"])
    custom = identifier.get("customId")
    if custom is not None:
        owners = store.owners_with_value(
            "Product", custom.get("namespace") or APP_NAMESPACE, custom["key"], custom["value"]
        )
        return store.products[min(owners)] if owners else None
    return None


def resolve_definitions(
    _root: Any,
    info: Info,
    ownerType: str,
    namespace: str | None = None,
    key: str | None = None,
    **page: Any,
) -> Any:
    """metafieldDefinitions(ownerType:) filtered by namespace/key."""
    store: Store = info.context.store
    found = [
        d
        for d in store.definitions.values()
        if d.owner_type == ownerType and namespace in (None, d.namespace) and key in (None, d.key)
    ]
    return paginate(sorted(found, key=lambda d: d.num), lambda d: d.num, **page)


def query_resolvers() -> dict[str, Any]:
    """Resolver table of QueryRoot."""

    def by_gid(kind: str) -> Callable[..., Any]:
        def resolve(_root: Any, info: Info, id: str) -> Any:
            store: Store = info.context.store
            num = parse_gid(id, kind)
            table: dict[str, dict[int, Any]] = {
                "Product": store.products,
                "ProductVariant": store.variants,
                "InventoryItem": store.items,
            }
            return table[kind].get(num) if num is not None else None

        return resolve

    def shop(_root: Any, info: Info) -> dict[str, Any]:
        ctx: RequestContext = info.context
        return shop_view(ctx)

    return {
        "shop": shop,
        "locations": resolve_locations,
        "location": resolve_location,
        "product": by_gid("Product"),
        "productByIdentifier": resolve_product_by_identifier,
        "products": resolve_products,
        "productsCount": _count("Product"),
        "productVariant": by_gid("ProductVariant"),
        "productVariants": resolve_product_variants,
        "productVariantsCount": _count("ProductVariant"),
        "inventoryItem": by_gid("InventoryItem"),
        "metafieldDefinitions": resolve_definitions,
    }
