"""``BatchService.accepted``: the one answer of both bulk endpoints, new or repeated (http-api §1.8, §2.2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from app.core.constants.batches import BatchStatus, BatchType
from app.db.batch_store import BatchRow
from app.services.batch_service import BatchService

NOW = datetime(2026, 3, 10, 14, 5, 9, tzinfo=UTC)
BATCH = BatchRow(
    id="b-1", batch_type=BatchType.EXTRACT, status=BatchStatus.PENDING, total_items=3, extracted_count=0,
    normalized_count=0, skipped_count=0, published_count=0, failed_count=0, publish_run=0,
    duplicates_removed=2, error_message=None, idempotency_key="k", created_by="op", created_at=NOW,
    updated_at=NOW, completed_at=None, cancelled_progress_percent=None, part_numbers=None,
    publish_part_numbers=None,
)  # fmt: skip


def test_a_new_batch_answers_the_callers_message_and_its_own_counts() -> None:
    accepted = BatchService.accepted(BATCH, created=True, idempotency_key="k", message="Queued.")
    assert accepted.created
    assert accepted.model_dump(mode="json") == {
        "batch_id": "b-1",
        "total_items": 3,
        "duplicates_removed": 2,
        "status": "pending",
        "message": "Queued.",
        "idempotency_key": "k",
    }


def test_a_run_on_an_existing_batch_answers_the_duplicates_of_its_own_request() -> None:
    accepted = BatchService.accepted(
        BATCH, created=True, idempotency_key=None, message="Publishing.", duplicates_removed=0
    )
    assert (accepted.duplicates_removed, accepted.idempotency_key) == (0, None)


def test_a_repeated_key_answers_the_original_batch_as_it_is_now() -> None:
    now = replace(BATCH, status=BatchStatus.PROCESSING)
    accepted = BatchService.accepted(now, created=False, idempotency_key="k")
    assert not accepted.created
    assert (accepted.batch_id, accepted.status, accepted.idempotency_key) == ("b-1", "processing", "k")
    assert "idempotent" in accepted.message and "processing" in accepted.message
    assert "created" not in accepted.model_dump(mode="json"), "created decides the status code, not the body"
