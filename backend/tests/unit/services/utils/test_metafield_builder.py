"""Product metafields: values and types per definition, omissions, location code, definitions to create."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from app.core.constants.metafields import METAFIELD_DEFINITIONS
from app.services.utils.metafield_builder import (
    build_location_summary_metafield,
    dimensions_text,
    inventory_location_code,
    metafield_definition_inputs,
    product_metafields,
)
from app.utils.normalized_record import NormalizedRecord
from tests.support.boeing_items import normalized

CODES = {"Dallas Central": "1D1", "Chicago Warehouse": "2C1"}
TYPES = {(d.namespace, d.key): d.type for d in METAFIELD_DEFINITIONS}


def record(default_location: str | None = None, **overrides: Any) -> NormalizedRecord:
    """The contract's in-stock fixture, normalized; keyword arguments override Boeing fields."""
    return normalized(default_location=default_location, **overrides)


def values(rec: NormalizedRecord, codes: dict[str, str] | None = None) -> dict[str, str]:
    return {
        f"{m['namespace']}.{m['key']}": m["value"]
        for m in product_metafields(rec, CODES if codes is None else codes)
    }


def test_all_metafields_of_the_fixture() -> None:
    assert values(record()) == {
        "custom.part_number": "WF338109",
        "custom.aviall_part_number": "WF338109=K3",
        "custom.part_name": "GASKET, O-RING",
        "custom.manufacturer": "BOEING COMMERCIAL AIRPLANES",
        "custom.unit_of_measure": "EA",
        "custom.dimensions": "2.5 x 1 x 0.5 IN",
        "custom.condition": "NE",
        "custom.certificate": "FAA 8130-3",
        "custom.pma": "true",
        "custom.country_of_origin": "United States",
        "custom.hazmat_code": "N",
        "custom.faa_approval_code": "PMA",
        "custom.eccn": "EAR99",
        "custom.schedule_b_code": "8484.10",
        "custom.inventory_location_code": "2C1",
        "custom.distribution_source": "Boeing Distribution",
        "boeing.location_summary": "Chicago Warehouse: 50; Dallas Central: 100",
    }


def test_every_metafield_has_its_definitions_type_and_a_string_value() -> None:
    metafields = product_metafields(record(), CODES)
    assert [(m["namespace"], m["key"]) for m in metafields] == [
        (d.namespace, d.key) for d in METAFIELD_DEFINITIONS
    ]
    for metafield in metafields:
        assert set(metafield) == {"namespace", "key", "type", "value"}
        assert metafield["type"] == TYPES[(metafield["namespace"], metafield["key"])]
        assert isinstance(metafield["value"], str)
        assert metafield["value"]


@pytest.mark.parametrize(("code", "value"), [("PMA", "true"), ("TSO", "false"), (None, None)])
def test_pma_is_a_boolean_string_or_left_out(code: str | None, value: str | None) -> None:
    assert values(record(faaApprovalCode=code)).get("custom.pma") == value


def test_metafields_without_a_value_are_left_out() -> None:
    sparse = values(
        record(
            baseUOM="DRUM",
            dim="0 x 0 x 0",
            faaApprovalCode=None,
            hazmatCode=None,
            eccn=None,
            scheduleBCode=None,
            countryOfOrigin=None,
            name=None,
            locationAvailabilities=None,
        ),
        codes={},
    )
    assert set(sparse) == {
        "custom.part_number",
        "custom.aviall_part_number",
        "custom.manufacturer",
        "custom.condition",
        "custom.certificate",
        "custom.distribution_source",
    }


def test_certificate_and_condition_come_from_edited_records_through_the_store_maps() -> None:
    edited = dataclasses.replace(record(), cert="easa release", condition=" ")
    assert values(edited)["custom.certificate"] == "EASA Form 1"
    assert values(edited)["custom.condition"] == "NE"


def test_dimensions_text() -> None:
    assert dimensions_text(record()) == "2.5 x 1 x 0.5 IN"
    assert dimensions_text(record(dimUOM=None)) == "2.5 x 1 x 0.5"
    # Read back from numeric(14,4) columns the text is the same.
    stored = dataclasses.replace(
        record(), dim_length=Decimal("2.5000"), dim_width=Decimal("1.0000"), dim_height=Decimal("0.5000")
    )
    assert dimensions_text(stored) == "2.5 x 1 x 0.5 IN"
    assert dimensions_text(record(dim="2 x 0 x 1")) is None


def test_inventory_location_code_is_the_first_warehouse_with_stock_and_a_code() -> None:
    assert inventory_location_code(record(), CODES) == "2C1"  # Chicago Warehouse sorts first
    assert inventory_location_code(record(), {"Dallas Central": "1D1"}) == "1D1"
    empty_chicago = record(
        locationAvailabilities=[
            {"location": "Chicago Warehouse", "availQuantity": "0"},
            {"location": "Dallas Central", "availQuantity": "4"},
        ]
    )
    assert inventory_location_code(empty_chicago, CODES) == "1D1"
    assert inventory_location_code(record(), {}) is None
    foreign = record(locationAvailabilities=[{"location": "Germany CSC", "availQuantity": "4"}])
    assert inventory_location_code(foreign, CODES) is None


def test_inventory_location_code_of_stock_placed_at_the_default_location() -> None:
    placed = record(default_location="Dallas Central", locationAvailabilities=None, quantity="9")
    assert inventory_location_code(placed, CODES) == "1D1"


def test_location_summary_metafields_for_sync() -> None:
    variables = build_location_summary_metafield(
        "gid://shopify/Product/1", record(), inventory_location_codes={"Dallas Central": "1D1"}
    )
    assert variables == {
        "metafields": [
            {
                "ownerId": "gid://shopify/Product/1",
                "namespace": "boeing",
                "key": "location_summary",
                "type": "single_line_text_field",
                "value": "Chicago Warehouse: 50; Dallas Central: 100",
            },
            {
                "ownerId": "gid://shopify/Product/1",
                "namespace": "custom",
                "key": "inventory_location_code",
                "type": "single_line_text_field",
                "value": "1D1",
            },
        ]
    }
    only_summary = build_location_summary_metafield("gid://shopify/Product/1", record())
    assert [m["key"] for m in only_summary["metafields"]] == ["location_summary"]
    nothing = build_location_summary_metafield("p", record(locationAvailabilities=None))
    assert nothing == {"metafields": []}


def test_metafield_definition_inputs() -> None:
    inputs = metafield_definition_inputs()
    assert len(inputs) == len(METAFIELD_DEFINITIONS) == 17
    by_key = {f"{i['definition']['namespace']}.{i['definition']['key']}": i["definition"] for i in inputs}
    assert by_key["custom.aviall_part_number"] == {
        "name": "Aviall Part Number",
        "namespace": "custom",
        "key": "aviall_part_number",
        "type": "single_line_text_field",
        "ownerType": "PRODUCT",
        "capabilities": {"uniqueValues": {"enabled": True}},
    }
    assert by_key["custom.pma"]["type"] == "boolean"
    assert [key for key, body in by_key.items() if "capabilities" in body] == ["custom.aviall_part_number"]
    assert all(body["ownerType"] == "PRODUCT" and body["name"] for body in by_key.values())
