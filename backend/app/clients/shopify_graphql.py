"""The Admin GraphQL documents the client sends (``shopify-admin.md`` § 2) and how their answers are read.

Pure: no I/O. ``shopify_client`` sends these documents; the helpers below read payloads, userErrors,
throttle answers and costs out of the response bodies.
"""

from __future__ import annotations

from typing import Any

import httpx

from app.core.exceptions import NonRetryableError, RetryableError
from app.utils.shopify_rate_limiter import ThrottleStatus

SYSTEM = "shopify"

PRODUCT_SET = """
mutation ProductSet($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle status variants(first: 1) { nodes { id sku inventoryItem { id } } } }
    userErrors { field message code } } }
"""

LOCATIONS = """
query Locations($after: String) {
  locations(first: 50, after: $after, includeInactive: true) {
    nodes { id name isActive } pageInfo { hasNextPage endCursor } } }
"""

METAFIELD_DEFINITION_CREATE = """
mutation MfDef($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id key } userErrors { field message code } } }
"""

METAFIELD_DEFINITIONS = """
query MfDefs($after: String) {
  metafieldDefinitions(ownerType: PRODUCT, first: 50, after: $after) {
    nodes { namespace key type { name } capabilities { uniqueValues { enabled } } }
    pageInfo { hasNextPage endCursor } } }
"""

VARIANTS_BY_SKU = """
query BySku($first: Int!, $q: String!, $after: String) {
  productVariants(first: $first, query: $q, after: $after) {
    nodes { id sku price inventoryItem { id } product { id handle status } }
    pageInfo { hasNextPage endCursor } } }
"""

SEARCH_VARIANTS = """
query SearchVariants($first: Int!, $q: String!, $after: String) {
  productVariants(first: $first, query: $q, after: $after) {
    nodes { id sku price compareAtPrice inventoryQuantity
      product { id title handle status vendor productType description tags
        media(first: 3) { nodes { ... on MediaImage { image { url altText } } } }
        metafields(first: 20) { nodes { namespace key value } } } }
    pageInfo { hasNextPage endCursor } } }
"""

PRODUCT_BY_IDENTIFIER = """
query ByIdentifier($identifier: ProductIdentifierInput!) { productByIdentifier(identifier: $identifier) {
  id handle status variants(first: 1) { nodes { id sku inventoryItem { id } } } } }
"""

PRODUCT_DELETE = """
mutation Delete($input: ProductDeleteInput!) {
  productDelete(input: $input) { deletedProductId userErrors { field message } } }
"""

VARIANTS_UPDATE = """
mutation VariantsUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price inventoryItem { unitCost { amount } } } userErrors { field message code } } }
"""

METAFIELDS_SET = """
mutation MfSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id key value } userErrors { field message code elementIndex } } }
"""

PRODUCT_UPDATE_STATUS = """
mutation SetStatus($product: ProductUpdateInput!) {
  productUpdate(product: $product) { product { id status } userErrors { field message } } }
"""

# ``@idempotent`` takes the key as a literal: a UUID, so it never needs escaping.
INVENTORY_SET = """
mutation InvSet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input)%s {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange location { id } } }
    userErrors { field message code } } }
"""

# Requested-cost estimates used until Shopify has reported an operation's real requested cost.
DEFAULT_COSTS = {
    "ProductSet": 20.0,
    "Locations": 52.0,
    "MfDef": 10.0,
    "MfDefs": 52.0,
    "ByIdentifier": 5.0,
    "Delete": 10.0,
    "VariantsUpdate": 11.0,
    "MfSet": 10.0,
    "SetStatus": 10.0,
    "InvSet": 10.0,
}


def payload_of(data: dict[str, Any], root: str) -> dict[str, Any]:
    payload = data.get(root)
    if not isinstance(payload, dict):
        raise RetryableError(f"Shopify answered {root} without a payload.", system=SYSTEM)
    return payload


def raise_user_errors(payload: dict[str, Any], root: str) -> None:
    errors = payload.get("userErrors") or []
    if not errors:
        return
    messages = []
    for error in errors:
        field = ".".join(str(part) for part in error.get("field") or [])
        code = error.get("code")
        text = error_message(error)
        messages.append(f"{text} ({field}{', ' + code if code else ''})" if field or code else text)
    raise NonRetryableError(
        f"Shopify rejected {root}: {'; '.join(messages)}", system=SYSTEM, details=messages
    )


def points_charged(response: httpx.Response, body: Any, cost: Any, throttled: bool) -> float | None:
    """Points Shopify charged, when known: 0 for calls it refused before running them."""
    if response.status_code >= 500 or not isinstance(body, dict):
        return None
    if throttled:
        return 0.0
    actual = as_number((cost or {}).get("actualQueryCost")) if isinstance(cost, dict) else None
    if actual is not None:
        return actual
    if body.get("errors") and not body.get("data"):
        return 0.0  # validation and cost errors: not executed, nothing charged
    return None


def is_throttled(response: httpx.Response, body: Any) -> bool:
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and any(error_code(error) == "THROTTLED" for error in errors):
            return True
        if response.status_code == 429 and ThrottleStatus.from_cost(
            (body.get("extensions") or {}).get("cost")
        ):
            return True
    return False


def error_code(error: Any) -> str | None:
    if isinstance(error, dict):
        return (error.get("extensions") or {}).get("code")
    return None


def error_message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)


def error_text(body: Any) -> str:
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, str):
            return errors
        if isinstance(errors, list):
            return "; ".join(error_message(error) for error in errors)
    return ""


def as_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def search_literal(value: str) -> str:
    """A search-syntax string literal: quoted, with ``"`` and ``\\`` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uuidish(key: str | None) -> str:
    text = str(key or "")
    if not all(ch.isalnum() or ch == "-" for ch in text):
        raise ValueError("idempotency keys must be UUID-like")
    return text
