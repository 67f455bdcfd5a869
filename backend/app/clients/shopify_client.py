"""Shopify Admin GraphQL transport: raw calls, error translation, cost accounting (``shopify-admin.md``).

GraphQL only. ``execute`` sends one document through the shared cost limiter and translates every failure:

* THROTTLED (HTTP 200 or 429) → ``QuotaWait`` with ``(requested - available) / restoreRate``, not an attempt;
* 5xx, timeouts, transport errors, malformed bodies → ``RetryableError`` (the task's autoretry decides);
* GraphQL validation errors, other 4xx, ``MAX_COST_EXCEEDED`` and ``userErrors`` → ``NonRetryableError``
  carrying Shopify's messages.

Every response's ``extensions.cost`` goes to the limiter. No retry loops: retries belong to tasks. The
documents live in ``shopify_graphql``; payloads are built by ``services/utils/shopify_payload_builder.py``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from app.clients import shopify_graphql as gql
from app.core.config import ShopifySettings
from app.core.exceptions import NonRetryableError, QuotaWait, RetryableError
from app.utils.shopify_rate_limiter import ShopifyCostLimiter, ThrottleStatus

logger = logging.getLogger(__name__)

__all__ = ["DefinitionOutcome", "Location", "ProductSetResult", "ShopifyClient", "gid", "gid_number"]

SYSTEM = "shopify"
_RETRYABLE_GRAPHQL_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})
_DEFINITION_EXISTS = frozenset({"TAKEN", "UNSTRUCTURED_ALREADY_EXISTS"})
_VARIANT_LIMIT_WAIT_S = 300.0


def gid(kind: str, number: str | int) -> str:
    """``gid("Product", "123")`` → ``gid://shopify/Product/123`` (a GID passes through unchanged)."""
    text = str(number)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


def gid_number(value: str | None) -> str | None:
    """The digits of a Shopify GID (``gid://shopify/Product/123`` → ``123``); digits pass through."""
    if not value:
        return None
    return value.rsplit("/", 1)[-1].split("?", 1)[0]


@dataclass(frozen=True, slots=True)
class ProductSetResult:
    """What ``productSet`` returned for the product and its single variant (GIDs)."""

    product_id: str
    handle: str
    status: str
    variant_id: str | None
    inventory_item_id: str | None


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class DefinitionOutcome:
    """``created`` or ``existing`` for one metafield definition."""

    key: str
    created: bool


