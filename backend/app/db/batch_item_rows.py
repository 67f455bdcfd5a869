"""Typed rows of ``batch_items``: what the store returns and what a transition takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.constants.batches import ErrorStage, ItemStage, ItemStatus

ITEM_COLUMNS = (
    "id, batch_id, stage, run, position, part_number, status, error, error_stage, attempts, chunk_no,"
    " sent_at, lease_until, raw_data_id, staged_skus, updated_at"
)


@dataclass(frozen=True, slots=True)
class ItemRow:
    id: int
    batch_id: str
    stage: ItemStage
    run: int
    position: int
    part_number: str
    status: ItemStatus
    error: str | None
    error_stage: ErrorStage | None
    attempts: int
    chunk_no: int | None
    sent_at: datetime | None
    lease_until: datetime | None
    raw_data_id: int | None
    staged_skus: list[str]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """The terminal state one item moves to."""

    item_id: int
    status: ItemStatus
    staged_skus: Sequence[str] = ()
    error: str | None = None
    error_stage: ErrorStage | None = None


@dataclass(frozen=True, slots=True)
class MovedItem:
    """An item a transition moved: what its batch counters need."""

    id: int
    stage: ItemStage
    run: int
    status: ItemStatus


@dataclass(frozen=True, slots=True)
class WaitingItem:
    """An extraction item waiting for the normalization of its Boeing answer: what matching needs."""

    id: int
    batch_id: str
    part_number: str


@dataclass(frozen=True, slots=True)
class WaitingAnswer:
    """A stored Boeing answer with the items waiting for its normalization (``payload`` None: answer gone)."""

    raw_data_id: int
    payload: dict[str, Any] | None
    created_by: str | None
    items: list[WaitingItem]


@dataclass(frozen=True, slots=True)
class StaleChunk:
    batch_id: str
    chunk_no: int


def item_row(row: dict[str, Any]) -> ItemRow:
    """An ``ItemRow`` from a dict row of ``ITEM_COLUMNS``."""
    row["batch_id"] = str(row["batch_id"])
    row["stage"] = ItemStage(row["stage"])
    row["status"] = ItemStatus(row["status"])
    if row["error_stage"] is not None:
        row["error_stage"] = ErrorStage(row["error_stage"])
    return ItemRow(**row)
