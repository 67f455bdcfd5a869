"""productSet and price-update payloads: every field, handles, stock per location, rounding, content hash."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from app.services.utils.shopify_payload_builder import (
    ProductSetRequest,
    build_product_set,
    build_variant_price_update,
    origin_tag,
    product_handle,
    publish_content_hash,
)
from app.utils.normalized_record import NormalizedRecord
from tests.support.boeing_items import normalized

LOCATION_IDS = {
    "Dallas Central": "gid://shopify/Location/1",
    "Chicago Warehouse": "gid://shopify/Location/2",
    "Miami, FL": "gid://shopify/Location/3",
}
CODES = {"Dallas Central": "1D1"}
IMAGE = "http://127.0.0.1:8000/media/images/WF338109%3DK3.png"


def record(default_location: str | None = None, **overrides: Any) -> NormalizedRecord:
    """The contract's in-stock fixture, normalized; keyword arguments override Boeing fields."""
    return normalized(default_location=default_location, **overrides)


def build(rec: Any, **kwargs: Any) -> ProductSetRequest:
    options: dict[str, Any] = {
        "location_ids": LOCATION_IDS,
        "inventory_location_codes": CODES,
        "image_url": IMAGE,
    }
    options.update(kwargs)
    return build_product_set(rec, **options)


def test_product_set_for_the_contract_fixture() -> None:
    request = build(record(), variant_id="gid://shopify/ProductVariant/9")
    assert request.identifier == {
        "customId": {"namespace": "custom", "key": "aviall_part_number", "value": "WF338109=K3"}
    }
    body = request.input
    assert body["handle"] == "wf338109--k3"
    assert body["title"] == "WF338109"
    assert body["descriptionHtml"] == record().body_html
    assert body["vendor"] == "BOEING COMMERCIAL AIRPLANES"
    assert body["productType"] == "Aircraft Parts"
    assert body["tags"] == ["boeing", "aerospace", "Aircraft Parts & Accessories", "origin-united-states"]
    assert body["category"] == "gid://shopify/TaxonomyCategory/vp-1-1"
    assert body["status"] == "ACTIVE"
    assert body["productOptions"] == [{"name": "Title", "values": [{"name": "Default Title"}]}]
    assert body["variants"] == [
        {
            "id": "gid://shopify/ProductVariant/9",
            "optionValues": [{"optionName": "Title", "name": "Default Title"}],
            "sku": "WF338109",
            "price": "28.05",
            "inventoryItem": {
                "tracked": True,
                "cost": "25.50",
                "measurement": {"weight": {"value": 0.1, "unit": "POUNDS"}},
            },
            "inventoryQuantities": [
                {"locationId": "gid://shopify/Location/2", "name": "available", "quantity": 50},
                {"locationId": "gid://shopify/Location/1", "name": "available", "quantity": 100},
                {"locationId": "gid://shopify/Location/3", "name": "available", "quantity": 0},
            ],
        }
    ]
    assert body["files"] == [{"originalSource": IMAGE, "contentType": "IMAGE"}]
    keys = [(m["namespace"], m["key"]) for m in body["metafields"]]
    assert ("custom", "aviall_part_number") in keys
    assert set(body) == {
        "handle", "title", "descriptionHtml", "vendor", "productType", "tags", "category", "status",
        "productOptions", "variants", "metafields", "files",
    }  # fmt: skip
    assert request.unresolved_locations == ()
    assert request.variables == {"identifier": request.identifier, "input": request.input}


@pytest.mark.parametrize(
    ("sku", "handle"),
    [
        ("WF338109=K3", "wf338109--k3"),
        ("WF338109", "wf338109"),
        ("311N5049-173=BC", "311n5049-173--bc"),
        ("AN3-12A", "an3-12a"),
        ("MS20426AD3-5", "ms20426ad3-5"),
        ("NAS1149F0332P", "nas1149f0332p"),
        ("A B/C.D", "a-b-c-d"),
        ("X=Y=Z", "x--y--z"),
        ("Ä1", "-1"),
    ],
)
def test_handle_is_the_slug_of_the_full_sku(sku: str, handle: str) -> None:
    assert product_handle(sku) == handle


