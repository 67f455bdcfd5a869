"""Multi-part search: which of up to 50 part numbers exist in Shopify, with their product details.

Matching ignores case and any ``=suffix``: each requested part number is searched by its base part number,
which is the variant SKU we publish (``catalog-constants.md``). Variant queries go in batches whose requested
cost stays well under Shopify's 1,000-point single-query limit; every page is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.clients.shopify_client import ShopifyClient, gid_number
from app.core.money import to_money
from app.utils.catalog_rules import base_part_number
from app.utils.part_numbers import parse_part_numbers
from app.utils.sync_helpers import chunked

__all__ = ["MultiPartSearchResult", "SearchService"]

SKUS_PER_QUERY = 10
VARIANTS_PER_PAGE = 20


@dataclass(slots=True)
class MultiPartSearchResult:
    found_products: list[dict[str, Any]] = field(default_factory=list)
    not_found_skus: list[str] = field(default_factory=list)
    total_requested: int = 0
    unique_searched: int = 0
    duplicates_removed: int = 0

    @property
    def found(self) -> int:
        return self.unique_searched - len(self.not_found_skus)

    @property
    def message(self) -> str:
        return f"Found {self.found} of {self.unique_searched} part numbers in Shopify."


class SearchService:
    """Synchronous Shopify lookups for the dashboard."""

    def __init__(self, client: ShopifyClient, *, max_part_numbers: int) -> None:
        self._client = client
        self._limit = max_part_numbers

    def multi_part(
        self, part_numbers: Sequence[str] | None, part_numbers_text: str | None
    ) -> MultiPartSearchResult:
        """Search Shopify's variant SKUs for every requested part number (found, not found, summary)."""
        parsed = parse_part_numbers(part_numbers, part_numbers_text, limit=self._limit)
        requested = parsed.part_numbers
        bases = list(dict.fromkeys(base_part_number(sku) for sku in requested))
        by_base: dict[str, list[dict[str, Any]]] = {}
        for batch in chunked(bases, SKUS_PER_QUERY):
            for node in self._client.search_variants(batch, first=VARIANTS_PER_PAGE):
                by_base.setdefault(str(node.get("sku") or "").upper(), []).append(node)
        result = MultiPartSearchResult(
            total_requested=len(requested) + parsed.duplicates_removed,
            unique_searched=len(requested),
            duplicates_removed=parsed.duplicates_removed,
        )
        seen_variants: set[str] = set()
        for sku in requested:
            nodes = by_base.get(base_part_number(sku).upper(), [])
            if not nodes:
                result.not_found_skus.append(sku)
                continue
            for node in nodes:
                if node["id"] not in seen_variants:
                    seen_variants.add(node["id"])
                    result.found_products.append(_found(node))
        return result


def _found(node: dict[str, Any]) -> dict[str, Any]:
    product = node.get("product") or {}
    images = [
        {"url": image["url"], "alt_text": image.get("altText")}
        for media in ((product.get("media") or {}).get("nodes") or [])
        if isinstance(media, dict) and (image := media.get("image")) and image.get("url")
    ]
    metafields = [
        {"namespace": m["namespace"], "key": m["key"], "value": m["value"]}
        for m in ((product.get("metafields") or {}).get("nodes") or [])
    ]
    quantity = node.get("inventoryQuantity")
    return {
        "sku": node.get("sku") or "",
        "shopify_product_id": gid_number(product.get("id")) or "",
        "shopify_variant_id": gid_number(node.get("id")) or "",
        "title": product.get("title") or "",
        "handle": product.get("handle") or "",
        "status": str(product.get("status") or "").lower(),
        "vendor": product.get("vendor") or "",
        "product_type": product.get("productType") or "",
        "description": product.get("description") or None,
        "price": to_money(node.get("price")),
        "compare_at_price": to_money(node.get("compareAtPrice")),
        "inventory_quantity": int(quantity) if isinstance(quantity, int) else None,
        "tags": list(product.get("tags") or []),
        "images": images,
        "metafields": metafields,
    }
