"""Price and stock drift (contract §7.3): deterministic per drift window, O(1) per lookup, plus overrides."""

from __future__ import annotations

from dataclasses import dataclass, field

from .parts import US_LOCATIONS, Record, digest, u16, u32

# Out of 10,000 per stock epoch: below OUT_OF_STOCK the part has no stock anywhere, below LOCATION_CHANGE
# (and not non-US only) a location is dropped or added, which makes clients zero stale locations.
OUT_OF_STOCK = 500
LOCATION_CHANGE = 800
MAX_LOCATION_QTY = 5000


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The dynamic state of one record at one moment: what a price call reports."""

    list_cents: int
    net_cents: int
    in_stock: bool
    quantity: int
    # None means the answer carries no location data at all (no stock, or the part has none).
    locations: tuple[tuple[str, int], ...] | None

    def stock_key(self) -> tuple[object, ...]:
        """Everything stock-related, for change detection."""
        return (self.in_stock, self.quantity, self.locations)


@dataclass(slots=True)
class Override:
    """Forced values for one record (``/_emulator/drift/force``); they win over drift until reset."""

    list_cents: int | None = None
    net_cents: int | None = None
    quantity: int | None = None
    locations: dict[str, int] = field(default_factory=dict)
    in_stock: bool | None = None
    bump: int = 0
    absent: bool = False

    def is_empty(self) -> bool:
        """True when it changes nothing."""
        return (
            self.list_cents is None
            and self.net_cents is None
            and self.quantity is None
            and not self.locations
            and self.in_stock is None
            and self.bump == 0
            and not self.absent
        )


def price_at(seed: int, rec: Record, window: int, bump: int) -> tuple[int, int]:
    """List and net cents in drift ``window``: base x (1 + δ), δ in -3%…+6%, one δ per price epoch."""
    if rec.list_cents == 0 and rec.net_cents == 0:
        return 0, 0
    if rec.drift_exempt:
        if bump == 0:
            return rec.list_cents, rec.net_cents
        epoch = bump
    else:
        epoch = (window + rec.price_phase) // rec.price_period + bump
    d = digest(seed, rec.code, f"price|{epoch}")
    factor = 10_000 - 300 + u32(d, 0) % 901  # basis points; list and net move together
    # Half-up rounding to cents is monotonic, so net <= list still holds after drift.
    return (rec.list_cents * factor + 5000) // 10_000, (rec.net_cents * factor + 5000) // 10_000


def stock_at(seed: int, rec: Record, window: int, bump: int) -> tuple[bool, int, tuple[tuple[str, int], ...]]:
    """Stock in drift ``window``, redrawn per stock epoch: ~5% of epochs out of stock, ~3% move a location."""
    if rec.no_stock:
        return False, 0, ()
    if rec.drift_exempt and bump == 0 and rec.base_quantities:
        locs = tuple(zip(rec.locations, rec.base_quantities, strict=True))
        return True, sum(rec.base_quantities), locs
    epoch = bump if rec.drift_exempt else (window + rec.stock_phase) // rec.stock_period + bump
    d = digest(seed, rec.code, f"stock|{epoch}")
    roll = u32(d, 0) % 10_000
    if roll < OUT_OF_STOCK:
        return False, 0, ()
    names = list(rec.locations)
    if roll < LOCATION_CHANGE and not rec.non_us_only:
        if len(names) >= 2 and (d[4] & 1 or len(names) == len(US_LOCATIONS)):
            del names[d[5] % len(names)]
        else:
            missing = [loc for loc in US_LOCATIONS if loc not in names]
            names.append(missing[d[5] % len(missing)])
            names.sort(key=US_LOCATIONS.index)
    qtys = [u16(d, 4 + k) % (MAX_LOCATION_QTY + 1) for k in range(len(names))]
    if sum(qtys) == 0:
        qtys[0] = 1  # an in-stock epoch always has something on hand
    return True, sum(qtys), tuple(zip(names, qtys, strict=True))


def snapshot(seed: int, rec: Record, window: int, override: Override | None = None) -> Snapshot:
    """The record's state in ``window`` with any override applied."""
    bump = override.bump if override else 0
    list_cents, net_cents = price_at(seed, rec, window, bump)
    in_stock, quantity, locs = stock_at(seed, rec, window, bump)
    locations: tuple[tuple[str, int], ...] | None = None if rec.no_locations or not in_stock else locs
    if override is not None:
        if override.list_cents is not None:
            list_cents = override.list_cents
        if override.net_cents is not None:
            net_cents = override.net_cents
        if override.locations:
            merged = dict(locations or ())
            merged.update(override.locations)
            locations = tuple(merged.items())
            quantity = sum(merged.values())
            in_stock = quantity > 0
        if override.quantity is not None:
            quantity = override.quantity
            in_stock = quantity > 0
        if override.in_stock is not None:
            in_stock = override.in_stock
    return Snapshot(list_cents, net_cents, in_stock, quantity, locations)
