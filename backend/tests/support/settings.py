"""Build ``Settings`` from an explicit environment, as a subprocess started with it would."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from unittest import mock

from app.core.config import Settings, load_settings
from app.core.production_guard import Resolver

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

TEST_DNS: dict[str, tuple[str, ...]] = {
    "db.example.supabase.co": ("203.0.113.10",),
    "cache.example.net": ("203.0.113.11", "2001:db8::11"),
    "api.developer.boeingservices.com": ("203.0.113.12",),
    "parts-store.myshopify.com": ("203.0.113.13",),
    "cognito-idp.us-east-1.amazonaws.com": ("203.0.113.14",),
}
"""What the test resolver answers for the names of ``PRODUCTION_ENV``: documentation addresses (RFC 5737,
RFC 3849), so no test asks the real DNS."""

# Read by libpq and by HTTP clients when the settings leave something out: never let the shell's leak in.
_LIBRARY_VARIABLES = ("PG",)
_LIBRARY_SUFFIXES = ("_PROXY",)


def table_resolver(table: Mapping[str, Sequence[str]]) -> Resolver:
    """A resolver that answers from ``table`` and fails, as the system resolver does, for any other name."""

    def resolve(name: str) -> list[str]:
        if name not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(table[name])

    return resolve


def clean_environ() -> dict[str, str]:
    """The process environment without any of our settings (so a developer's shell never leaks in)."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith(_OUR_PREFIXES)}


def settings_from_env(env: dict[str, str], resolver: Resolver | None = None) -> Settings:
    """Load settings exactly as a process with environment ``env`` would, its host names looked up with
    ``resolver`` (default: ``TEST_DNS``)."""
    base = {
        name: value
        for name, value in clean_environ().items()
        if not name.upper().startswith(_LIBRARY_VARIABLES) and not name.upper().endswith(_LIBRARY_SUFFIXES)
    }
    with mock.patch.dict(os.environ, {**base, **env}, clear=True):
        return load_settings(resolver=resolver or table_resolver(TEST_DNS))
