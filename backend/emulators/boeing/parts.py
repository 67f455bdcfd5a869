"""Part-number vocabulary and the building blocks of the catalogue: hashing, code patterns, pinned records.

Every value is drawn from ``sha256(seed|key|field)`` with integer maths only, so results are identical on
any machine and Python version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any, Literal, get_args

SUFFIXES = ("K3", "BC", "E9", "A1", "C2")
US_LOCATIONS = ("Dallas Central", "Chicago Warehouse", "Miami, FL")
NON_US_LOCATION = "Germany CSC"
NOT_FOUND_PREFIX = "NOTFOUND-"
Kind = Literal[
    "normal",
    "multi_variant",
    "no_stock",
    "unpriced",
    "net_only",
    "non_us_only",
    "no_locations",
    "no_image",
    "broken_image",
]
KINDS: tuple[str, ...] = get_args(Kind)
# Drift periods are picked from fixed lists (integer maths only) whose mean of 1/period gives the contract's
# change rates: about 1.7% of prices and 14% of stock levels change per drift window.
PRICE_PERIODS = (24, 36, 48, 72, 96, 120, 168, 240)
STOCK_PERIODS = (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48)

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
DRAWING_NAMES = (
    "DOOR: ASSY",
    "BRACKET",
    "PANEL ASSY",
    "FITTING",
    "CLIP",
    "SUPPORT",
    "ANGLE",
    "DOUBLER",
    "NUT, SELF-LOCKING",
    "SPACER",
    "HINGE ASSY",
    "SEAL, DOOR",
)
FAMILY_NAMES = {
    "AN": ("BOLT", "BOLT, MACHINE"),
    "MS": ("RIVET, SOLID",),
    "NAS": ("WASHER, FLAT",),
    "BACB": ("BOLT, HEX HEAD", "BOLT"),
    "WF": ("GASKET, O-RING", "SEAL, O-RING", "PACKING, PREFORMED"),
}
SYSTEMS = (
    "hydraulic system",
    "landing gear",
    "cabin interior",
    "flight controls",
    "fuel system",
    "cargo door",
    "wing structure",
    "environmental control",
)
SCHEDULE_B = ("8484.10", "7318.15", "7318.16", "4016.93", "8807.30")


def digest(seed: int, key: object, field: str) -> bytes:
    """The 32-byte hash every catalogue and drift value is drawn from."""
    return hashlib.sha256(f"{seed}|{key}|{field}".encode()).digest()


def u16(d: bytes, i: int) -> int:
    """The i-th big-endian 16-bit integer of a digest (0..15)."""
    return (d[2 * i] << 8) | d[2 * i + 1]


def u32(d: bytes, i: int) -> int:
    """The i-th big-endian 32-bit integer of a digest (0..7)."""
    return int.from_bytes(d[4 * i : 4 * i + 4], "big")


def _price_table() -> tuple[int, ...]:
    # Log-uniform 0.10..25,000.00 in cents via Decimal (correctly rounded), so no platform libm is involved.
    ctx = Context(prec=20)
    log_ratio = ctx.ln(Decimal(250_000))
    return tuple(int(ctx.exp(log_ratio * i / 1024) * 10 + Decimal("0.5")) for i in range(1025))


_PRICE_TABLE = _price_table()


def log_uniform_cents(value: int) -> int:
    """Map a 32-bit integer to a log-uniform price in cents between 10 and 2,500,000."""
    slot, rest = divmod(value, 1 << 22)  # 1024 slots, linear inside each
    lo, hi = _PRICE_TABLE[slot], _PRICE_TABLE[slot + 1]
    return lo + (hi - lo) * rest // (1 << 22)


def split_code(code: str) -> tuple[str, str | None]:
    """Split ``BASE=SUFFIX`` into base and suffix (None when unsuffixed); the base ends at the first ``=``."""
    base, sep, suffix = code.partition("=")
    return base, (suffix if sep else None)


@dataclass(frozen=True, slots=True)
class BaseClass:
    """Resolved class flags of one base code (contract §7.2)."""

    multi_variant: bool = False
    no_stock: bool = False
    priced_no_stock: bool = False
    unpriced: bool = False
    net_only: bool = False
    non_us_only: bool = False
    no_locations: bool = False
    no_image: bool = False
    broken_image: bool = False

    def kinds(self) -> list[str]:
        """Class names this base belongs to, ``normal`` when it has no stock/price/location peculiarity."""
        names = [k for k in KINDS[1:] if getattr(self, k)]
        stock_kinds = {"no_stock", "unpriced", "net_only", "non_us_only", "no_locations"}
        if not stock_kinds.intersection(names):
            names.insert(0, "normal")
        return names


@dataclass(frozen=True, slots=True)
class Record:
    """Static attributes of one sellable record (one ``aviallPartNumber``)."""

    code: str
    base: str
    name: str
    description: str
    base_uom: str
    dim: str
    weight: str
    country: str
    supplier: str
    compliance: tuple[tuple[str, str], ...]
    has_image: bool
    broken_image: bool
    list_cents: int
    net_cents: int
    locations: tuple[str, ...]
    no_stock: bool
    non_us_only: bool
    no_locations: bool
    numbers_as_strings: bool
    price_period: int
    price_phase: int
    stock_period: int
    stock_phase: int
    base_quantities: tuple[int, ...] = ()
    drift_exempt: bool = False


NORMAL_CLASS = BaseClass()
NO_STOCK_CLASS = BaseClass(no_stock=True)
# Pinned codes exist with every seed; their values are fixtures clients test against, so time-based drift
# leaves them alone (bump and force still apply).
PINNED_CODES = ("WF338109", "311N5049-173", "AN3-12A", "MS20426AD3-5", "NAS1149F0332P")
PINNED_SUFFIXES = {"WF338109": ("K3",), "311N5049-173": ("BC",)}


def _pinned_records() -> dict[str, Record]:
    common: dict[str, Any] = {
        "price_period": 24,
        "price_phase": 0,
        "stock_period": 2,
        "stock_phase": 0,
        "drift_exempt": True,
    }
    wf = Record(
        code="WF338109=K3",
        base="WF338109",
        name="GASKET, O-RING",
        description="O-Ring Gasket for hydraulic system",
        base_uom="EA",
        dim="2.5 x 1.0 x 0.5",
        weight="0.1",
        country="United States",
        supplier="BOEING COMMERCIAL AIRPLANES",
        compliance=(
            ("faaApprovalCode", "PMA"),
            ("hazmatCode", "N"),
            ("eccn", "EAR99"),
            ("scheduleBCode", "8484.10"),
        ),
        has_image=True,
        broken_image=False,
        list_cents=2550,
        net_cents=2300,
        locations=("Dallas Central", "Chicago Warehouse"),
        base_quantities=(100, 50),
        no_stock=False,
        non_us_only=False,
        no_locations=False,
        numbers_as_strings=True,
        **common,
    )
    door = Record(
        code="311N5049-173=BC",
        base="311N5049-173",
        name="DOOR: ASSY, CARGO FWD",
        description="",
        base_uom="EA",
        dim="0 x 0 x 0",
        weight="0",
        country="United States",
        supplier="BOEING COMMERCIAL AIRPLANES",
        compliance=(),
        has_image=False,
        broken_image=False,
        list_cents=0,
        net_cents=0,
        locations=(),
        no_stock=True,
        non_us_only=False,
        no_locations=False,
        numbers_as_strings=False,
        **common,
    )
    return {wf.code: wf, door.code: door}


PINNED_RECORDS = _pinned_records()


def generate_code(d: bytes, fallback: bool) -> str:
    """One realistic part number from a digest; ``fallback`` forces the patterns with large code spaces."""
    pick = 40 + d[0] % 60 if fallback else d[0] % 100
    if pick < 6:
        return f"AN{3 + d[1] % 6}-{4 + d[2] % 37}{'A' if d[3] & 1 else ''}"
    if pick < 10:
        return f"MS20426AD{3 + d[1] % 4}-{2 + d[2] % 11}"
    if pick < 20:
        return f"NAS1149F{u16(d, 2) % 10000:04d}P"
    if pick < 32:
        return f"BACB30LH{2 + d[1] % 15}-{1 + d[2] % 60}"
    if pick < 75:
        letter = LETTERS[d[1] % len(LETTERS)]
        return f"{100 + u16(d, 2) % 900}{letter}{u16(d, 3) % 10000:04d}-{1 + u16(d, 4) % 999}"
    return f"WF{u32(d, 3) % 1_000_000:06d}"


def family_of(base: str) -> str:
    for prefix in ("NAS", "BACB", "AN", "MS", "WF"):
        if base.startswith(prefix):
            return prefix
    return "DRAWING"


def tenths(value: int) -> str:
    return f"{value // 10}.{value % 10}"
