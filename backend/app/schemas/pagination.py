"""What a list endpoint takes and answers (http-api §1.4): a ``limit``/``offset`` window and a page of items.

Every list endpoint answers its items under the key it names (``batches``, ``products``, ``items``), plus
``total`` (all matching rows), ``limit`` and ``offset``. ``Page[T]`` holds the items in ``items``; a page
answered under another key overrides that one field with its wire name as the alias, so the code reads the
same everywhere and the wire keeps each endpoint's key, in the same position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = ["Page", "Pagination"]

ItemT = TypeVar("ItemT")


@dataclass(frozen=True, slots=True)
class Pagination:
    """A validated window: ``limit`` in 1..the endpoint's maximum, ``offset`` >= 0 (never clamped)."""

    limit: int
    offset: int


class Page(BaseModel, Generic[ItemT]):
    """One page of a list endpoint; ``limit`` and ``offset`` echo the request."""

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    items: list[ItemT]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: Sequence[ItemT], *, total: int, window: Pagination) -> Self:
        """The page of ``items`` (already cut to ``window``) out of ``total`` matching rows."""
        return cls(items=list(items), total=total, limit=window.limit, offset=window.offset)
