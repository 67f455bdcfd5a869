"""``component``: the lazily built, cached collaborator the composition root is made of.

A component is a method of the root decorated with ``@component``: its first read builds the value (under the
root's re-entrant lock, so two threads never build it twice, and building one component may build the ones it
needs) and stores it on the instance, where later reads find it without calling the method again. The value
keeps the method's return type, so mypy follows every wiring edge.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, Self, TypeVar, overload

__all__ = ["Composite", "component", "component_names"]

_T = TypeVar("_T")


class Composite(Protocol):
    """What owns components: a re-entrant lock held while a component (and what it needs) is first built."""

    _lock: threading.RLock


_Owner = TypeVar("_Owner", bound=Composite)


class component(Generic[_Owner, _T]):
    """A lazily built, cached collaborator whose first construction is serialised across threads."""

    def __init__(self, build: Callable[[_Owner], _T]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type[_Owner], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type[_Owner] | None = None) -> Self: ...

    @overload
    def __get__(self, instance: _Owner, owner: type[_Owner] | None = None) -> _T: ...

    def __get__(self, instance: _Owner | None, owner: type[_Owner] | None = None) -> Self | _T:
        if instance is None:
            return self
        # Only reached until the value is stored: the instance's attribute then shadows this descriptor.
        with instance._lock:
            built: dict[str, _T] = instance.__dict__
            if self._name not in built:
                built[self._name] = self._build(instance)
            return built[self._name]


def component_names(owner: type) -> frozenset[str]:
    """The names of every component declared by ``owner`` and its bases."""
    return frozenset(
        name for cls in owner.__mro__ for name, value in vars(cls).items() if isinstance(value, component)
    )
