"""§2.9 productUpdate and §2.10 productDelete (plain UserError without code)."""

from __future__ import annotations

from tests.contract.emulators.shopify.conftest import Emu


def test_status_update(emu: Emu) -> None:
    product = emu.create_part()
    payload = emu.data(emu.q.SET_STATUS, {"product": {"id": product["id"], "status": "DRAFT"}})[
        "productUpdate"
    ]
    assert payload == {"product": {"id": product["id"], "status": "DRAFT"}, "userErrors": []}
    assert emu.product_view(product["id"])["status"] == "DRAFT"


def test_update_unknown_product(emu: Emu) -> None:
    payload = emu.data(emu.q.SET_STATUS, {"product": {"id": "gid://shopify/Product/9", "status": "DRAFT"}})
    assert payload["productUpdate"] == {
        "product": None,
        "userErrors": [{"field": ["id"], "message": "Product does not exist"}],
    }


def test_update_taken_handle(emu: Emu) -> None:
    emu.create_part("AAA")
    other = emu.create_part("BBB")
    payload = emu.data(emu.q.SET_STATUS, {"product": {"id": other["id"], "handle": "aaa"}})["productUpdate"]
    assert payload["product"] is None
    assert payload["userErrors"][0]["field"] == ["handle"]


def test_delete_removes_everything(emu: Emu) -> None:
    product = emu.create_part()
    item = product["variants"]["nodes"][0]["inventoryItem"]["id"]
    payload = emu.data(emu.q.DELETE, {"input": {"id": product["id"]}})["productDelete"]
    assert payload == {"deletedProductId": product["id"], "userErrors": []}
    assert emu.control("GET", f"/products/{product['id']}").status_code == 404
    assert emu.data(emu.q.LEVELS, {"id": item})["inventoryItem"] is None
    assert emu.data(emu.q.BY_SKU, {"first": 5, "q": "sku:WF338109"})["productVariants"]["nodes"] == []
    recreated = emu.create_part()  # the handle is free again
    assert recreated["handle"] == "wf338109"


def test_delete_unknown_product(emu: Emu) -> None:
    payload = emu.data(emu.q.DELETE, {"input": {"id": "gid://shopify/Product/404"}})["productDelete"]
    assert payload["deletedProductId"] is None
    assert payload["userErrors"] == [{"field": ["id"], "message": "Product does not exist"}]
