"""``batches``: one row per bulk operation, its counters and its lifecycle (DESIGN §5, http-api §2.1).

Counters move only through ``move_counters``, in the same transaction as the item transitions that justify
them; the same statement applies the completion rule, so a stage completes exactly when its last item does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.core.constants.batches import BatchStatus, BatchType
from app.db.base_store import BaseStore

__all__ = ["BatchRow", "BatchStore", "as_uuid"]

_SCALARS = (
    "id, batch_type, status, total_items, extracted_count, normalized_count, skipped_count, published_count,"
    " failed_count, publish_run, duplicates_removed, error_message, idempotency_key, created_by, created_at,"
    " updated_at, completed_at, cancelled_progress_percent"
)
_WITH_ARRAYS = _SCALARS + ", part_numbers, publish_part_numbers"
_WITHOUT_ARRAYS = _SCALARS + ", NULL::text[] AS part_numbers, NULL::text[] AS publish_part_numbers"

# The completion rule of http-api §2.1, on the values after this statement's increments:
#   extract/processing with extracted + failed = total -> normalize/completed
#     (extract/failed if nothing was extracted)
#   publish/processing with published + failed = total -> publish/completed (publish/failed if none published)
_DONE = """(status = 'processing' AND (
    (batch_type = 'extract' AND extracted_count + %(extracted)s + failed_count + %(failed)s >= total_items)
 OR (batch_type = 'publish'
     AND published_count + %(published)s + failed_count + %(failed)s >= total_items)))"""
_SUCCEEDED = """((batch_type = 'extract' AND extracted_count + %(extracted)s > 0)
 OR (batch_type = 'publish' AND published_count + %(published)s > 0))"""


def as_uuid(value: object) -> str | None:
    """The canonical text of a UUID, or None when ``value`` is not one (a malformed id is simply unknown)."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        return None


@dataclass(frozen=True, slots=True)
class BatchRow:
    """A batch with its counters; the part-number arrays are ``None`` when not loaded."""

    id: str
    batch_type: BatchType
    status: BatchStatus
    total_items: int
    extracted_count: int
    normalized_count: int
    skipped_count: int
    published_count: int
    failed_count: int
    publish_run: int
    duplicates_removed: int
    error_message: str | None
    idempotency_key: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    cancelled_progress_percent: Decimal | None
    part_numbers: list[str] | None
    publish_part_numbers: list[str] | None

    @property
    def is_active(self) -> bool:
        """Pending or processing: work may still change it."""
        return self.status in BatchStatus.ACTIVE


def _batch(row: dict[str, Any]) -> BatchRow:
    row["id"] = str(row["id"])
    row["batch_type"] = BatchType(row["batch_type"])
    row["status"] = BatchStatus(row["status"])
    return BatchRow(**row)


