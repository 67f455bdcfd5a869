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

PRODUCTION_ENV: dict[str, str] = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql://app:secret@db.example.supabase.co:5432/postgres",
    "REDIS_URL": "redis://cache.example.net:6379/0",
    "BOEING_CLIENT_ID": "real-client",
    "BOEING_CLIENT_SECRET": "real-secret",
    "BOEING_USERNAME": "real-user",
    "BOEING_PASSWORD": "real-pass",
    "SHOPIFY_STORE_DOMAIN": "parts-store.myshopify.com",
    "SHOPIFY_ADMIN_API_TOKEN": "shpat_real",
    "SHOPIFY_LOCATION_MAP": '{"Dallas Central": "Dallas"}',
    "COGNITO_JWKS_URL": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json",
    "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
    "STORAGE_URL": "s3://product-images",
    "MEDIA_PUBLIC_BASE_URL": "https://media.example.com",
}
"""A complete production environment (every required URL and secret, none of them local)."""


def clean_environ() -> dict[str, str]:
    """The process environment without any of our settings (so a developer's shell never leaks in)."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith(_OUR_PREFIXES)}


def settings_from_env(env: dict[str, str]) -> Settings:
    """Load settings exactly as a process with environment ``env`` would."""
    with mock.patch.dict(os.environ, {**clean_environ(), **env}, clear=True):
        return load_settings()
