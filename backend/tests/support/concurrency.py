"""Two units of work racing for the same rows, interleaved deterministically (no sleeps decide the order).

``interleave`` runs ``first`` in a transaction it keeps open, then ``second`` on another pooled connection in
a thread. It commits ``first`` only once ``second`` has either finished (its statement skipped the locked rows
or never needed them) or is waiting for a lock ``first`` holds (PostgreSQL's ``pg_blocking_pids``). So the
second statement always runs against the first one's uncommitted work, and a compare-and-set query must then
re-check its condition on the committed row. ``second_waited`` says which of the two happened.

``race`` releases two threads at once through a barrier: the order is left to the database, for properties
that must hold whatever it is (two claims over many rows never share one).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import psycopg

from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory

FirstT = TypeVar("FirstT")
SecondT = TypeVar("SecondT")
ResultT = TypeVar("ResultT")

_DEADLINE_S = 20.0
_POLL_S = 0.005


@dataclass(frozen=True, slots=True)
class Interleaving(Generic[FirstT, SecondT]):
    """What each side got; ``second_waited``: the second statement waited for the first one's locks."""

    first: FirstT
    second: SecondT
    second_waited: bool


class _Outcome(Generic[ResultT]):
    """What a thread's unit of work produced, or the exception it raised."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.started = threading.Event()
        self.value: ResultT | None = None
        self.error: BaseException | None = None

    def result(self) -> ResultT:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]  # set whenever no error was raised


def _run_in_uow(
    uow_factory: UnitOfWorkFactory, action: Callable[[UnitOfWork], ResultT], outcome: _Outcome[ResultT]
) -> None:
    try:
        with uow_factory() as uow:
            outcome.pid = uow.conn.info.backend_pid
            outcome.started.set()
            outcome.value = action(uow)
    except BaseException as exc:  # handed to the test's thread by ``result``
        outcome.error = exc
    finally:
        outcome.started.set()


def _blocked_by(monitor: psycopg.Connection, waiter: int, holder: int) -> bool:
    row = monitor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", (holder, waiter)).fetchone()
    return bool(row and row[0])


def interleave(
    uow_factory: UnitOfWorkFactory,
    database_url: str,
    first: Callable[[UnitOfWork], FirstT],
    second: Callable[[UnitOfWork], SecondT],
) -> Interleaving[FirstT, SecondT]:
    """Run ``first`` and keep its transaction open while ``second`` runs on another connection; commit
    ``first`` once ``second`` has finished or waits for ``first``'s locks; return both results."""
    outcome: _Outcome[SecondT] = _Outcome()
    waited = False
    with psycopg.connect(database_url, autocommit=True) as monitor:
        with uow_factory() as holder:
            first_result = first(holder)
            holder_pid = holder.conn.info.backend_pid
            thread = threading.Thread(target=_run_in_uow, args=(uow_factory, second, outcome), daemon=True)
            thread.start()
            assert outcome.started.wait(_DEADLINE_S), "the second unit of work never started"
            deadline = time.monotonic() + _DEADLINE_S
            while thread.is_alive():
                if outcome.pid is not None and _blocked_by(monitor, outcome.pid, holder_pid):
                    waited = True
                    break
                assert time.monotonic() < deadline, "the second unit of work neither finished nor waited"
                time.sleep(_POLL_S)
        thread.join(_DEADLINE_S)
    assert not thread.is_alive(), "the second unit of work did not finish after the first committed"
    return Interleaving(first_result, outcome.result(), waited)


def race(
    uow_factory: UnitOfWorkFactory,
    one: Callable[[UnitOfWork], FirstT],
    other: Callable[[UnitOfWork], SecondT],
) -> tuple[FirstT, SecondT]:
    """Run ``one`` and ``other`` in two units of work on two threads released together; both commit."""
    barrier = threading.Barrier(2, timeout=_DEADLINE_S)

    def released(action: Callable[[UnitOfWork], ResultT]) -> Callable[[UnitOfWork], ResultT]:
        def run(uow: UnitOfWork) -> ResultT:
            barrier.wait()
            return action(uow)

        return run

    first: _Outcome[FirstT] = _Outcome()
    second: _Outcome[SecondT] = _Outcome()
    threads = [
        threading.Thread(target=_run_in_uow, args=(uow_factory, released(one), first), daemon=True),
        threading.Thread(target=_run_in_uow, args=(uow_factory, released(other), second), daemon=True),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(_DEADLINE_S)
    assert not any(thread.is_alive() for thread in threads), "a racing unit of work did not finish"
    return first.result(), second.result()
