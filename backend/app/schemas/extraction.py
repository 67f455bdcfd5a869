"""Extraction requests and answers (http-api §2.2, §3.3)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from app.schemas.products import NormalizedProduct

__all__ = ["BulkExtractionRequest", "NormalizedProduct"]


class BulkExtractionRequest(BaseModel):
    """Exactly one of ``part_numbers`` or ``part_numbers_text`` (checked with the cleaning rules of §1.7)."""

    part_numbers: list[str] | None = None
    part_numbers_text: str | None = None
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