@pytest.mark.parametrize("sku", ["WF338109=K3", "WF338109"])
def test_suffixed_and_unsuffixed_skus_share_title_and_variant_sku_but_not_the_key(sku: str) -> None:
    request = build(record(aviallPartNumber=sku))
    assert request.input["title"] == "WF338109"
    assert request.input["variants"][0]["sku"] == "WF338109"
    assert request.identifier["customId"]["value"] == sku
    metafields = {m["key"]: m["value"] for m in request.input["metafields"]}
    assert metafields["aviall_part_number"] == sku
    assert metafields["part_number"] == "WF338109"


def test_every_location_is_written_and_locations_without_boeing_stock_get_zero() -> None:
    ids = {**LOCATION_IDS, "Shop location": "gid://shopify/Location/4"}
    rec = record(locationAvailabilities=[{"location": "Miami, FL", "availQuantity": "7"}], quantity="7")
    quantities = build(rec, location_ids=ids).input["variants"][0]["inventoryQuantities"]
    assert {q["locationId"]: q["quantity"] for q in quantities} == {
        "gid://shopify/Location/1": 0,
        "gid://shopify/Location/2": 0,
        "gid://shopify/Location/3": 7,
        "gid://shopify/Location/4": 0,
    }
    assert {q["name"] for q in quantities} == {"available"}


def test_default_location_stock_and_unresolved_locations() -> None:
    rec = record(default_location="Shop location", locationAvailabilities=None, quantity="12")
    request = build(rec)  # "Shop location" has no id here
    assert request.unresolved_locations == ("Shop location",)
    assert all(q["quantity"] == 0 for q in request.input["variants"][0]["inventoryQuantities"])
    ids = {**LOCATION_IDS, "Shop location": "gid://shopify/Location/4"}
    quantities = build(rec, location_ids=ids).input["variants"][0]["inventoryQuantities"]
    assert {"locationId": "gid://shopify/Location/4", "name": "available", "quantity": 12} in quantities


@pytest.mark.parametrize(
    ("price", "cost", "price_text", "cost_text"),
    [
        (Decimal("28.045"), Decimal("25.5"), "28.05", "25.50"),
        (Decimal("0.015"), Decimal("0.014"), "0.02", "0.01"),
        (Decimal("20295"), Decimal("18450"), "20295.00", "18450.00"),
    ],
)
def test_prices_are_two_decimal_strings_rounded_half_up(
    price: Decimal, cost: Decimal, price_text: str, cost_text: str
) -> None:
    variant = build(dataclasses.replace(record(), price=price, cost_per_item=cost)).input["variants"][0]
    assert variant["price"] == price_text
    assert variant["inventoryItem"]["cost"] == cost_text


@pytest.mark.parametrize(
    ("weight", "unit", "measurement"),
    [
        ("0.1", "LB", {"weight": {"value": 0.1, "unit": "POUNDS"}}),
        ("2.5", "KG", {"weight": {"value": 2.5, "unit": "KILOGRAMS"}}),
        ("3", "lbs", {"weight": {"value": 3.0, "unit": "POUNDS"}}),
        ("0", "LB", None),
        ("0.1", "STONE", None),
        ("0.1", None, None),
    ],
)
def test_weight_is_sent_only_with_a_known_value_and_unit(
    weight: str, unit: str | None, measurement: Any
) -> None:
    inventory_item = build(record(weight=weight, weightUOM=unit)).input["variants"][0]["inventoryItem"]
    assert inventory_item.get("measurement") == measurement
    assert inventory_item["tracked"] is True


@pytest.mark.parametrize("price", [None, Decimal("0"), Decimal("0.004"), Decimal("-1")])
def test_a_record_without_a_positive_price_cannot_be_published(price: Decimal | None) -> None:
    with pytest.raises(ValueError, match="price"):
        build(dataclasses.replace(record(), price=price))


