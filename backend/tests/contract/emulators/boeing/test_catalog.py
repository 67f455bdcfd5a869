"""Catalogue classes and their answer shapes (contract §7.2), sampled through the control API."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from emulators.boeing.catalog import Catalog
from emulators.boeing.config import Shares
from emulators.boeing.drift import snapshot
from emulators.boeing.parts import NOT_FOUND_PREFIX, PINNED_CODES
from tests.contract.emulators.boeing.conftest import Control, Pna

US_LOCATIONS = {"Dallas Central", "Chicago Warehouse", "Miami, FL"}
COMPLIANCE = ("faaApprovalCode", "hazmatCode", "eccn", "scheduleBCode")


@pytest.fixture
def sampled(pna: Pna, control: Control) -> Callable[[str], list[dict[str, Any]]]:
    """Line items of up to 8 sampled bases of a kind, with drift frozen so the sample stays valid."""
    control.freeze()

    def items_of(kind: str) -> list[dict[str, Any]]:
        codes = control.sample(kind, limit=8)
        return pna.items(codes)

    return items_of


def qty(value: str | float) -> Decimal:
    return Decimal(str(value))


def test_normal(sampled: Callable[[str], list[dict[str, Any]]]) -> None:
    for item in sampled("normal"):
        assert item["inStock"] is True
        assert qty(item["listPrice"]) >= qty(item["netPrice"]) > 0
        locations = item["locationAvailabilities"]
        assert 1 <= len(locations) <= 3
        assert {loc["location"] for loc in locations} <= US_LOCATIONS
        assert qty(item["quantity"]) == sum(qty(loc["availQuantity"]) for loc in locations) > 0


def test_multi_variant(pna: Pna, control: Control) -> None:
    for base in control.sample("multi_variant", limit=8):
        items = pna.items([base])
        assert 2 <= len(items) <= 3
        assert all(i["aviallPartNumber"].startswith(base + "=") for i in items)


def test_no_stock(sampled: Callable[[str], list[dict[str, Any]]]) -> None:
    items = sampled("no_stock")
    for item in items:
        assert item["inStock"] is False
        assert qty(item["quantity"]) == 0
        assert "locationAvailabilities" not in item
        assert item["dim"] == "0 x 0 x 0"
        for key in (*COMPLIANCE, "productImage", "thumbnailImage"):
            assert key not in item


def test_no_stock_prices_are_mostly_zero(control: Control, pna: Pna) -> None:
    codes = control.sample("no_stock", limit=40)
    items = [item for start in range(0, 40, 10) for item in pna.items(codes[start : start + 10])]
    zero = [i for i in items if qty(i["listPrice"]) == 0 and qty(i["netPrice"]) == 0]
    assert len(items) // 2 <= len(zero) < len(items)  # about 80% unpriced, the rest keep a price


def test_unpriced(sampled: Callable[[str], list[dict[str, Any]]]) -> None:
    for item in sampled("unpriced"):
        assert qty(item["listPrice"]) == qty(item["netPrice"]) == 0
        assert qty(item["quantity"]) > 0
        assert item["inStock"] is True


def test_net_only(sampled: Callable[[str], list[dict[str, Any]]]) -> None:
    for item in sampled("net_only"):
        assert qty(item["listPrice"]) == 0
        assert qty(item["netPrice"]) > 0


def test_non_us_only(sampled: Callable[[str], list[dict[str, Any]]]) -> None:
    for item in sampled("non_us_only"):
        assert [loc["location"] for loc in item["locationAvailabilities"]] == ["Germany CSC"]
        assert qty(item["quantity"]) == qty(item["locationAvailabilities"][0]["availQuantity"]) > 0


def test_no_locations(sampled: Callable[[str], list[dict[str, Any]]]) -> None:
    for item in sampled("no_locations"):
        assert "locationAvailabilities" not in item
        assert qty(item["quantity"]) > 0
        assert item["inStock"] is True


def test_no_image(sampled: Callable[[str], list[dict[str, Any]]]) -> None:
    for item in sampled("no_image"):
        assert "productImage" not in item
        assert "thumbnailImage" not in item


def test_broken_image(sampled: Callable[[str], list[dict[str, Any]]], http: httpx.Client) -> None:
    for item in sampled("broken_image"):
        url = item["productImage"]
        assert http.get(url).status_code == 404
        assert http.get(item["thumbnailImage"]).status_code == 404


def test_sample_kind_is_validated(control: Control) -> None:
    assert control.call("GET", "/catalog", expect=422, kind="weird")["detail"]
    assert control.call("GET", "/catalog", expect=422, kind="normal", limit=0)["detail"]


def test_sample_offset_and_limit(control: Control) -> None:
    first = control.call("GET", "/catalog", kind="normal", limit=10)["codes"]
    assert len(first) == 10
    later = control.call("GET", "/catalog", kind="normal", limit=5, offset=1000)["codes"]
    assert len(later) == 5
    assert not set(later) & set(first)


def test_catalog_truth_lists_kinds(control: Control) -> None:
    assert control.call("GET", "/catalog/311N5049-173")["kinds"] == ["no_stock"]
    base = control.sample("multi_variant", limit=1)[0]
    assert "multi_variant" in control.call("GET", f"/catalog/{base}")["kinds"]


# --- in-process properties of the generator itself ------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> Catalog:
    return Catalog(42, 50_000)


def test_default_size_and_pinned_codes(big: Catalog) -> None:
    assert len(big.codes) == len(big.index) == 50_000
    assert big.codes[: len(PINNED_CODES)] == list(PINNED_CODES)
    assert not any(code.startswith(NOT_FOUND_PREFIX) for code in big.codes)
    records = sum(len(big.suffixes(i)) for i in range(50_000))
    assert 55_000 <= records <= 60_000


def test_class_shares_match_the_defaults(big: Catalog) -> None:
    counts = Counter(kind for i in range(50_000) for kind in big.base_class(i).kinds())
    for kind, share in Shares().model_dump().items():
        assert abs(counts[kind] / 50_000 - share) < max(0.005, share * 0.15), (kind, counts[kind])


def test_generation_is_stable_for_a_seed(big: Catalog) -> None:
    again = Catalog(42, 50_000)
    assert again.codes == big.codes
    assert [again.record(i, s) for i in range(0, 50_000, 997) for s in again.suffixes(i)] == [
        big.record(i, s) for i in range(0, 50_000, 997) for s in big.suffixes(i)
    ]


def test_hourly_change_rates(big: Catalog) -> None:
    # Contract §7.3: defaults give ~1-4% of parts changing price and 10-20% changing stock per hour.
    records = [big.record(i, s) for i in range(5, 6_000) for s in big.suffixes(i)]
    records = [r for r in records if not r.no_stock]
    for window in (480_000, 481_234, 490_001):
        moved_price = moved_stock = 0
        for rec in records:
            now, nxt = snapshot(42, rec, window), snapshot(42, rec, window + 1)
            moved_price += (now.list_cents, now.net_cents) != (nxt.list_cents, nxt.net_cents)
            moved_stock += now.stock_key() != nxt.stock_key()
        assert 0.01 <= moved_price / len(records) <= 0.04
        assert 0.10 <= moved_stock / len(records) <= 0.20
