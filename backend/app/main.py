"""The FastAPI application: ``create_app()`` (uvicorn ``app.main:create_app --factory``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.celery_app.celery_config import build_celery
from app.celery_app.wiring import celery_container
from app.container import Container
from app.core.cognito import IdentityProviderUnavailable
from app.core.config import Settings, get_settings
from app.core.error_handlers import install_error_handlers
from app.core.logging import configure_logging
from app.core.middleware import (
    BodySizeLimitMiddleware,
    CorsMiddleware,
    LegacyPathMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    cors_options,
)
from app.routes import mount_routers
from app.routes.legacy import legacy_successors

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """Build the API for ``settings`` (the environment's by default) and an optional prepared container."""
    settings = settings or (container.settings if container else get_settings())
    configure_logging(settings.app.log_level, settings.app.log_format or "json")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if container is not None:  # prepared (and closed) by the caller
            app.state.container = container
            _check_identity_provider(settings, container)
            yield
            return
        # The API's one Celery app: a producer that sends the outbox's messages to the broker.
        celery = build_celery(settings)
        app.state.container = celery_container(settings, celery)
        try:
            _check_identity_provider(settings, app.state.container)
            yield
        finally:
            app.state.container.close()
            celery.close()

    app = FastAPI(
        title="Boeing Data Hub",
        version="1.0.0",
        description="Boeing Distribution parts to Shopify: extraction, publishing and scheduled sync.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    mount_routers(app)
    media_dir = _local_media_dir(settings)
    if media_dir is not None:
        media_dir.mkdir(parents=True, exist_ok=True)
        app.mount("/media", StaticFiles(directory=media_dir), name="media")
    # Outermost last: request ids wrap everything, so even a 413 or a CORS answer carries one.
    app.add_middleware(LegacyPathMiddleware, successors=legacy_successors())
    app.add_middleware(CorsMiddleware, **cors_options(settings.app.cors_origins))
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.app.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _check_identity_provider(settings: Settings, container: Container) -> None:
    """Production refuses to start when the configured JWKS holds the local emulator's signing key
    (``UnsafeIdentityConfiguration``). One fetch, which also warms the key cache; an identity provider that is
    unreachable at this moment only delays that: every request checks its token's key again anyway."""
    if settings.is_local:
        return
    try:
        container.cognito_verifier.check_signing_keys()
    except IdentityProviderUnavailable as exc:
        logger.warning("the identity provider's signing keys could not be checked at start-up: %s", exc)


def _local_media_dir(settings: Settings) -> Path | None:
    """The local profile's object store directory, served publicly at ``/media``."""
    url = settings.storage.storage_url
    if not url or not url.startswith("file://"):
        return None
    return Path(urlsplit(url).path)
