"""``Page[T]`` answers its items under the key its endpoint names, in the contract's order (http-api §1.4)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.schemas.pagination import Page, Pagination


class Part(BaseModel):
    sku: str


class PartPage(Page[Part]):
    pass


class KeyedPartPage(Page[Part]):
    items: list[Part] = Field(alias="products")
    store: str | None


def test_a_page_echoes_the_window_and_counts_all_matching_rows() -> None:
    page = PartPage.of([Part(sku="A")], total=7, window=Pagination(limit=1, offset=3))
    assert page.model_dump(mode="json") == {"items": [{"sku": "A"}], "total": 7, "limit": 1, "offset": 3}


def test_a_keyed_page_answers_under_its_key_first_and_its_own_fields_last() -> None:
    page = KeyedPartPage(items=[Part(sku="A")], total=1, limit=50, offset=0, store="shop")
    assert list(page.model_dump(mode="json")) == ["products", "total", "limit", "offset", "store"]
    assert list(KeyedPartPage.model_json_schema()["properties"]) == [
        "products",
        "total",
        "limit",
        "offset",
        "store",
    ]


def test_a_keyed_page_reads_its_wire_form_back() -> None:
    wire = {"products": [{"sku": "A"}], "total": 1, "limit": 50, "offset": 0, "store": None}
    assert KeyedPartPage.model_validate(wire).items == [Part(sku="A")]