class BatchStore(BaseStore):
    def create(
        self,
        *,
        batch_type: BatchType,
        total_items: int,
        part_numbers: Sequence[str] | None,
        created_by: str,
        duplicates_removed: int = 0,
        idempotency_key: str | None = None,
        publish_part_numbers: Sequence[str] | None = None,
        status: BatchStatus = BatchStatus.PENDING,
    ) -> BatchRow:
        """Insert a batch in ``status`` (pending by default)."""
        row = self._row(
            "create a batch",
            f"""
            INSERT INTO batches (batch_type, status, total_items, part_numbers, publish_part_numbers,
                                 duplicates_removed, idempotency_key, created_by)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            RETURNING {_WITH_ARRAYS}
            """,
            (
                batch_type,
                status,
                total_items,
                list(part_numbers) if part_numbers is not None else None,
                list(publish_part_numbers) if publish_part_numbers is not None else None,
                duplicates_removed,
                idempotency_key,
                created_by,
            ),
        )
        assert row is not None
        return _batch(row)

    def get(
        self, batch_id: str, *, with_part_numbers: bool = True, for_update: bool = False
    ) -> BatchRow | None:
        """The batch with this id (None for unknown or malformed ids); ``for_update`` locks it."""
        key = as_uuid(batch_id)
        if key is None:
            return None
        columns = _WITH_ARRAYS if with_part_numbers else _WITHOUT_ARRAYS
        # NO KEY UPDATE: writers of rows referencing the batch (raw data, staging) hold KEY SHARE locks on it,
        # which a plain FOR UPDATE would wait for, deadlocking two transactions that both did such a write.
        lock = " FOR NO KEY UPDATE" if for_update else ""
        row = self._row("read a batch", f"SELECT {columns} FROM batches WHERE id = %s{lock}", (key,))
        return _batch(row) if row else None

    def list_page(
        self,
        *,
        status: str | None,
        batch_type: str | None,
        created_by: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[BatchRow], int]:
        """Newest first (``created_at``, then ``id``), without part-number arrays; and the matching total."""
        where = """WHERE (%(status)s::text IS NULL OR status = %(status)s)
                     AND (%(type)s::text IS NULL OR batch_type = %(type)s)
                     AND (%(by)s::text IS NULL OR created_by = %(by)s)"""
        params = {"status": status, "type": batch_type, "by": created_by, "limit": limit, "offset": offset}
        rows = self._rows(
            "list batches",
            f"SELECT {_WITHOUT_ARRAYS} FROM batches {where}"
            " ORDER BY created_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s",
            params,
        )
        total = self._scalar("count batches", f"SELECT count(*) FROM batches {where}", params)
        return [_batch(row) for row in rows], int(total)

    def set_status(
        self,
        batch_id: str,
        status: BatchStatus,
        *,
        expected: Sequence[BatchStatus],
        error_message: str | None = None,
    ) -> BatchRow | None:
        """Compare-and-set the status; None when the batch is not in one of ``expected``."""
        terminal = status in BatchStatus.FINAL
        row = self._row(
            "change a batch's status",
            f"""
            UPDATE batches SET status = %(status)s,
                   error_message = COALESCE(%(error)s, error_message),
                   completed_at = CASE WHEN %(terminal)s THEN now() ELSE completed_at END
            WHERE id = %(id)s AND status = ANY(%(expected)s)
            RETURNING {_WITHOUT_ARRAYS}
            """,
            {"status": status, "error": error_message, "terminal": terminal, "id": batch_id,
             "expected": list(expected)},
        )  # fmt: skip
        return _batch(row) if row else None

    def cancel(self, batch_id: str, *, progress_percent: Decimal) -> BatchRow | None:
        """Cancel a pending or processing batch, freezing its progress; None when it is not cancellable."""
        row = self._row(
            "cancel a batch",
            f"""
            UPDATE batches SET status = 'cancelled', completed_at = now(), cancelled_progress_percent = %s
            WHERE id = %s AND status IN ('pending', 'processing')
            RETURNING {_WITHOUT_ARRAYS}
            """,
            (progress_percent, batch_id),
        )
        return _batch(row) if row else None

    def move_counters(
        self,
        batch_id: str,
        *,
        extracted: int = 0,
        normalized: int = 0,
        skipped: int = 0,
        published: int = 0,
        failed: int = 0,
    ) -> None:
        """Add to the counters and, if that finishes the stage, complete the batch (one statement)."""
        moved = self._execute(
            "update a batch's counters",
            f"""
            UPDATE batches SET
                extracted_count = extracted_count + %(extracted)s,
                normalized_count = normalized_count + %(normalized)s,
                skipped_count = skipped_count + %(skipped)s,
                published_count = published_count + %(published)s,
                failed_count = failed_count + %(failed)s,
                batch_type = CASE WHEN {_DONE} AND batch_type = 'extract' AND {_SUCCEEDED}
                                  THEN 'normalize' ELSE batch_type END,
                status = CASE WHEN {_DONE} THEN (CASE WHEN {_SUCCEEDED} THEN 'completed' ELSE 'failed' END)
                              ELSE status END,
                completed_at = CASE WHEN {_DONE} THEN now() ELSE completed_at END
            WHERE id = %(id)s
            """,
            {"id": batch_id, "extracted": extracted, "normalized": normalized, "skipped": skipped,
             "published": published, "failed": failed},
        )  # fmt: skip
        assert moved == 1, "counters moved for an unknown batch"

    def complete_stage(self, batch_id: str) -> BatchRow | None:
        """Complete a processing batch whose stage has no open item left (the sweeper's safety net)."""
        zero = {"extracted": 0, "published": 0, "failed": 0}
        row = self._row(
            "complete a batch",
            f"""
            UPDATE batches SET
                batch_type = CASE WHEN batch_type = 'extract' AND {_SUCCEEDED}
                                  THEN 'normalize' ELSE batch_type END,
                status = CASE WHEN {_SUCCEEDED} THEN 'completed' ELSE 'failed' END,
                completed_at = now()
            WHERE id = %(id)s AND status = 'processing' AND batch_type IN ('extract', 'publish')
            RETURNING {_WITHOUT_ARRAYS}
            """,
            {"id": batch_id, **zero},
        )
        return _batch(row) if row else None

    def start_publish_run(
        self, batch_id: str, part_numbers: Sequence[str], *, expected_statuses: Sequence[BatchStatus]
    ) -> BatchRow | None:
        """Start a new publish run on this batch (http-api §3.4); None when its status is not expected."""
        row = self._row(
            "start a publish run",
            f"""
            UPDATE batches SET batch_type = 'publish', status = 'processing', total_items = %(total)s,
                   publish_part_numbers = %(parts)s, published_count = 0, failed_count = 0,
                   publish_run = publish_run + 1, completed_at = NULL, cancelled_progress_percent = NULL
            WHERE id = %(id)s AND status = ANY(%(expected)s)
            RETURNING {_WITHOUT_ARRAYS}
            """,
            {"total": len(part_numbers), "parts": list(part_numbers), "id": batch_id,
             "expected": list(expected_statuses)},
        )  # fmt: skip
        return _batch(row) if row else None

    def active_ids(self, batch_type: BatchType, *, limit: int = 1000) -> list[str]:
        """Ids of pending or processing batches of a type, oldest first."""
        rows = self._rows(
            "list active batches",
            "SELECT id FROM batches WHERE status IN ('pending', 'processing') AND batch_type = %s"
            " ORDER BY created_at, id LIMIT %s",
            (batch_type, limit),
        )
        return [str(row["id"]) for row in rows]
