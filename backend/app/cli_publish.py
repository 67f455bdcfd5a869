"""``boeing-hub publish``: start a publish run over the HTTP API (``POST /api/v1/publishing/bulk``), follow
it with a progress bar, then print the outcome and the run's failures (``cli_follow``).
"""

from __future__ import annotations

from typing import Any

import httpx
from rich.console import Console

from app.cli_follow import (
    EXIT_REFUSED,
    EXIT_UNFINISHED,
    BatchApi,
    exit_code,
    follow,
    print_failures,
    start,
    status_colour,
)
from app.core.constants.batches import ErrorStage


def follow_publish(
    console: Console,
    *,
    api_url: str,
    token: str,
    part_numbers: list[str],
    batch_id: str | None,
    poll_s: float = 1.0,
    timeout_s: float = 6 * 3600.0,
    max_failures: int = 20,
    http: httpx.Client | None = None,
) -> int:
    """Start the run, show progress until the batch is final, print the outcome; the exit code is one of
    ``cli_follow``'s."""
    api = BatchApi.connect(api_url, token, http)
    body: dict[str, Any] = {"batch_id": batch_id}
    if part_numbers:
        body["part_numbers"] = part_numbers
    accepted = start(console, api, "/api/v1/publishing/bulk", body, what="publish")
    if accepted is None:
        return EXIT_REFUSED
    run_id = accepted["batch_id"]
    console.print(f"publish run on batch {run_id}: {accepted['total_items']} SKU(s). {accepted['message']}")
    batch = follow(
        console, api, run_id, label="publishing", total=int(accepted["total_items"]), done=_done,
        detail=_progress, poll_s=poll_s, timeout_s=timeout_s,
    )  # fmt: skip
    if batch is None:
        console.print(f"[yellow]stopped following batch {run_id}; the run continues[/yellow]")
        return EXIT_UNFINISHED
    colour = status_colour(str(batch["status"]))
    console.print(
        f"[{colour}]{batch['status']}[/{colour}]: {batch['published_count']} published, "
        f"{batch['failed_count']} failed of {batch['total_items']}."
    )
    print_failures(console, api, run_id, max_failures=max_failures, stage=ErrorStage.PUBLISHING)
    return exit_code(batch)


def _done(batch: dict[str, Any]) -> int:
    return int(batch["published_count"]) + int(batch["failed_count"])


def _progress(batch: dict[str, Any]) -> str:
    return f"published {batch['published_count']}, failed {batch['failed_count']}"
