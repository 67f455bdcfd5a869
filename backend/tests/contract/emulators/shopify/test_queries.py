"""§2.6-2.8 queries: locations, productVariants by SKU, products by handle, lookups, pagination, lag."""

from __future__ import annotations

from tests.contract.emulators.shopify.conftest import Emu


def test_locations_match_the_contract(emu: Emu) -> None:
    data = emu.data(emu.q.LOCATIONS)["locations"]
    by_name = {n["name"]: n for n in data["nodes"]}
    assert by_name["Dallas Central"] == {
        "id": "gid://shopify/Location/1",
        "name": "Dallas Central",
        "isActive": True,
    }
    assert by_name["Old Warehouse"] == {
        "id": "gid://shopify/Location/5",
        "name": "Old Warehouse",
        "isActive": False,
    }
    assert set(by_name) == {
        "Dallas Central",
        "Chicago Warehouse",
        "Miami, FL",
        "Shop location",
        "Old Warehouse",
    }
    assert data["pageInfo"]["hasNextPage"] is False
    assert data["pageInfo"]["endCursor"]


def test_inactive_locations_are_hidden_by_default(emu: Emu) -> None:
    names = [n["name"] for n in emu.data("{ locations(first: 10) { nodes { name } } }")["locations"]["nodes"]]
    assert "Old Warehouse" not in names
    assert names == sorted(names)


def test_variants_by_sku_with_or(emu: Emu) -> None:
    emu.create_part("WF338109")
    emu.create_part("AN3-12A")
    emu.create_part("OTHER")
    data = emu.data(emu.q.BY_SKU, {"first": 50, "q": 'sku:"WF338109" OR sku:"AN3-12A"'})["productVariants"]
    assert sorted(n["sku"] for n in data["nodes"]) == ["AN3-12A", "WF338109"]
    node = next(n for n in data["nodes"] if n["sku"] == "WF338109")
    assert node["price"] == "28.05"
    assert node["product"]["handle"] == "wf338109"
    assert node["product"]["status"] == "ACTIVE"
    assert data["pageInfo"]["hasNextPage"] is False


def test_sku_search_is_exact_and_case_insensitive(emu: Emu) -> None:
    emu.create_part("WF338109")
    emu.create_part("WF338109-X")
    hits = emu.data(emu.q.BY_SKU, {"first": 5, "q": "sku:wf338109"})["productVariants"]["nodes"]
    assert [n["sku"] for n in hits] == ["WF338109"]
    escaped = emu.data(emu.q.BY_SKU, {"first": 5, "q": 'sku:"WF338109\\"X"'})["productVariants"]["nodes"]
    assert escaped == []


def test_search_and_not_and_status(emu: Emu) -> None:
    emu.create_part("AAA")
    draft = emu.create_part("BBB")
    emu.data(emu.q.SET_STATUS, {"product": {"id": draft["id"], "status": "DRAFT"}})
    active = emu.data(emu.q.BY_SKU, {"first": 5, "q": "status:active"})["productVariants"]["nodes"]
    assert [n["sku"] for n in active] == ["AAA"]
    both = emu.data(emu.q.BY_SKU, {"first": 5, "q": "(sku:AAA OR sku:BBB) AND status:draft"})
    assert [n["sku"] for n in both["productVariants"]["nodes"]] == ["BBB"]
    negated = emu.data(emu.q.BY_SKU, {"first": 5, "q": "-sku:AAA"})["productVariants"]["nodes"]
    assert [n["sku"] for n in negated] == ["BBB"]


def test_products_by_handle(emu: Emu) -> None:
    emu.create_part()
    data = emu.data(emu.q.BY_HANDLE, {"q": "handle:wf338109"})["products"]["nodes"][0]
    assert data["handle"] == "wf338109"
    assert data["variants"]["nodes"][0]["sku"] == "WF338109"
    assert data["metafields"]["nodes"] == [
        {"key": "part_number", "type": "single_line_text_field", "value": "WF338109"}
    ]
    absent = emu.data(emu.q.BY_HANDLE, {"q": "handle:nope"})
    assert absent == {"products": {"nodes": []}}


