"""All mutable state of one emulator: clock, catalogue, tokens, quota, faults, drift overrides, stats."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .catalog import Catalog
from .config import EmulatorConfig
from .drift import Override, Snapshot, snapshot
from .faults import FaultInjector
from .parts import Record, split_code
from .quota import QuotaLimiter, QuotaPolicy
from .render import line_item
from .stats import Stats

CATALOG_KEYS = frozenset({"seed", "catalog_size", "shares"})
QUOTA_KEYS = frozenset({"quota_requests", "quota_window_s", "quota_scope"})
MAX_BUMP_TRIES = 64


class VirtualClock:
    """Epoch time that advances with the monotonic clock from a starting instant (the wall clock unless the
    config names one), plus an offset tests can move."""

    def __init__(self, start: float | None = None) -> None:
        self.restart(start)

    def restart(self, start: float | None) -> None:
        """Show ``start`` (or the wall clock) now, with no offset."""
        self._epoch0 = time.time() if start is None else start
        self._mono0 = time.monotonic()
        self.offset = 0.0

    def now(self) -> float:
        """Current virtual epoch seconds."""
        return self._epoch0 + (time.monotonic() - self._mono0) + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.offset += seconds

    def set(self, epoch_s: float) -> None:
        """Show ``epoch_s`` now and run on from there (tests pin the date and time of day with it)."""
        self.offset += epoch_s - self.now()


@dataclass(slots=True)
class Token:
    """An issued opaque token."""

    kind: str  # "access" or "part"
    client_id: str
    expires_at: float


class TokenStore:
    """Issued access and part tokens; lookups report missing, invalid or expired."""

    PREFIX = {"access": "emu_at_", "part": "emu_pt_"}
    PURGE_ABOVE = 20_000

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}

    def issue(self, kind: str, client_id: str, ttl_s: float, now: float) -> str:
        """Create a token valid for ``ttl_s`` seconds of virtual time."""
        if len(self._tokens) > self.PURGE_ABOVE:
            # Bound memory in long runs; a purged token then reads as invalid rather than expired.
            self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
        value = self.PREFIX[kind] + secrets.token_urlsafe(24)
        self._tokens[value] = Token(kind, client_id, now + ttl_s)
        return value

    def check(self, kind: str, value: str | None, now: float) -> tuple[Token | None, str]:
        """The token if valid, else None and the reason: ``missing``, ``invalid`` or ``expired``."""
        if not value:
            return None, "missing"
        token = self._tokens.get(value)
        if token is None or token.kind != kind:
            return None, "invalid"
        if token.expires_at <= now:
            return None, "expired"
        return token, "ok"

    def expire(self, kinds: Iterable[str], client_id: str | None, now: float) -> int:
        """Expire matching live tokens now; returns how many."""
        wanted = set(kinds)
        count = 0
        for token in self._tokens.values():
            if token.kind in wanted and token.expires_at > now and client_id in (None, token.client_id):
                token.expires_at = now
                count += 1
        return count

    def clear(self) -> None:
        """Forget every token."""
        self._tokens.clear()


class EmulatorState:
    """One emulator's world; the app keeps exactly one, so instances never share anything."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = VirtualClock(self._clock_start())
        self.catalog = Catalog(config.seed, config.catalog_size, config.shares)
        self.tokens = TokenStore()
        self.quota = QuotaLimiter(self._default_policy())
        self.faults = FaultInjector(config.seed)
        self.overrides: dict[str, Override] = {}
        self.frozen_window: int | None = None
        self.stats = Stats(self.clock.now(), config.request_log_size)
        self.call_seq: dict[str, int] = {}

    # --- time and drift -------------------------------------------------------------------------------------

    def now(self) -> float:
        """Virtual epoch seconds."""
        return self.clock.now()

    def window(self) -> int:
        """Current drift window, or the frozen one."""
        if self.frozen_window is not None:
            return self.frozen_window
        return math.floor(self.now() / self.config.drift_window_s)

    def freeze(self, frozen: bool) -> int:
        """Pin (or release) the drift window; returns the window now in force."""
        self.frozen_window = self.window() if frozen else None
        return self.window()

    def snapshot(self, rec: Record, window: int | None = None) -> Snapshot:
        """A record's state now (or in ``window``), overrides included."""
        w = self.window() if window is None else window
        return snapshot(self.config.seed, rec, w, self.overrides.get(rec.code))

    # --- answers --------------------------------------------------------------------------------------------

    def line_items(
        self, codes: Iterable[str], *, show_no_stock: bool, show_location: bool, base_url: str
    ) -> list[dict[str, Any]]:
        """``lineItems`` for normalised, de-duplicated codes: request order, variants by suffix."""
        catalog, overrides, style = self.catalog, self.overrides, self.config.numeric_style
        seed, window = self.config.seed, self.window()
        items: list[dict[str, Any]] = []
        emitted: set[str] = set()
        for code in codes:
            for rec in catalog.records_for_query(code):
                if rec.code in emitted:
                    continue
                emitted.add(rec.code)
                override = overrides.get(rec.code)
                if override is not None and override.absent:
                    continue
                snap = snapshot(seed, rec, window, override)
                if not show_no_stock and not snap.in_stock:
                    continue
                items.append(
                    line_item(rec, snap, style=style, base_url=base_url, show_location=show_location)
                )
        return items

    def image_available(self, code: str) -> bool:
        """Whether ``/media/...`` serves an image for this exact record code."""
        rec = self.catalog.record_by_code(code)
        if rec is None or not rec.has_image or rec.broken_image:
            return False
        override = self.overrides.get(rec.code)
        return not (override is not None and override.absent)

    # --- control operations ---------------------------------------------------------------------------------

    def resolve(self, code: str) -> list[Record]:
        """Records a control call names: an exact record code, or every variant of a base."""
        code = code.strip().upper()
        exact = self.catalog.record_by_code(code)
        if exact is not None:
            return [exact]
        base, suffix = split_code(code)
        return self.catalog.records_for_query(base) if suffix is None else []

    def force(self, records: list[Record], changes: Mapping[str, Any]) -> None:
        """Apply a ``drift/force`` body (already validated, prices in cents) to each record."""
        for rec in records:
            override = self.overrides.setdefault(rec.code, Override())
            for key in ("list_cents", "net_cents", "quantity", "in_stock", "absent"):
                if changes.get(key) is not None:
                    setattr(override, key, changes[key])
            if changes.get("locations"):
                override.locations.update(changes["locations"])
            if changes.get("bump"):
                self._bump(rec, override)
            if override.is_empty():
                del self.overrides[rec.code]

    def _bump(self, rec: Record, override: Override) -> None:
        # Move to later epochs until the answer really differs in price and in stock (where the part has a
        # price or stock that can vary), so "bump" is a guaranteed change rather than a likely one.
        before = self.snapshot(rec)
        can_price = rec.list_cents > 0 or rec.net_cents > 0
        can_stock = not rec.no_stock
        for _ in range(MAX_BUMP_TRIES):
            override.bump += 1
            after = self.snapshot(rec)
            price_moved = not can_price or (after.list_cents, after.net_cents) != (
                before.list_cents,
                before.net_cents,
            )
            stock_moved = not can_stock or after.stock_key() != before.stock_key()
            if price_moved and stock_moved:
                return

    def patch_config(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """Validate and apply live config changes; catalogue keys rebuild it, quota keys reset the default."""
        new = self.config.patched(changes)
        old = self.config
        self.config = new
        if any(getattr(old, k) != getattr(new, k) for k in CATALOG_KEYS):
            self._rebuild_catalog()
        if any(getattr(old, k) != getattr(new, k) for k in QUOTA_KEYS):
            self.quota.set_policy(self._default_policy())
        self.stats.resize_log(new.request_log_size)
        return new

    def set_quota(self, policy: QuotaPolicy, client_id: str | None) -> None:
        """Set the quota for one client or for all (the latter also updates the config keys)."""
        if client_id is None:
            self.config = self.config.patched(
                {
                    "quota_requests": policy.requests,
                    "quota_window_s": policy.window_s,
                    "quota_scope": policy.scope,
                }
            )
        self.quota.set_policy(policy, client_id)

    def reset(self, seed: int | None = None, catalog_size: int | None = None) -> None:
        """Rebuild the catalogue; clear tokens, quotas' windows and per-client policies, faults, overrides,
        freeze, stats; the clock goes back to ``clock_start`` or the wall clock (config is kept)."""
        changes = {k: v for k, v in (("seed", seed), ("catalog_size", catalog_size)) if v is not None}
        if changes:
            self.config = self.config.patched(changes)
        if (self.catalog.seed, self.catalog.size, self.catalog.shares) != (
            self.config.seed,
            self.config.catalog_size,
            self.config.shares,
        ):
            self._rebuild_catalog()
        self.clock.restart(self._clock_start())
        self.tokens.clear()
        # Per-client quotas are runtime state like the windows; the config's default quota stays.
        self.quota.set_policy(self._default_policy())
        self.quota.reset_windows()
        self.faults.reset(self.config.seed)
        self.overrides.clear()
        self.frozen_window = None
        self.call_seq.clear()
        self.stats.reset(self.now())

    def _clock_start(self) -> float | None:
        start = self.config.clock_start
        return None if start is None else start.timestamp()

    def _rebuild_catalog(self) -> None:
        # Overrides name codes of the old catalogue, so they go with it.
        self.catalog = Catalog(self.config.seed, self.config.catalog_size, self.config.shares)
        self.overrides.clear()

    def _default_policy(self) -> QuotaPolicy:
        c = self.config
        return QuotaPolicy(c.quota_requests, c.quota_window_s, c.quota_scope)

    def next_call_number(self, endpoint: str) -> int:
        """A per-endpoint call counter, used for deterministic latency jitter."""
        n = self.call_seq.get(endpoint, 0)
        self.call_seq[endpoint] = n + 1
        return n
