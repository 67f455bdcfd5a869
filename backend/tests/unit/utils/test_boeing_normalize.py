"""Normalization of Boeing line items: every field, prices, part numbers, text and the response shape."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest

from app.core.constants.extraction import BlockedReason, StagingStatus
from app.utils.boeing_normalize import (
    normalize_line_item,
    normalize_response,
    record_from_dict,
    with_location_settings,
)
from app.utils.normalized_record import NormalizedRecord
from tests.support.boeing_items import DROP, US_LOCATION_MAP, line_item, location


def html(record: NormalizedRecord) -> str:
    """The record's description; the normalizer always writes one."""
    assert record.body_html is not None
    return record.body_html


def normalize(
    item: dict[str, Any],
    *,
    currency: str | None = "USD",
    location_map: dict[str, str] | None = None,
    default_location: str | None = None,
) -> NormalizedRecord:
    return normalize_line_item(
        item,
        currency=currency,
        location_map=US_LOCATION_MAP if location_map is None else location_map,
        default_location=default_location,
    )


def test_the_contract_fixture_normalizes_to_every_field() -> None:
    record = normalize(line_item())
    assert record.to_dict() == {
        "sku": "WF338109=K3",
        "title": "WF338109",
        "boeing_name": "GASKET, O-RING",
        "boeing_description": "O-Ring Gasket for hydraulic system",
        "body_html": "<p>Part No. WF338109</p><p>Description: GASKET, O-RING</p>"
        "<p>Manufacturer: BOEING COMMERCIAL AIRPLANES</p><p>Cert: FAA 8130-3</p><p>Condition: NE</p>"
        "<p>Unit of Measure: EA</p>",
        "vendor": "BOEING COMMERCIAL AIRPLANES",
        "supplier_name": "BOEING COMMERCIAL AIRPLANES",
        "currency": "USD",
        "list_price": Decimal("25.50"),
        "net_price": Decimal("23.00"),
        "cost_per_item": Decimal("25.50"),
        "price": Decimal("28.05"),
        "dim_length": Decimal("2.5"),
        "dim_width": Decimal("1.0"),
        "dim_height": Decimal("0.5"),
        "weight": Decimal("0.1"),
        "inventory_quantity": 150,
        "inventory_status": "in_stock",
        "location_summary": "Chicago Warehouse: 50; Dallas Central: 100",
        "locations": [
            {"location": "Chicago Warehouse", "quantity": 50},
            {"location": "Dallas Central", "quantity": 100},
        ],
        "dim_uom": "IN",
        "weight_unit": "LB",
        "base_uom": "EA",
        "country_of_origin": "United States",
        "hazmat_code": "N",
        "faa_approval_code": "PMA",
        "eccn": "EAR99",
        "schedule_b_code": "8484.10",
        "condition": "NE",
        "cert": "FAA 8130-3",
        "boeing_image_url": "http://127.0.0.1:8081/media/products/WF338109%3DK3.png",
        "boeing_thumbnail_url": "http://127.0.0.1:8081/media/thumbnails/WF338109%3DK3.png",
        "pma": True,
        "status": "fetched",
        "blocked_reason": None,
    }
    assert record.base_part_number == "WF338109"
    assert record.mapped_inventory == (("Chicago Warehouse", 50), ("Dallas Central", 100), ("Miami, FL", 0))
    assert record.status is StagingStatus.FETCHED


def test_numbers_as_json_numbers_or_strings_give_the_same_record() -> None:
    as_strings = normalize(line_item())
    as_numbers = normalize(
        line_item(
            listPrice=25.5,
            netPrice=23,
            quantity=150,
            weight=0.1,
            locationAvailabilities=[location("Dallas Central", 100), location("Chicago Warehouse", 50)],
        )
    )
    assert as_numbers == as_strings


def test_net_price_is_the_base_cost_when_list_price_is_zero() -> None:
    record = normalize(line_item(listPrice=0, netPrice="20.00"))
    assert record.list_price is None
    assert record.net_price == Decimal("20.00")
    assert record.cost_per_item == Decimal("20.00")
    assert record.price == Decimal("22.00")
    assert record.status is StagingStatus.FETCHED


@pytest.mark.parametrize(
    ("list_price", "net_price"),
    [(0, 0), ("0", "0.00"), (DROP, DROP), ("", ""), (None, None), ("-5", "-1"), ("n/a", DROP)],
)
def test_a_part_without_a_positive_price_is_blocked_no_price(list_price: Any, net_price: Any) -> None:
    record = normalize(line_item(listPrice=list_price, netPrice=net_price))
    assert (record.list_price, record.net_price, record.cost_per_item, record.price) == (
        None,
        None,
        None,
        None,
    )
    assert record.status is StagingStatus.BLOCKED
    assert record.blocked_reason is BlockedReason.NO_PRICE


