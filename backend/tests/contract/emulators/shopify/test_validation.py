"""§4.2 static validation in Shopify's (graphql-ruby) wording; HTTP 200, errors only, nothing charged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.emulators.shopify.conftest import Emu


def _only_error(emu: Emu, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    body = emu.gql(query, variables, **kw)
    assert "data" not in body
    assert "extensions" not in body  # not executed, so no cost
    assert len(body["errors"]) == 1, body
    error: dict[str, Any] = body["errors"][0]
    return error


def test_unknown_field(emu: Emu) -> None:
    error = _only_error(emu, "query { productVariants(first: 1) { nodes { skuu } } }")
    assert error["message"] == "Field 'skuu' doesn't exist on type 'ProductVariant'"
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "ProductVariant",
        "fieldName": "skuu",
    }
    assert error["locations"] == [{"line": 1, "column": 45}]
    assert error["path"] == ["query", "productVariants", "nodes", "skuu"]


def test_unknown_argument(emu: Emu) -> None:
    error = _only_error(emu, "query { productVariants(limit: 5) { nodes { sku } } }")
    assert error["message"] == "Field 'productVariants' doesn't accept argument 'limit'"
    assert error["extensions"]["code"] == "argumentNotAccepted"


def test_missing_required_argument(emu: Emu) -> None:
    error = _only_error(emu, "mutation { productSet(synchronous: true) { product { id } } }")
    assert error["message"] == "Field 'productSet' is missing required arguments: input"
    assert error["extensions"]["code"] == "missingRequiredArguments"


def test_bad_variable(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    data = part()
    data["variants"][0]["skuu"] = "x"
    error = _only_error(emu, emu.q.PRODUCT_SET, {"input": data})
    assert error["message"] == (
        "Variable $input of type ProductSetInput! was provided invalid value for variants.0.skuu "
        "(Field is not defined on ProductVariantSetInput)"
    )
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert error["extensions"]["problems"] == [
        {"path": ["variants", 0, "skuu"], "explanation": "Field is not defined on ProductVariantSetInput"}
    ]


@pytest.mark.parametrize(
    ("variables", "explanation"),
    [
        ({}, "Expected value to not be null"),
        ({"first": "ten", "q": "sku:A"}, 'Could not coerce value "ten" to Int'),
    ],
)
def test_variable_type_problems(emu: Emu, variables: dict[str, Any], explanation: str) -> None:
    body = emu.gql(emu.q.BY_SKU, variables)
    assert all(e["extensions"]["code"] == "INVALID_VARIABLE" for e in body["errors"])
    assert explanation in [p["explanation"] for e in body["errors"] for p in e["extensions"]["problems"]]


def test_bad_enum_value_in_variable(emu: Emu) -> None:
    error = _only_error(
        emu, emu.q.SET_STATUS, {"product": {"id": "gid://shopify/Product/1", "status": "GONE"}}
    )
    assert (
        error["extensions"]["problems"][0]["explanation"]
        == 'Expected "GONE" to be one of: ACTIVE, ARCHIVED, DRAFT'
    )


def test_selection_on_a_scalar(emu: Emu) -> None:
    error = _only_error(emu, "query { productVariants(first: 1) { nodes { sku { id } } } }")
    assert (
        error["message"]
        == "Selections can't be made on scalars (field 'sku' returns String but has selections [id])"
    )
    assert error["extensions"]["code"] == "selectionMismatch"


def test_object_without_selection(emu: Emu) -> None:
    error = _only_error(emu, "query { productVariants(first: 1) { nodes { inventoryItem } } }")
    assert error["message"].startswith(
        "Field must have selections (field 'inventoryItem' returns InventoryItem!"
    )
    assert error["extensions"]["code"] == "selectionMismatch"


def test_parse_error(emu: Emu) -> None:
    error = _only_error(emu, "query {\n  shop(( { name } }")
    assert error["message"] == 'syntax error, unexpected LPAREN ("(") at [2, 8]'
    assert error["locations"] == [{"line": 2, "column": 8}]


def test_parse_error_at_end_of_document(emu: Emu) -> None:
    error = _only_error(emu, "query { shop { name }")
    assert error["message"].startswith("syntax error, unexpected end of file")


def test_code_is_not_a_field_of_user_error(emu: Emu) -> None:
    query = (
        'mutation { productUpdate(product: {id: "gid://shopify/Product/1"}) { userErrors { field code } } }'
    )
    error = _only_error(emu, query)
    assert error["message"] == "Field 'code' doesn't exist on type 'UserError'"


def test_sku_is_not_an_input_of_variants_bulk_update(emu: Emu) -> None:
    variables = {
        "productId": "gid://shopify/Product/1",
        "variants": [{"id": "gid://shopify/ProductVariant/1", "sku": "X"}],
    }
    error = _only_error(emu, emu.q.VARIANTS_UPDATE, variables)
    assert error["extensions"]["problems"] == [
        {"path": [0, "sku"], "explanation": "Field is not defined on ProductVariantsBulkInput"}
    ]


def test_weight_is_not_a_field_of_product_variant(emu: Emu) -> None:
    error = _only_error(emu, "query { productVariants(first: 1) { nodes { weight } } }")
    assert error["message"] == "Field 'weight' doesn't exist on type 'ProductVariant'"


def test_unknown_literal_input_field(emu: Emu) -> None:
    query = (
        'mutation { productDelete(input: {id: "gid://shopify/Product/1", force: true}) { deletedProductId } }'
    )
    error = _only_error(emu, query)
    assert error["message"] == "InputObject 'ProductDeleteInput' doesn't accept argument 'force'"
    assert error["extensions"]["code"] == "argumentNotAccepted"


def test_missing_literal_input_field(emu: Emu) -> None:
    error = _only_error(emu, "mutation { productDelete(input: {}) { deletedProductId } }")
    assert (
        error["message"] == "Argument 'id' on InputObject 'ProductDeleteInput' is required. Expected type ID!"
    )
    assert error["extensions"]["code"] == "missingRequiredInputObjectAttribute"


def test_wrong_literal_type(emu: Emu) -> None:
    error = _only_error(emu, 'query { locations(first: "ten") { nodes { id } } }')
    assert (
        error["message"]
        == "Argument 'first' on Field 'locations' has an invalid value (\"ten\"). Expected type 'Int'."
    )
    assert error["extensions"]["code"] == "argumentLiteralsIncompatible"


def test_variable_type_mismatch(emu: Emu) -> None:
    error = _only_error(emu, "query Q($q: Int) { products(first: 1, query: $q) { nodes { id } } }", {"q": 1})
    assert error["message"] == "Type mismatch on variable $q and argument query (Int / String)"
    assert error["extensions"]["code"] == "variableMismatch"


def test_undeclared_and_unused_variables(emu: Emu) -> None:
    body = emu.gql("query Q($unused: String) { products(first: $n) { nodes { id } } }")
    messages = {e["message"] for e in body["errors"]}
    assert messages == {
        "Variable $n is used by Q but not declared",
        "Variable $unused is declared by Q but not used",
    }


def test_idempotent_directive_does_not_exist_before_2026_01(emu: Emu) -> None:
    query = emu.q.INV_SET % ' @idempotent(key: "k")'
    error = _only_error(
        emu,
        query,
        {"input": {"name": "available", "reason": "correction", "quantities": []}},
        version="2025-10",
    )
    assert error["message"] == "Directive @idempotent is not defined"
    assert error["extensions"]["code"] == "undefinedDirective"


@pytest.mark.parametrize(
    ("version", "field"),
    [("2025-10", "changeFromQuantity"), ("2026-04", "compareQuantity"), ("2026-04", "ignoreCompareQuantity")],
)
def test_version_gated_inputs(emu: Emu, version: str, field: str) -> None:
    quantity: dict[str, Any] = {
        "inventoryItemId": "gid://shopify/InventoryItem/1",
        "locationId": "gid://shopify/Location/1",
        "quantity": 1,
    }
    data: dict[str, Any] = {"name": "available", "reason": "correction", "quantities": [quantity]}
    if field == "ignoreCompareQuantity":
        data[field] = True
        quantity["changeFromQuantity"] = None
    else:
        quantity[field] = 1
    body = emu.inventory_set(data, version=version, key="k-1" if version != "2025-10" else None)
    problems = body["errors"][0]["extensions"]["problems"]
    assert problems[0]["path"][-1] == field
    assert problems[0]["explanation"].startswith("Field is not defined on")


def test_input_arrays_over_250_are_refused(emu: Emu) -> None:
    quantity: dict[str, Any] = {
        "inventoryItemId": "gid://shopify/InventoryItem/1",
        "locationId": "gid://shopify/Location/1",
        "quantity": 1,
    }
    data = {
        "name": "available",
        "reason": "correction",
        "quantities": [quantity] * 251,
        "ignoreCompareQuantity": True,
    }
    body = emu.inventory_set(data, version="2025-10", key=None)
    assert (
        body["errors"][0]["message"]
        == "The input array size of 251 is greater than the maximum allowed of 250."
    )
    assert body["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"
    assert "data" not in body


def test_validation_errors_cost_nothing_and_are_counted(emu: Emu) -> None:
    before = emu.control("GET", "/bucket").json()["throttleStatus"]["currentlyAvailable"]
    for _ in range(3):
        emu.gql("query { shop { nam } }")
    assert emu.control("GET", "/bucket").json()["throttleStatus"]["currentlyAvailable"] == before
    stats = emu.control("GET", "/stats").json()
    assert stats["validation_errors"] == 3
    assert stats["points_spent"] == 0
