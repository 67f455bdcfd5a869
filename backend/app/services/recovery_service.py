"""The periodic sweeper (``tasks.batch.sweep``): lost or abandoned work is sent again (DESIGN §5).

Each pipeline owns its recovery: extraction re-sends chunks whose message was lost or whose task died and
tops its batches up; publishing re-sends stuck items and refills each run's window. Then every active batch
with no open item left is completed (the counters complete batches on their own; this is the safety net).
Transitions are compare-and-set, so a sweep that races a live task changes nothing twice.
"""

from __future__ import annotations

from collections import Counter

from app.services.batch_service import BatchService
from app.services.extraction_service import ExtractionService
from app.services.publish_reconciliation_service import PublishReconciliationService

__all__ = ["RecoveryService"]


class RecoveryService:
    """Runs every pipeline's recovery step, then completes batches with nothing open."""

    def __init__(
        self,
        *,
        extraction: ExtractionService,
        reconciliation: PublishReconciliationService,
        batch_service: BatchService,
    ) -> None:
        self._extraction = extraction
        self._reconciliation = reconciliation
        self._batch_service = batch_service

    def sweep(self) -> dict[str, int]:
        """Re-send lost or abandoned work of every pipeline; returns what each step did, and ``completed``."""
        report: Counter[str] = Counter()
        report.update(self._extraction.sweep_stale())
        report.update(self._reconciliation.sweep())
        report["completed"] = self._batch_service.complete_idle()
        return dict(report)
