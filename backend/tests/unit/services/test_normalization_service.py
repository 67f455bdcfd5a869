"""Normalization as the service applies it: a whole Boeing answer, matching requested part numbers to line
items, and the outcome each requested part gets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.db.batch_item_rows import ItemOutcome, WaitingItem
from app.services.normalization_service import (
    MatchedRecord,
    NormalizationService,
    match_part_number,
    normalize_answer,
)
from tests.support.boeing_items import DROP, US_LOCATION_MAP, line_item, location


def answer(*items: dict[str, Any], currency: Any = "USD") -> dict[str, Any]:
    return {"currency": currency, "lineItems": list(items)}


def normalized(payload: dict[str, Any], default_location: str | None = None) -> list[MatchedRecord]:
    return normalize_answer(payload, location_map=US_LOCATION_MAP, default_location=default_location)


def item_row(part_number: str, item_id: int = 1) -> WaitingItem:
    return WaitingItem(id=item_id, batch_id="b", part_number=part_number)


def outcome(part_number: str, payload: dict[str, Any], stored: dict[str, str] | None = None) -> ItemOutcome:
    matched = normalized(payload)
    statuses = stored if stored is not None else {m.record.sku: str(m.record.status) for m in matched}
    return NormalizationService._outcome(item_row(part_number), matched, statuses)


def test_string_numbers_json_numbers_and_mixed_styles_give_the_same_records() -> None:
    as_strings = normalized(answer(line_item()))[0].record
    stock = [location("Dallas Central", 100), location("Chicago Warehouse", "50")]
    numbers = line_item(listPrice=25.5, netPrice=23, quantity=150, weight=0.1, locationAvailabilities=stock)
    as_numbers = normalized(answer(numbers))[0].record
    assert as_strings == as_numbers
    assert as_strings.price == Decimal("28.05")
    assert as_strings.mapped_inventory == (
        ("Chicago Warehouse", 50),
        ("Dallas Central", 100),
        ("Miami, FL", 0),
    )


@pytest.mark.parametrize(
    ("overrides", "status", "reason"),
    [
        ({"listPrice": 0, "netPrice": 0}, "blocked", "no_price"),
        ({"listPrice": "0", "netPrice": DROP}, "blocked", "no_price"),
        ({"listPrice": DROP, "netPrice": DROP}, "blocked", "no_price"),
        ({"listPrice": "", "netPrice": None}, "blocked", "no_price"),
        ({"listPrice": 0, "netPrice": "12.00"}, "fetched", None),
        # Precedence: no price wins over no stock, no stock over no mapped location.
        ({"listPrice": 0, "netPrice": 0, "quantity": 0, "locationAvailabilities": []}, "blocked", "no_price"),
        ({"quantity": "0", "locationAvailabilities": [location("Germany CSC", "0")]}, "blocked", "no_stock"),
        (
            {"quantity": 30, "locationAvailabilities": [location("Germany CSC", 30)]},
            "blocked",
            "no_mapped_location",
        ),
        ({"quantity": 30, "locationAvailabilities": DROP}, "blocked", "no_mapped_location"),
        ({"quantity": 30, "locationAvailabilities": None}, "blocked", "no_mapped_location"),
    ],
)
def test_prices_stock_and_locations_decide_the_status(
    overrides: dict[str, Any], status: str, reason: Any
) -> None:
    record = normalized(answer(line_item(**overrides)))[0].record
    assert (str(record.status), None if record.blocked_reason is None else str(record.blocked_reason)) == (
        status,
        reason,
    )


def test_stock_without_locations_goes_to_the_default_location_when_one_is_set() -> None:
    payload = answer(line_item(quantity="40", locationAvailabilities=DROP))
    record = normalized(payload, default_location="Dallas Central")[0].record
    assert str(record.status) == "fetched"
    assert dict(record.mapped_inventory)["Dallas Central"] == 40
    assert record.locations == ()
    assert record.location_summary is None


def test_non_us_only_stock_is_kept_as_data_but_not_sellable() -> None:
    record = normalized(answer(line_item(quantity=5, locationAvailabilities=[location("Germany CSC", "5")])))[
        0
    ].record
    assert [(entry.location, entry.quantity) for entry in record.locations] == [("Germany CSC", 5)]
    assert record.location_summary == "Germany CSC: 5"
    assert all(quantity == 0 for _, quantity in record.mapped_inventory)


def test_missing_fields_and_malformed_dimensions_are_unknown_not_errors() -> None:
    sparse = {"aviallPartNumber": "311N5049-173=BC", "dim": "2 by 3", "weight": "abc", "quantity": None}
    record = normalized(answer(sparse, currency=None))[0].record
    assert record.currency == "USD"
    assert (record.dim_length, record.dim_width, record.dim_height) == (None, None, None)
    assert record.weight is None
    assert record.boeing_name is None and record.vendor == "BDI"
    assert str(record.blocked_reason) == "no_price"
    zeros = normalized(answer(line_item(dim="0 x 0 x 0", weight="0")))[0].record
    assert (zeros.dim_length, zeros.weight) == (None, None)


def test_items_without_a_part_number_are_skipped_and_a_missing_list_is_empty() -> None:
    assert normalized({"currency": "USD", "lineItems": None}) == []
    assert normalized({}) == []
    records = normalized(answer(line_item(aviallPartNumber=DROP), line_item(aviallPartNumber=" ab-1 ")))
    assert [m.record.sku for m in records] == ["AB-1"]


def variants_answer() -> dict[str, Any]:
    return answer(
        line_item(aviallPartNumber="WF338109=K3", productCode="WF338109"),
        line_item(aviallPartNumber="WF338109=E9", productCode="WF338109", listPrice=0, netPrice=0),
        line_item(aviallPartNumber="AN3-12A", productCode=DROP),
        line_item(aviallPartNumber="MS-1=A1", productCode="MS-1-ALIAS"),
    )


@pytest.mark.parametrize(
    ("requested", "skus"),
    [
        ("WF338109", ["WF338109=E9", "WF338109=K3"]),  # a base part number gets every variant
        ("wf338109=k3", ["WF338109=K3"]),  # a suffixed one only itself, whatever the case
        ("AN3-12A", ["AN3-12A"]),
        ("AN3-12", []),  # a prefix is not a match
        ("MS-1-ALIAS", ["MS-1=A1"]),  # productCode matches too
        ("MS-1", ["MS-1=A1"]),
        ("WF338109=E", []),
    ],
)
def test_matching_requested_part_numbers_to_line_items(requested: str, skus: list[str]) -> None:
    matched = match_part_number(requested, normalized(variants_answer()))
    assert sorted(record.sku for record in matched) == skus


def test_a_part_with_one_sellable_variant_is_normalized_with_every_variant_staged() -> None:
    result = outcome("WF338109", variants_answer())
    assert (result.status, list(result.staged_skus)) == ("normalized", ["WF338109=E9", "WF338109=K3"])


def test_a_part_whose_every_variant_is_blocked_is_blocked() -> None:
    result = outcome("WF338109=E9", variants_answer())
    assert (result.status, list(result.staged_skus), result.error) == ("blocked", ["WF338109=E9"], None)


def test_a_part_absent_from_the_answer_fails_not_found() -> None:
    result = outcome("NOTFOUND-1", variants_answer())
    assert (result.status, result.error, result.error_stage) == (
        "failed",
        "not found at Boeing",
        "extraction",
    )
    assert list(result.staged_skus) == []


def test_a_published_row_counts_as_sellable_even_when_the_new_data_is_blocked() -> None:
    result = outcome("WF338109=E9", variants_answer(), stored={"WF338109=E9": "published"})
    assert result.status == "normalized"
