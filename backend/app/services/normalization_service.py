"""Normalization: a stored Boeing answer -> staged products -> terminal extraction items (DESIGN §5).

Matching a requested part number to Boeing's line items is business logic and lives here (case-insensitive):
an item matches when its ``aviallPartNumber`` equals the part number, or equals it plus ``=<suffix>``, or its
``productCode`` equals it. Every variant returned is staged and recorded as produced by the item; an item with
no match fails "not found at Boeing". Items become terminal in the same transaction that writes their staging
rows, so ``extract -> normalize/completed`` happens only once everything is staged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.constants.batches import ErrorStage, ItemStatus
from app.core.constants.extraction import NOT_FOUND_AT_BOEING, StagingStatus
from app.core.exceptions import AppError, RetryableError, ServiceUnavailableError
from app.db.batch_item_store import ItemOutcome, WaitingItem
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from app.services.batch_service import BatchService
from app.utils.boeing_normalize import normalize_line_item
from app.utils.catalog_rules import base_part_number, text_value
from app.utils.normalized_record import NormalizedRecord

logger = logging.getLogger(__name__)

__all__ = [
    "MatchedRecord",
    "NormalizationService",
    "NormalizeReport",
    "match_part_number",
    "normalize_answer",
]


@dataclass(frozen=True, slots=True)
class MatchedRecord:
    """A normalized line item with the ``productCode`` Boeing sent for it (upper-cased)."""

    record: NormalizedRecord
    product_code: str | None


@dataclass(frozen=True, slots=True)
class NormalizeReport:
    items: int
    normalized: int = 0
    blocked: int = 0
    failed: int = 0
    staged: int = 0


def normalize_answer(
    payload: Mapping[str, Any], *, location_map: Mapping[str, str], default_location: str | None
) -> list[MatchedRecord]:
    """Every line item with an ``aviallPartNumber``, normalized, in Boeing's order."""
    items = payload.get("lineItems")
    if not isinstance(items, list):
        return []
    currency = text_value(payload.get("currency"))
    matched = []
    for item in items:
        if isinstance(item, Mapping) and text_value(item.get("aviallPartNumber")) is not None:
            record = normalize_line_item(
                item, currency=currency, location_map=location_map, default_location=default_location
            )
            code = text_value(item.get("productCode"))
            matched.append(MatchedRecord(record, code.upper() if code else None))
    return matched


def match_part_number(part_number: str, records: Sequence[MatchedRecord]) -> list[NormalizedRecord]:
    """The records a requested part number produced: exact SKU, a ``=suffix`` variant, or its productCode."""
    code = part_number.strip().upper()
    return [
        m.record
        for m in records
        if m.record.sku == code or base_part_number(m.record.sku) == code or m.product_code == code
    ]


class NormalizationService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        batch_service: BatchService,
        location_map: Mapping[str, str],
        default_location: str | None,
    ) -> None:
        self._uow_factory = uow_factory
        self._batch_service = batch_service
        self._location_map = dict(location_map)
        self._default_location = default_location

    def normalize(self, payload: Mapping[str, Any]) -> list[MatchedRecord]:
        """Normalize a Boeing answer with this deployment's location settings."""
        return normalize_answer(
            payload, location_map=self._location_map, default_location=self._default_location
        )

    def stage_answer(
        self,
        uow: UnitOfWork,
        payload: Mapping[str, Any],
        *,
        raw_data_id: int,
        batch_id: str | None,
        created_by: str,
    ) -> tuple[list[MatchedRecord], dict[str, str]]:
        """Normalize and upsert every line item of an answer; returns the records and each SKU's status."""
        matched = self.normalize(payload)
        statuses = uow.staging.upsert_many(
            (m.record for m in matched),
            batch_id=batch_id,
            raw_data_id=raw_data_id,
            created_by=created_by,
        )
        return matched, statuses

    def normalize_chunk(self, raw_data_id: int, *, final_attempt: bool) -> NormalizeReport:
        """Stage one stored answer and settle the items that asked for it (a duplicate changes nothing)."""
        try:
            with self._uow_factory() as uow:
                return self._normalize_chunk(uow, raw_data_id)
        except (RetryableError, ServiceUnavailableError) as exc:
            if final_attempt:
                self._fail_open_items(raw_data_id, f"normalization failed after retries: {exc.message}")
            raise
        except AppError as exc:
            logger.exception("normalizing Boeing answer %s failed", raw_data_id)
            return self._fail_open_items(raw_data_id, f"normalization failed: {exc.message}")
        except Exception as exc:
            # A defect, not a transient fault: a retry would fail alike, so the items fail with a reason.
            logger.exception("normalizing Boeing answer %s failed", raw_data_id)
            return self._fail_open_items(raw_data_id, f"normalization failed: {type(exc).__name__}")

    def _normalize_chunk(self, uow: UnitOfWork, raw_data_id: int) -> NormalizeReport:
        answer = uow.items.waiting_for_answer(raw_data_id)
        if answer is None:
            return NormalizeReport(items=0)
        if answer.payload is None or answer.created_by is None:
            raise _MissingAnswer(f"the stored Boeing answer {raw_data_id} is gone")
        items = answer.items
        batch_id = items[0].batch_id
        matched, statuses = self.stage_answer(
            uow, answer.payload, raw_data_id=raw_data_id, batch_id=batch_id, created_by=answer.created_by
        )
        outcomes = [self._outcome(item, matched, statuses) for item in items]
        self._batch_service.record_outcomes(uow, batch_id, outcomes, expected=(ItemStatus.IN_PROGRESS,))
        normalized = sum(1 for o in outcomes if o.status == ItemStatus.NORMALIZED)
        blocked = sum(1 for o in outcomes if o.status == ItemStatus.BLOCKED)
        return NormalizeReport(
            items=len(items),
            normalized=normalized,
            blocked=blocked,
            failed=len(outcomes) - normalized - blocked,
            staged=len(statuses),
        )

    @staticmethod
    def _outcome(
        item: WaitingItem, matched: Sequence[MatchedRecord], statuses: Mapping[str, str]
    ) -> ItemOutcome:
        skus = sorted({record.sku for record in match_part_number(item.part_number, matched)})
        if not skus:
            return ItemOutcome(
                item.id, ItemStatus.FAILED, error=NOT_FOUND_AT_BOEING, error_stage=ErrorStage.EXTRACTION
            )
        sellable = any(statuses.get(sku, StagingStatus.BLOCKED) != StagingStatus.BLOCKED for sku in skus)
        status = ItemStatus.NORMALIZED if sellable else ItemStatus.BLOCKED
        return ItemOutcome(item.id, status, staged_skus=skus)

    def _fail_open_items(self, raw_data_id: int, reason: str) -> NormalizeReport:
        with self._uow_factory() as uow:
            answer = uow.items.waiting_for_answer(raw_data_id)
            items = answer.items if answer is not None else []
            by_batch: dict[str, list[int]] = {}
            for item in items:
                by_batch.setdefault(item.batch_id, []).append(item.id)
            for batch_id, ids in by_batch.items():
                self._batch_service.fail_items(
                    uow,
                    batch_id,
                    ids,
                    error=reason,
                    error_stage=ErrorStage.NORMALIZATION,
                    expected=(ItemStatus.IN_PROGRESS,),
                )
        return NormalizeReport(items=len(items), failed=len(items))


class _MissingAnswer(AppError):
    """The answer an item points at was deleted (retention ran under it): the item cannot be normalized."""
