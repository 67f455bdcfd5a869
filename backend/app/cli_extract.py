"""``boeing-hub extract``: start a bulk extraction over the HTTP API (``POST /api/v1/extraction/bulk``),
follow it with a progress bar, then print the outcome per status and the failures (``cli_follow``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from app.cli_follow import (
    EXIT_COMPLETED,
    EXIT_REFUSED,
    EXIT_UNFINISHED,
    BatchApi,
    exit_code,
    follow,
    print_failures,
    start,
    status_colour,
)
from app.core.constants.batches import BatchStatus


def extraction_body(
    part_numbers: list[str], file: Path | None, idempotency_key: str | None
) -> dict[str, Any]:
    """The request body: a list for arguments alone, else the text of the file (plus any arguments)."""
    body: dict[str, Any] = {"idempotency_key": idempotency_key}
    if file is None:
        body["part_numbers"] = part_numbers
    else:
        body["part_numbers_text"] = "\n".join([*part_numbers, file.read_text(encoding="utf-8")])
    return body


def follow_extract(
    console: Console,
    *,
    api_url: str,
    token: str,
    body: dict[str, Any],
    follow_batch: bool = True,
    poll_s: float = 1.0,
    timeout_s: float = 0.0,
    max_failures: int = 100,
    http: httpx.Client | None = None,
) -> int:
    """Start the extraction and report it; the exit code is one of ``cli_follow``'s."""
    api = BatchApi.connect(api_url, token, http)
    accepted = start(console, api, "/api/v1/extraction/bulk", body, what="extraction")
    if accepted is None:
        return EXIT_REFUSED
    batch_id = accepted["batch_id"]
    console.print(
        f"batch {batch_id}: {accepted['total_items']} part number(s), {accepted['duplicates_removed']} "
        f"duplicate(s) removed. {accepted['message']}"
    )
    if not follow_batch:
        return EXIT_COMPLETED
    batch = follow(
        console, api, batch_id, label="extracting", total=int(accepted["total_items"]), done=_done,
        detail=_progress, poll_s=poll_s, timeout_s=timeout_s,
    )  # fmt: skip
    if batch is None:
        console.print(f"[yellow]stopped following batch {batch_id}; the extraction continues[/yellow]")
        return EXIT_UNFINISHED
    _report(console, batch)
    print_failures(console, api, batch_id, max_failures=max_failures)
    return exit_code(batch)


def _done(batch: dict[str, Any]) -> int:
    return int(batch["extracted_count"]) + int(batch["failed_count"])


def _progress(batch: dict[str, Any]) -> str:
    return (
        f"{batch['status']}: {batch['normalized_count']} normalized,"
        f" {batch['skipped_count']} blocked, {batch['failed_count']} failed"
    )


def _report(console: Console, batch: dict[str, Any]) -> None:
    status = str(batch["status"])
    colour = status_colour(status)
    total = int(batch["total_items"])
    table = Table(title=f"batch {batch['id']}: [{colour}]{batch['batch_type']}/{status}[/{colour}]")
    table.add_column("outcome")
    table.add_column("part numbers", justify="right")
    table.add_row("normalized (sellable SKUs staged)", str(batch["normalized_count"]))
    table.add_row("blocked (found, nothing sellable)", str(batch["skipped_count"]))
    table.add_row("failed", str(batch["failed_count"]))
    if status == BatchStatus.CANCELLED:
        table.add_row("cancelled", str(max(0, total - _done(batch))))
    table.add_row("total", str(total))
    console.print(table)
