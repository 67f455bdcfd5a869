"""``boeing-hub extract``: start a bulk extraction over the HTTP API, follow it with a progress bar, then
print the outcome per status and the failures.

It talks to the API as the dashboard does (``POST /api/v1/extraction/bulk``, then ``GET /api/v1/batches/{id}``
and ``.../failures``), so it works against any deployment the operator has a token for.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

TERMINAL = ("completed", "failed", "cancelled")
FAILURES_PAGE = 500


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
    follow: bool = True,
    poll_s: float = 1.0,
    timeout_s: float = 0.0,
    max_failures: int = 100,
    http: httpx.Client | None = None,
) -> int:
    """Start the extraction and report it; the exit code is 0 completed, 1 failed/cancelled, 2 refused."""
    client = http or httpx.Client(base_url=api_url.rstrip("/"), timeout=30.0)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        response = client.post("/api/v1/extraction/bulk", json=body, headers=headers)
    except httpx.HTTPError as exc:
        console.print(f"[red]cannot reach the API at {api_url}: {exc}[/red]")
        return 2
    if response.status_code not in (200, 202):
        console.print(f"[red]extraction refused ({response.status_code}): {_detail(response)}[/red]")
        return 2
    accepted = response.json()
    batch_id = accepted["batch_id"]
    console.print(
        f"batch {batch_id}: {accepted['total_items']} part number(s), {accepted['duplicates_removed']} "
        f"duplicate(s) removed. {accepted['message']}"
    )
    if not follow:
        return 0
    batch = _follow(console, client, headers, batch_id, int(accepted["total_items"]), poll_s, timeout_s)
    if batch is None:
        console.print(f"[yellow]stopped following batch {batch_id}; the extraction continues[/yellow]")
        return 1
    _report(console, batch)
    _print_failures(console, client, headers, batch_id, max_failures)
    return 0 if batch["status"] == "completed" else 1


def _follow(
    console: Console,
    client: httpx.Client,
    headers: dict[str, str],
    batch_id: str,
    total: int,
    poll_s: float,
    timeout_s: float,
) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout_s if timeout_s > 0 else None
    columns = (
        TextColumn("[bold]extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("extract", total=max(total, 1), detail="")
            while deadline is None or time.monotonic() < deadline:
                try:
                    response = client.get(f"/api/v1/batches/{batch_id}", headers=headers)
                except httpx.HTTPError:
                    time.sleep(poll_s)  # the API restarting is no reason to stop following
                    continue
                if response.status_code != 200:
                    console.print(f"[red]cannot read batch {batch_id}: {_detail(response)}[/red]")
                    return None
                batch = dict(response.json())
                done = int(batch["extracted_count"]) + int(batch["failed_count"])
                detail = (
                    f"{batch['status']}: {batch['normalized_count']} normalized,"
                    f" {batch['skipped_count']} blocked, {batch['failed_count']} failed"
                )
                progress.update(task, total=max(int(batch["total_items"]), 1), completed=done, detail=detail)
                if batch["status"] in TERMINAL:
                    return batch
                time.sleep(poll_s)
    except KeyboardInterrupt:
        return None
    return None


def _report(console: Console, batch: dict[str, Any]) -> None:
    status = str(batch["status"])
    colour = {"completed": "green", "failed": "red"}.get(status, "yellow")
    total = int(batch["total_items"])
    finished = int(batch["extracted_count"]) + int(batch["failed_count"])
    table = Table(title=f"batch {batch['id']}: [{colour}]{batch['batch_type']}/{status}[/{colour}]")
    table.add_column("outcome")
    table.add_column("part numbers", justify="right")
    table.add_row("normalized (sellable SKUs staged)", str(batch["normalized_count"]))
    table.add_row("blocked (found, nothing sellable)", str(batch["skipped_count"]))
    table.add_row("failed", str(batch["failed_count"]))
    if status == "cancelled":
        table.add_row("cancelled", str(max(0, total - finished)))
    table.add_row("total", str(total))
    console.print(table)


def _print_failures(
    console: Console, client: httpx.Client, headers: dict[str, str], batch_id: str, max_failures: int
) -> None:
    shown, offset, total = 0, 0, None
    while total is None or (offset < total and shown < max_failures):
        params = {"limit": FAILURES_PAGE, "offset": offset}
        response = client.get(f"/api/v1/batches/{batch_id}/failures", params=params, headers=headers)
        if response.status_code != 200:
            console.print(f"[red]cannot read the failures: {_detail(response)}[/red]")
            return
        page = response.json()
        total = int(page["total"])
        for item in page["items"]:
            if shown >= max_failures:
                break
            console.print(
                f"  {item['part_number']}: {item['error']} ({item['stage']}, {item['attempts']} attempt(s))"
            )
            shown += 1
        if not page["items"]:
            break
        offset += len(page["items"])
    if total:
        console.print(f"{total} failure(s)" + (f"; first {shown} shown" if shown < total else ""))


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail"))
    except ValueError:
        return response.text[:200]
