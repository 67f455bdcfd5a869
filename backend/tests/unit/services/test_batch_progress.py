"""``progress_percent`` of http-api §2.1."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from app.core.constants.batches import BatchStatus, BatchType
from app.db.batch_store import BatchRow
from app.services.batch_service import progress_percent

NOW = datetime(2026, 3, 10, 14, 5, 9, tzinfo=UTC)
BATCH = BatchRow(
    id="b", batch_type=BatchType.EXTRACT, status=BatchStatus.PROCESSING, total_items=3, extracted_count=0,
    normalized_count=0, skipped_count=0, published_count=0, failed_count=0, publish_run=0,
    duplicates_removed=0, error_message=None,
    idempotency_key=None, created_by="op", created_at=NOW, updated_at=NOW, completed_at=None,
    cancelled_progress_percent=None, part_numbers=None, publish_part_numbers=None,
)  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "0.00"),
        ({"extracted_count": 1}, "33.33"),
        ({"extracted_count": 1, "failed_count": 1}, "66.67"),
        ({"extracted_count": 3, "failed_count": 1}, "100.00"),  # capped
        ({"total_items": 0}, "0.00"),
        ({"batch_type": BatchType.NORMALIZE, "status": BatchStatus.COMPLETED}, "100.00"),
        ({"batch_type": BatchType.PUBLISH, "published_count": 1, "extracted_count": 3}, "33.33"),
        (
            {
                "status": BatchStatus.CANCELLED,
                "extracted_count": 3,
                "cancelled_progress_percent": Decimal("33.33"),
            },
            "33.33",
        ),
    ],
)
def test_progress_percent(changes: dict[str, Any], expected: str) -> None:
    assert progress_percent(replace(BATCH, **changes)) == Decimal(expected)