class ShopifyClient:
    """Raw Admin GraphQL calls for one store, paced by the shared cost limiter."""

    def __init__(
        self,
        settings: ShopifySettings,
        limiter: ShopifyCostLimiter,
        *,
        http: httpx.Client | None = None,
    ) -> None:
        self._settings = settings
        self._limiter = limiter
        self._endpoint = settings.endpoint
        self._http = http or httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
            limits=httpx.Limits(max_connections=settings.max_concurrency * 2 + 4),
        )
        self._warned_version = False

    @property
    def api_version(self) -> str:
        return self._settings.api_version

    @property
    def limiter(self) -> ShopifyCostLimiter:
        return self._limiter

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    # --- transport ------------------------------------------------------------------------------------------
    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str,
        expected_cost: float | None = None,
        cost_key: str | None = None,
        max_wait_s: float | None = None,
    ) -> dict[str, Any]:
        """Send one GraphQL document through the limiter; return its ``data`` or raise a translated error."""
        key = cost_key or operation_name
        default = expected_cost if expected_cost is not None else gql.DEFAULT_COSTS.get(operation_name, 10.0)
        cost = self._limiter.expected_cost(key, default)
        reservation = self._limiter.acquire(cost, operation=key, max_wait_s=max_wait_s)
        settled = False
        try:
            response = self._post(query, variables, operation_name)
            body = self._json(response)
            cost_info = (body.get("extensions") or {}).get("cost") if isinstance(body, dict) else None
            status = ThrottleStatus.from_cost(cost_info)
            throttled = gql.is_throttled(response, body)
            requested = gql.as_number((cost_info or {}).get("requestedQueryCost"))
            charged = gql.points_charged(response, body, cost_info, throttled)
            if charged is not None:
                self._limiter.settle(reservation, charged=charged, status=status, requested=requested)
                settled = True
            if throttled:
                raise self._quota_wait(response, status, requested or cost, operation_name)
            self._raise_for_http(response, body, operation_name)
            return self._data(body, operation_name)
        finally:
            if not settled:
                self._limiter.release(reservation)

    def _post(self, query: str, variables: Mapping[str, Any] | None, operation_name: str) -> httpx.Response:
        payload: dict[str, Any] = {"query": query, "variables": dict(variables or {})}
        payload["operationName"] = operation_name
        headers = {
            "X-Shopify-Access-Token": self._settings.admin_api_token or "",
            "Accept": "application/json",
        }
        try:
            response = self._http.post(self._endpoint, json=payload, headers=headers)
        except httpx.TimeoutException as exc:
            raise RetryableError(
                f"Shopify did not answer {operation_name} in time.", system=SYSTEM, timeout=True
            ) from exc
        except httpx.HTTPError as exc:
            raise RetryableError(
                f"Could not reach Shopify for {operation_name}: {exc}.", system=SYSTEM
            ) from exc
        served = response.headers.get("X-Shopify-API-Version")
        if served and served != self._settings.api_version and not self._warned_version:
            self._warned_version = True
            logger.warning("Shopify served API version %s instead of %s", served, self._settings.api_version)
        return response

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            if response.status_code >= 500:
                return None
            if response.status_code == 200:
                raise RetryableError("Shopify answered with a malformed body.", system=SYSTEM) from None
            return None

    @staticmethod
    def _quota_wait(
        response: httpx.Response, status: ThrottleStatus | None, requested: float, operation_name: str
    ) -> QuotaWait:
        if status is not None and status.restore_rate > 0:
            wait_s = max(0.0, requested - status.currently_available) / status.restore_rate
        else:
            retry_after = gql.as_number(response.headers.get("Retry-After"))
            wait_s = retry_after if retry_after is not None else 1.0
        return QuotaWait(f"Shopify throttled {operation_name}.", system=SYSTEM, wait_s=wait_s)

    def _raise_for_http(self, response: httpx.Response, body: Any, operation_name: str) -> None:
        code = response.status_code
        if code == 200:
            return
        text = gql.error_text(body) or response.reason_phrase
        if code == 429:
            # Not a cost throttle (handled above): the daily variant-creation limit.
            retry_after = gql.as_number(response.headers.get("Retry-After"))
            raise QuotaWait(
                f"Shopify refused {operation_name}: {text}.",
                system=SYSTEM,
                wait_s=retry_after if retry_after is not None else _VARIANT_LIMIT_WAIT_S,
            )
        if code >= 500:
            raise RetryableError(
                f"Shopify failed {operation_name} with HTTP {code}.", system=SYSTEM, timeout=code == 504
            )
        if code == 401:
            raise NonRetryableError("Shopify rejected the admin API token.", system=SYSTEM, details=[text])
        raise NonRetryableError(f"Shopify refused {operation_name} with HTTP {code}: {text}.", system=SYSTEM)

    @staticmethod
    def _data(body: Any, operation_name: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise RetryableError(f"Shopify answered {operation_name} with a malformed body.", system=SYSTEM)
        errors = body.get("errors")
        if errors:
            messages = [
                gql.error_message(error) for error in (errors if isinstance(errors, list) else [errors])
            ]
            codes = {gql.error_code(error) for error in (errors if isinstance(errors, list) else [errors])}
            if codes & _RETRYABLE_GRAPHQL_CODES:
                raise RetryableError(
                    f"Shopify failed {operation_name}: {'; '.join(messages)}.", system=SYSTEM
                )
            raise NonRetryableError(
                f"Shopify rejected {operation_name}: {'; '.join(messages)}", system=SYSTEM, details=messages
            )
        data = body.get("data")
        if not isinstance(data, dict):
            raise RetryableError(f"Shopify answered {operation_name} without data.", system=SYSTEM)
        return data

    # --- operations -----------------------------------------------------------------------------------------
    def product_set(self, variables: Mapping[str, Any]) -> ProductSetResult:
        """``productSet`` (synchronous upsert) with ``{"identifier", "input"}``; userErrors are permanent."""
        payload = gql.payload_of(
            self.execute(gql.PRODUCT_SET, variables, operation_name="ProductSet"), "productSet"
        )
        gql.raise_user_errors(payload, "productSet")
        product = payload.get("product")
        if not isinstance(product, dict) or not product.get("id"):
            raise RetryableError("Shopify answered productSet without a product.", system=SYSTEM)
        variants = ((product.get("variants") or {}).get("nodes")) or []
        variant = variants[0] if variants else {}
        return ProductSetResult(
            product_id=product["id"],
            handle=product.get("handle") or "",
            status=product.get("status") or "",
            variant_id=variant.get("id"),
            inventory_item_id=(variant.get("inventoryItem") or {}).get("id"),
        )

    def locations(self) -> list[Location]:
        """Every location of the store, active or not (paginated)."""
        found: list[Location] = []
        after: str | None = None
        while True:
            data = self.execute(gql.LOCATIONS, {"after": after}, operation_name="Locations")
            connection = data.get("locations") or {}
            for node in connection.get("nodes") or []:
                found.append(Location(id=node["id"], name=node["name"], is_active=bool(node.get("isActive"))))
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return found
            after = page.get("endCursor")

    def create_metafield_definition(self, definition: Mapping[str, Any]) -> DefinitionOutcome:
        """``metafieldDefinitionCreate``; a definition that already exists (``TAKEN``) counts as done."""
        body = definition.get("definition", definition)
        key = f"{body.get('namespace')}.{body.get('key')}"
        data = self.execute(gql.METAFIELD_DEFINITION_CREATE, {"definition": body}, operation_name="MfDef")
        payload = gql.payload_of(data, "metafieldDefinitionCreate")
        errors = payload.get("userErrors") or []
        if errors and all(error.get("code") in _DEFINITION_EXISTS for error in errors):
            return DefinitionOutcome(key=key, created=False)
        gql.raise_user_errors(payload, "metafieldDefinitionCreate")
        return DefinitionOutcome(key=key, created=True)

    def metafield_definitions(self) -> dict[str, tuple[str, bool]]:
        """Product metafield definitions: ``namespace.key`` → (type name, unique values enabled)."""
        found: dict[str, tuple[str, bool]] = {}
        after: str | None = None
        while True:
            data = self.execute(gql.METAFIELD_DEFINITIONS, {"after": after}, operation_name="MfDefs")
            connection = data.get("metafieldDefinitions") or {}
            for node in connection.get("nodes") or []:
                unique = bool((((node.get("capabilities") or {}).get("uniqueValues")) or {}).get("enabled"))
                found[f"{node['namespace']}.{node['key']}"] = (
                    (node.get("type") or {}).get("name", ""),
                    unique,
                )
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return found
            after = page.get("endCursor")

    def variants_by_sku(self, skus: Iterable[str], *, first: int = 50) -> list[dict[str, Any]]:
        """Variants whose SKU equals one of ``skus`` (case-insensitive), every page (§2.7 selection)."""
        wanted = [sku for sku in skus if sku]
        if not wanted:
            return []
        return self._variant_pages(gql.VARIANTS_BY_SKU, "BySku", wanted, first=first, node_cost=3)

    def search_variants(self, skus: Iterable[str], *, first: int = 25) -> list[dict[str, Any]]:
        """Variants matching ``skus`` with product details for multi-part search (every page)."""
        wanted = [sku for sku in skus if sku]
        if not wanted:
            return []
        return self._variant_pages(gql.SEARCH_VARIANTS, "SearchVariants", wanted, first=first, node_cost=32)

    def _variant_pages(
        self, document: str, operation: str, skus: list[str], *, first: int, node_cost: int
    ) -> list[dict[str, Any]]:
        query = " OR ".join(f"sku:{gql.search_literal(sku)}" for sku in skus)
        wanted = {sku.upper() for sku in skus}
        nodes: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            data = self.execute(
                document,
                {"first": first, "q": query, "after": after},
                operation_name=operation,
                expected_cost=2 + first * node_cost,
                cost_key=f"{operation}:{first}",
            )
            connection = data.get("productVariants") or {}
            for node in connection.get("nodes") or []:
                # The search index may match loosely: keep exact SKU matches only.
                if str(node.get("sku") or "").upper() in wanted:
                    nodes.append(node)
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return nodes
            after = page.get("endCursor")

    def product_by_custom_id(self, namespace: str, key: str, value: str) -> dict[str, Any] | None:
        """The product whose unique metafield ``namespace.key`` equals ``value`` (``productByIdentifier``)."""
        identifier = {"customId": {"namespace": namespace, "key": key, "value": value}}
        data = self.execute(
            gql.PRODUCT_BY_IDENTIFIER, {"identifier": identifier}, operation_name="ByIdentifier"
        )
        product = data.get("productByIdentifier")
        return product if isinstance(product, dict) else None

    def delete_product(self, product_id: str) -> bool:
        """``productDelete``; ``False`` when Shopify no longer has the product."""
        data = self.execute(
            gql.PRODUCT_DELETE, {"input": {"id": gid("Product", product_id)}}, operation_name="Delete"
        )
        payload = gql.payload_of(data, "productDelete")
        if payload.get("deletedProductId"):
            return True
        messages = [gql.error_message(error) for error in payload.get("userErrors") or []]
        if any("not exist" in message.lower() for message in messages):
            return False
        gql.raise_user_errors(payload, "productDelete")
        return False

    def update_variants(self, variables: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``productVariantsBulkUpdate`` (price and cost) with ``{"productId", "variants"}``."""
        data = self.execute(gql.VARIANTS_UPDATE, variables, operation_name="VariantsUpdate")
        payload = gql.payload_of(data, "productVariantsBulkUpdate")
        gql.raise_user_errors(payload, "productVariantsBulkUpdate")
        return list(payload.get("productVariants") or [])

    def set_inventory_quantities(
        self, variables: Mapping[str, Any], *, idempotency_key: str | None
    ) -> list[dict[str, Any]]:
        """``inventorySetQuantities`` with ``{"input"}``; the ``@idempotent`` key is sent when given."""
        directive = f' @idempotent(key: "{gql.uuidish(idempotency_key)}")' if idempotency_key else ""
        data = self.execute(gql.INVENTORY_SET % directive, variables, operation_name="InvSet")
        payload = gql.payload_of(data, "inventorySetQuantities")
        gql.raise_user_errors(payload, "inventorySetQuantities")
        group = payload.get("inventoryAdjustmentGroup") or {}
        return list(group.get("changes") or [])

    def set_metafields(self, metafields: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``metafieldsSet`` (at most 25 per call, atomic)."""
        data = self.execute(gql.METAFIELDS_SET, {"metafields": metafields}, operation_name="MfSet")
        payload = gql.payload_of(data, "metafieldsSet")
        gql.raise_user_errors(payload, "metafieldsSet")
        return list(payload.get("metafields") or [])

    def update_product_status(self, product_id: str, status: str) -> str:
        """``productUpdate`` of the status (``ACTIVE``, ``DRAFT`` or ``ARCHIVED``); returns the new status."""
        variables = {"product": {"id": gid("Product", product_id), "status": status}}
        payload = gql.payload_of(
            self.execute(gql.PRODUCT_UPDATE_STATUS, variables, operation_name="SetStatus"), "productUpdate"
        )
        gql.raise_user_errors(payload, "productUpdate")
        return str((payload.get("product") or {}).get("status") or status)
