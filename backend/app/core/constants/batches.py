"""Bulk operations: batch types and statuses, item stages and statuses, and idempotency scopes (DESIGN §5).

The values are the database's: each enum equals the CHECK constraint of its column in ``migrations/``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class BatchType(StrEnum):
    """``batches.batch_type``: what the batch's current stage is (a batch moves extract → normalize →
    publish under one id)."""

    EXTRACT = "extract"
    NORMALIZE = "normalize"
    PUBLISH = "publish"


class BatchStatus(StrEnum):
    """``batches.status``.

    ``ACTIVE`` holds the statuses work may still change (what the sweeper feeds and an operator may cancel);
    ``FINAL`` the ones that end the current stage (a finished batch may start a new publish run).
    """

    ACTIVE: ClassVar[tuple[BatchStatus, ...]]
    FINAL: ClassVar[tuple[BatchStatus, ...]]

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


BatchStatus.ACTIVE = (BatchStatus.PENDING, BatchStatus.PROCESSING)
BatchStatus.FINAL = (BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED)


class ItemStage(StrEnum):
    """``batch_items.stage``: an item is a requested part number (extraction) or a SKU of a publish run."""

    EXTRACTION = "extraction"
    PUBLISHING = "publishing"


class ItemStatus(StrEnum):
    """``batch_items.status``; every transition is compare-and-set from an expected status.

    ``OPEN`` holds the non-terminal statuses: a stage completes when none of its items is in one of them.
    Extraction items end ``normalized``, ``blocked``, ``failed`` or ``cancelled``; publish items end
    ``published``, ``unchanged``, ``failed`` or ``cancelled``.
    """

    OPEN: ClassVar[tuple[ItemStatus, ...]]

    QUEUED = "queued"
    SENT = "sent"
    IN_PROGRESS = "in_progress"
    NORMALIZED = "normalized"
    BLOCKED = "blocked"
    PUBLISHED = "published"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    CANCELLED = "cancelled"


ItemStatus.OPEN = (ItemStatus.QUEUED, ItemStatus.SENT, ItemStatus.IN_PROGRESS)


class ErrorStage(StrEnum):
    """``batch_items.error_stage``: where a failed item's error arose (a part number fails in extraction or
    normalization, a SKU in publishing)."""

    EXTRACTION = "extraction"
    NORMALIZATION = "normalization"
    PUBLISHING = "publishing"


class IdempotencyScope(StrEnum):
    """``idempotency_keys.endpoint``: an operator's ``Idempotency-Key`` is unique per scope, not globally.

    The two spellings differ; they are stored keys, so they stay as they are.
    """

    EXTRACTION_BULK = "extraction.bulk"
    PUBLISHING_BULK = "publishing/bulk"
