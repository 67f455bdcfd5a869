"""What a Shopify store needs before we write to it: the metafield definitions and the location ids.

* Metafield definitions (``catalog-constants.md`` § Metafields) are created with
  ``metafieldDefinitionCreate``; one that already exists (``TAKEN``) counts as done once its type is
  verified. Publishing calls ``ensure_metafield_definitions`` before its first write (the ``customId``
  upsert key needs the unique definition); a Redis flag shared by every process remembers success, and a
  Redis lock lets one process do the work while the others wait briefly.
* Locations are resolved by name through the ``locations`` query (cached in Redis): every Shopify location
  named by ``SHOPIFY_LOCATION_MAP`` (and ``SHOPIFY_DEFAULT_LOCATION_NAME``) → its GID; inactive ones are
  unusable. Sync uses ``location_ids`` too.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

import redis

from app.clients.shopify_client import ShopifyClient
from app.core.config import Settings
from app.core.constants.metafields import METAFIELD_DEFINITIONS
from app.core.exceptions import NonRetryableError, QuotaWait
from app.services.utils.metafield_builder import metafield_definition_inputs

logger = logging.getLogger(__name__)

__all__ = ["MetafieldSetupReport", "ShopifySetupService"]

_READY_TTL_S = 24 * 3600
_LOCK_TTL_S = 120
_WAIT_FOR_PEER_S = 20.0


@dataclass(slots=True)
class MetafieldSetupReport:
    """Outcome per definition, keys written ``namespace.key``."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.failed


class ShopifySetupService:
    """Metafield definitions and location ids of the configured store."""

    def __init__(self, client: ShopifyClient, redis_client: redis.Redis[str], settings: Settings) -> None:
        self._client = client
        self._redis = redis_client
        shopify = settings.shopify
        store = shopify.store_domain or shopify.endpoint
        self._ready_key = f"shopify:metafields-ready:{store}"
        self._lock_key = f"shopify:metafields-lock:{store}"
        self._locations_key = f"shopify:locations:{store}"
        self._location_ttl_s = shopify.location_cache_s
        targets = set(shopify.location_map.values())
        if shopify.default_location_name:
            targets.add(shopify.default_location_name)
        self._targets = tuple(sorted(targets))

    # --- metafield definitions ------------------------------------------------------------------------------
    def setup_metafields(self) -> MetafieldSetupReport:
        """Create every definition; existing ones are verified and listed as ``existing``."""
        report = MetafieldSetupReport()
        for body in metafield_definition_inputs():
            definition = body["definition"]
            key = f"{definition['namespace']}.{definition['key']}"
            try:
                outcome = self._client.create_metafield_definition(body)
            except NonRetryableError as exc:
                report.failed.append({"key": key, "error": exc.message})
                continue
            (report.created if outcome.created else report.existing).append(key)
        if report.existing:
            self._verify_existing(report)
        if report.success:
            self._redis.set(self._ready_key, "1", ex=_READY_TTL_S)
        return report

    def ensure_metafield_definitions(self) -> None:
        """Make sure the definitions exist before a write; raises ``NonRetryableError`` if they cannot."""
        if self._redis.get(self._ready_key):
            return
        if self._redis.set(self._lock_key, "1", nx=True, ex=_LOCK_TTL_S):
            try:
                report = self.setup_metafields()
            finally:
                self._redis.delete(self._lock_key)
            if not report.success:
                problems = "; ".join(f"{item['key']}: {item['error']}" for item in report.failed)
                raise NonRetryableError(
                    f"Metafield definitions could not be set up: {problems}", system="shopify"
                )
            return
        deadline = time.monotonic() + _WAIT_FOR_PEER_S
        while time.monotonic() < deadline:
            if self._redis.get(self._ready_key):
                return
            if not self._redis.exists(self._lock_key):
                return self.ensure_metafield_definitions()
            time.sleep(0.2)
        raise QuotaWait(
            "Another process is still creating the metafield definitions.", system="shopify", wait_s=5
        )

    def _verify_existing(self, report: MetafieldSetupReport) -> None:
        wanted = {definition.full_key: definition for definition in METAFIELD_DEFINITIONS}
        found = self._client.metafield_definitions()
        for key in list(report.existing):
            definition = wanted[key]
            actual = found.get(key)
            problem = None
            if actual is None:
                problem = "Shopify reported the key as taken but lists no such product definition"
            elif actual[0] != definition.type:
                problem = f"exists with type {actual[0]}, expected {definition.type}"
            elif definition.unique and not actual[1]:
                problem = "exists without unique values, which the publish upsert key needs"
            if problem:
                report.existing.remove(key)
                report.failed.append({"key": key, "error": problem})

    # --- locations ------------------------------------------------------------------------------------------
    def location_ids(self) -> dict[str, str]:
        """Shopify location name → GID for every configured target location that exists and is active."""
        cached = self._redis.get(self._locations_key)
        if cached:
            data: dict[str, str] = json.loads(cached)
            return data
        active = {location.name: location.id for location in self._client.locations() if location.is_active}
        resolved = {name: active[name] for name in self._targets if name in active}
        missing = [name for name in self._targets if name not in active]
        if missing:
            logger.warning("Shopify has no active location named %s", ", ".join(missing))
        self._redis.set(self._locations_key, json.dumps(resolved), ex=max(1, int(self._location_ttl_s)))
        return resolved

    def forget_locations(self) -> None:
        """Drop the cached location ids (next use asks Shopify again)."""
        self._redis.delete(self._locations_key)
