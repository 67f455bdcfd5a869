"""The local stack's supervisor: a process that dies is started again, as systemd does for the deployed ones.

The units in ``deploy/systemd`` restart a process 5 s after it fails. Locally every process is meant to run
until Ctrl-C, so any exit the supervisor did not ask for is a failure, whatever its code or signal. Policy:

- a failed process is started again ``delay_s`` after its exit (the same command, environment and port);
- a process that fails more than ``burst`` times within ``interval_s`` is given up, as systemd leaves a unit
  that hit its start limit failed: the supervisor says so loudly, never starts it again, and keeps the rest of
  the stack running (a dead worker group or server shows in ``/health``); ``run`` then ends with code 1;
- a restart that cannot start the process counts as one more failure.

Every exit is reported with its exit code or signal, and every restart with its time. Stopping (Ctrl-C)
cancels pending restarts and stops the processes by layer, the top layer first (what uses the servers before
the servers): a layer gets SIGTERM at once, then SIGKILL for whatever still runs after ``stop_timeout_s``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """systemd's ``RestartSec`` (``delay_s``) and start limit (``burst`` failures within ``interval_s``)."""

    delay_s: float = 2.0
    burst: int = 5
    interval_s: float = 60.0


@dataclass(frozen=True, slots=True)
class ExitStatus:
    """How a process ended: ``code`` as ``Popen.returncode`` reports it (negative: the signal that killed it),
    or None when the process was not our child and its status is unknown."""

    code: int | None

    def __str__(self) -> str:
        if self.code is None:
            return "ended (not a child of the supervisor: exit status unknown)"
        if self.code < 0:
            try:
                return f"killed by {signal.Signals(-self.code).name}"
            except ValueError:
                return f"killed by signal {-self.code}"
        return f"exited with code {self.code}"


class Process(Protocol):
    """A started process as the supervisor sees it."""

    @property
    def pid(self) -> int: ...

    def exit_status(self) -> ExitStatus | None:
        """None while it runs."""

    def terminate(self) -> None:
        """Ask it to stop."""

    def kill(self) -> None:
        """Stop it now."""

    def wait(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for it to end; whether it has."""


P = TypeVar("P", bound=Process)


class ChildProcess:
    """A child started in its own session: signals go to its whole process group (a worker and its pool)."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen

    @property
    def pid(self) -> int:
        return self.popen.pid

    def exit_status(self) -> ExitStatus | None:
        code = self.popen.poll()
        return None if code is None else ExitStatus(code)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def wait(self, timeout_s: float) -> bool:
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _signal(self, signum: signal.Signals) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signum)


@dataclass
class Unit:
    """One supervised process: how to start it, its stop layer, and its recent failures."""

    name: str
    start: Callable[[], Process]
    layer: int
    process: Process | None = None
    failures: deque[float] = field(default_factory=deque)  # monotonic times, the last ``interval_s`` only
    restart_at: float | None = None
    given_up: bool = False


@dataclass
class Supervisor:
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    say: Callable[[str], None] = print
    stop_timeout_s: float = 20.0
    clock: Callable[[], float] = time.monotonic
    units: list[Unit] = field(default_factory=list)

    def start(self, name: str, start: Callable[[], P], *, layer: int) -> P:
        """Start a unit now; a failure to start propagates (start-up never retries)."""
        process = start()
        self.units.append(Unit(name, start, layer, process))
        return process

    def check_running(self) -> None:
        """Raise if a unit has ended: used while the stack starts, when a death is a start-up failure."""
        for unit in self.units:
            status = unit.process.exit_status() if unit.process else None
            if status is not None:
                raise RuntimeError(f"{unit.name} {status}")

    def run(self, stop: threading.Event, poll_s: float = 0.2) -> int:
        """Supervise until ``stop`` is set: 0, or 1 if a unit was given up."""
        while not stop.is_set():
            self.step()
            if self.units and all(unit.given_up for unit in self.units):
                self.say(self._stamp("every process was given up; stopping"))
                return 1
            stop.wait(poll_s)
        return 1 if any(unit.given_up for unit in self.units) else 0

    def step(self) -> None:
        """One pass: notice what died, and start again what is due."""
        now = self.clock()
        for unit in self.units:
            if unit.given_up:
                continue
            if unit.restart_at is not None:
                if now >= unit.restart_at:
                    self._restart(unit, now)
                continue
            status = unit.process.exit_status() if unit.process else None
            if status is not None and unit.process is not None:
                self._failed(unit, f"(pid {unit.process.pid}) {status}", now)

    def _failed(self, unit: Unit, what: str, now: float) -> None:
        unit.process = None
        unit.failures.append(now)
        while unit.failures and unit.failures[0] <= now - self.policy.interval_s:
            unit.failures.popleft()
        count, burst, window = len(unit.failures), self.policy.burst, self.policy.interval_s
        if count > burst:
            unit.given_up = True
            self.say(self._stamp(f"!!! {unit.name} {what}: it failed {count} times within {window:g} s"))
            self.say(
                f"!!! {unit.name} is GIVEN UP and will not be started again; the rest of the stack keeps"
            )
            self.say("!!! running without it. Fix the cause, then stop (Ctrl-C) and start the stack again.")
            return
        unit.restart_at = now + self.policy.delay_s
        when = time.strftime("%H:%M:%S", time.localtime(time.time() + self.policy.delay_s))
        self.say(
            self._stamp(
                f"{unit.name} {what}; restarting at {when} (in {self.policy.delay_s:g} s; "
                f"failure {count} of {burst} allowed within {window:g} s)"
            )
        )

    def _restart(self, unit: Unit, now: float) -> None:
        unit.restart_at = None
        try:
            unit.process = unit.start()
        except Exception as exc:  # whatever kept it from starting, it is one more failure of this unit
            self._failed(unit, f"could not be started ({' '.join(str(exc).split())})", now)
            return
        self.say(self._stamp(f"{unit.name} restarted (pid {unit.process.pid})"))

    def stop(self) -> None:
        """Cancel pending restarts; stop every running unit, the top layer first."""
        for unit in self.units:
            unit.restart_at = None
        for layer in sorted({unit.layer for unit in self.units}, reverse=True):
            running = [
                unit.process
                for unit in self.units
                if unit.layer == layer and unit.process is not None and unit.process.exit_status() is None
            ]
            for process in running:
                process.terminate()
            deadline = self.clock() + self.stop_timeout_s
            for process in running:
                if not process.wait(max(0.1, deadline - self.clock())):
                    process.kill()
                    process.wait(5.0)

    @staticmethod
    def _stamp(text: str) -> str:
        return f"{time.strftime('%H:%M:%S')} supervisor: {text}"
