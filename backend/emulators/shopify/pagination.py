"""Relay connections: opaque cursors, first/after/last/before slicing and lazily built edges."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

MAX_PAGE_SIZE = 250


def encode_cursor(key: Any) -> str:
    """Opaque cursor for a sort key."""
    return base64.urlsafe_b64encode(json.dumps({"last_id": key}, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> Any:
    """Sort key inside a cursor; a malformed cursor is a GraphQL error, as on Shopify."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))["last_id"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}") from None


def _comparable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


class Connection:
    """Result of a connection field; `edges` and cursors are only built when selected."""

    __slots__ = ("_key", "_next", "_prev", "nodes")

    def __init__(self, nodes: list[Any], key: Callable[[Any], Any], has_next: bool, has_prev: bool) -> None:
        self.nodes = nodes
        self._key = key
        self._next = has_next
        self._prev = has_prev

    @property
    def edges(self) -> list[dict[str, Any]]:
        """Edges with cursors."""
        return [{"cursor": encode_cursor(self._key(node)), "node": node} for node in self.nodes]

    @property
    def page_info(self) -> dict[str, Any]:
        """PageInfo of the slice."""
        return {
            "hasNextPage": self._next,
            "hasPreviousPage": self._prev,
            "startCursor": encode_cursor(self._key(self.nodes[0])) if self.nodes else None,
            "endCursor": encode_cursor(self._key(self.nodes[-1])) if self.nodes else None,
        }


def check_page_args(first: int | None, last: int | None) -> None:
    """Shopify requires exactly one of first/last, at most 250."""
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise GraphQLError(f"`{name}` must be a non-negative integer")
        if value is not None and value > MAX_PAGE_SIZE:
            raise GraphQLError(f"`{name}` cannot exceed {MAX_PAGE_SIZE}")


def paginate(
    items: Sequence[Any],
    key: Callable[[Any], Any],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    **_ignored: Any,
) -> Connection:
    """Slice `items` (already in ascending key order) the Relay way."""
    check_page_args(first, last)
    ordered = list(reversed(items)) if reverse else list(items)
    start, end = 0, len(ordered)
    if after is not None:
        after_key = _comparable(decode_cursor(after))
        start = next(
            (i + 1 for i, item in enumerate(ordered) if _comparable(key(item)) == after_key),
            _position(ordered, key, after_key, reverse),
        )
    if before is not None:
        before_key = _comparable(decode_cursor(before))
        end = next(
            (i for i, item in enumerate(ordered) if _comparable(key(item)) == before_key),
            _position(ordered, key, before_key, reverse),
        )
    window = ordered[start:end]
    has_next = end < len(ordered)
    has_prev = start > 0
    if first is not None:
        has_next = has_next or len(window) > first
        window = window[:first]
    if last is not None:
        has_prev = has_prev or len(window) > last
        window = window[-last:] if last else []
    return Connection(window, key, has_next, has_prev)


def _position(ordered: Sequence[Any], key: Callable[[Any], Any], wanted: Any, reverse: bool) -> int:
    """Where a cursor whose item is gone would sit (keeps pagination stable across deletes)."""
    for i, item in enumerate(ordered):
        current = _comparable(key(item))
        try:
            beyond = current < wanted if reverse else current > wanted
        except TypeError:
            continue
        if beyond:
            return i
    return len(ordered)