@pytest.mark.parametrize(
    ("list_price", "price"),
    [
        ("0.15", Decimal("0.17")),  # 0.165: half-even would give 0.16
        ("0.35", Decimal("0.39")),  # 0.385: half-even would give 0.38
        (0.15, Decimal("0.17")),
        ("18450.00", Decimal("20295.00")),
        ("10.005", Decimal("11.01")),  # base cost rounds first to 10.01, then * 1.10 = 11.011
    ],
)
def test_the_shop_price_is_the_base_cost_with_markup_rounded_half_up(list_price: Any, price: Decimal) -> None:
    assert normalize(line_item(listPrice=list_price)).price == price


@pytest.mark.parametrize(
    ("dim", "expected"),
    [
        ("2.5 x 1.0 x 0.5", (Decimal("2.5"), Decimal("1.0"), Decimal("0.5"))),
        ("2.5X1X0.5", (Decimal("2.5"), Decimal("1"), Decimal("0.5"))),
        ("0 x 0 x 0", (None, None, None)),
        ("2 x 0 x 1", (Decimal("2"), None, Decimal("1"))),
        ("2.5 x 1.0", (None, None, None)),
        ("a x b x c", (None, None, None)),
        ("1 x 2 x 3 x 4", (None, None, None)),
        ("", (None, None, None)),
        (None, (None, None, None)),
        (DROP, (None, None, None)),
    ],
)
def test_dimensions(dim: Any, expected: tuple[Decimal | None, ...]) -> None:
    record = normalize(line_item(dim=dim))
    assert (record.dim_length, record.dim_width, record.dim_height) == expected


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        ("0.1", Decimal("0.1")),
        (2, Decimal("2")),
        ("0", None),
        (0, None),
        ("", None),
        (DROP, None),
        ("x", None),
    ],
)
def test_weight_zero_or_missing_is_unknown(weight: Any, expected: Decimal | None) -> None:
    assert normalize(line_item(weight=weight)).weight == expected


@pytest.mark.parametrize(
    ("part", "sku", "base"),
    [
        ("WF338109=K3", "WF338109=K3", "WF338109"),
        ("311N5049-173=BC", "311N5049-173=BC", "311N5049-173"),
        ("AN3-12A", "AN3-12A", "AN3-12A"),
        (" wf338109=k3 ", "WF338109=K3", "WF338109"),
        ("A=B=C", "A=B=C", "A"),
    ],
)
def test_sku_keeps_the_suffix_and_title_is_the_base_part_number(part: str, sku: str, base: str) -> None:
    record = normalize(line_item(aviallPartNumber=part))
    assert (record.sku, record.title, record.base_part_number) == (sku, base, base)
    assert html(record).startswith(f"<p>Part No. {base}</p>")


def test_every_variant_of_a_base_is_its_own_record() -> None:
    payload = {
        "currency": "USD",
        "lineItems": [
            line_item(aviallPartNumber="WF338109=K3"),
            line_item(aviallPartNumber="WF338109=E9", listPrice="30.00"),
            line_item(aviallPartNumber="WF338109=A1", listPrice=0, netPrice=0),
        ],
    }
    records = normalize_response(payload, location_map=US_LOCATION_MAP, default_location=None)
    assert [r.sku for r in records] == ["WF338109=K3", "WF338109=E9", "WF338109=A1"]
    assert {r.base_part_number for r in records} == {"WF338109"}
    assert [r.price for r in records] == [Decimal("28.05"), Decimal("33.00"), None]
    assert [r.status.value for r in records] == ["fetched", "fetched", "blocked"]


@pytest.mark.parametrize(
    "payload", [{}, {"lineItems": None}, {"currency": "USD", "lineItems": []}, {"lineItems": 5}]
)
def test_a_response_without_line_items_gives_no_records(payload: dict[str, Any]) -> None:
    assert normalize_response(payload, location_map=US_LOCATION_MAP, default_location=None) == []


def test_items_without_a_part_number_are_skipped() -> None:
    payload = {
        "currency": None,
        "lineItems": [
            line_item(aviallPartNumber=DROP),
            line_item(aviallPartNumber=""),
            line_item(aviallPartNumber=None),
            "junk",
            line_item(aviallPartNumber="AN3-12A"),
        ],
    }
    records = normalize_response(payload, location_map=US_LOCATION_MAP, default_location=None)
    assert [r.sku for r in records] == ["AN3-12A"]
    assert records[0].currency == "USD"


def test_normalize_line_item_requires_a_part_number() -> None:
    with pytest.raises(ValueError, match="aviallPartNumber"):
        normalize(line_item(aviallPartNumber="  "))


@pytest.mark.parametrize(
    ("currency", "expected"), [(None, "USD"), ("", "USD"), ("usd", "USD"), ("EUR", "EUR")]
)
def test_currency_defaults_to_usd(currency: str | None, expected: str) -> None:
    assert normalize(line_item(), currency=currency).currency == expected


