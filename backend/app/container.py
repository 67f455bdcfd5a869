"""The composition root: ``build_container(settings)`` wires clients, stores and services lazily.

FastAPI builds one in its lifespan (``app.state.container``); each Celery worker process builds one after
fork. Tests build it with fakes by passing ``overrides`` (any attribute name -> object)."""

from __future__ import annotations

import threading
from typing import Any

from psycopg_pool import ConnectionPool
from redis import Redis

from app.components import component
from app.container_publishing import PublishingComponents
from app.core.config import Settings


class Container(PublishingComponents):
    """Lazily created collaborators; nothing connects until first used (publishing's live in a mixin)."""

    def __init__(self, settings: Settings, *, db_pool_size: int = 6, overrides: dict[str, Any] | None = None):
        self.settings = settings
        self._db_pool_size = db_pool_size
        self._lock = threading.RLock()
        for name, value in (overrides or {}).items():
            self.__dict__[name] = value

    # --- infrastructure -------------------------------------------------------------------------------------
    @component
    def db_pool(self) -> ConnectionPool:
        from app.clients.supabase_client import create_pool

        db = self.settings.database
        return create_pool(
            self.settings.database_url,
            min_size=db.db_pool_min_size,
            max_size=db.db_pool_max_size or self._db_pool_size,
            statement_timeout_ms=db.db_statement_timeout_ms,
        )

    @component
    def redis(self) -> Redis:
        from app.clients.redis_client import create_redis

        return create_redis(self.settings.redis_url)

    @component
    def uow_factory(self) -> Any:
        from app.db.unit_of_work import unit_of_work_factory

        return unit_of_work_factory(self.db_pool)

    @component
    def celery(self) -> Any:
        from app.celery_app.celery_config import build_celery

        return build_celery(self.settings)

    @component
    def task_sender(self) -> Any:
        from app.celery_app.sender import CeleryTaskSender

        return CeleryTaskSender(self.celery)

    @component
    def heartbeats(self) -> Any:
        from app.utils.heartbeats import WorkerHeartbeats

        return WorkerHeartbeats(self.redis, interval_s=self.settings.app.worker_heartbeat_interval_s)

    # --- outbox ---------------------------------------------------------------------------------------------
    @component
    def outbox_store(self) -> Any:
        from app.db.outbox_store import OutboxStore

        return OutboxStore()

    @component
    def outbox_relay(self) -> Any:
        from app.services.task_dispatcher import OutboxRelay

        return OutboxRelay(self.uow_factory, self.outbox_store, self.task_sender)

    @component
    def dispatcher(self) -> Any:
        from app.services.task_dispatcher import OutboxTaskDispatcher

        return OutboxTaskDispatcher(self.outbox_store, self.outbox_relay)

    # --- services -------------------------------------------------------------------------------------------
    @component
    def health_service(self) -> Any:
        from app.services.health_service import HealthService

        return HealthService(
            pool=lambda: self.db_pool,
            redis=self.redis,
            heartbeats=self.heartbeats,
            required_queues=self.settings.app.required_queues,
        )

    @component
    def cognito_verifier(self) -> Any:
        from app.core.cognito import CognitoVerifier, emulator_key_thumbprints

        cognito = self.settings.cognito
        if not cognito.jwks_url or not cognito.issuer:
            raise RuntimeError("COGNITO_JWKS_URL and COGNITO_ISSUER must be set to authenticate requests")
        # Production never trusts the emulator's signing key, whatever URL serves it.
        forbidden = () if self.settings.is_local else emulator_key_thumbprints()
        return CognitoVerifier(
            cognito.jwks_url, cognito.issuer, cognito.client_ids, forbidden_key_thumbprints=forbidden
        )

    @component
    def auth_service(self) -> Any:
        from app.db.user_store import UserStore
        from app.services.auth_service import AuthService
        from app.utils.token_denylist import TokenDenyList

        cognito = self.settings.cognito
        return AuthService(
            verifier=self.cognito_verifier,
            denylist=TokenDenyList(self.redis),
            uow_factory=self.uow_factory,
            users=UserStore(),
            cognito_endpoint_url=cognito.endpoint_url,
            cognito_region=cognito.region,
        )

    # --- scheduled sync -------------------------------------------------------------------------------------
    @component
    def sync_store(self) -> Any:
        from app.db.sync_store import SyncStore

        return SyncStore()

    @component
    def sync_history_store(self) -> Any:
        from app.db.sync_history_store import SyncHistoryStore

        return SyncHistoryStore()

    @component
    def sync_accounting(self) -> Any:
        from app.services.sync_accounting import SyncAccounting

        return SyncAccounting(
            schedule=self.sync_store,
            history=self.sync_history_store,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def sync_dispatch_service(self) -> Any:
        from app.db.sync_analytics import SyncAnalytics
        from app.db.sync_history_store import SyncDailySummaryStore
        from app.services.sync_dispatch_service import SyncDispatchService

        return SyncDispatchService(
            uow_factory=self.uow_factory,
            schedule=self.sync_store,
            analytics=SyncAnalytics(),
            history=self.sync_history_store,
            summaries=SyncDailySummaryStore(),
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def sync_dashboard_service(self) -> Any:
        from app.db.sync_analytics import SyncAnalytics
        from app.services.sync_dashboard_service import SyncDashboardService

        return SyncDashboardService(
            uow_factory=self.uow_factory,
            schedule=self.sync_store,
            analytics=SyncAnalytics(),
            settings=self.settings,
        )

    @component
    def sync_status_service(self) -> Any:
        from app.celery_app.celery_config import beat_entry_texts
        from app.db.sync_analytics import SyncAnalytics
        from app.services.sync_status_service import BeatEntrySpec, SyncStatusService

        return SyncStatusService(
            settings=self.settings,
            redis_client=self.redis,
            beat_entries=[BeatEntrySpec(*entry) for entry in beat_entry_texts(self.settings)],
            redbeat_prefix=self.celery.conf.redbeat_key_prefix,
            boeing_limiter=self.boeing_limiter,
            shopify_limiter=self.shopify_limiter,
            uow_factory=self.uow_factory,
            schedule=self.sync_store,
            analytics=SyncAnalytics(),
        )

    @component
    def boeing_fetch_service(self) -> Any:
        from app.db.product_store import ProductStore
        from app.services.boeing_fetch_service import BoeingFetchService

        return BoeingFetchService(
            uow_factory=self.uow_factory,
            schedule=self.sync_store,
            products=ProductStore(),
            raw_data=self.raw_data_store,
            accounting=self.sync_accounting,
            dispatcher=self.dispatcher,
            client=self.boeing_client,
            limiter=self.boeing_limiter,
            settings=self.settings,
        )

    @component
    def shopify_update_service(self) -> Any:
        from app.db.product_store import ProductStore
        from app.services.shopify_update_service import ShopifyUpdateService

        return ShopifyUpdateService(
            uow_factory=self.uow_factory,
            schedule=self.sync_store,
            products=ProductStore(),
            history=self.sync_history_store,
            accounting=self.sync_accounting,
            client=self.shopify_client,
            locations=self.shopify_setup_service,
            settings=self.settings,
        )

    # --- Shopify (shared by publishing, search and sync) ----------------------------------------------------
    @component
    def shopify_limiter(self) -> Any:
        from app.utils.shopify_rate_limiter import ShopifyCostLimiter

        shopify = self.settings.shopify
        return ShopifyCostLimiter(
            self.redis,
            shopify.store_domain or shopify.endpoint,
            max_concurrency=shopify.max_concurrency,
            max_wait_s=shopify.limiter_max_wait_s,
            lease_s=max(shopify.limiter_lease_s, shopify.timeout_s + 5),
        )

    @component
    def shopify_client(self) -> Any:
        from app.clients.shopify_client import ShopifyClient

        return ShopifyClient(self.settings.shopify, self.shopify_limiter)

    # --- Boeing (shared by single search, bulk extraction and sync) -----------------------------------------
    @component
    def boeing_limiter(self) -> Any:
        from app.utils.rate_limiter import BoeingRateLimiter

        boeing = self.settings.boeing
        return BoeingRateLimiter(
            self.redis,
            client_id=boeing.client_id or "default",
            requests=boeing.quota_requests,
            window_s=boeing.quota_window_s,
            margin_s=boeing.quota_margin_bound_s,
            sync_share=boeing.sync_share,
        )

    @component
    def boeing_client(self) -> Any:
        from app.clients.boeing_client import BoeingClient

        return BoeingClient(self.settings.boeing)

    # --- extraction, normalization, batches and product views ----------------------------------------------
    @component
    def batch_store(self) -> Any:
        from app.db.batch_store import BatchStore

        return BatchStore()

    @component
    def batch_item_store(self) -> Any:
        from app.db.batch_item_store import BatchItemStore

        return BatchItemStore()

    @component
    def staging_store(self) -> Any:
        from app.db.staging_store import StagingStore

        return StagingStore()

    @component
    def raw_data_store(self) -> Any:
        from app.db.raw_data_store import RawDataStore

        return RawDataStore()

    @component
    def idempotency_store(self) -> Any:
        from app.db.idempotency_store import IdempotencyStore

        return IdempotencyStore()

    @component
    def batch_service(self) -> Any:
        from app.services.batch_service import BatchService

        return BatchService(
            uow_factory=self.uow_factory,
            batches=self.batch_store,
            items=self.batch_item_store,
            # Each pipeline's recovery step; the sweeper task runs them all.
            sweepers=[
                lambda: self.extraction_service.sweep_stale(),
                lambda: self.publish_reconciliation_service.sweep(),
            ],
        )

    @component
    def normalization_service(self) -> Any:
        from app.services.normalization_service import NormalizationService

        shopify = self.settings.shopify
        return NormalizationService(
            uow_factory=self.uow_factory,
            items=self.batch_item_store,
            staging=self.staging_store,
            batch_service=self.batch_service,
            location_map=shopify.location_map,
            default_location=shopify.default_location_name,
        )

    @component
    def extraction_service(self) -> Any:
        from app.services.extraction_service import ExtractionService

        return ExtractionService(
            uow_factory=self.uow_factory,
            client=self.boeing_client,
            limiter=self.boeing_limiter,
            batches=self.batch_store,
            items=self.batch_item_store,
            raw_data=self.raw_data_store,
            idempotency=self.idempotency_store,
            batch_service=self.batch_service,
            normalization=self.normalization_service,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def products_service(self) -> Any:
        from app.services.products_service import ProductsService

        return ProductsService(
            uow_factory=self.uow_factory, staging=self.staging_store, raw_data=self.raw_data_store
        )

    def close(self) -> None:
        """Release pools and connections that were opened."""
        boeing_client = self.__dict__.get("boeing_client")
        if boeing_client is not None:
            boeing_client.close()
        shopify_client = self.__dict__.get("shopify_client")
        if shopify_client is not None:
            shopify_client.close()
        image_store = self.__dict__.get("image_store")
        if image_store is not None:
            image_store.close()
        celery = self.__dict__.get("celery")
        if celery is not None:
            celery.close()
        redis = self.__dict__.get("redis")
        if redis is not None:
            redis.close()
        pool = self.__dict__.get("db_pool")
        if pool is not None:
            pool.close()


def build_container(
    settings: Settings, *, db_pool_size: int = 6, overrides: dict[str, Any] | None = None
) -> Container:
    """The one composition root used by FastAPI, Celery, the CLI and the tests."""
    return Container(settings, db_pool_size=db_pool_size, overrides=overrides)
