"""The settings groups, one per system (names as DESIGN §9). ``config.py`` loads and validates them."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.constants.auth import DEFAULT_ROLE_GROUPS, Role
from app.core.constants.tasks import TaskQueue


def _split_list(value: Any) -> Any:
    """A JSON array, or comma-separated text with blanks dropped; other values pass through unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


StrList = Annotated[list[str], NoDecode, BeforeValidator(_split_list)]
"""A list setting, written as ``a, b`` or as a JSON array."""
StrMap = Annotated[dict[str, str], NoDecode]
GroupName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
"""A Cognito group name (Cognito allows 1-128 characters)."""


def _group(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", case_sensitive=False)


def _json_object(value: Any, name: str) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name} must be a JSON object: {exc.msg}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"{name} must be a JSON object of strings")
    return dict(value)


class AppSettings(BaseSettings):
    model_config = _group("")

    app_env: Literal["production", "local"] = "production"
    log_level: str = "INFO"
    log_format: Literal["json", "text"] | None = None
    cors_origins: StrList = Field(default_factory=list)
    max_bulk_search_size: int = Field(50_000, ge=1)
    max_bulk_publish_size: int = Field(10_000, ge=1)
    max_multi_part_search_size: int = Field(50, ge=1, le=250)
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    celery_visibility_timeout_s: int = Field(3600, ge=5)
    raw_data_retention_days: int = Field(90, ge=1)
    sync_history_retention_days: int = Field(90, ge=1)
    worker_heartbeat_interval_s: float = Field(5.0, gt=0)
    # Bulk-work flow control (DESIGN §5): chunks a batch keeps in the broker (None: enough for ~3 s of quota,
    # at least 4), how often the sweeper runs, the grace before a chunk sent but never started is re-sent,
    # and the margin added to every lease beyond a task's own time bound.
    extraction_chunks_in_flight: int | None = Field(None, ge=1, le=1000)
    batch_sweep_interval_s: float = Field(30.0, gt=0)
    batch_resend_grace_s: float = Field(60.0, ge=0)
    batch_lease_margin_s: float = Field(30.0, ge=0)
    required_queues: StrList = Field(default_factory=lambda: [queue.value for queue in TaskQueue])


class DatabaseSettings(BaseSettings):
    model_config = _group("")

    database_url: str | None = None
    db_pool_min_size: int = Field(1, ge=0)
    db_pool_max_size: int | None = Field(None, ge=1)
    db_statement_timeout_ms: int = Field(30_000, ge=100)


class RedisSettings(BaseSettings):
    model_config = _group("")

    redis_url: str | None = None


class BoeingSettings(BaseSettings):
    model_config = _group("BOEING_")

    base_url: str = "https://api.developer.boeingservices.com"
    oauth_token_path: str = "/oauth2/v2.0/token"
    part_token_path: str = "/boeing-part-price-availability/token/v1/oauth"
    price_path: str = "/boeing-part-price-availability/price-availability/v1/wtoken"
    oauth_token_url: str | None = None
    pna_oauth_url: str | None = None
    pna_price_url: str | None = None
    scope: str = "api://helixapis.com/.default"
    client_id: str | None = None
    client_secret: str | None = None
    username: str | None = None
    password: str | None = None
    batch_size: int = Field(10, ge=1, le=10)
    quota_requests: int = Field(2, ge=1)
    quota_window_s: float = Field(60.0, gt=0)
    sync_share: float = Field(0.5, ge=0.0, le=1.0)
    interactive_wait_s: float | None = Field(None, gt=0)
    timeout_connect_s: float = Field(10.0, gt=0)
    timeout_token_s: float = Field(20.0, gt=0)
    timeout_price_s: float = Field(60.0, gt=0)
    # Safety margin added to the quota window (None: max(0.1 s, 2% of the window)), so network jitter between
    # our limiter and Boeing's clock never turns a paced call into a 429.
    quota_margin_s: float | None = Field(None, ge=0)
    # How long a bulk or sync task waits for a quota slot before it is re-sent (None: 2 intervals, 5..60 s).
    task_wait_s: float | None = Field(None, gt=0)

    @property
    def token_url(self) -> str:
        return self.oauth_token_url or self.base_url.rstrip("/") + self.oauth_token_path

    @property
    def part_token_url(self) -> str:
        return self.pna_oauth_url or self.base_url.rstrip("/") + self.part_token_path

    @property
    def price_url(self) -> str:
        return self.pna_price_url or self.base_url.rstrip("/") + self.price_path

    @property
    def quota_interval_s(self) -> float:
        """The pacing interval W/N between non-interactive calls."""
        return self.quota_window_s / self.quota_requests

    @property
    def interactive_wait_bound_s(self) -> float:
        """How long a single search may wait for a slot: one quota interval plus 5 s by default."""
        return self.interactive_wait_s or self.quota_interval_s + 5.0

    @property
    def quota_margin_bound_s(self) -> float:
        """The safety margin added to the quota window."""
        if self.quota_margin_s is not None:
            return self.quota_margin_s
        return max(0.1, 0.02 * self.quota_window_s)

    @property
    def task_wait_bound_s(self) -> float:
        """How long a task waits for a slot before ``QuotaWait`` re-sends it."""
        return self.task_wait_s or min(60.0, max(5.0, 2 * self.quota_interval_s))


