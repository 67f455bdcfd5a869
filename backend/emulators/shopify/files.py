"""fetch_files: download each new file's originalSource; anything but 200 image/* marks it FAILED."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from .models import MediaFile
    from .store import Store


class FileFetcher:
    """Background downloads on the server's event loop (the store is only touched from that loop)."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.client: httpx.AsyncClient | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        """Cancel pending downloads and close the HTTP client."""
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    def schedule(self, store: Store, files: list[MediaFile]) -> None:
        """Start downloading files created by the request that just finished."""
        if not files:
            return
        if self.client is None:
            self.client = httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=True)
        loop = asyncio.get_running_loop()
        for media in files:
            task = loop.create_task(self._fetch(store, store.generation, media.num, media.original_source))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _fetch(self, store: Store, generation: int, num: int, url: str) -> None:
        assert self.client is not None
        error: str | None
        try:
            async with self.client.stream("GET", url) as response:
                content_type = response.headers.get("content-type", "")
                ok = response.status_code == 200 and content_type.lower().startswith("image/")
                error = None if ok else f"HTTP {response.status_code} ({content_type or 'no content type'})"
        except httpx.HTTPError as exc:
            error = f"download failed: {type(exc).__name__}"
        media = store.files.get(num)
        # A reset or a file replaced meanwhile must not receive a stale verdict.
        if store.generation != generation or media is None or media.original_source != url:
            return
        media.status = "READY" if error is None else "FAILED"
        media.error = error
