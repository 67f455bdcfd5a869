"""§4.6 control API: reset, locations, definitions, clock, views, stats, request log, snapshots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.contract.emulators.shopify.conftest import Emu
from tests.support.instants import TEST_INSTANT


def test_reset_empties_the_store_and_restores_settings(emu: Emu) -> None:
    emu.create_part()
    emu.control("POST", "/locations/1/deactivate")
    emu.control("PUT", "/plan", {"plan": "plus"})
    emu.control("POST", "/faults", {"kind": "http_500", "operation": "nothing"})
    emu.control("POST", "/clock/advance", {"seconds": 3600})
    assert emu.control("POST", "/reset").json() == {"ok": True}
    assert emu.control("GET", "/products").json()["total"] == 0
    assert all(loc["is_active"] for loc in emu.control("GET", "/locations").json() if loc["legacy_id"] != 5)
    assert emu.control("GET", "/plan").json()["restore_rate"] == 100
    assert emu.control("GET", "/faults").json() == []
    assert abs(emu.control("GET", "/clock").json()["timestamp"] - TEST_INSTANT.timestamp()) < 60
    assert emu.control("GET", "/stats").json()["requests"] == 0


def test_locations_listing_replacement_and_deactivation(emu: Emu) -> None:
    listed = emu.control("GET", "/locations").json()
    assert [(loc["legacy_id"], loc["name"], loc["is_active"]) for loc in listed] == [
        (1, "Dallas Central", True),
        (2, "Chicago Warehouse", True),
        (3, "Miami, FL", True),
        (4, "Shop location", True),
        (5, "Old Warehouse", False),
    ]
    replaced = emu.control(
        "PUT", "/locations", [{"id": 1, "name": "Dallas Central"}, {"name": "Germany CSC"}]
    ).json()
    assert [(loc["legacy_id"], loc["name"]) for loc in replaced] == [
        (1, "Dallas Central"),
        (6, "Germany CSC"),
    ]
    names = [n["name"] for n in emu.data(emu.q.LOCATIONS)["locations"]["nodes"]]
    assert sorted(names) == ["Dallas Central", "Germany CSC"]
    assert emu.control("POST", "/locations/gid://shopify/Location/6/deactivate").json()["is_active"] is False
    assert emu.control("POST", "/locations/99/deactivate").status_code == 404


def test_location_input_is_validated(emu: Emu) -> None:
    assert emu.control("PUT", "/locations", [{"name": ""}]).status_code == 422
    assert emu.control("PUT", "/locations", [{"name": "A"}, {"name": "A"}]).status_code == 422


def test_metafield_definitions_input_is_validated(emu: Emu) -> None:
    bad_type = [{"namespace": "custom", "key": "x", "type": "colour"}]
    assert emu.control("PUT", "/metafield-definitions", bad_type).status_code == 422
    bad_owner = [{"namespace": "custom", "key": "x", "type": "date", "owner_type": "ORDER"}]
    assert emu.control("PUT", "/metafield-definitions", bad_owner).status_code == 422
    wrapped = {"definitions": [{"namespace": "custom", "key": "expiration_date", "type": "date"}]}
    assert emu.control("PUT", "/metafield-definitions", wrapped).json()[0]["type"] == "date"


def test_plan_bucket_and_clock_inputs_are_validated(emu: Emu) -> None:
    assert emu.control("PUT", "/plan", {"plan": "gold"}).status_code == 422
    assert emu.control("PUT", "/plan", {"restore_rate": 10}).status_code == 422
    assert emu.control("PUT", "/bucket", {"currently_available": -1}).status_code == 422
    assert emu.control("POST", "/clock/advance", {"seconds": -5}).status_code == 422
    assert emu.control("PUT", "/variant-throttle", {"per_day": -1}).status_code == 422


def test_clock_advance(emu: Emu) -> None:
    before = emu.control("GET", "/clock").json()
    after = emu.control("POST", "/clock/advance", {"seconds": 7200}).json()
    assert after["offset_s"] - before["offset_s"] == 7200
    assert 7200 <= after["timestamp"] - before["timestamp"] < 7210


def test_clock_set_to_an_instant_forward_or_back_and_reset_returns_to_the_start(emu: Emu) -> None:
    start = emu.control("GET", "/clock").json()["timestamp"]
    assert abs(start - TEST_INSTANT.timestamp()) < 60, "the suite's emulator starts at its fixed instant"
    leap = emu.control("PUT", "/clock", {"now": "2028-02-29T23:59:30+00:00"}).json()
    assert leap["now"] == "2028-02-29T23:59:30Z"
    back = emu.control("PUT", "/clock", {"now": "2001-01-01T02:00:00+02:00"}).json()
    assert back["now"] == "2001-01-01T00:00:00Z"
    assert emu.control("PUT", "/clock", {"now": "2028-02-29T23:59:30"}).status_code == 422, "no UTC offset"
    emu.control("POST", "/reset")
    assert abs(emu.control("GET", "/clock").json()["timestamp"] - TEST_INSTANT.timestamp()) < 60


def test_products_listing_filters(emu: Emu) -> None:
    emu.create_part("AAA")
    emu.create_part("BBB")
    assert [p["handle"] for p in emu.control("GET", "/products", sku="bbb").json()["products"]] == ["bbb"]
    assert [p["handle"] for p in emu.control("GET", "/products", handle="aaa").json()["products"]] == ["aaa"]
    page = emu.control("GET", "/products", limit=1, offset=1).json()
    assert page["total"] == 2
    assert [p["handle"] for p in page["products"]] == ["bbb"]
    assert emu.control("GET", "/products/123").status_code == 404


def test_product_detail_by_numeric_or_gid(emu: Emu) -> None:
    product = emu.create_part()
    numeric = product["id"].rsplit("/", 1)[1]
    assert emu.control("GET", f"/products/{numeric}").json()["id"] == product["id"]
    assert emu.product_view(product["id"])["variants"][0]["inventory"] == {"Dallas Central": 100}


def test_stats_and_request_log(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    emu.create_part()
    emu.product_set(part("OTHER", price="-1"))
    emu.gql("{ shop { nope } }")
    emu.post("{ shop { name } }", token="bad")
    stats = emu.control("GET", "/stats").json()
    assert stats["requests"] == 4
    assert stats["by_operation"] == {"productSet": 2}
    assert stats["by_http_status"] == {"200": 3, "401": 1}
    assert stats["validation_errors"] == 1
    assert stats["user_errors_by_code"] == {"INVALID_VARIANT": 1}
    # 13 base + 4 for the variants connection; the refused call returned no product: base only.
    assert stats["points_spent"] == 17 + 13
    assert stats["per_token"][emu.token]["requests"] == 3
    log = emu.control("GET", "/requests", limit=2).json()["requests"]
    assert [entry["outcome"] for entry in log] == ["validation_error", "unauthorized"]
    first = emu.control("GET", "/requests").json()["requests"][0]
    assert first["operations"] == ["productSet"]
    assert first["requested_cost"] == 17
    assert first["variables"]["input"]["handle"] == "wf338109"
    assert emu.control("POST", "/stats/reset").json() == {"ok": True}
    assert emu.control("GET", "/stats").json()["requests"] == 0


def test_state_export_import_round_trip(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    emu.define("custom", "aviall_part_number", "single_line_text_field", unique=True)
    product = emu.create_part(quantities={1: 3, 2: 4})
    snapshot = emu.control("GET", "/state/export").json()
    emu.control("POST", "/reset")
    assert emu.control("GET", "/products").json()["total"] == 0
    imported = emu.control("POST", "/state/import", snapshot).json()
    assert imported == {"ok": True, "products": 1, "variants": 1}
    view = emu.product_view(product["id"])
    assert view["variants"][0]["inventory"] == {"Dallas Central": 3, "Chicago Warehouse": 4}
    hits = emu.data(emu.q.BY_SKU, {"first": 5, "q": "sku:WF338109"})["productVariants"]["nodes"]
    assert hits[0]["id"] == product["variants"]["nodes"][0]["id"]
    new = emu.create_part("NEW")
    assert int(new["id"].rsplit("/", 1)[1]) > int(product["id"].rsplit("/", 1)[1])  # sequences restored
    assert emu.control("GET", "/metafield-definitions").json()[0]["unique_values"] is True


def test_state_import_rejects_garbage(emu: Emu) -> None:
    assert emu.control("POST", "/state/import", {"products": []}).status_code == 422
    broken = emu.control("GET", "/state/export").json()
    broken["products"] = [{"num": 1}]
    response = emu.control("POST", "/state/import", broken)
    assert response.status_code == 422
    assert "malformed snapshot" in response.json()["detail"]
    assert len(emu.control("GET", "/locations").json()) == 5  # the store was left untouched
