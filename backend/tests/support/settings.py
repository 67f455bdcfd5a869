"""Build ``Settings`` from an explicit environment, as a subprocess started with it would."""

from __future__ import annotations

import os
from unittest import mock

from app.core.config import Settings, load_settings

_OUR_PREFIXES = (
    "APP_",
    "DATABASE_",
    "REDIS_",
    "BOEING_",
    "SHOPIFY_",
    "COGNITO_",
    "STORAGE_",
    "MEDIA_",
    "SYNC_",
)


def clean_environ() -> dict[str, str]:
    """The process environment without any of our settings (so a developer's shell never leaks in)."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith(_OUR_PREFIXES)}


def settings_from_env(env: dict[str, str]) -> Settings:
    """Load settings exactly as a process with environment ``env`` would."""
    with mock.patch.dict(os.environ, {**clean_environ(), **env}, clear=True):
        return load_settings()