@pytest.mark.parametrize(
    ("base_uom", "shown"), [("EACH", "EA"), (" pcs ", "EA"), ("LBS", "Pound"), ("DRUM", "DRUM"), (DROP, "")]
)
def test_the_description_shows_the_mapped_unit_of_measure(base_uom: Any, shown: str) -> None:
    record = normalize(line_item(baseUOM=base_uom))
    assert html(record).endswith(f"<p>Unit of Measure: {shown}</p>")


def test_description_values_are_html_escaped() -> None:
    record = normalize(line_item(name='<script>alert("x")</script> & co', supplierName="Smith & Sons <Ltd>"))
    assert "<script>" not in html(record)
    assert "<p>Description: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</p>" in html(record)
    assert "<p>Manufacturer: Smith &amp; Sons &lt;Ltd&gt;</p>" in html(record)
    assert record.boeing_name == '<script>alert("x")</script> & co'  # the data itself stays as sent


@pytest.mark.parametrize("supplier", [DROP, "", "  ", None])
def test_vendor_defaults_to_bdi(supplier: Any) -> None:
    record = normalize(line_item(supplierName=supplier))
    assert record.vendor == "BDI"
    assert record.supplier_name is None
    assert "<p>Manufacturer: BDI</p>" in html(record)


@pytest.mark.parametrize(
    ("code", "pma"), [("PMA", True), (" pma ", True), ("TSO", False), ("", None), (DROP, None)]
)
def test_pma_follows_the_faa_approval_code(code: Any, pma: bool | None) -> None:
    assert normalize(line_item(faaApprovalCode=code)).pma is pma


def test_condition_and_certificate_are_the_store_defaults() -> None:
    record = normalize(line_item())
    assert (record.condition, record.cert) == ("NE", "FAA 8130-3")


def test_to_dict_is_json_ready_apart_from_decimals() -> None:
    record = normalize(line_item(listPrice=0, netPrice=0))
    data = record.to_dict()
    assert data["status"] == "blocked"
    assert data["blocked_reason"] == "no_price"
    assert type(data["status"]) is str
    json.dumps(data, default=str)  # raises if anything but Decimal is not JSON-serializable


def test_records_are_frozen() -> None:
    record = normalize(line_item())
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.price = Decimal("1.00")  # type: ignore[misc]  # assigning a frozen field is the point


def test_record_from_dict_round_trips_through_json() -> None:
    record = normalize(line_item(), default_location="Shop location")
    decoded = json.loads(json.dumps(record.to_dict(), default=float))
    assert record_from_dict(decoded, location_map=US_LOCATION_MAP, default_location="Shop location") == record


def test_record_from_dict_recomputes_status_from_edited_values() -> None:
    data = normalize(line_item()).to_dict()
    data.update(price=None, status="fetched", blocked_reason=None)
    edited = record_from_dict(data, location_map=US_LOCATION_MAP, default_location=None)
    assert edited.blocked_reason is BlockedReason.NO_PRICE
    data = normalize(line_item()).to_dict()
    data.update(locations=[{"location": "Germany CSC", "quantity": 9}], inventory_quantity=9)
    moved = record_from_dict(data, location_map=US_LOCATION_MAP, default_location=None)
    assert moved.blocked_reason is BlockedReason.NO_MAPPED_LOCATION
    assert moved.location_summary == "Germany CSC: 9"


def test_record_from_dict_needs_a_sku() -> None:
    with pytest.raises(ValueError, match="sku"):
        record_from_dict({"title": "X"}, location_map=US_LOCATION_MAP, default_location=None)


def test_stock_is_mapped_again_with_the_location_settings_in_force() -> None:
    item = line_item(
        locationAvailabilities=[location("Dallas Central", 7), location("Miami, FL", 3)], quantity=10
    )
    staged = normalize(item, location_map={"Dallas Central": "Texas", "Miami, FL": "Florida"})
    assert staged.mapped_inventory == (("Florida", 3), ("Texas", 7))

    merged = with_location_settings(
        staged, location_map={"Dallas Central": "South", "Miami, FL": "South"}, default_location=None
    )
    assert merged.mapped_inventory == (("South", 10),)
    assert (merged.status, merged.blocked_reason) == (StagingStatus.FETCHED, None)
    assert dataclasses.replace(merged, mapped_inventory=staged.mapped_inventory) == staged, (
        "stock fields only"
    )

    unmapped = with_location_settings(staged, location_map={"Germany CSC": "Berlin"}, default_location=None)
    assert unmapped.mapped_inventory == (("Berlin", 0),)
    assert (unmapped.status, unmapped.blocked_reason) == (
        StagingStatus.BLOCKED,
        BlockedReason.NO_MAPPED_LOCATION,
    )
