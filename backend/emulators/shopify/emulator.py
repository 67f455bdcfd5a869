"""One emulator instance: configuration plus all mutable state (nothing is module-global)."""

from __future__ import annotations

from .bucket import BucketRegistry
from .clock import VirtualClock
from .config import EmulatorConfig, resolve_plan
from .documents import DocumentCache
from .engine import Engine
from .faults import FaultInjector
from .files import FileFetcher
from .resolvers import RuntimeSettings
from .schema import build_version_schema
from .stats import Stats
from .store import Store


class Emulator:
    """State of a running emulator, shared by the GraphQL endpoint and the control API."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = VirtualClock(None if config.clock_start is None else config.clock_start.timestamp())
        self.store = Store(self.clock, config.search_lag_s)
        self.schemas = {version: build_version_schema(version) for version in config.versions}
        self.documents = DocumentCache(self.schemas)
        self.buckets = BucketRegistry(resolve_plan(config.plan), self.clock)
        self.faults = FaultInjector(config.seed)
        self.stats = Stats(config.request_log_size)
        self.fetcher = FileFetcher(config.fetch_timeout_s)
        self.settings = self._initial_settings()
        self.engine = Engine(self)

    def _initial_settings(self) -> RuntimeSettings:
        c = self.config
        return RuntimeSettings(
            fetch_files=c.fetch_files,
            search_lag_s=c.search_lag_s,
            throttle_http_status=c.throttle_http_status,
            variant_threshold=c.variant_threshold,
            variant_per_day=c.variant_per_day,
            store_variant_offset=c.store_variant_offset,
            plan_name=c.plan,
        )

    def reset(self, seed: int | None = None) -> None:
        """Back to the start-up state: empty store, seeded locations, fresh buckets, faults, stats, clock."""
        self.clock.reset()
        self.store.reset()
        self.settings = self._initial_settings()
        self.store.search.lag_s = self.settings.search_lag_s
        self.buckets.set_limits(resolve_plan(self.config.plan))
        self.faults.clear()
        self.faults.reseed(self.config.seed if seed is None else seed)
        self.stats.reset()
