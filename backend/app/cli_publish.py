"""``boeing-hub publish``: start a publish run over the HTTP API and follow it with a progress bar.

It talks to the API like the dashboard does (``POST /api/v1/publishing/bulk``, then polls
``GET /api/v1/batches/{id}``), so it works against any deployment the operator has a token for.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

TERMINAL = ("completed", "failed", "cancelled")


def follow_publish(
    console: Console,
    *,
    api_url: str,
    token: str,
    part_numbers: list[str],
    batch_id: str | None,
    poll_s: float = 1.0,
    timeout_s: float = 6 * 3600.0,
    http: httpx.Client | None = None,
) -> int:
    """Start the run, show progress until the batch is terminal, print the outcome; return an exit code."""
    client = http or httpx.Client(base_url=api_url.rstrip("/"), timeout=30.0)
    headers = {"Authorization": f"Bearer {token}"}
    body: dict[str, Any] = {"batch_id": batch_id}
    if part_numbers:
        body["part_numbers"] = part_numbers
    try:
        response = client.post("/api/v1/publishing/bulk", json=body, headers=headers)
    except httpx.HTTPError as exc:
        console.print(f"[red]cannot reach the API at {api_url}: {exc}[/red]")
        return 1
    if response.status_code not in (200, 202):
        console.print(f"[red]publish refused ({response.status_code}): {_detail(response)}[/red]")
        return 1
    accepted = response.json()
    run_id = accepted["batch_id"]
    console.print(f"publish run on batch {run_id}: {accepted['total_items']} SKU(s). {accepted['message']}")
    batch = _follow(console, client, headers, run_id, accepted["total_items"], poll_s, timeout_s)
    if batch is None:
        console.print(f"[yellow]stopped following after {timeout_s:.0f} s; the run continues[/yellow]")
        return 1
    return _report(console, batch)


def _follow(
    console: Console,
    client: httpx.Client,
    headers: dict[str, str],
    batch_id: str,
    total: int,
    poll_s: float,
    timeout_s: float,
) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout_s
    columns = (
        TextColumn("[bold]publishing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("publish", total=max(total, 1), detail="")
        while time.monotonic() < deadline:
            try:
                response = client.get(f"/api/v1/batches/{batch_id}", headers=headers)
            except httpx.HTTPError:
                time.sleep(poll_s)
                continue
            if response.status_code != 200:
                console.print(f"[red]cannot read batch {batch_id}: {_detail(response)}[/red]")
                return None
            batch = response.json()
            done = int(batch.get("published_count") or 0) + int(batch.get("failed_count") or 0)
            detail = f"published {batch.get('published_count', 0)}, failed {batch.get('failed_count', 0)}"
            progress.update(
                task, total=max(int(batch.get("total_items") or total), 1), completed=done, detail=detail
            )
            if batch.get("status") in TERMINAL:
                return dict(batch)
            time.sleep(poll_s)
    return None


def _report(console: Console, batch: dict[str, Any]) -> int:
    status = batch.get("status")
    colour = {"completed": "green", "failed": "red"}.get(str(status), "yellow")
    console.print(
        f"[{colour}]{status}[/{colour}]: {batch.get('published_count', 0)} published, "
        f"{batch.get('failed_count', 0)} failed of {batch.get('total_items', 0)}."
    )
    failures = [item for item in batch.get("failed_items") or [] if item.get("stage") == "publishing"]
    for item in failures[:20]:
        console.print(f"  {item['part_number']}: {item['error']}")
    if len(failures) > 20 or int(batch.get("failed_count") or 0) > len(failures):
        console.print(f"  (all failures: GET /api/v1/batches/{batch.get('id')}/failures)")
    return 0 if status == "completed" else 1


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail"))
    except ValueError:
        return response.text[:200]
