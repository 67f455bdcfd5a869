"""Extraction requests and answers (http-api §2.2, §3.3)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.core.inputs import Identifier, PartNumberEntry, PartNumberText, part_number_choice
from app.schemas.products import NormalizedProduct

__all__ = ["BulkExtractionRequest", "NormalizedProduct"]


class BulkExtractionRequest(BaseModel):
    """Exactly one of ``part_numbers`` or ``part_numbers_text`` (checked with the cleaning rules of §1.7)."""

    model_config = ConfigDict(json_schema_extra=part_number_choice())

    part_numbers: list[PartNumberEntry] | None = None
    part_numbers_text: PartNumberText | None = None
    idempotency_key: Identifier | None = None