class ShopifySettings(BaseSettings):
    model_config = _group("SHOPIFY_")

    store_domain: str | None = None
    admin_api_token: str | None = None
    api_version: str = "2026-04"
    graphql_url: str | None = None
    location_map: StrMap = Field(default_factory=dict)
    default_location_name: str | None = None
    inventory_location_codes: StrMap = Field(default_factory=dict)
    timeout_s: float = Field(30.0, gt=0)
    max_concurrency: int = Field(8, ge=1)
    category_gid: str | None = None
    draft_on_deactivate: bool = False
    # The shared cost limiter: how long a caller may wait in-process for quota before QuotaWait re-sends it,
    # and how long an in-flight request holds its concurrency slot if its process dies.
    limiter_max_wait_s: float = Field(10.0, gt=0)
    limiter_lease_s: float = Field(60.0, gt=0)
    location_cache_s: float = Field(300.0, gt=0)

    @field_validator("location_map", "inventory_location_codes", mode="before")
    @classmethod
    def _parse_json(cls, value: Any, info: Any) -> dict[str, str]:
        return _json_object(value, f"SHOPIFY_{info.field_name.upper()}")

    @property
    def endpoint(self) -> str:
        if self.graphql_url:
            return self.graphql_url
        domain = self.store_domain or ""
        return f"https://{domain}/admin/api/{self.api_version}/graphql.json"

    @property
    def store_handle(self) -> str | None:
        if not self.store_domain:
            return None
        return self.store_domain.removesuffix(".myshopify.com")


class CognitoSettings(BaseSettings):
    model_config = _group("COGNITO_")

    jwks_url: str | None = None
    issuer: str | None = None
    client_ids: StrList = Field(default_factory=list)
    region: str = "us-east-1"
    user_pool_id: str | None = None
    endpoint_url: str | None = None
    local_username: str = "operator"
    local_password: str = "Operator-Passw0rd!"
    local_email: str = "operator@example.com"
    # The Cognito group granting each role; roles nest: admin includes operator, operator includes viewer.
    viewer_group: GroupName = DEFAULT_ROLE_GROUPS[Role.VIEWER]
    operator_group: GroupName = DEFAULT_ROLE_GROUPS[Role.OPERATOR]
    admin_group: GroupName = DEFAULT_ROLE_GROUPS[Role.ADMIN]

    @property
    def role_groups(self) -> dict[Role, str]:
        """The group that grants each role."""
        return {
            Role.VIEWER: self.viewer_group,
            Role.OPERATOR: self.operator_group,
            Role.ADMIN: self.admin_group,
        }


class StorageSettings(BaseSettings):
    model_config = _group("")

    storage_url: str | None = None
    storage_access_key_id: str | None = None
    storage_secret_access_key: str | None = None
    storage_region: str = "us-east-1"
    storage_endpoint_url: str | None = None
    media_public_base_url: str | None = None
    image_download_timeout_s: float = Field(15.0, gt=0)


class SyncSettings(BaseSettings):
    model_config = _group("SYNC_")

    enabled: bool = True
    mode: Literal["production", "testing"] = "production"
    bucket_count: int = Field(24, ge=1, le=24 * 60)
    bucket_seconds: int = Field(3600, ge=1)
    dispatch_interval_s: float = Field(60.0, gt=0)
    retry_interval_s: float = Field(4 * 3600.0, gt=0)
    max_failures: int = Field(5, ge=1)
    retry_backoff_base_s: float = Field(900.0, gt=0)
    retry_backoff_cap_s: float = Field(24 * 3600.0, gt=0)
    # How long a sync task holds its rows while it works; renewed while it waits for a quota slot.
    lease_s: float = Field(300.0, gt=0)


class PublishingSettings(BaseSettings):
    model_config = _group("PUBLISH_")

    reconcile_interval_s: float = Field(300.0, gt=0)
    reconcile_delete_after_s: float = Field(24 * 3600.0, gt=0)
    reconcile_retry_base_s: float = Field(30.0, gt=0)
    # Publish items kept in the broker per run (enough to keep the Shopify quota busy), the lease a running
    # item holds, and how long a sent item may wait before it is considered lost and sent again.
    window: int = Field(32, ge=1)
    item_lease_s: float = Field(120.0, gt=0)
    sent_timeout_s: float = Field(600.0, gt=0)
