"""The product edit body lists the fields a published product carries, each as an input kind."""

from __future__ import annotations

from app.schemas.publishing import NormalizedProductFields, ProductUpdateRequest


def test_the_product_edit_takes_every_normalized_product_field() -> None:
    assert list(ProductUpdateRequest.model_fields) == list(NormalizedProductFields.model_fields)
