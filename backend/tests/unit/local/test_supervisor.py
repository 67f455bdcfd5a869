"""The local stack's supervisor: a process that dies is restarted after the delay, one that keeps failing is
given up after the start limit, and a stop ends everything, the top layer first. Fake processes drive the
policy step by step on a fake clock; small ``sh`` processes prove it on real exits and signals."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from app.local.supervisor import ChildProcess, ExitStatus, RestartPolicy, Supervisor
from tests.support.processes import wait_until


@dataclass
class FakeProcess:
    """A process whose end the test decides; it records what the supervisor asked of it."""

    pid: int
    log: list[str]
    status: ExitStatus | None = None

    def exit_status(self) -> ExitStatus | None:
        return self.status

    def terminate(self) -> None:
        self.log.append(f"terminate {self.pid}")
        self.status = ExitStatus(-signal.SIGTERM)

    def kill(self) -> None:
        self.log.append(f"kill {self.pid}")
        self.status = ExitStatus(-signal.SIGKILL)

    def wait(self, timeout_s: float) -> bool:
        return self.status is not None


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    """A supervisor on a fake clock whose units start ``FakeProcess``es numbered from 1."""

    clock: Clock = field(default_factory=Clock)
    said: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    started: list[FakeProcess] = field(default_factory=list)
    policy: RestartPolicy = field(
        default_factory=lambda: RestartPolicy(delay_s=2.0, burst=3, interval_s=60.0)
    )

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(self.policy, say=self.said.append, clock=self.clock)

    def starter(self) -> Callable[[], FakeProcess]:
        def start() -> FakeProcess:
            process = FakeProcess(len(self.started) + 1, self.log)
            self.started.append(process)
            return process

        return start

    def fail_latest(self, code: int = 1) -> None:
        """The newest process dies; the supervisor notices on its next step."""
        self.started[-1].status = ExitStatus(code)
        self.supervisor.step()

    def advance(self, seconds: float) -> None:
        self.clock.now += seconds
        self.supervisor.step()


def test_a_dead_process_is_restarted_after_the_delay_and_the_output_says_so() -> None:
    h = Harness()
    h.supervisor.start("worker-boeing", h.starter(), layer=2)
    h.fail_latest(-signal.SIGKILL)
    assert "worker-boeing (pid 1) killed by SIGKILL; restarting at" in h.said[-1]
    assert "(in 2 s; failure 1 of 3 allowed within 60 s)" in h.said[-1]
    h.advance(1.9)
    assert len(h.started) == 1, "not before the delay"
    h.advance(0.1)
    assert len(h.started) == 2
    assert h.said[-1].endswith("supervisor: worker-boeing restarted (pid 2)")


def test_a_process_that_keeps_failing_is_given_up_after_the_limit_and_the_rest_keeps_running() -> None:
    h = Harness()
    h.supervisor.start("beat", h.starter(), layer=2)
    h.supervisor.start("api", lambda: FakeProcess(99, h.log), layer=2)
    for _ in range(3):
        h.fail_latest(2)
        h.advance(2.0)
    assert len(h.started) == 4, "three restarts: the burst"
    h.fail_latest(2)
    assert any("beat (pid 4) exited with code 2: it failed 4 times within 60 s" in line for line in h.said)
    assert any("beat is GIVEN UP" in line for line in h.said)
    h.advance(60.0)
    assert len(h.started) == 4, "a given-up process is never started again"
    stop = threading.Event()
    stop.set()
    assert h.supervisor.run(stop) == 1, "the stack ends with a failure code once something was given up"
    h.supervisor.stop()
    assert h.log == ["terminate 99"], "the other process ran on until the stop"


def test_failures_spread_wider_than_the_interval_never_reach_the_limit() -> None:
    h = Harness()
    h.supervisor.start("worker-default", h.starter(), layer=2)
    for _ in range(10):
        h.fail_latest()
        h.advance(25.0)  # at most three failures in any 60 s
    assert len(h.started) == 11
    assert not any("GIVEN UP" in line for line in h.said)


def test_a_restart_that_cannot_start_counts_as_a_failure() -> None:
    h = Harness()
    attempts: list[int] = []

    def start_once_then_fail() -> FakeProcess:
        attempts.append(1)
        if len(attempts) > 1:
            raise OSError("address already in use")
        return FakeProcess(1, h.log)

    first = h.supervisor.start("redis", start_once_then_fail, layer=0)
    first.status = ExitStatus(1)
    h.supervisor.step()
    for _ in range(3):
        h.advance(2.0)
    assert any("redis could not be started (address already in use)" in line for line in h.said)
    assert any("redis is GIVEN UP" in line for line in h.said)
    assert len(attempts) == 4


def test_every_process_given_up_ends_the_run() -> None:
    h = Harness(policy=RestartPolicy(delay_s=0.0, burst=0, interval_s=60.0))
    h.supervisor.start("api", h.starter(), layer=2)
    h.started[-1].status = ExitStatus(1)
    assert h.supervisor.run(threading.Event(), poll_s=0.01) == 1
    assert "every process was given up" in h.said[-1]


def test_stop_goes_layer_by_layer_from_the_top_and_cancels_pending_restarts() -> None:
    h = Harness()
    h.supervisor.start("postgresql", h.starter(), layer=0)
    h.supervisor.start("boeing-emulator", h.starter(), layer=1)
    h.supervisor.start("api", h.starter(), layer=2)
    h.supervisor.start("beat", h.starter(), layer=2)
    h.fail_latest()  # beat dies; its restart is pending when the stop comes
    h.supervisor.stop()
    assert h.log == ["terminate 3", "terminate 2", "terminate 1"]
    h.advance(10.0)
    assert len(h.started) == 4, "no restart after a stop"


def test_exit_statuses_read_as_code_signal_or_unknown() -> None:
    assert str(ExitStatus(3)) == "exited with code 3"
    assert str(ExitStatus(0)) == "exited with code 0"
    assert str(ExitStatus(-9)) == "killed by SIGKILL"
    assert str(ExitStatus(None)).startswith("ended (not a child")


# --- real processes ---------------------------------------------------------------------------------------


def sh(script: str) -> Callable[[], ChildProcess]:
    def start() -> ChildProcess:
        popen = subprocess.Popen(["sh", "-c", script], start_new_session=True)
        return ChildProcess(popen)

    return start


@pytest.fixture
def running() -> Iterator[tuple[Supervisor, list[str], threading.Event]]:
    """A supervisor with a short delay, running in a thread until the test ends."""
    said: list[str] = []
    supervisor = Supervisor(RestartPolicy(delay_s=0.2, burst=3, interval_s=30.0), say=said.append)
    stop = threading.Event()
    yield supervisor, said, stop
    stop.set()
    supervisor.stop()


def test_a_killed_child_is_restarted_and_a_stop_ends_it(
    running: tuple[Supervisor, list[str], threading.Event],
) -> None:
    supervisor, said, stop = running
    first = supervisor.start("worker-boeing", sh("sleep 30"), layer=2)
    thread = threading.Thread(target=supervisor.run, args=(stop, 0.05))
    thread.start()
    os.killpg(first.pid, signal.SIGKILL)
    wait_until(lambda: any("restarted" in line for line in said), timeout_s=10, what="the restart")
    second = supervisor.units[0].process
    assert second is not None and second.pid != first.pid and second.exit_status() is None
    assert any(f"worker-boeing (pid {first.pid}) killed by SIGKILL; restarting" in line for line in said)
    stop.set()
    thread.join(timeout=5)
    supervisor.stop()
    assert second.exit_status() == ExitStatus(-signal.SIGTERM)


def test_a_child_that_keeps_exiting_is_given_up(
    running: tuple[Supervisor, list[str], threading.Event],
) -> None:
    supervisor, said, stop = running
    supervisor.start("beat", sh("exit 3"), layer=2)
    assert supervisor.run(stop, poll_s=0.05) == 1
    exits = [line for line in said if "exited with code 3" in line]
    assert len(exits) == 4, "the first run and three restarts"
    assert any("beat is GIVEN UP" in line for line in said)


def test_a_child_that_ignores_sigterm_is_killed_after_the_stop_timeout() -> None:
    supervisor = Supervisor(say=lambda _: None, stop_timeout_s=0.5)
    stubborn = supervisor.start("api", sh("trap '' TERM; sleep 30; exit 0"), layer=2)
    wait_until(lambda: _has_children(stubborn.pid), timeout_s=5, what="the shell's trap")
    supervisor.stop()
    assert stubborn.exit_status() == ExitStatus(-signal.SIGKILL)


def _has_children(pid: int) -> bool:
    return bool(subprocess.run(["pgrep", "-P", str(pid)], capture_output=True).stdout.strip())
