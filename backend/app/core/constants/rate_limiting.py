"""Quota-limiter keys and the fixed limits of the outside APIs.

See ``boeing-pna.md`` § 4.4 and ``shopify-admin.md`` § 3.
"""

from __future__ import annotations

from typing import Final

BOEING_LIMITER_KEY_PREFIX: Final = "ratelimit:boeing:"
"""Redis key prefix of the global Boeing sliding-window log; the Boeing client id is appended."""

SHOPIFY_LIMITER_KEY_PREFIX: Final = "ratelimit:shopify:"
"""Redis key prefix of the Shopify cost-bucket state; the store domain is appended."""

SHOPIFY_MAX_QUERY_COST: Final = 1000
"""Shopify rejects a single query whose requested cost exceeds this (``MAX_COST_EXCEEDED``)."""

SHOPIFY_MAX_INPUT_ARRAY: Final = 250
"""Longest input array Shopify accepts (e.g. ``inventorySetQuantities`` quantities)."""

SHOPIFY_METAFIELDS_SET_MAX: Final = 25
"""Most metafields one ``metafieldsSet`` call may write."""
