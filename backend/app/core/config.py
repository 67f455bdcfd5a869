"""Typed settings, grouped per system. The environment is read here and nowhere else.

Two profiles (DESIGN §4): ``production`` (the default) requires every URL and secret and refuses any local
service and any emulator credential (``app.core.production_guard``); ``local`` (set by ``boeing-hub up`` and
the tests) fills in the emulators' credentials and accepts loopback services. A missing or invalid setting
stops the process at start with a message naming it."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from app.core.production_guard import (
    LOCAL_BOEING_CREDENTIALS,
    LOCAL_SHOPIFY_DOMAIN,
    LOCAL_SHOPIFY_TOKEN,
    Resolver,
    production_refusals,
    system_resolver,
)
from app.core.settings_groups import (
    AppSettings,
    BoeingSettings,
    CognitoSettings,
    DatabaseSettings,
    PublishingSettings,
    RedisSettings,
    ShopifySettings,
    StorageSettings,
    SyncSettings,
)

__all__ = [
    "AppSettings",
    "BoeingSettings",
    "CognitoSettings",
    "ConfigError",
    "DatabaseSettings",
    "PublishingSettings",
    "RedisSettings",
    "Settings",
    "ShopifySettings",
    "StorageSettings",
    "SyncSettings",
    "get_settings",
    "load_settings",
]

LOCAL_LOCATION_MAP = {
    "Dallas Central": "Dallas Central",
    "Chicago Warehouse": "Chicago Warehouse",
    "Miami, FL": "Miami, FL",
}


class ConfigError(RuntimeError):
    """Raised at start-up when settings are missing or invalid; the message names each one."""


class Settings:
    """Every group of settings, validated together for the chosen profile."""

    def __init__(
        self,
        app: AppSettings,
        database: DatabaseSettings,
        redis: RedisSettings,
        boeing: BoeingSettings,
        shopify: ShopifySettings,
        cognito: CognitoSettings,
        storage: StorageSettings,
        sync: SyncSettings,
        publishing: PublishingSettings,
    ) -> None:
        self.app = app
        self.database = database
        self.redis = redis
        self.boeing = boeing
        self.shopify = shopify
        self.cognito = cognito
        self.storage = storage
        self.sync = sync
        self.publishing = publishing

    @property
    def is_local(self) -> bool:
        return self.app.app_env == "local"

    @property
    def database_url(self) -> str:
        assert self.database.database_url, "validated at load time"
        return self.database.database_url

    @property
    def redis_url(self) -> str:
        assert self.redis.redis_url, "validated at load time"
        return self.redis.redis_url


_GROUPS: dict[str, type[BaseSettings]] = {
    "app": AppSettings,
    "database": DatabaseSettings,
    "redis": RedisSettings,
    "boeing": BoeingSettings,
    "shopify": ShopifySettings,
    "cognito": CognitoSettings,
    "storage": StorageSettings,
    "sync": SyncSettings,
    "publishing": PublishingSettings,
}


def _env_name(group: type[BaseSettings], field: str) -> str:
    return f"{group.model_config.get('env_prefix', '')}{field}".upper()


def load_settings(*, resolver: Resolver = system_resolver, **overrides: dict[str, Any]) -> Settings:
    """Read and validate every group; raise ConfigError naming each missing or invalid setting. In
    production, the host names the settings use are looked up with ``resolver``."""
    problems: list[str] = []
    built: dict[str, BaseSettings] = {}
    for name, group in _GROUPS.items():
        try:
            built[name] = group(**overrides.get(name, {}))
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else name
                problems.append(f"{_env_name(group, field)}: {err['msg']}")
    if problems:
        raise ConfigError("Invalid configuration: " + "; ".join(problems))
    settings = Settings(**built)  # type: ignore[arg-type]
    if settings.is_local:
        _fill_local_defaults(settings)
    problems = _missing_for_profile(settings)
    if not settings.is_local:
        problems += production_refusals(settings, resolver, os.environ)
    if problems:
        raise ConfigError(f"Invalid configuration for APP_ENV={settings.app.app_env}: " + "; ".join(problems))
    return settings


def _fill_local_defaults(settings: Settings) -> None:
    """The local profile talks to the emulators: their well-known credentials are the defaults."""
    boeing = settings.boeing
    for field, value in LOCAL_BOEING_CREDENTIALS.items():
        if getattr(boeing, field) is None:
            setattr(boeing, field, value)
    shopify = settings.shopify
    shopify.admin_api_token = shopify.admin_api_token or LOCAL_SHOPIFY_TOKEN
    shopify.store_domain = shopify.store_domain or LOCAL_SHOPIFY_DOMAIN
    if not shopify.location_map:
        shopify.location_map = dict(LOCAL_LOCATION_MAP)
    if settings.app.log_format is None:
        settings.app.log_format = "text"


def _missing_for_profile(settings: Settings) -> list[str]:
    problems: list[str] = []

    def require(value: Any, env: str) -> None:
        if value in (None, "", {}, []):
            problems.append(f"{env} is required")

    require(settings.database.database_url, "DATABASE_URL")
    require(settings.redis.redis_url, "REDIS_URL")
    if settings.is_local:
        return problems

    boeing, shopify, cognito, storage = settings.boeing, settings.shopify, settings.cognito, settings.storage
    for field in ("client_id", "client_secret", "username", "password"):
        require(getattr(boeing, field), f"BOEING_{field.upper()}")
    require(shopify.store_domain, "SHOPIFY_STORE_DOMAIN")
    require(shopify.admin_api_token, "SHOPIFY_ADMIN_API_TOKEN")
    require(shopify.location_map, "SHOPIFY_LOCATION_MAP")
    require(cognito.jwks_url, "COGNITO_JWKS_URL")
    require(cognito.issuer, "COGNITO_ISSUER")
    require(storage.storage_url, "STORAGE_URL")
    require(storage.media_public_base_url, "MEDIA_PUBLIC_BASE_URL")
    if storage.storage_url and storage.storage_url.lower().startswith(("file:", "memory:")):
        problems.append(
            "STORAGE_URL is a local directory or memory; production needs an S3-compatible endpoint"
        )
    return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded once."""
    return load_settings()
