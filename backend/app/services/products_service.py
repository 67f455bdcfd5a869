"""Product data views (http-api §3.6): staged products, the raw Boeing data behind a part number, and the
published products."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.exceptions import NotFoundError
from app.db.product_store import ProductRow
from app.db.staging_store import StagingRow
from app.db.unit_of_work import UnitOfWorkFactory
from app.utils.catalog_rules import base_part_number, text_value
from app.utils.part_numbers import clean_part_number

__all__ = ["ProductsService", "PublishedPage", "RawDataView", "StagingPage"]


@dataclass(frozen=True, slots=True)
class StagingPage:
    products: list[StagingRow]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class PublishedPage:
    """Published products with the total, and the store handle the dashboard builds admin links from."""

    products: list[ProductRow]
    total: int
    limit: int
    offset: int
    store_handle: str | None


@dataclass(frozen=True, slots=True)
class RawDataView:
    part_number: str
    raw_data: dict[str, Any] | None
    search_query: str | None
    fetched_at: datetime | None
    message: str | None


class ProductsService:
    def __init__(self, *, uow_factory: UnitOfWorkFactory, store_handle: str | None) -> None:
        self._uow_factory = uow_factory
        self._store_handle = store_handle

    def staging_page(
        self, *, batch_id: str | None, status: str | None, search: str | None, limit: int, offset: int
    ) -> StagingPage:
        """Staged products, newest first; ``batch_id`` selects what that batch's items staged."""
        with self._uow_factory() as uow:
            rows, total = uow.staging.list_page(
                batch_id=batch_id, status=status, search=(search or "").strip() or None, limit=limit,
                offset=offset,
            )  # fmt: skip
        return StagingPage(rows, total, limit, offset)

    def published_page(self, *, search: str | None, limit: int, offset: int) -> PublishedPage:
        """Published products, newest ``updated_at`` first, with the total."""
        with self._uow_factory() as uow:
            rows, total = uow.products.list_published(limit=limit, offset=offset, search=search or None)
        return PublishedPage(rows, total, limit, offset, self._store_handle)

    def published_product(self, product_id: str) -> ProductRow:
        """One published product by its UUID; 404 ``product_not_found``."""
        with self._uow_factory() as uow:
            product = uow.products.get(product_id)
        if product is None:
            raise NotFoundError(f"Published product {product_id} does not exist.", code="product_not_found")
        return product

    def raw_data(self, part_number: str) -> RawDataView:
        """The part's line item from the newest stored answer (a base part number also finds its variants)."""
        code = clean_part_number(part_number)
        suffixed = base_part_number(code) != code
        with self._uow_factory() as uow:
            raw = uow.raw_data.latest_returning(code, include_variants=not suffixed)
        if raw is None:
            return RawDataView(code, None, None, None, f"No Boeing data is stored for {code}.")
        items = [i for i in raw.raw_payload.get("lineItems") or [] if isinstance(i, dict)]
        item = next((i for i in items if _sku(i) == code), None) or next(
            (i for i in items if base_part_number(_sku(i)) == code), None
        )
        if item is None:  # the indexes said it was returned; the payload disagrees only if edited by hand
            return RawDataView(
                code, None, raw.search_query, raw.fetched_at, f"No Boeing data is stored for {code}."
            )
        query = raw.search_query or ", ".join(raw.part_numbers)
        return RawDataView(
            code, {**item, "currency": raw.raw_payload.get("currency")}, query, raw.fetched_at, None
        )


def _sku(item: dict[str, Any]) -> str:
    return (text_value(item.get("aviallPartNumber")) or "").upper()
