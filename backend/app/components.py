"""``component``: the lazily built, cached collaborator the composition root is made of."""

from __future__ import annotations

from functools import cached_property
from typing import Any

__all__ = ["component"]


class component(cached_property):
    """A lazily built, cached collaborator whose first construction is serialised across threads."""

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        cached = instance.__dict__.get(self.attrname, _MISSING)
        if cached is not _MISSING:
            return cached
        with instance._lock:
            return super().__get__(instance, owner)


_MISSING = object()
