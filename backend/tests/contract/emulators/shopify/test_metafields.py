"""§2.4 metafieldsSet and §2.5 metafieldDefinitionCreate."""

from __future__ import annotations

from typing import Any

from tests.contract.emulators.shopify.conftest import Emu

TEXT = "single_line_text_field"


def _mf(
    owner: str, key: str = "inventory_location", value: str = "1D1", type_: str = TEXT, **extra: Any
) -> dict[str, Any]:
    return {"ownerId": owner, "namespace": "custom", "key": key, "type": type_, "value": value, **extra}


def _set(emu: Emu, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    payload: dict[str, Any] = emu.data(emu.q.MF_SET, {"metafields": metafields})["metafieldsSet"]
    return payload


def test_metafields_set_upserts_and_keeps_others(emu: Emu) -> None:
    product = emu.create_part()
    payload = _set(emu, [_mf(product["id"])])
    assert payload["userErrors"] == []
    assert [(m["key"], m["value"]) for m in payload["metafields"]] == [("inventory_location", "1D1")]
    again = _set(emu, [_mf(product["id"], value="2C2")])
    assert again["metafields"][0]["id"] == payload["metafields"][0]["id"]
    keys = {m["key"]: m["value"] for m in emu.product_view(product["id"])["metafields"]}
    assert keys == {"part_number": "WF338109", "inventory_location": "2C2"}


def test_metafields_set_on_a_variant(emu: Emu) -> None:
    product = emu.create_part()
    variant_id = product["variants"]["nodes"][0]["id"]
    assert _set(emu, [_mf(variant_id, key="bin")])["userErrors"] == []
    assert emu.product_view(product["id"])["variants"][0]["metafields"][0]["key"] == "bin"


def test_type_against_definition_is_invalid_type(emu: Emu) -> None:
    emu.define("custom", "expiration_date", "date")
    product = emu.create_part()
    payload = _set(emu, [_mf(product["id"], key="expiration_date", value="2027-01-01")])
    assert payload == {
        "metafields": None,
        "userErrors": [
            {
                "field": ["metafields", "0", "type"],
                "message": "Type must be consistent with the definition's type 'date'.",
                "code": "INVALID_TYPE",
                "elementIndex": 0,
            }
        ],
    }
    ok = _set(emu, [_mf(product["id"], key="expiration_date", value="2027-01-01", type_="date")])
    assert ok["userErrors"] == []


def test_bad_value_is_invalid_value_and_the_call_is_atomic(emu: Emu) -> None:
    product = emu.create_part()
    payload = _set(
        emu,
        [
            _mf(product["id"], key="good"),
            _mf(product["id"], key="count", value="many", type_="number_integer"),
        ],
    )
    assert payload["metafields"] is None
    error = payload["userErrors"][0]
    assert (error["code"], error["elementIndex"], error["field"]) == (
        "INVALID_VALUE",
        1,
        ["metafields", "1", "value"],
    )
    keys = [m["key"] for m in emu.product_view(product["id"])["metafields"]]
    assert keys == ["part_number"]  # nothing written


def test_more_than_25_is_refused(emu: Emu) -> None:
    product = emu.create_part()
    payload = _set(emu, [_mf(product["id"], key=f"k{i:02d}") for i in range(26)])
    assert payload["metafields"] is None
    assert payload["userErrors"][0]["code"] == "LESS_THAN_OR_EQUAL_TO"
    assert len(_set(emu, [_mf(product["id"], key=f"k{i:02d}") for i in range(25)])["metafields"]) == 25


def test_unknown_owner_and_missing_type(emu: Emu) -> None:
    payload = _set(emu, [_mf("gid://shopify/Product/404")])
    assert payload["userErrors"][0]["field"] == ["metafields", "0", "ownerId"]
    product = emu.create_part()
    blank = _set(emu, [{"ownerId": product["id"], "namespace": "custom", "key": "untyped", "value": "x"}])
    assert blank["userErrors"][0]["code"] == "BLANK"


def test_compare_digest_detects_stale_writes(emu: Emu) -> None:
    product = emu.create_part()
    query = """mutation M($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
      metafields { compareDigest } userErrors { code } } }"""
    digest = emu.data(query, {"m": [_mf(product["id"])]})["metafieldsSet"]["metafields"][0]["compareDigest"]
    emu.data(query, {"m": [_mf(product["id"], value="X9")]})
    stale = emu.data(query, {"m": [_mf(product["id"], value="Y", compareDigest=digest)]})["metafieldsSet"]
    assert stale["userErrors"] == [{"code": "STALE_OBJECT"}]
    create_only = emu.data(query, {"m": [_mf(product["id"], key="fresh", compareDigest=None)]})[
        "metafieldsSet"
    ]
    assert create_only["userErrors"] == []


def test_unique_values_are_enforced(emu: Emu) -> None:
    emu.define("custom", "aviall_part_number", TEXT, unique=True)
    one, two = emu.create_part("AAA"), emu.create_part("BBB")
    assert _set(emu, [_mf(one["id"], key="aviall_part_number", value="AAA=1")])["userErrors"] == []
    taken = _set(emu, [_mf(two["id"], key="aviall_part_number", value="AAA=1")])
    assert taken["userErrors"][0]["code"] == "TAKEN"


def test_definition_validations_choices(emu: Emu) -> None:
    emu.define(
        "custom", "unit_of_measure", TEXT, validations=[{"name": "choices", "value": '["EA", "Inches"]'}]
    )
    product = emu.create_part()
    assert _set(emu, [_mf(product["id"], key="unit_of_measure", value="EA")])["userErrors"] == []
    refused = _set(emu, [_mf(product["id"], key="unit_of_measure", value="Each")])
    assert refused["userErrors"][0]["code"] == "INVALID_VALUE"


def test_definition_create_then_taken(emu: Emu) -> None:
    definition = {
        "name": "Part number",
        "namespace": "custom",
        "key": "part_number",
        "type": TEXT,
        "ownerType": "PRODUCT",
        "capabilities": {"uniqueValues": {"enabled": True}},
    }
    created = emu.data(emu.q.MF_DEF, {"definition": definition})["metafieldDefinitionCreate"]
    assert created["userErrors"] == []
    assert created["createdDefinition"]["key"] == "part_number"
    assert created["createdDefinition"]["id"].startswith("gid://shopify/MetafieldDefinition/")
    again = emu.data(emu.q.MF_DEF, {"definition": definition})["metafieldDefinitionCreate"]
    assert again == {
        "createdDefinition": None,
        "userErrors": [
            {
                "field": ["definition", "key"],
                "message": "Key is in use for Product metafields on the 'custom' namespace.",
                "code": "TAKEN",
            }
        ],
    }
    listed = emu.control("GET", "/metafield-definitions").json()
    assert [(d["key"], d["unique_values"]) for d in listed] == [("part_number", True)]


def test_definition_create_validates_its_input(emu: Emu) -> None:
    definition = {"name": "X", "namespace": "custom", "key": "x!", "type": "colour", "ownerType": "PRODUCT"}
    payload = emu.data(emu.q.MF_DEF, {"definition": definition})["metafieldDefinitionCreate"]
    assert payload["createdDefinition"] is None
    assert {e["code"] for e in payload["userErrors"]} == {"INVALID_CHARACTER", "INCLUSION"}


def test_definition_is_visible_through_the_api(emu: Emu) -> None:
    emu.define("custom", "expiration_date", "date")
    query = """{ metafieldDefinitions(ownerType: PRODUCT, first: 5) {
      nodes { namespace key type { name category } } } }"""
    nodes = emu.data(query)["metafieldDefinitions"]["nodes"]
    assert nodes == [
        {"namespace": "custom", "key": "expiration_date", "type": {"name": "date", "category": "DATE_TIME"}}
    ]
