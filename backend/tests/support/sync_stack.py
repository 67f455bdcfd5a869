"""The running system for end-to-end sync runs (tests and the sync benchmark): testing-mode settings, a
published catalogue in both emulators, the scheduler process and emulator helpers. Everything on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from app.container import Container
from app.services.utils.shopify_payload_builder import build_product_set
from app.utils.boeing_normalize import normalize_response
from app.utils.normalized_record import NormalizedRecord
from app.utils.sync_helpers import chunked

BACKEND_DIR = Path(__file__).resolve().parents[2]
SHOPIFY_VERSION = "2026-04"


def sync_env(boeing_url: str, shopify_url: str, **overrides: str) -> dict[str, str]:
    """Testing mode: buckets of seconds, a dispatch every second, short leases and timeouts, the emulators."""
    return {
        "BOEING_BASE_URL": boeing_url,
        "BOEING_QUOTA_REQUESTS": "60",
        "BOEING_QUOTA_WINDOW_S": "10",
        "BOEING_SYNC_SHARE": "1.0",
        "BOEING_TIMEOUT_PRICE_S": "10",
        "BOEING_TIMEOUT_TOKEN_S": "10",
        "SHOPIFY_GRAPHQL_URL": f"{shopify_url}/admin/api/{SHOPIFY_VERSION}/graphql.json",
        "SHOPIFY_API_VERSION": SHOPIFY_VERSION,
        "SHOPIFY_TIMEOUT_S": "10",
        "SYNC_MODE": "testing",
        "SYNC_BUCKET_COUNT": "4",
        "SYNC_BUCKET_SECONDS": "3",
        "SYNC_DISPATCH_INTERVAL_S": "1",
        "SYNC_RETRY_INTERVAL_S": "2",
        "SYNC_LEASE_S": "8",
        "SYNC_RETRY_BACKOFF_BASE_S": "2",
        "SYNC_RETRY_BACKOFF_CAP_S": "4",
        **overrides,
    }


def sample_codes(boeing_url: str, count: int, *, kind: str = "normal") -> list[str]:
    """Base codes of one catalogue class, in catalogue order."""
    response = httpx.get(f"{boeing_url}/_emulator/catalog", params={"kind": kind, "limit": count}, timeout=30)
    response.raise_for_status()
    return list(response.json()["codes"])


def fetch_records(container: Container, codes: Iterable[str]) -> list[NormalizedRecord]:
    """Boeing's normalized records for ``codes`` (every variant), through the real client."""
    shopify = container.settings.shopify
    records: list[NormalizedRecord] = []
    for group in chunked(list(codes), container.settings.boeing.batch_size):
        payload = container.boeing_client.price_availability(group)
        records += normalize_response(
            payload, location_map=shopify.location_map, default_location=shopify.default_location_name
        )
    return records


def publish_catalog(
    container: Container, records: Iterable[NormalizedRecord], *, created_by: str = "e2e"
) -> list[str]:
    """Publish sellable records as publishing does: one ``productSet`` each with the shared payload builder,
    the published values saved and the SKU enrolled in the sync schedule with its sync hash.

    Returns the SKUs published."""
    setup = container.shopify_setup_service
    setup.ensure_metafield_definitions()
    location_ids = setup.location_ids()
    codes = container.settings.shopify.inventory_location_codes
    published: list[str] = []
    for record in records:
        if record.blocked_reason is not None:
            continue
        request = build_product_set(
            record, location_ids=location_ids, inventory_location_codes=codes, image_url=None
        )
        result = container.shopify_client.product_set(request.variables)
        with container.uow_factory() as uow:
            uow.products.upsert_published(
                record,
                shopify_product_id=result.product_id.rsplit("/", 1)[-1],
                shopify_variant_id=(result.variant_id or "").rsplit("/", 1)[-1] or None,
                shopify_inventory_item_id=(result.inventory_item_id or "").rsplit("/", 1)[-1] or None,
                shopify_handle=result.handle,
                image_url=None,
                content_hash="e2e",
                created_by=created_by,
            )
            container.publish_outcome_service.enroll(uow, record, created_by)
        published.append(record.sku)
    return published


@dataclass
class BeatProcess:
    """``python -m app.cli beat`` with the test's environment; stopped by ``stop``."""

    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, env: dict[str, str], log_dir: Path) -> BeatProcess:
        log = log_dir / "beat.log"
        handle = log.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "beat"],
            cwd=BACKEND_DIR,
            env=env,
            stdout=handle,
            stderr=handle,
            start_new_session=True,
        )
        return cls(process, log)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


class BoeingControl:
    """The Boeing emulator's control API."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/_emulator", timeout=30)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    def freeze(self) -> None:
        self.call("POST", "/drift/freeze", {"frozen": True})

    def quota(self, requests: int, window_s: float) -> None:
        self.call("PUT", "/quota", {"requests": requests, "window_s": window_s})

    def force(self, code: str, **changes: Any) -> dict[str, Any]:
        return dict(self.call("POST", "/drift/force", {"code": code, **changes}))

    def truth(self, code: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/catalog/{code}"))

    def stats(self) -> dict[str, Any]:
        return dict(self.call("GET", "/stats"))

    def close(self) -> None:
        self.http.close()


class ShopifyControl:
    """The Shopify emulator's control API."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/_emulator", timeout=30)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    def product(self, product_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/products/{product_id}"))

    def stats(self) -> dict[str, Any]:
        return dict(self.call("GET", "/stats"))

    def close(self) -> None:
        self.http.close()


def shop_values(view: dict[str, Any]) -> tuple[Decimal, Decimal | None, dict[str, int]]:
    """(price, cost, available per location name) of a product's single variant in the Shopify emulator."""
    variant = view["variants"][0]
    cost = Decimal(variant["cost"]) if variant["cost"] is not None else None
    return Decimal(variant["price"]), cost, dict(variant["inventory"])
