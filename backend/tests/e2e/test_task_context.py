"""A request id travels from the API's outbox into the task's headers and every log line of the task."""

from __future__ import annotations

from pathlib import Path

from app.container import Container
from app.core.logging import request_id_var
from tests.support.processes import Workers, wait_until


def test_task_logs_name_the_request_that_caused_them(
    container: Container, workers: Workers, tmp_path: Path
) -> None:
    workers.start("default")
    token = request_id_var.set("req-from-dashboard-42")
    try:
        with container.uow_factory() as uow:
            container.dispatcher.enqueue(uow, "tasks.maintenance.relay_outbox")
    finally:
        request_id_var.reset(token)
    log = tmp_path / "worker-default.log"

    def logged() -> bool:
        text = log.read_text(errors="replace") if log.exists() else ""
        return any(
            "[req-from-dashboard-42]" in line and "tasks.maintenance.relay_outbox" in line
            for line in text.splitlines()
        )

    wait_until(logged, timeout_s=30, what="the task's log line with the request id")
