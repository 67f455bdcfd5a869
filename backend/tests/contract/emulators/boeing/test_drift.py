"""Price and stock drift, freeze, forced overrides, bump and absent (contract §7.3, §7.8)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.contract.emulators.boeing.conftest import Control, Pna

# Drift follows the virtual clock's windows: every test here also runs at the unusual instants.
pytestmark = pytest.mark.time_sensitive

WINDOW_S = 3600
# The catalogue's first bases are pinned parts, exempt from drift (contract §7.2); samples start after them.
FIRST_DRIFTING_BASE = 5


def prices(items: list[dict[str, Any]]) -> dict[str, tuple[Decimal, Decimal]]:
    return {i["aviallPartNumber"]: (Decimal(i["listPrice"]), Decimal(i["netPrice"])) for i in items}


def stock(items: list[dict[str, Any]]) -> dict[str, tuple[bool, str | float, tuple[str, ...]]]:
    return {
        i["aviallPartNumber"]: (
            i["inStock"],
            i["quantity"],
            tuple(map(str, i.get("locationAvailabilities", []))),
        )
        for i in items
    }


def batches(codes: list[str], size: int = 10) -> list[list[str]]:
    return [codes[i : i + size] for i in range(0, len(codes), size)]


def answer(pna: Pna, codes: list[str]) -> list[dict[str, Any]]:
    return [item for batch in batches(codes) for item in pna.items(batch)]


def test_same_window_same_answer(pna: Pna, control: Control) -> None:
    control.freeze()
    codes = control.sample("normal", limit=30)
    assert answer(pna, codes) == answer(pna, codes)


def test_stock_and_prices_drift_over_time(pna: Pna, control: Control) -> None:
    control.freeze()
    codes = control.sample("normal", limit=40, offset=FIRST_DRIFTING_BASE)
    before = answer(pna, codes)
    control.freeze(False)
    control.advance(240 * WINDOW_S)  # every part passes at least one price and one stock epoch
    pna.login()  # the old tokens expired on the way
    after = answer(pna, codes)
    old_prices, new_prices = prices(before), prices(after)
    # A new epoch redraws the factor (-3%…+6%, in basis points); on a price of $10 or more that shows in the
    # cents but for a near-equal draw, while a few cents' part may round to the same price.
    dear = [code for code, (list_price, _net) in old_prices.items() if list_price >= 10]
    assert len(dear) >= 10
    assert sum(new_prices[code] != old_prices[code] for code in dear) >= len(dear) * 0.9
    changed_stock = sum(stock(before)[k] != v for k, v in stock(after).items())
    assert changed_stock >= len(before) * 0.8
    for item in after:
        if Decimal(item["listPrice"]) > 0:
            assert Decimal(item["listPrice"]) >= Decimal(item["netPrice"])


def test_drift_stays_within_the_contract_band(pna: Pna, control: Control) -> None:
    # Within one price epoch the base is fixed, so any two drifted prices differ by at most 6% / 0.97.
    control.freeze()
    codes = control.sample("normal", limit=20)
    seen: dict[str, list[Decimal]] = {}
    for _ in range(6):
        control.freeze(False)
        control.advance(300 * WINDOW_S)
        control.freeze()
        pna.login()
        for code, (list_price, _net) in prices(answer(pna, codes)).items():
            seen.setdefault(code, []).append(list_price)
    for values in seen.values():
        assert max(values) / min(values) <= Decimal("1.06") / Decimal("0.97") + Decimal("0.01")


def test_freeze_pins_the_window(pna: Pna, control: Control) -> None:
    window = control.freeze()
    codes = control.sample("normal", limit=30)
    before = answer(pna, codes)
    after_advance = control.advance(500 * WINDOW_S)
    assert after_advance["window"] == window
    pna.login()
    assert answer(pna, codes) == before
    assert control.freeze(False) > window
    assert answer(pna, codes) != before


def test_pinned_codes_do_not_drift(pna: Pna, control: Control) -> None:
    before = pna.items(["WF338109", "AN3-12A", "MS20426AD3-5", "NAS1149F0332P"])
    control.advance(1000 * WINDOW_S)
    pna.login()
    assert pna.items(["WF338109", "AN3-12A", "MS20426AD3-5", "NAS1149F0332P"]) == before


def test_force_explicit_values(pna: Pna, control: Control) -> None:
    result = control.force(
        code="WF338109=K3", listPrice="31.20", netPrice=29, locations={"Dallas Central": 0}
    )
    assert result["codes"] == ["WF338109=K3"]
    (item,) = pna.items(["WF338109=K3"])
    assert (item["listPrice"], item["netPrice"]) == ("31.20", "29.00")
    assert item["locationAvailabilities"] == [
        {"location": "Dallas Central", "availQuantity": "0"},
        {"location": "Chicago Warehouse", "availQuantity": "50"},
    ]
    assert item["quantity"] == "50"
    assert item["inStock"] is True
    assert result["lineItems"] == [item]


def test_force_quantity_and_in_stock(pna: Pna, control: Control) -> None:
    control.force(code="AN3-12A", quantity=0)
    (item,) = pna.items(["an3-12a"])
    assert (item["quantity"], item["inStock"]) == ("0", False)
    assert pna.items(["AN3-12A"], show_no_stock=False) == []
    control.force(code="AN3-12A", inStock=True)
    assert pna.items(["AN3-12A"])[0]["inStock"] is True


def test_overrides_survive_time_and_go_with_reset(pna: Pna, control: Control, http: httpx.Client) -> None:
    control.force(code="WF338109=K3", listPrice="99.99")
    control.advance(100 * WINDOW_S)
    pna.login()
    assert pna.items(["WF338109=K3"])[0]["listPrice"] == "99.99"
    http.post("/_emulator/reset").raise_for_status()
    pna.login()
    assert pna.items(["WF338109=K3"])[0]["listPrice"] == "25.50"


def test_bump_changes_the_next_answer(pna: Pna, control: Control) -> None:
    control.freeze()
    codes = ["WF338109=K3", *control.sample("normal", limit=10)]
    for code in codes:
        before = pna.items([code])
        control.force(code=code, bump=True)
        after = pna.items([code])
        assert prices(after) != prices(before), code
        assert stock(after) != stock(before), code


def test_bump_of_a_base_bumps_every_variant(pna: Pna, control: Control) -> None:
    control.freeze()
    # A variant base that is also a normal part, so each variant has a price and stock to move.
    base = next(
        code
        for code in control.sample("multi_variant", limit=20)
        if "normal" in control.call("GET", f"/catalog/{code}")["kinds"]
    )
    before = pna.items([base])
    result = control.force(code=base, bump=True)
    assert len(result["codes"]) == len(before)
    after = pna.items([base])
    assert all(prices([a]) != prices([b]) for a, b in zip(after, before, strict=True))


def test_absent_vanishes_from_every_answer(pna: Pna, control: Control) -> None:
    control.force(code="WF338109=K3", absent=True)
    assert pna.items(["WF338109", "AN3-12A"])[0]["aviallPartNumber"] == "AN3-12A"
    assert pna.items(["WF338109=K3"]) == []
    truth = control.call("GET", "/catalog/WF338109=K3")
    assert (truth["absent"], truth["lineItems"]) == (["WF338109=K3"], [])
    assert pna.http.get("/media/products/WF338109%3DK3.png").status_code == 404
    control.force(code="WF338109=K3", absent=False)
    assert len(pna.items(["WF338109"])) == 1


def test_force_validation(control: Control) -> None:
    control.call("POST", "/drift/force", {"code": "NOTFOUND-1", "bump": True}, expect=404)
    control.call("POST", "/drift/force", {"code": "AN3-12A"}, expect=422)
    for bad in (
        {"listPrice": "1.234"},
        {"listPrice": "-1"},
        {"netPrice": "abc"},
        {"quantity": -1},
        {"locations": {"Dallas Central": -5}},
        {"colour": "red"},
    ):
        assert control.call("POST", "/drift/force", {"code": "AN3-12A", **bad}, expect=422)["detail"]


def test_drift_window_is_configurable(pna: Pna, control: Control) -> None:
    control.config(drift_window_s=60)
    control.freeze()
    codes = control.sample("normal", limit=20)
    before = answer(pna, codes)
    control.freeze(False)
    control.advance(60 * 48)  # 48 one-minute windows pass every stock period
    assert stock(answer(pna, codes)) != stock(before)
