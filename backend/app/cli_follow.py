"""What ``boeing-hub extract`` and ``boeing-hub publish`` share: send a bulk request over the HTTP API, follow
its batch with a progress bar, print its failures, and answer one set of exit codes.

Both talk to the API as the dashboard does (``POST`` the bulk request, then ``GET /api/v1/batches/{id}`` and
``.../failures``), so they work against any deployment the operator has a token for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.core.constants.batches import BatchStatus

__all__ = [
    "EXIT_COMPLETED",
    "EXIT_REFUSED",
    "EXIT_UNFINISHED",
    "BatchApi",
    "exit_code",
    "follow",
    "print_failures",
    "start",
    "status_colour",
]

EXIT_COMPLETED = 0
"""The batch completed."""
EXIT_UNFINISHED = 1
"""The batch failed or was cancelled, or following it stopped before it ended."""
EXIT_REFUSED = 2
"""Nothing was started: the command line was incomplete, or the API was unreachable or refused the request."""

FAILURES_PAGE = 500


@dataclass(frozen=True, slots=True)
class BatchApi:
    """The API as one operator reaches it: a client on its base URL and the operator's token."""

    url: str
    client: httpx.Client
    headers: dict[str, str]

    @classmethod
    def connect(cls, url: str, token: str, http: httpx.Client | None = None) -> BatchApi:
        """A client for ``url`` (or the given one, e.g. a test's) sending the operator's bearer token."""
        client = http or httpx.Client(base_url=url.rstrip("/"), timeout=30.0)
        return cls(url, client, {"Authorization": f"Bearer {token}"})


def start(
    console: Console, api: BatchApi, path: str, body: dict[str, Any], *, what: str
) -> dict[str, Any] | None:
    """POST a bulk request; its ``BulkAccepted`` answer, or None (with the reason printed) when refused."""
    try:
        response = api.client.post(path, json=body, headers=api.headers)
    except httpx.HTTPError as exc:
        console.print(f"[red]cannot reach the API at {api.url}: {exc}[/red]")
        return None
    if response.status_code not in (200, 202):
        console.print(f"[red]{what} refused ({response.status_code}): {_detail(response)}[/red]")
        return None
    return dict(response.json())


def follow(
    console: Console,
    api: BatchApi,
    batch_id: str,
    *,
    label: str,
    total: int,
    done: Callable[[dict[str, Any]], int],
    detail: Callable[[dict[str, Any]], str],
    poll_s: float,
    timeout_s: float,
) -> dict[str, Any] | None:
    """Poll the batch with a progress bar until its status is final; None when following stopped first
    (a timeout, Ctrl-C, or the batch could not be read). ``timeout_s`` <= 0 follows until the end."""
    deadline = time.monotonic() + timeout_s if timeout_s > 0 else None
    columns = (
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(label, total=max(total, 1), detail="")
            while deadline is None or time.monotonic() < deadline:
                try:
                    response = api.client.get(f"/api/v1/batches/{batch_id}", headers=api.headers)
                except httpx.HTTPError:
                    time.sleep(poll_s)  # the API restarting is no reason to stop following
                    continue
                if response.status_code != 200:
                    console.print(f"[red]cannot read batch {batch_id}: {_detail(response)}[/red]")
                    return None
                batch = dict(response.json())
                progress.update(
                    task, total=max(int(batch["total_items"]), 1), completed=done(batch), detail=detail(batch)
                )
                if batch["status"] in BatchStatus.FINAL:
                    return batch
                time.sleep(poll_s)
    except KeyboardInterrupt:
        return None
    return None


def print_failures(
    console: Console, api: BatchApi, batch_id: str, *, max_failures: int, stage: str | None = None
) -> None:
    """Print up to ``max_failures`` failed items of the batch (of ``stage`` only, if given), oldest first."""
    shown, offset, total = 0, 0, None
    while total is None or (offset < total and shown < max_failures):
        params: dict[str, str | int] = {"limit": FAILURES_PAGE, "offset": offset}
        if stage is not None:
            params["stage"] = stage
        response = api.client.get(f"/api/v1/batches/{batch_id}/failures", params=params, headers=api.headers)
        if response.status_code != 200:
            console.print(f"[red]cannot read the failures: {_detail(response)}[/red]")
            return
        page = response.json()
        total = int(page["total"])
        for item in page["items"][: max_failures - shown]:
            console.print(
                f"  {item['part_number']}: {item['error']} ({item['stage']}, {item['attempts']} attempt(s))"
            )
            shown += 1
        if not page["items"]:
            break
        offset += len(page["items"])
    if total:
        console.print(f"{total} failure(s)" + (f"; first {shown} shown" if shown < total else ""))


def exit_code(batch: dict[str, Any]) -> int:
    """``EXIT_COMPLETED`` for a completed batch, else ``EXIT_UNFINISHED``."""
    return EXIT_COMPLETED if batch["status"] == BatchStatus.COMPLETED else EXIT_UNFINISHED


def status_colour(status: str) -> str:
    """The colour a final status is printed in."""
    colours: dict[str, str] = {BatchStatus.COMPLETED: "green", BatchStatus.FAILED: "red"}
    return colours.get(status, "yellow")


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail"))
    except ValueError:
        return response.text[:200]
