"""fetch_files (file status from the download) and the daily variant creation limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.emulators.shopify.conftest import Emu


def _file_status(emu: Emu, product_id: str) -> str | None:
    files = emu.product_view(product_id)["files"]
    return files[0]["status"] if files and files[0]["status"] not in ("PROCESSING", "UPLOADED") else None


@pytest.mark.parametrize(
    ("path", "status"), [("/ok.png", "READY"), ("/missing.png", "FAILED"), ("/text.png", "FAILED")]
)
def test_fetch_files_decides_the_file_status(
    emu: Emu, part: Callable[..., dict[str, Any]], path: str, status: str
) -> None:
    assert emu.control("PUT", "/settings", {"fetch_files": True}).json()["fetch_files"] is True
    data = part()
    data["files"] = [{"originalSource": emu.files_url + path, "contentType": "IMAGE", "alt": "part photo"}]
    product = emu.product_set(data)["product"]
    assert emu.wait_for(lambda: _file_status(emu, product["id"])) == status
    files = emu.product_view(product["id"])["files"]
    assert (files[0]["status"] == "FAILED") == (files[0]["error"] is not None)
    query = """query Q($id: ID!) { product(id: $id) { media(first: 5) { nodes { status mediaErrors { code }
      ... on MediaImage { image { url } } } } } }"""
    node = emu.data(query, {"id": product["id"]})["product"]["media"]["nodes"][0]
    assert node["status"] == status
    assert (node["image"] is None) == (status == "FAILED")


def test_unreachable_source_fails(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    emu.control("PUT", "/settings", {"fetch_files": True})
    data = part()
    data["files"] = [
        {"originalSource": "http://127.0.0.1:9/nothing-listens-here.png", "contentType": "IMAGE"}
    ]
    product = emu.product_set(data)["product"]
    assert emu.wait_for(lambda: _file_status(emu, product["id"])) == "FAILED"


def test_without_fetch_files_files_are_ready_at_once(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    product = emu.product_set(part())["product"]
    assert emu.product_view(product["id"])["files"][0]["status"] == "READY"


def test_same_source_keeps_the_file_and_new_source_replaces_it(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    product = emu.create_part()
    before = emu.product_view(product["id"])["files"]
    emu.product_set(part(), {"handle": "wf338109"})
    assert emu.product_view(product["id"])["files"] == before
    data = part()
    data["files"] = [{"originalSource": "http://127.0.0.1:9/other.png", "contentType": "IMAGE"}]
    emu.product_set(data, {"handle": "wf338109"})
    after = emu.product_view(product["id"])["files"]
    assert [f["original_source"] for f in after] == ["http://127.0.0.1:9/other.png"]


@pytest.mark.time_sensitive
def test_variant_creation_limit(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    settings = {"threshold": 50_000, "per_day": 2, "store_variant_offset": 49_999}
    assert emu.control("PUT", "/variant-throttle", settings).status_code == 200
    assert emu.product_set(part("A1"))["userErrors"] == []
    assert emu.product_set(part("A2"))["userErrors"] == []
    response = emu.post(emu.q.PRODUCT_SET, {"input": part("A3")})
    assert response.status_code == 429
    assert response.json() == {"errors": "Daily variant creation limit reached. Please try again later."}
    assert emu.control("GET", "/products").json()["total"] == 2
    # Updates that create no variant are unaffected.
    assert emu.product_set(part("A1", price="9.99"), {"handle": "a1"})["userErrors"] == []
    stats = emu.control("GET", "/stats").json()
    assert stats["variants_created_today"] == 2
    assert stats["by_http_status"]["429"] == 1
    emu.control("POST", "/clock/advance", {"seconds": 86_400})
    assert emu.product_set(part("A3"))["userErrors"] == []


def test_variant_limit_does_not_apply_below_the_threshold_or_on_plus(
    emu: Emu, part: Callable[..., dict[str, Any]]
) -> None:
    emu.control("PUT", "/variant-throttle", {"per_day": 0, "store_variant_offset": 0})
    assert emu.product_set(part("B1"))["userErrors"] == []
    emu.control("PUT", "/variant-throttle", {"store_variant_offset": 60_000})
    assert emu.post(emu.q.PRODUCT_SET, {"input": part("B2")}).status_code == 429
    emu.control("PUT", "/plan", {"plan": "plus"})
    assert emu.product_set(part("B2"))["userErrors"] == []
