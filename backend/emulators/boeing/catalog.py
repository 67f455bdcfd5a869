"""Deterministic part catalogue: every attribute comes from ``sha256(seed|index|field)``, never an RNG.

The only eager work is generating the base codes (one digest each) and the code -> index map; every other
attribute is computed on demand from the index, so 50,000 bases build in a fraction of a second and the same
seed and size give byte-identical answers on any machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from .config import Shares
from .parts import (
    DRAWING_NAMES,
    FAMILY_NAMES,
    NO_STOCK_CLASS,
    NON_US_LOCATION,
    NORMAL_CLASS,
    NOT_FOUND_PREFIX,
    PINNED_CODES,
    PINNED_RECORDS,
    PINNED_SUFFIXES,
    PRICE_PERIODS,
    SCHEDULE_B,
    STOCK_PERIODS,
    SUFFIXES,
    SYSTEMS,
    US_LOCATIONS,
    BaseClass,
    Record,
    digest,
    family_of,
    generate_code,
    log_uniform_cents,
    split_code,
    tenths,
    u16,
    u32,
)


class Catalog:
    """The catalogue for one seed and size: base codes, class flags and static records, all O(1) by code."""

    def __init__(self, seed: int, size: int, shares: Shares | None = None) -> None:
        self.seed = seed
        self.size = size
        self.shares = shares or Shares()
        self.codes: list[str] = list(PINNED_CODES)
        self.index: dict[str, int] = {code: i for i, code in enumerate(self.codes)}
        self._build()
        self._class_of = lru_cache(maxsize=65_536)(self._compute_class)
        self._record_of = lru_cache(maxsize=65_536)(self._compute_record)

    def _build(self) -> None:
        seed, index, codes = self.seed, self.index, self.codes
        for i in range(len(codes), self.size):
            attempt = 0
            while True:
                # Small code spaces (AN, MS) fill up; after a few clashes use the wide patterns instead.
                code = generate_code(digest(seed, i, f"code{attempt}"), fallback=attempt >= 3)
                if code not in index:
                    break
                attempt += 1
            index[code] = i
            codes.append(code)

    # --- classes and variants -------------------------------------------------------------------------------

    def base_class(self, i: int) -> BaseClass:
        """Resolved class flags of base ``i``."""
        return self._class_of(i)

    def _compute_class(self, i: int) -> BaseClass:
        if i < len(PINNED_CODES):
            return NO_STOCK_CLASS if PINNED_CODES[i] == "311N5049-173" else NORMAL_CLASS
        s = self.shares
        d = digest(self.seed, i, "class")
        u = [u32(d, k) / 4294967296 for k in range(8)]
        # Exclusive classes draw from the stocked remainder, scaled so each hits its nominal share overall.
        stocked = 1 - s.no_stock
        no_stock = u[1] < s.no_stock
        unpriced = not no_stock and u[2] < s.unpriced / stocked
        net_only = not no_stock and s.unpriced / stocked <= u[2] < (s.unpriced + s.net_only) / stocked
        non_us = not no_stock and u[3] < s.non_us_only / stocked
        no_loc = not no_stock and s.non_us_only / stocked <= u[3] < (s.non_us_only + s.no_locations) / stocked
        no_image = not no_stock and u[4] < s.no_image / stocked
        broken = not no_stock and s.no_image / stocked <= u[4] < (s.no_image + s.broken_image) / stocked
        return BaseClass(
            multi_variant=u[0] < s.multi_variant,
            no_stock=no_stock,
            priced_no_stock=no_stock and u[5] < 0.2,
            unpriced=unpriced,
            net_only=net_only,
            non_us_only=non_us,
            no_locations=no_loc,
            no_image=no_image,
            broken_image=broken,
        )

    def suffixes(self, i: int) -> tuple[str, ...]:
        """Variant suffixes of base ``i`` in suffix order; ``("",)`` for a single unsuffixed record."""
        pinned = PINNED_SUFFIXES.get(self.codes[i]) if i < len(PINNED_CODES) else None
        if pinned:
            return pinned
        if not self.base_class(i).multi_variant:
            return ("",)
        d = digest(self.seed, i, "variants")
        order = sorted(range(len(SUFFIXES)), key=lambda k: (d[1 + k], k))
        return tuple(sorted(SUFFIXES[k] for k in order[: 2 + d[0] % 2]))

    # --- lookups --------------------------------------------------------------------------------------------

    def records_for_query(self, code: str) -> list[Record]:
        """Records a normalised query matches: every variant of a base, or exactly one suffixed record."""
        if code.startswith(NOT_FOUND_PREFIX):
            return []
        base, suffix = split_code(code)
        i = self.index.get(base)
        if i is None:
            return []
        suffixes = self.suffixes(i)
        if suffix is None:
            return [self.record(i, s) for s in suffixes]
        if suffix and suffix in suffixes:
            return [self.record(i, suffix)]
        return []

    def record_by_code(self, code: str) -> Record | None:
        """The record whose ``aviallPartNumber`` is exactly ``code`` (normalised), or None."""
        base, suffix = split_code(code)
        i = self.index.get(base)
        if i is None or (suffix or "") not in self.suffixes(i):
            return None
        return self.record(i, suffix or "")

    def record(self, i: int, suffix: str) -> Record:
        """Static record of base ``i`` with variant ``suffix`` (``""`` for unsuffixed)."""
        return self._record_of(i, suffix)

    def _compute_record(self, i: int, suffix: str) -> Record:
        base = self.codes[i]
        code = f"{base}={suffix}" if suffix else base
        pinned = PINNED_RECORDS.get(code)
        if pinned is not None:
            return pinned
        cls = self.base_class(i)
        a = digest(self.seed, i, f"attrs={suffix}")
        m = digest(self.seed, i, f"money={suffix}")
        family = family_of(base)
        names = FAMILY_NAMES.get(family, DRAWING_NAMES)
        name = names[a[0] % len(names)]
        pct = [u16(a, k) * 100 // 65536 for k in range(16)]  # percent draws 0..99
        description = "" if pct[1] < 60 or cls.no_stock else f"{name.title()} for {SYSTEMS[a[2] % 8]}"
        if cls.no_stock or pct[3] < 10:
            dim = "0 x 0 x 0"
        else:
            length = 5 + u16(a, 4) % 480
            width = 1 + u16(a, 5) % length
            height = 1 + u16(a, 6) % width
            dim = f"{tenths(length)} x {tenths(width)} x {tenths(height)}"
        weight = "0" if cls.no_stock or pct[7] < 5 else tenths(1 + u16(a, 8) % 500)
        country = (
            "United States"
            if pct[9] < 75
            else "US"
            if pct[9] < 80
            else "Germany"
            if pct[9] < 88
            else "France"
            if pct[9] < 94
            else "Canada"
        )
        compliance: list[tuple[str, str]] = []
        if not cls.no_stock:
            if pct[10] < 55:
                compliance.append(("faaApprovalCode", "PMA" if pct[10] < 35 else "TSO"))
            if pct[11] < 94:
                compliance.append(("hazmatCode", "N" if pct[11] < 90 else "Y"))
            if pct[12] < 90:
                compliance.append(("eccn", "EAR99" if pct[12] < 85 else "9A991"))
            if pct[13] < 90:
                compliance.append(("scheduleBCode", SCHEDULE_B[a[28] % len(SCHEDULE_B)]))
        list_cents = log_uniform_cents(u32(m, 0))
        net_cents = list_cents * (8500 + u16(m, 2) % 1501) // 10000
        if (cls.no_stock and not cls.priced_no_stock) or cls.unpriced:
            list_cents = net_cents = 0
        elif cls.net_only:
            list_cents = 0
        if cls.no_stock:
            locations: tuple[str, ...] = ()
        elif cls.non_us_only:
            locations = (NON_US_LOCATION,)
        else:
            start, count = m[6] % 3, 1 + m[7] % 3
            chosen = {US_LOCATIONS[(start + k) % 3] for k in range(count)}
            locations = tuple(loc for loc in US_LOCATIONS if loc in chosen)
        return Record(
            code=code,
            base=base,
            name=name,
            description=description,
            base_uom="PK" if pct[14] < 8 else "EA",
            dim=dim,
            weight=weight,
            country=country,
            supplier="Aviall" if pct[15] < 30 else "BOEING COMMERCIAL AIRPLANES",
            compliance=tuple(compliance),
            has_image=not (cls.no_stock or cls.no_image),
            broken_image=cls.broken_image,
            list_cents=list_cents,
            net_cents=net_cents,
            locations=locations,
            no_stock=cls.no_stock,
            non_us_only=cls.non_us_only,
            no_locations=cls.no_locations,
            numbers_as_strings=bool(m[8] & 1),
            price_period=PRICE_PERIODS[m[9] % len(PRICE_PERIODS)],
            price_phase=u16(m, 5),
            stock_period=STOCK_PERIODS[m[12] % len(STOCK_PERIODS)],
            stock_phase=u16(m, 7),
            drift_exempt=i < len(PINNED_CODES),
        )

    def bases_of_kind(self, kind: str, start: int = 0) -> Iterator[int]:
        """Base indices of class ``kind`` from ``start`` upward, in index order (lazy)."""
        for i in range(max(0, start), self.size):
            if kind in self.base_class(i).kinds():
                yield i

    def __len__(self) -> int:
        return self.size
