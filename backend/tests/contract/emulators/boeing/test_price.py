"""Call 3: request handling, answer shapes, variants, unknown codes and body errors (contract §4, §7.2)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.contract.emulators.boeing.conftest import Control, Pna

SUFFIXES = {"K3", "BC", "E9", "A1", "C2"}
CODE_PATTERNS = [
    r"AN[3-8]-([4-9]|[1-3]\d|40)A?",
    r"MS20426AD[3-6]-([2-9]|1[0-2])",
    r"NAS1149F\d{4}P",
    r"BACB30LH\d+-\d+",
    r"\d{3}[A-Z]\d{4}-\d{1,3}",
    r"WF\d{6}",
]
PINNED_FIXTURE = {
    "aviallPartNumber": "WF338109=K3",
    "productCode": "WF338109",
    "name": "GASKET, O-RING",
    "description": "O-Ring Gasket for hydraulic system",
    "listPrice": "25.50",
    "netPrice": "23.00",
    "quantity": "150",
    "inStock": True,
    "baseUOM": "EA",
    "countryOfOrigin": "United States",
    "dim": "2.5 x 1.0 x 0.5",
    "dimUOM": "IN",
    "weight": "0.1",
    "weightUOM": "LB",
    "supplierName": "BOEING COMMERCIAL AIRPLANES",
    "faaApprovalCode": "PMA",
    "hazmatCode": "N",
    "eccn": "EAR99",
    "scheduleBCode": "8484.10",
    "locationAvailabilities": [
        {"location": "Dallas Central", "availQuantity": "100"},
        {"location": "Chicago Warehouse", "availQuantity": "50"},
    ],
}


def test_pinned_fixture_part_has_the_contract_values(pna: Pna, base_url: str) -> None:
    (item,) = pna.items(["WF338109=K3"])
    images = {k: item.pop(k) for k in ("productImage", "thumbnailImage")}
    assert item == PINNED_FIXTURE
    assert images == {
        "productImage": f"{base_url}/media/products/WF338109%3DK3.png",
        "thumbnailImage": f"{base_url}/media/thumbnails/WF338109%3DK3.png",
    }


def test_pinned_no_stock_part_has_the_real_no_stock_shape(pna: Pna) -> None:
    (item,) = pna.items(["311N5049-173=BC"])
    assert item["inStock"] is False
    assert Decimal(item["quantity"]) == 0
    assert Decimal(item["listPrice"]) == Decimal(item["netPrice"]) == 0
    assert item["dim"] == "0 x 0 x 0"
    assert item["weight"] == "0"
    assert item["description"] == ""
    for absent in ("locationAvailabilities", "productImage", "faaApprovalCode", "eccn", "hazmatCode"):
        assert absent not in item


def test_other_pinned_codes_are_normal_parts(pna: Pna) -> None:
    items = pna.items(["AN3-12A", "MS20426AD3-5", "NAS1149F0332P"])
    assert [i["aviallPartNumber"] for i in items] == ["AN3-12A", "MS20426AD3-5", "NAS1149F0332P"]
    for item in items:
        assert item["inStock"] is True
        assert Decimal(item["listPrice"]) >= Decimal(item["netPrice"]) > 0
        assert item["locationAvailabilities"]


def test_base_query_returns_every_variant(pna: Pna, control: Control) -> None:
    for base in control.sample("multi_variant", limit=5):
        items = pna.items([base])
        assert 2 <= len(items) <= 3
        suffixes = [i["aviallPartNumber"].split("=", 1)[1] for i in items]
        assert set(suffixes) <= SUFFIXES
        assert suffixes == sorted(suffixes)
        assert all(i["aviallPartNumber"] == f"{base}={s}" for i, s in zip(items, suffixes, strict=True))
        assert {i["productCode"] for i in items} == {base}


def test_suffixed_query_returns_exactly_that_variant(pna: Pna, control: Control) -> None:
    base = control.sample("multi_variant", limit=1)[0]
    variants = [i["aviallPartNumber"] for i in pna.items([base])]
    for code in variants:
        assert [i["aviallPartNumber"] for i in pna.items([code])] == [code]
    unused = sorted(SUFFIXES - {v.split("=")[1] for v in variants})[0]
    assert pna.items([f"{base}={unused}"]) == []


def test_pinned_suffixed_bases(pna: Pna) -> None:
    assert [i["aviallPartNumber"] for i in pna.items(["WF338109"])] == ["WF338109=K3"]
    assert pna.items(["WF338109=BC"]) == []
    assert pna.items(["AN3-12A=K3"]) == []


def test_not_found_codes_are_absent(pna: Pna) -> None:
    items = pna.items(["NOTFOUND-1", "AN3-12A", "NOTFOUND-WF338109", "ZZZ-NOT-A-PART"])
    assert [i["aviallPartNumber"] for i in items] == ["AN3-12A"]
    resp = pna.price(["NOTFOUND-1", "NOTFOUND-2"])
    assert resp.status_code == 200
    assert resp.json() == {"currency": "USD", "lineItems": []}


def test_matching_is_case_insensitive_and_duplicates_answered_once(pna: Pna) -> None:
    items = pna.items(["  an3-12a ", "AN3-12A", "wf338109=k3", "WF338109"])
    assert [i["aviallPartNumber"] for i in items] == ["AN3-12A", "WF338109=K3"]


def test_line_items_follow_request_order(pna: Pna, control: Control) -> None:
    codes = control.sample("normal", limit=8)
    order = list(reversed(codes))
    returned = [i["productCode"] for i in pna.items(order)]
    assert list(dict.fromkeys(returned)) == order


def test_ten_codes_are_accepted(pna: Pna, control: Control) -> None:
    codes = control.sample("normal", limit=10)
    assert len(pna.items(codes)) >= 10


@pytest.mark.parametrize("count", [0, 11])
def test_code_count_outside_1_to_10_is_a_400(pna: Pna, count: int) -> None:
    resp = pna.price([f"AN3-{i}" for i in range(count)])
    assert resp.status_code == 400
    assert resp.json() == {"error": "bad_request", "message": "productCodes must contain 1..10 items"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1, 2], "body must be a JSON object"),
        ({"showNoStock": True}, "productCodes must be an array of strings"),
        ({"productCodes": "AN3-12A"}, "productCodes must be an array of strings"),
        ({"productCodes": ["AN3-12A", 7]}, "productCodes must be an array of strings"),
        ({"productCodes": ["AN3-12A"], "showNoStock": "yes"}, "showNoStock must be a boolean"),
        ({"productCodes": ["AN3-12A"], "showLocation": 1}, "showLocation must be a boolean"),
    ],
)
def test_invalid_bodies_are_400(pna: Pna, body: Any, message: str) -> None:
    resp = pna.price_raw(body)
    assert resp.status_code == 400
    assert resp.json() == {"error": "bad_request", "message": message}


def test_non_json_body_is_400(pna: Pna) -> None:
    assert pna.part is not None  # logged in
    headers = {"Authorization": f"Bearer {pna.access}", "x-boeing-parts-authorization": pna.part}
    resp = pna.http.post(
        "/boeing-part-price-availability/price-availability/v1/wtoken", content=b"{not json", headers=headers
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "bad_request"


def test_flags_default_to_true(pna: Pna) -> None:
    (item,) = pna.price_raw({"productCodes": ["311N5049-173=BC"]}).json()["lineItems"]
    assert item["inStock"] is False
    (item,) = pna.price_raw({"productCodes": ["WF338109=K3"]}).json()["lineItems"]
    assert "locationAvailabilities" in item


def test_show_no_stock_false_hides_no_stock_records(pna: Pna, control: Control) -> None:
    no_stock = control.sample("no_stock", limit=3)
    codes = [*no_stock, "311N5049-173", "AN3-12A"]
    shown = {i["productCode"] for i in pna.items(codes, show_no_stock=True)}
    assert set(codes) <= shown
    hidden = pna.items(codes, show_no_stock=False)
    assert [i["productCode"] for i in hidden] == ["AN3-12A"]
    assert all(i["inStock"] for i in hidden)


def test_show_location_false_omits_locations(pna: Pna) -> None:
    (item,) = pna.items(["WF338109=K3"], show_location=False)
    assert "locationAvailabilities" not in item
    assert item["quantity"] == "150"


def test_generated_codes_have_realistic_shapes(control: Control) -> None:
    codes = [c for kind in ("normal", "no_stock", "multi_variant") for c in control.sample(kind, limit=60)]
    for code in codes:
        assert any(re.fullmatch(p, code) for p in CODE_PATTERNS), code


@pytest.mark.parametrize("style", ["string", "number"])
def test_numeric_styles(pna: Pna, control: Control, style: str) -> None:
    control.config(numeric_style=style)
    (item,) = pna.items(["WF338109=K3"])
    expected = str if style == "string" else (int, float)
    for key in ("listPrice", "netPrice", "quantity"):
        assert isinstance(item[key], expected), (key, item[key])
    assert all(isinstance(loc["availQuantity"], expected) for loc in item["locationAvailabilities"])
    assert Decimal(str(item["listPrice"])) == Decimal("25.50")
    assert Decimal(str(item["netPrice"])) == Decimal("23")
    assert isinstance(item["weight"], str)


def test_number_style_whole_amounts_are_integers(pna: Pna, control: Control) -> None:
    control.config(numeric_style="number")
    (item,) = pna.items(["WF338109=K3"])
    assert item["listPrice"] == 25.5
    assert item["netPrice"] == 23
    assert isinstance(item["netPrice"], int)
    assert item["quantity"] == 150


def test_mixed_style_is_per_part_and_stable(pna: Pna, control: Control) -> None:
    control.config(numeric_style="mixed")
    control.freeze()
    codes = control.sample("normal", limit=10)
    first = pna.items(codes)
    styles = {type(item["listPrice"]) is str for item in first}
    assert styles == {True, False}
    assert pna.items(codes) == first


def test_catalog_truth_matches_the_price_answer(pna: Pna, control: Control) -> None:
    control.freeze()
    for code in ["WF338109", *control.sample("multi_variant", limit=2), *control.sample("normal", limit=2)]:
        truth = control.call("GET", f"/catalog/{code}")
        assert truth["code"] == code
        assert truth["lineItems"] == pna.items([code])


def test_catalog_truth_of_unknown_code_is_404(control: Control) -> None:
    control.call("GET", "/catalog/NOTFOUND-1", expect=404)
    control.call("GET", "/catalog/QQQ-1", expect=404)
