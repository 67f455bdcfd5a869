"""Batch models (http-api §2.1, §2.2, §3.5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainSerializer

from app.schemas.pagination import Page
from app.schemas.sync import Timestamp

__all__ = [
    "Batch",
    "BatchCancelled",
    "BatchPage",
    "BulkAccepted",
    "FailureItem",
    "FailurePage",
    "FailurePageItem",
]

# The wire spellings of the status enums in ``app.core.constants.batches`` (a unit test keeps them equal);
# Literals, so the OpenAPI document lists the values inline.
BatchStatusValue = Literal["pending", "processing", "completed", "failed", "cancelled"]
BatchTypeValue = Literal["extract", "normalize", "publish"]
ErrorStageValue = Literal["extraction", "normalization", "publishing"]

Percent = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class FailureItem(BaseModel):
    part_number: str
    stage: ErrorStageValue
    error: str
    attempts: int
    updated_at: Timestamp
    timestamp: Timestamp

    @classmethod
    def from_item(cls, item: Any) -> FailureItem:
        """Shape a failed batch item (``timestamp`` repeats ``updated_at``, which the dashboard reads)."""
        return cls(
            part_number=item.part_number,
            stage=item.error_stage or item.stage,
            error=item.error or "failed",
            attempts=max(1, item.attempts),
            updated_at=item.updated_at,
            timestamp=item.updated_at,
        )


class Batch(BaseModel):
    id: str
    batch_type: BatchTypeValue
    status: BatchStatusValue
    total_items: int
    extracted_count: int
    normalized_count: int
    skipped_count: int
    published_count: int
    failed_count: int
    progress_percent: Percent
    part_numbers: list[str] | None
    publish_part_numbers: list[str] | None
    skipped_part_numbers: list[str] | None
    failed_items: list[FailureItem]
    error_message: str | None
    idempotency_key: str | None
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp
    completed_at: Timestamp | None

    @classmethod
    def from_detail(cls, detail: Any) -> Batch:
        """Shape a ``BatchDetail`` of the batch service."""
        batch = detail.batch
        return cls(
            id=batch.id,
            batch_type=batch.batch_type,
            status=batch.status,
            total_items=batch.total_items,
            extracted_count=batch.extracted_count,
            normalized_count=batch.normalized_count,
            skipped_count=batch.skipped_count,
            published_count=batch.published_count,
            failed_count=batch.failed_count,
            progress_percent=detail.progress_percent,
            part_numbers=batch.part_numbers,
            publish_part_numbers=batch.publish_part_numbers,
            skipped_part_numbers=detail.skipped_part_numbers,
            failed_items=[FailureItem.from_item(item) for item in detail.failed_items],
            error_message=batch.error_message,
            idempotency_key=batch.idempotency_key,
            created_by=batch.created_by,
            created_at=batch.created_at,
            updated_at=batch.updated_at,
            completed_at=batch.completed_at,
        )


class BatchPage(Page[Batch]):
    items: list[Batch] = Field(alias="batches")


class FailurePageItem(BaseModel):
    part_number: str
    stage: ErrorStageValue
    error: str
    attempts: int
    updated_at: Timestamp

    @classmethod
    def from_item(cls, item: Any) -> FailurePageItem:
        """Shape a failed batch item as a page of ``/failures`` lists it (no ``timestamp``)."""
        return cls(**FailureItem.from_item(item).model_dump(exclude={"timestamp"}))


class FailurePage(Page[FailurePageItem]):
    pass


class BatchCancelled(BaseModel):
    batch_id: str
    status: Literal["cancelled"]
    message: str


class BulkAccepted(BaseModel):
    """What a bulk endpoint answers (http-api §2.2), built from the service's accepted result."""

    batch_id: str
    total_items: int
    duplicates_removed: int
    status: str
    message: str
    idempotency_key: str | None
    # Built by ``BatchService.accepted``. Not on the wire (nor in OpenAPI): False, a repeated idempotency
    # key, makes the route answer 200 instead of 202.
    created: bool = Field(default=True, exclude=True)
