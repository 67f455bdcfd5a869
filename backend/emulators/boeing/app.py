"""The emulator's ASGI application factory."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from . import api, control
from .config import EmulatorConfig
from .responses import CYCLE_SCOPE_KEY
from .state import EmulatorState


class EmulatorApp(FastAPI):
    """FastAPI app that remembers the server's per-request cycle, so a fault can drop the raw connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # uvicorn's ``send`` is a bound method of its request cycle, which owns the transport.
            scope[CYCLE_SCOPE_KEY] = getattr(send, "__self__", None)
        await super().__call__(scope, receive, send)


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """Build an emulator app with its own state (one per app; run it with a single worker)."""
    app = EmulatorApp(
        title="Boeing PNA emulator",
        description="Local stand-in for the Boeing Part Price & Availability API, with a control API.",
        docs_url="/_emulator/docs",
        redoc_url=None,
        openapi_url="/_emulator/openapi.json",
    )
    app.state.emulator = EmulatorState(config or EmulatorConfig())
    app.include_router(api.router)
    app.include_router(control.router)
    return app
