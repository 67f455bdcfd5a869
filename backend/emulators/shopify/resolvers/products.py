"""productUpdate and productDelete (plain UserError: field + message, no code)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from .common import (
    MetafieldProblem,
    RequestContext,
    attach_file,
    check_metafield,
    check_source,
    normalize_handle,
    user_error,
)
from .product_set_apply import normalize_tags

_SCALARS = {
    "title": "title",
    "descriptionHtml": "description_html",
    "vendor": "vendor",
    "productType": "product_type",
    "category": "category",
    "status": "status",
}


def shop_view(ctx: RequestContext) -> dict[str, Any]:
    """The Shop object."""
    return {
        "id": "gid://shopify/Shop/1",
        "name": ctx.config.shop_name,
        "myshopifyDomain": ctx.config.shop_domain,
        "currencyCode": "USD",
    }


def resolve_product_update(
    _root: Any,
    info: GraphQLResolveInfo[RequestContext],
    product: dict[str, Any],
    media: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Update product scalars (status, title, ...); metafields given here are upserted."""
    ctx: RequestContext = info.context
    store = ctx.store
    target = store.product_by_gid(product.get("id"))
    if target is None:
        return {"product": None, "userErrors": [user_error(["id"], "Product does not exist")]}
    errors = []
    if product.get("title") is not None and not product["title"].strip():
        errors.append(user_error(["title"], "Title can't be blank"))
    handle = normalize_handle(product["handle"]) if product.get("handle") is not None else None
    if handle is not None:
        holder = store.product_by_handle(handle) if handle else None
        if not handle:
            errors.append(user_error(["handle"], "Handle can't be blank"))
        elif holder is not None and holder is not target:
            errors.append(
                user_error(["handle"], f"Handle '{handle}' already in use. Please provide a new handle.")
            )
    checked = []
    for i, data in enumerate(product.get("metafields") or []):
        result = check_metafield(store, "PRODUCT", target.num, data)
        if isinstance(result, MetafieldProblem):
            errors.append(user_error(["metafields", i, result.field], result.message))
        else:
            checked.append(result)
    for i, entry in enumerate(media or []):
        problem = check_source(entry.get("originalSource"))
        if problem:
            errors.append(user_error(["media", i, "originalSource"], problem))
    if errors:
        return {"product": None, "userErrors": errors}
    for key, attr in _SCALARS.items():
        if product.get(key) is not None:
            setattr(target, attr, product[key])
    if product.get("tags") is not None:
        target.tags = normalize_tags(product["tags"])
    if handle is not None and handle != target.handle:
        store.set_handle(target, handle)
    for mf in checked:
        store.set_metafield("Product", target.num, mf.namespace, mf.key, mf.type, mf.value)
    for entry in media or []:
        attach_file(store, ctx, target, entry["originalSource"], entry["mediaContentType"], entry.get("alt"))
    store.reindex(target)
    return {"product": target, "userErrors": []}


def resolve_product_delete(
    _root: Any, info: GraphQLResolveInfo[RequestContext], input: dict[str, Any], **_kw: Any
) -> dict[str, Any]:
    """Delete a product with its variants, inventory, metafields and files."""
    ctx: RequestContext = info.context
    target = ctx.store.product_by_gid(input["id"])
    if target is None:
        error = user_error(["id"], "Product does not exist")
        return {"deletedProductId": None, "shop": shop_view(ctx), "userErrors": [error]}
    ctx.store.delete_product(target)
    return {"deletedProductId": target.id, "shop": shop_view(ctx), "userErrors": []}
