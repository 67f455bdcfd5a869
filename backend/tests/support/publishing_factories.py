"""Published-product values and staged records for publishing tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.container import Container
from app.core.constants.batches import BatchStatus, BatchType, ItemStage, ItemStatus
from app.core.constants.extraction import StagingStatus
from app.utils.normalized_record import NORMALIZED_VALUE_FIELDS, NormalizedRecord, record_from_json


def published_record(sku: str, **overrides: Any) -> NormalizedRecord:
    """A published record of ``sku`` with every value of ``NORMALIZED_VALUE_FIELDS`` set, with overrides."""
    base = sku.split("=", 1)[0]
    values: dict[str, Any] = {
        "base_part_number": base,
        "title": base,
        "boeing_name": "GASKET, O-RING",
        "boeing_description": "O-Ring Gasket for hydraulic system",
        "body_html": None,
        "vendor": "BOEING COMMERCIAL AIRPLANES",
        "supplier_name": "BOEING COMMERCIAL AIRPLANES",
        "currency": "USD",
        "list_price": Decimal("25.50"),
        "net_price": Decimal("23.00"),
        "cost_per_item": Decimal("25.50"),
        "price": Decimal("28.05"),
        "dim_length": Decimal("2.5"),
        "dim_width": Decimal("1.0"),
        "dim_height": Decimal("0.5"),
        "dim_uom": "IN",
        "weight": Decimal("0.1"),
        "weight_unit": "LB",
        "base_uom": "EA",
        "inventory_quantity": 150,
        "inventory_status": "in_stock",
        "location_summary": "Chicago Warehouse: 50; Dallas Central: 100",
        "locations": [
            {"location": "Dallas Central", "quantity": 100},
            {"location": "Chicago Warehouse", "quantity": 50},
        ],
        "mapped_inventory": [("Chicago Warehouse", 50), ("Dallas Central", 100), ("Miami, FL", 0)],
        "country_of_origin": "United States",
        "hazmat_code": "N",
        "faa_approval_code": "PMA",
        "eccn": "EAR99",
        "schedule_b_code": "8484.10",
        "condition": "NE",
        "cert": "FAA 8130-3",
        "pma": True,
        "boeing_image_url": None,
        "boeing_thumbnail_url": None,
    }
    assert set(values) == set(NORMALIZED_VALUE_FIELDS)
    values.update(overrides)
    return record_from_json(sku, values, status=StagingStatus.PUBLISHED)


def stage(
    container: Container,
    records: list[NormalizedRecord],
    *,
    batch_id: str | None = None,
    created_by: str = "tester",
) -> None:
    """Write normalized records to ``product_staging`` through the staging store."""
    with container.uow_factory() as uow:
        uow.staging.upsert_many(records, batch_id=batch_id, raw_data_id=None, created_by=created_by)


def normalized_batch(
    container: Container, staged: dict[str, list[str]], *, created_by: str = "tester"
) -> str:
    """A ``normalize/completed`` batch whose extraction items (requested part → staged SKUs) are done."""
    from app.db.batch_item_store import ItemOutcome

    parts = list(staged)
    with container.uow_factory() as uow:
        batch = uow.batches.create(
            batch_type=BatchType.NORMALIZE, total_items=len(parts), part_numbers=parts,
            created_by=created_by, status=BatchStatus.COMPLETED,
        )  # fmt: skip
        uow.items.insert_many(batch.id, parts, stage=ItemStage.EXTRACTION)
        rows = uow.conn.execute(
            "SELECT id, part_number FROM batch_items WHERE batch_id = %s ORDER BY position", (batch.id,)
        ).fetchall()
        outcomes = [
            ItemOutcome(
                item_id,
                ItemStatus.NORMALIZED if staged[part] else ItemStatus.FAILED,
                staged_skus=staged[part],
            )
            for item_id, part in rows
        ]
        uow.items.finish(outcomes, expected=(ItemStatus.QUEUED,))
    return batch.id


def catalogue(count: int, *, image_base: str | None = None, prefix: str = "PN") -> list[NormalizedRecord]:
    """About ``count`` normalized, sellable records over bases with 1 to 3 variants (``PN0001=K1`` ...).

    Prices carry a third decimal (rounded half-up), stock is spread over the US warehouses (one base in five
    also has unmapped ``Germany CSC`` stock), and images point at ``image_base``/products/<base>.png (every
    seventh base has no image, so the thumbnail or the placeholder is used).
    """
    from tests.support.boeing_items import location, normalized

    records: list[NormalizedRecord] = []
    index = 0
    while len(records) < count:
        index += 1
        base = f"{prefix}{index:04d}"
        variants = [f"{base}=K{v}" for v in range(1, 1 + index % 3 + 1)] if index % 3 else [base]
        warehouses = [location("Dallas Central", str(10 + index % 40)), location("Miami, FL", str(index % 5))]
        if index % 2:
            warehouses.append(location("Chicago Warehouse", str(3 + index % 7)))
        if index % 5 == 0:
            warehouses.append(location("Germany CSC", "99"))
        total = sum(int(w["availQuantity"]) for w in warehouses)
        for sku in variants:
            if len(records) >= count:
                break
            image = None if image_base is None or index % 7 == 0 else f"{image_base}/products/{base}.png"
            records.append(
                normalized(
                    aviallPartNumber=sku,
                    productCode=base,
                    listPrice=f"{10 + index * 0.333 + len(records) % 3:.3f}",
                    quantity=str(total),
                    locationAvailabilities=warehouses,
                    productImage=image,
                    thumbnailImage=None if image is None else f"{image_base}/thumbnails/{base}.png",
                )
            )
    return records


STORED_RECONCILIATION_PAYLOAD: dict[str, Any] = {
    "sku": "WF338109=K3",
    "batch_id": None,
    "item_id": None,
    "values": {
        "base_part_number": "WF338109",
        "title": "WF338109",
        "boeing_name": "GASKET, O-RING",
        "boeing_description": "O-Ring Gasket for hydraulic system",
        "body_html": "<p>Part No. WF338109</p><p>Description: GASKET, O-RING</p>"
        "<p>Manufacturer: BOEING COMMERCIAL AIRPLANES</p><p>Cert: FAA 8130-3</p><p>Condition: NE</p>"
        "<p>Unit of Measure: EA</p>",
        "vendor": "BOEING COMMERCIAL AIRPLANES",
        "supplier_name": "BOEING COMMERCIAL AIRPLANES",
        "currency": "USD",
        "list_price": "25.50",
        "net_price": "23.00",
        "cost_per_item": "25.50",
        "price": "28.05",
        "dim_length": "2.5000",
        "dim_width": "1.0000",
        "dim_height": "0.5000",
        "dim_uom": "IN",
        "weight": "0.1000",
        "weight_unit": "LB",
        "base_uom": "EA",
        "inventory_quantity": 150,
        "inventory_status": "in_stock",
        "location_summary": "Chicago Warehouse: 50; Dallas Central: 100",
        "locations": [
            {"location": "Chicago Warehouse", "quantity": 50},
            {"location": "Dallas Central", "quantity": 100},
        ],
        "mapped_inventory": [["Chicago Warehouse", 50], ["Dallas Central", 100], ["Miami, FL", 0]],
        "country_of_origin": "United States",
        "hazmat_code": "N",
        "faa_approval_code": "PMA",
        "eccn": "EAR99",
        "schedule_b_code": "8484.10",
        "condition": "NE",
        "cert": "FAA 8130-3",
        "pma": True,
        "boeing_image_url": "http://127.0.0.1:8081/media/products/WF338109%3DK3.png",
        "boeing_thumbnail_url": "http://127.0.0.1:8081/media/thumbnails/WF338109%3DK3.png",
    },
    "shopify_product_id": "1000000000001",
    "shopify_variant_id": "1000000000001",
    "shopify_inventory_item_id": "1000000000001",
    "shopify_handle": "wf338109--k3",
    "image_url": "http://127.0.0.1:8000/media/images/bede83d497b51ce05f7303971b4fe15c5461bbf594834815fda371a350dfa606.png",
    "content_hash": "60b374eb1a98653c21c80924ca74773c7697fe765feb0f88ef7a6e5c1f3e6eb1",
    "created_by": "operator-1",
}
"""A ``publish_reconciliation.payload`` as the publisher stores it for ``normalized()`` staged and published
(here without a batch item, as an operator's edit stores it): pending records in this form must keep
reading."""
