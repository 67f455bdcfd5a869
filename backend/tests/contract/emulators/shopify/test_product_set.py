"""§2.1 productSet: contract shapes, upsert by handle/customId, list replacement, stocking, userErrors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.emulators.shopify.conftest import Emu

CUSTOM_ID = {"namespace": "custom", "key": "aviall_part_number"}


def test_create_matches_the_contract_shape(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    payload = emu.product_set(part(), {"handle": "wf338109"})
    assert payload["userErrors"] == []
    product = payload["product"]
    assert product["handle"] == "wf338109"
    assert product["status"] == "ACTIVE"
    assert product["id"].startswith("gid://shopify/Product/")
    variant = product["variants"]["nodes"][0]
    assert variant["sku"] == "WF338109"
    assert variant["id"].startswith("gid://shopify/ProductVariant/")
    assert variant["inventoryItem"]["id"].startswith("gid://shopify/InventoryItem/")
    assert int(product["id"].rsplit("/", 1)[1]) > 2**32  # ids come from a large base


def test_created_product_is_stored_with_every_field(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    product = emu.create_part(quantities={1: 100, 2: 0})
    view = emu.product_view(product["id"])
    assert view["title"] == "WF338109"
    assert view["vendor"] == "BDI"
    assert view["product_type"] == "Aircraft Parts"
    assert view["category"] == "gid://shopify/TaxonomyCategory/vp-1-1"
    assert view["description_html"] == "<p>WF338109</p>"
    variant = view["variants"][0]
    assert (variant["price"], variant["cost"], variant["tracked"]) == ("28.05", "25.5", True)
    assert variant["weight"] == {"value": 0.1, "unit": "POUNDS"}
    assert variant["inventory"] == {"Dallas Central": 100, "Chicago Warehouse": 0}
    assert view["metafields"][0]["key"] == "part_number"
    assert view["files"][0]["status"] == "READY"


def test_upsert_by_handle_updates_and_keeps_ids(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    first = emu.create_part()
    update = part(price="30.00")
    update["variants"][0]["id"] = first["variants"]["nodes"][0]["id"]
    payload = emu.product_set(update, {"handle": "wf338109"})
    assert payload["userErrors"] == []
    assert payload["product"]["id"] == first["id"]
    assert payload["product"]["variants"]["nodes"][0]["id"] == first["variants"]["nodes"][0]["id"]
    listing = emu.control("GET", "/products").json()
    assert listing["total"] == 1
    assert listing["products"][0]["variants"][0]["price"] == "30.00"


def test_variant_matched_by_option_values_keeps_its_id(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    first = emu.create_part()
    payload = emu.product_set(part(price="31.00"), {"handle": "wf338109"})
    assert payload["product"]["variants"]["nodes"][0]["id"] == first["variants"]["nodes"][0]["id"]


def _custom_input(part: Callable[..., dict[str, Any]], sku: str, full_sku: str) -> dict[str, Any]:
    data = part(sku)
    data["handle"] = full_sku.lower().replace("=", "--")
    data["metafields"].append(
        {
            "namespace": "custom",
            "key": "aviall_part_number",
            "type": "single_line_text_field",
            "value": full_sku,
        }
    )
    return data


def test_upsert_by_custom_id_never_duplicates(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    emu.define("custom", "aviall_part_number", "single_line_text_field", unique=True)
    identifier = {"customId": {**CUSTOM_ID, "value": "WF338109=K3"}}
    first = emu.product_set(_custom_input(part, "WF338109", "WF338109=K3"), identifier)
    assert first["userErrors"] == []
    again = _custom_input(part, "WF338109", "WF338109=K3")
    again["title"] = "WF338109 renamed"
    second = emu.product_set(again, identifier)
    assert second["userErrors"] == []
    assert second["product"]["id"] == first["product"]["id"]
    other = emu.product_set(
        _custom_input(part, "WF338109", "WF338109=K4"), {"customId": {**CUSTOM_ID, "value": "WF338109=K4"}}
    )
    assert other["product"]["id"] != first["product"]["id"]
    listing = emu.control("GET", "/products").json()
    assert listing["total"] == 2
    titles = {p["handle"]: p["title"] for p in listing["products"]}
    assert titles == {"wf338109--k3": "WF338109 renamed", "wf338109--k4": "WF338109"}


def test_custom_id_without_unique_definition_is_refused(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    emu.define("custom", "aviall_part_number", "single_line_text_field", unique=False)
    payload = emu.product_set(
        _custom_input(part, "WF338109", "WF338109=K3"), {"customId": {**CUSTOM_ID, "value": "WF338109=K3"}}
    )
    assert payload["product"] is None
    assert payload["userErrors"][0]["field"] == ["identifier", "customId"]
    assert emu.control("GET", "/products").json()["total"] == 0


def test_custom_id_metafield_missing_from_input_is_metafield_mismatch(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    emu.define("custom", "aviall_part_number", "single_line_text_field", unique=True)
    payload = emu.product_set(part(), {"customId": {**CUSTOM_ID, "value": "WF338109=K3"}})
    assert payload["product"] is None
    assert payload["userErrors"][0]["code"] == "METAFIELD_MISMATCH"
    wrong_value = _custom_input(part, "WF338109", "WF338109=K9")
    payload = emu.product_set(wrong_value, {"customId": {**CUSTOM_ID, "value": "WF338109=K3"}})
    assert payload["userErrors"][0]["code"] == "METAFIELD_MISMATCH"


def test_handle_mismatch_is_input_mismatch(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    payload = emu.product_set(part(), {"handle": "something-else"})
    assert payload["product"] is None
    assert payload["userErrors"] == [
        {
            "field": ["input", "handle"],
            "message": payload["userErrors"][0]["message"],
            "code": "INPUT_MISMATCH",
        }
    ]


def test_taken_handle_without_identifier_is_handle_not_unique(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    emu.create_part()
    payload = emu.product_set(part())
    assert payload["userErrors"][0]["code"] == "HANDLE_NOT_UNIQUE"
    assert emu.control("GET", "/products").json()["total"] == 1


def test_no_identifier_and_no_handle_always_creates(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    data = part()
    del data["handle"]
    one = emu.product_set(data)
    two = emu.product_set(data)
    assert one["product"]["id"] != two["product"]["id"]
    assert (one["product"]["handle"], two["product"]["handle"]) == ("wf338109", "wf338109-1")


def test_list_replacement_deletes_omitted_metafields_and_variants(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    data = part()
    data["productOptions"] = [{"name": "Title", "values": [{"name": "A"}, {"name": "B"}]}]
    data["variants"] = [
        {**data["variants"][0], "optionValues": [{"optionName": "Title", "name": "A"}], "sku": "WF-A"},
        {**data["variants"][0], "optionValues": [{"optionName": "Title", "name": "B"}], "sku": "WF-B"},
    ]
    data["metafields"].append(
        {"namespace": "custom", "key": "condition", "type": "single_line_text_field", "value": "NE"}
    )
    created = emu.product_set(data, {"handle": "wf338109"})
    assert created["userErrors"] == []
    view = emu.product_view(created["product"]["id"])
    assert [v["sku"] for v in view["variants"]] == ["WF-A", "WF-B"]
    removed_item = view["variants"][1]["inventory_item_id"]

    data["productOptions"] = [{"name": "Title", "values": [{"name": "A"}]}]
    data["variants"] = data["variants"][:1]
    data["metafields"] = data["metafields"][:1]
    assert emu.product_set(data, {"handle": "wf338109"})["userErrors"] == []
    view = emu.product_view(created["product"]["id"])
    assert [v["sku"] for v in view["variants"]] == ["WF-A"]
    assert [m["key"] for m in view["metafields"]] == ["part_number"]
    gone = emu.data(emu.q.LEVELS, {"id": removed_item})
    assert gone["inventoryItem"] is None  # the deleted variant's inventory item went with it
    assert emu.data(emu.q.BY_SKU, {"first": 5, "q": "sku:WF-B"})["productVariants"]["nodes"] == []


def test_omitted_lists_and_scalars_stay(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    product = emu.create_part()
    payload = emu.product_set({"handle": "wf338109", "title": "New title"}, {"handle": "wf338109"})
    assert payload["userErrors"] == []
    view = emu.product_view(product["id"])
    assert view["title"] == "New title"
    assert view["vendor"] == "BDI"
    assert [v["sku"] for v in view["variants"]] == ["WF338109"]
    assert [m["key"] for m in view["metafields"]] == ["part_number"]


def test_stocking_on_update_only_touches_already_stocked_locations(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    product = emu.create_part(quantities={1: 100, 2: 5})
    assert emu.product_set(part(quantities={1: 40, 2: 6, 3: 70}), {"handle": "wf338109"})["userErrors"] == []
    inventory = emu.product_view(product["id"])["variants"][0]["inventory"]
    assert inventory == {"Dallas Central": 40, "Chicago Warehouse": 6}  # Miami was never stocked: ignored


def test_new_variant_in_update_is_stocked_everywhere_listed(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    emu.create_part(quantities={1: 1})
    data = part(quantities={1: 2, 3: 3})
    data["productOptions"] = [{"name": "Title", "values": [{"name": "Default Title"}, {"name": "Big"}]}]
    data["variants"].append(
        {**data["variants"][0], "optionValues": [{"optionName": "Title", "name": "Big"}], "sku": "BIG"}
    )
    payload = emu.product_set(data, {"handle": "wf338109"})
    view = emu.product_view(payload["product"]["id"])
    assert view["variants"][0]["inventory"] == {"Dallas Central": 2}
    assert view["variants"][1]["inventory"] == {"Dallas Central": 2, "Miami, FL": 3}


def test_on_hand_name_sets_on_hand(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    data = part()
    data["variants"][0]["inventoryQuantities"] = [
        {"locationId": "gid://shopify/Location/1", "name": "on_hand", "quantity": 9}
    ]
    product = emu.product_set(data)["product"]
    assert emu.product_view(product["id"])["variants"][0]["on_hand"] == {"Dallas Central": 9}


def test_negative_price_is_a_user_error_and_writes_nothing(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    payload = emu.product_set(part(price="-1.00"), {"handle": "wf338109"})
    assert payload == {
        "product": None,
        "userErrors": [
            {
                "field": ["input", "variants", "0", "price"],
                "message": "Price must be greater than or equal to 0",
                "code": "INVALID_VARIANT",
            }
        ],
    }
    assert emu.control("GET", "/products").json()["total"] == 0


@pytest.mark.parametrize(
    ("location", "message"),
    [("gid://shopify/Location/999", "could not be found"), ("gid://shopify/Location/5", "not active")],
)
def test_unknown_or_inactive_location_is_invalid_variant(
    emu: Emu, part: Callable[..., dict[str, Any]], location: str, message: str
) -> None:
    data = part()
    data["variants"][0]["inventoryQuantities"][0]["locationId"] = location
    payload = emu.product_set(data)
    assert payload["product"] is None
    error = payload["userErrors"][0]
    assert error["code"] == "INVALID_VARIANT"
    assert error["field"] == ["input", "variants", "0", "inventoryQuantities", "0", "locationId"]
    assert message in error["message"]


def test_deactivated_location_is_refused(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    assert emu.control("POST", "/locations/2/deactivate").json()["is_active"] is False
    payload = emu.product_set(part(quantities={2: 1}))
    assert payload["userErrors"][0]["code"] == "INVALID_VARIANT"


def test_metafield_type_against_a_preseeded_definition(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    emu.define("custom", "expiration_date", "date")
    data = part()
    data["metafields"].append(
        {"namespace": "custom", "key": "expiration_date", "type": "single_line_text_field", "value": "soon"}
    )
    payload = emu.product_set(data)
    assert payload["product"] is None
    assert payload["userErrors"] == [
        {
            "field": ["input", "metafields", "1", "type"],
            "message": "Type must be consistent with the definition's type 'date'.",
            "code": "INVALID_METAFIELD",
        }
    ]


@pytest.mark.parametrize(
    ("type_", "bad", "good"),
    [
        ("number_integer", "12.5", "12"),
        ("number_decimal", "1,5", "1.5"),
        ("date", "2026-13-01", "2026-12-01"),
        ("url", "not a url", "https://example.com/a"),
        ("boolean", "yes", "true"),
        ("json", "{oops", '{"a": 1}'),
        ("single_line_text_field", "two\nlines", "one line"),
    ],
)
def test_metafield_values_are_checked_against_their_type(
    emu: Emu, part: Callable[..., dict[str, Any]], type_: str, bad: str, good: str
) -> None:
    data = part()
    data["metafields"].append({"namespace": "custom", "key": "checked", "type": type_, "value": bad})
    payload = emu.product_set(data)
    assert payload["product"] is None
    assert payload["userErrors"][0]["field"] == ["input", "metafields", "1", "value"]
    assert payload["userErrors"][0]["code"] == "INVALID_METAFIELD"
    data["metafields"][1]["value"] = good
    assert emu.product_set(data)["userErrors"] == []


def test_catalog_metafields_are_all_accepted(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    emu.define("custom", "aviall_part_number", "single_line_text_field", unique=True)
    data = part()
    text = "single_line_text_field"
    values = {
        "custom.part_number": "WF338109",
        "custom.aviall_part_number": "WF338109=K3",
        "custom.part_name": "Washer, flat",
        "custom.manufacturer": "BDI",
        "custom.unit_of_measure": "EA",
        "custom.dimensions": "1 x 1 x 0.1 IN",
        "custom.condition": "NE",
        "custom.certificate": "FAA 8130-3",
        "custom.country_of_origin": "US",
        "custom.hazmat_code": "N",
        "custom.faa_approval_code": "PMA",
        "custom.eccn": "EAR99",
        "custom.schedule_b_code": "7318220000",
        "custom.inventory_location_code": "1D1",
        "custom.distribution_source": "Boeing Distribution",
        "boeing.location_summary": "Chicago Warehouse: 50; Dallas Central: 100",
    }
    data["metafields"] = [
        {"namespace": k.split(".")[0], "key": k.split(".")[1], "type": text, "value": v}
        for k, v in values.items()
    ]
    data["metafields"].append({"namespace": "custom", "key": "pma", "type": "boolean", "value": "true"})
    payload = emu.product_set(data, {"customId": {**CUSTOM_ID, "value": "WF338109=K3"}})
    assert payload["userErrors"] == []
    view = emu.product_view(payload["product"]["id"])
    assert len(view["metafields"]) == 17


def test_product_options_are_required_with_variants_on_create(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    data = part()
    del data["productOptions"]
    payload = emu.product_set(data)
    assert payload["userErrors"][0]["code"] == "PRODUCT_OPTIONS_INPUT_MISSING"


def test_unknown_option_value_is_refused(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    data = part()
    data["variants"][0]["optionValues"] = [{"optionName": "Title", "name": "Nope"}]
    payload = emu.product_set(data)
    assert payload["userErrors"][0]["code"] == "OPTION_VALUE_DOES_NOT_EXIST"


def test_product_without_variants_gets_a_default_variant(emu: Emu) -> None:
    payload = emu.product_set({"title": "Bare"})
    assert payload["userErrors"] == []
    view = emu.product_view(payload["product"]["id"])
    assert [(v["title"], v["price"]) for v in view["variants"]] == [("Default Title", "0.00")]


def test_identifier_id_of_unknown_product_is_not_found(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    data = part()
    del data["handle"]
    payload = emu.product_set(data, {"id": "gid://shopify/Product/42"})
    assert payload["userErrors"][0]["code"] == "NOT_FOUND"


def test_asynchronous_call_reports_an_operation(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    query = """mutation P($input: ProductSetInput!) { productSet(input: $input, synchronous: false) {
      product { id } productSetOperation { id status product { handle } } userErrors { code } } }"""
    payload = emu.data(query, {"input": part()})["productSet"]
    assert payload["product"] is None
    assert payload["productSetOperation"]["status"] == "COMPLETE"
    assert payload["productSetOperation"]["product"]["handle"] == "wf338109"