def test_optional_parts_are_left_out() -> None:
    request = build(record(countryOfOrigin=None), image_url=None)
    assert "files" not in request.input
    assert "id" not in request.input["variants"][0]
    assert request.input["tags"] == ["boeing", "aerospace", "Aircraft Parts & Accessories"]
    rec = dataclasses.replace(record(), cost_per_item=None)
    assert "cost" not in build(rec).input["variants"][0]["inventoryItem"]


def test_image_alt_is_sent_only_when_given() -> None:
    files = build(record(), image_alt="WF338109 gasket").input["files"]
    assert files == [{"originalSource": IMAGE, "contentType": "IMAGE", "alt": "WF338109 gasket"}]


@pytest.mark.parametrize(
    ("country", "tag"),
    [
        ("United States", "origin-united-states"),
        ("US", "origin-us"),
        (" Côte d'Ivoire ", "origin-c-te-d-ivoire"),
        ("", None),
        (None, None),
        ("--", None),
    ],
)
def test_origin_tag(country: str | None, tag: str | None) -> None:
    assert origin_tag(country) == tag


def test_a_stored_record_with_blank_texts_is_published_with_the_catalogue_defaults() -> None:
    stored = dataclasses.replace(record(), vendor=None, body_html=None, cert="EASA", condition=None)
    request = build(stored)
    assert request.input["vendor"] == "BDI"
    assert "<p>Cert: EASA Form 1</p>" in request.input["descriptionHtml"]
    assert "<p>Condition: NE</p>" in request.input["descriptionHtml"]
    assert "<p>Manufacturer: BDI</p>" in request.input["descriptionHtml"]


def test_publish_content_hash_is_stable_and_ignores_the_variant_id() -> None:
    first = publish_content_hash(build(record()))
    assert first == publish_content_hash(build(record()))
    assert first == publish_content_hash(build(record(), variant_id="gid://shopify/ProductVariant/9"))
    request = build(record(), variant_id="gid://shopify/ProductVariant/9")
    publish_content_hash(request)
    assert (
        request.input["variants"][0]["id"] == "gid://shopify/ProductVariant/9"
    )  # the request is not modified


@pytest.mark.parametrize(
    "changed",
    [
        {"listPrice": "25.60"},
        {
            "quantity": "151",
            "locationAvailabilities": [{"location": "Dallas Central", "availQuantity": "151"}],
        },
        {"name": "GASKET"},
        {"faaApprovalCode": "TSO"},
        {"countryOfOrigin": "France"},
    ],
)
def test_publish_content_hash_changes_with_the_content(changed: dict[str, Any]) -> None:
    assert publish_content_hash(build(record(**changed))) != publish_content_hash(build(record()))


def test_publish_content_hash_changes_with_the_image() -> None:
    assert publish_content_hash(build(record(), image_url=IMAGE + "?v=2")) != publish_content_hash(
        build(record())
    )


def test_variant_price_update() -> None:
    variables = build_variant_price_update(
        "gid://shopify/Product/1", "gid://shopify/ProductVariant/1", Decimal("28.595"), Decimal("26")
    )
    assert variables == {
        "productId": "gid://shopify/Product/1",
        "variants": [
            {"id": "gid://shopify/ProductVariant/1", "price": "28.60", "inventoryItem": {"cost": "26.00"}}
        ],
    }
    without_cost = build_variant_price_update("p", "v", Decimal("1"), None)
    assert without_cost["variants"] == [{"id": "v", "price": "1.00"}]


@pytest.mark.parametrize("price", [None, Decimal("0"), Decimal("-2.50"), Decimal("0.004")])
def test_variant_price_update_never_writes_a_price_of_zero_or_less(price: Decimal | None) -> None:
    with pytest.raises(ValueError):
        build_variant_price_update("p", "v", price, Decimal("1"))