def test_product_by_identifier_and_by_id(emu: Emu) -> None:
    product = emu.create_part()
    query = "query Q($i: ProductIdentifierInput!) { productByIdentifier(identifier: $i) { id handle } }"
    assert emu.data(query, {"i": {"handle": "wf338109"}})["productByIdentifier"]["id"] == product["id"]
    assert emu.data(query, {"i": {"handle": "missing"}})["productByIdentifier"] is None
    by_id = emu.data("query Q($id: ID!) { product(id: $id) { title totalInventory } }", {"id": product["id"]})
    assert by_id["product"] == {"title": "WF338109", "totalInventory": 100}


def test_pagination_with_cursors(emu: Emu) -> None:
    for sku in ("P1", "P2", "P3"):
        emu.create_part(sku)
    query = """query Q($after: String) { products(first: 2, after: $after) {
      edges { cursor node { handle } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
    first = emu.data(query)["products"]
    assert [e["node"]["handle"] for e in first["edges"]] == ["p1", "p2"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = emu.data(query, {"after": first["pageInfo"]["endCursor"]})["products"]
    assert [e["node"]["handle"] for e in second["edges"]] == ["p3"]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": second["edges"][0]["cursor"],
    }


def test_page_size_rules(emu: Emu) -> None:
    missing = emu.gql('{ products(query: "") { nodes { id } } }')
    assert missing["errors"][0]["message"] == "you must provide one of first or last"
    too_many = emu.gql("{ products(first: 251) { nodes { id } } }")
    assert too_many["errors"][0]["message"] == "`first` cannot exceed 250"


def test_search_lag_delays_visibility(emu: Emu) -> None:
    assert emu.control("PUT", "/settings", {"search_lag_s": 30}).json()["search_lag_s"] == 30
    product = emu.create_part()
    assert emu.data(emu.q.BY_SKU, {"first": 5, "q": "sku:WF338109"})["productVariants"]["nodes"] == []
    query = "query Q($i: ProductIdentifierInput!) { productByIdentifier(identifier: $i) { id } }"
    assert emu.data(query, {"i": {"handle": "wf338109"}})["productByIdentifier"]["id"] == product["id"]
    emu.control("POST", "/clock/advance", {"seconds": 31})
    hits = emu.data(emu.q.BY_SKU, {"first": 5, "q": "sku:WF338109"})["productVariants"]["nodes"]
    assert [n["id"] for n in hits] == [product["variants"]["nodes"][0]["id"]]


def test_inventory_levels_for_cas_reads(emu: Emu) -> None:
    emu.create_part(quantities={1: 100, 2: 7})
    query = """query Q($q: String!) { productVariants(first: 5, query: $q) { nodes { sku inventoryItem {
      inventoryLevels(first: 5) {
        nodes { location { id } quantities(names: ["available"]) { name quantity } } } } } } }"""
    node = emu.data(query, {"q": "sku:WF338109"})["productVariants"]["nodes"][0]
    levels = node["inventoryItem"]["inventoryLevels"]["nodes"]
    assert levels == [
        {
            "location": {"id": "gid://shopify/Location/1"},
            "quantities": [{"name": "available", "quantity": 100}],
        },
        {
            "location": {"id": "gid://shopify/Location/2"},
            "quantities": [{"name": "available", "quantity": 7}],
        },
    ]


def test_aliases_and_multiple_root_fields(emu: Emu) -> None:
    emu.create_part()
    body = emu.gql('{ a: productVariants(first: 1, query: "sku:WF338109") { nodes { sku } } shop { name } }')
    assert body["data"]["a"]["nodes"] == [{"sku": "WF338109"}]
    assert body["data"]["shop"] == {"name": "Emulator Shop"}
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 1 * 1 + 1
