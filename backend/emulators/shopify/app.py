"""FastAPI application: the Admin GraphQL endpoint and the control API of one emulator instance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response

from .config import EmulatorConfig
from .control import control_router
from .emulator import Emulator

TRANSPORT_KEY = "shopify_emulator.transport"


class _TransportCapture:
    """Pure ASGI wrapper remembering the server's transport, so a `drop` fault can cut the connection."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            cycle = getattr(receive, "__self__", None)
            scope[TRANSPORT_KEY] = getattr(cycle, "transport", None)
        await self.app(scope, receive, send)


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """Build an emulator app; all state lives on `app.state.emulator`."""
    emulator = Emulator(config or EmulatorConfig())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """Close the file fetcher on shutdown."""
        yield
        await emulator.fetcher.close()

    app = FastAPI(
        title="Shopify Admin GraphQL API emulator", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.emulator = emulator

    @app.post("/admin/api/{version}/graphql.json")
    async def graphql(version: str, request: Request) -> Response:
        """POST /admin/api/{version}/graphql.json."""
        raw = await request.body()
        reply = await emulator.engine.handle(version, request.headers.get("x-shopify-access-token"), raw)
        if reply.drop:
            transport = request.scope.get(TRANSPORT_KEY)
            if transport is not None:
                transport.abort()
            return Response(status_code=500)
        return Response(reply.body, reply.status, reply.headers, media_type=reply.content_type)

    app.include_router(control_router(emulator))
    app.add_middleware(_TransportCapture)
    return app
