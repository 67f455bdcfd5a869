"""The composition root: ``build_container(settings, ...)`` wires clients and services lazily.

FastAPI builds one in its lifespan (``app.state.container``); each Celery worker process builds one after
fork. What belongs to the entrypoint comes in as arguments: the task sender (the entrypoint's Celery app) and
the beat schedule shown by ``/health/sync-status``, so this module imports nothing above the services. Stores
are not components: a service reaches them through the unit of work it opens (``uow.batches``, ...).
Tests replace components with ``overrides`` (component name -> object); an unknown name is an error.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from psycopg_pool import ConnectionPool
from redis import Redis

from app.clients.boeing_client import BoeingClient
from app.clients.redis_client import create_redis
from app.clients.shopify_client import ShopifyClient
from app.clients.supabase_client import create_pool
from app.components import component, component_names
from app.core.cognito import CognitoVerifier, emulator_key_thumbprints
from app.core.config import Settings
from app.db.image_store import ImageStore
from app.db.unit_of_work import UnitOfWorkFactory, unit_of_work_factory
from app.services.auth_service import AuthService
from app.services.batch_service import BatchService
from app.services.boeing_fetch_service import BoeingFetchService
from app.services.extraction_service import ExtractionService
from app.services.health_service import HealthService
from app.services.normalization_service import NormalizationService
from app.services.products_service import ProductsService
from app.services.publish_outcome_service import PublishOutcomeService
from app.services.publish_reconciliation_service import PublishReconciliationService
from app.services.publish_run_service import PublishRunService
from app.services.publishing_service import PublishingService
from app.services.recovery_service import RecoveryService
from app.services.retention_service import RetentionService
from app.services.search_service import SearchService
from app.services.shopify_setup_service import ShopifySetupService
from app.services.shopify_update_service import ShopifyUpdateService
from app.services.sync_accounting import SyncAccountingService
from app.services.sync_dashboard_service import SyncDashboardService
from app.services.sync_dispatch_service import SyncDispatchService
from app.services.sync_status_service import BeatEntrySpec, SyncStatusService
from app.services.task_dispatcher import OutboxRelay, OutboxTaskDispatcher, TaskDispatcher, TaskSender
from app.utils.heartbeats import WorkerHeartbeats
from app.utils.rate_limiter import BoeingRateLimiter
from app.utils.shopify_rate_limiter import ShopifyCostLimiter
from app.utils.token_denylist import TokenDenyList

__all__ = ["Container", "build_container"]

# What ``close`` releases, in this order: clients first, the pools they may still use last.
_CLOSABLE = ("boeing_client", "shopify_client", "image_store", "redis", "db_pool")


class Container:
    """Lazily created collaborators; nothing connects until first used."""

    def __init__(
        self,
        settings: Settings,
        *,
        task_sender: TaskSender | None,
        beat_entries: Sequence[BeatEntrySpec],
        redbeat_prefix: str,
        db_pool_size: int,
        overrides: Mapping[str, object],
    ) -> None:
        unknown = sorted(set(overrides) - component_names(type(self)))
        if unknown:
            raise TypeError(f"unknown container component(s) to override: {', '.join(unknown)}")
        self.settings = settings
        self._task_sender = task_sender
        self._beat_entries = tuple(beat_entries)
        self._redbeat_prefix = redbeat_prefix
        self._db_pool_size = db_pool_size
        self._lock = threading.RLock()
        self.__dict__.update(overrides)

    # --- infrastructure -------------------------------------------------------------------------------------
    @component
    def db_pool(self) -> ConnectionPool:
        db = self.settings.database
        return create_pool(
            self.settings.database_url,
            min_size=db.db_pool_min_size,
            max_size=db.db_pool_max_size or self._db_pool_size,
            statement_timeout_ms=db.db_statement_timeout_ms,
        )

    @component
    def redis(self) -> Redis[str]:
        return create_redis(self.settings.redis_url)

    @component
    def uow_factory(self) -> UnitOfWorkFactory:
        return unit_of_work_factory(self.db_pool)

    @component
    def task_sender(self) -> TaskSender:
        """The entrypoint's sender; a container built without one refuses to send (never sends nowhere)."""
        if self._task_sender is None:
            raise RuntimeError("this container was built without a task sender, so it cannot send tasks")
        return self._task_sender

    @component
    def heartbeats(self) -> WorkerHeartbeats:
        """Read by the health check; each worker writes its own beats before any container exists."""
        return WorkerHeartbeats(self.redis, interval_s=self.settings.app.worker_heartbeat_interval_s)

    # --- outbox ---------------------------------------------------------------------------------------------
    @component
    def outbox_relay(self) -> OutboxRelay:
        return OutboxRelay(self.uow_factory, self.task_sender)

    @component
    def dispatcher(self) -> TaskDispatcher:
        return OutboxTaskDispatcher(self.outbox_relay)

    # --- health and identity --------------------------------------------------------------------------------
    @component
    def health_service(self) -> HealthService:
        return HealthService(
            pool=lambda: self.db_pool,
            redis=self.redis,
            heartbeats=self.heartbeats,
            required_queues=self.settings.app.required_queues,
        )

    @component
    def cognito_verifier(self) -> CognitoVerifier:
        cognito = self.settings.cognito
        if not cognito.jwks_url or not cognito.issuer:
            raise RuntimeError("COGNITO_JWKS_URL and COGNITO_ISSUER must be set to authenticate requests")
        # Production never trusts the emulator's signing key, whatever URL serves it.
        forbidden = () if self.settings.is_local else emulator_key_thumbprints()
        return CognitoVerifier(
            cognito.jwks_url, cognito.issuer, cognito.client_ids, forbidden_key_thumbprints=forbidden
        )

    @component
    def auth_service(self) -> AuthService:
        cognito = self.settings.cognito
        return AuthService(
            verifier=self.cognito_verifier,
            denylist=TokenDenyList(self.redis),
            uow_factory=self.uow_factory,
            role_groups=cognito.role_groups,
            cognito_endpoint_url=cognito.endpoint_url,
            cognito_region=cognito.region,
        )

    # --- Boeing (shared by single search, bulk extraction and sync) -----------------------------------------
    @component
    def boeing_limiter(self) -> BoeingRateLimiter:
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
    def boeing_client(self) -> BoeingClient:
        return BoeingClient(self.settings.boeing)

    # --- Shopify (shared by publishing, search and sync) ----------------------------------------------------
    @component
    def shopify_limiter(self) -> ShopifyCostLimiter:
        shopify = self.settings.shopify
        return ShopifyCostLimiter(
            self.redis,
            shopify.store_domain or shopify.endpoint,
            max_concurrency=shopify.max_concurrency,
            max_wait_s=shopify.limiter_max_wait_s,
            lease_s=max(shopify.limiter_lease_s, shopify.timeout_s + 5),
        )

    @component
    def shopify_client(self) -> ShopifyClient:
        return ShopifyClient(self.settings.shopify, self.shopify_limiter)

    @component
    def shopify_setup_service(self) -> ShopifySetupService:
        return ShopifySetupService(self.shopify_client, self.redis, self.settings)

    @component
    def image_store(self) -> ImageStore:
        return ImageStore(self.settings.storage)

    @component
    def search_service(self) -> SearchService:
        return SearchService(
            self.shopify_client, max_part_numbers=self.settings.app.max_multi_part_search_size
        )

    # --- batches, extraction, normalization and product views -----------------------------------------------
    @component
    def batch_service(self) -> BatchService:
        return BatchService(uow_factory=self.uow_factory)

    @component
    def normalization_service(self) -> NormalizationService:
        shopify = self.settings.shopify
        return NormalizationService(
            uow_factory=self.uow_factory,
            batch_service=self.batch_service,
            location_map=shopify.location_map,
            default_location=shopify.default_location_name,
        )

    @component
    def extraction_service(self) -> ExtractionService:
        return ExtractionService(
            uow_factory=self.uow_factory,
            client=self.boeing_client,
            limiter=self.boeing_limiter,
            batch_service=self.batch_service,
            normalization=self.normalization_service,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def products_service(self) -> ProductsService:
        return ProductsService(uow_factory=self.uow_factory, store_handle=self.settings.shopify.store_handle)

    @component
    def retention_service(self) -> RetentionService:
        return RetentionService(self.uow_factory, raw_data_days=self.settings.app.raw_data_retention_days)

    @component
    def recovery_service(self) -> RecoveryService:
        return RecoveryService(
            extraction=self.extraction_service,
            reconciliation=self.publish_reconciliation_service,
            batch_service=self.batch_service,
        )

    # --- publishing -----------------------------------------------------------------------------------------
    @component
    def publish_outcome_service(self) -> PublishOutcomeService:
        return PublishOutcomeService(
            uow_factory=self.uow_factory,
            batch_service=self.batch_service,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def publish_reconciliation_service(self) -> PublishReconciliationService:
        return PublishReconciliationService(
            uow_factory=self.uow_factory,
            outcomes=self.publish_outcome_service,
            client=self.shopify_client,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def publish_run_service(self) -> PublishRunService:
        return PublishRunService(
            uow_factory=self.uow_factory,
            client=self.shopify_client,
            setup=self.shopify_setup_service,
            images=self.image_store,
            outcomes=self.publish_outcome_service,
            reconciliation=self.publish_reconciliation_service,
            settings=self.settings,
        )

    @component
    def publishing_service(self) -> PublishingService:
        return PublishingService(
            uow_factory=self.uow_factory,
            batch_service=self.batch_service,
            outcomes=self.publish_outcome_service,
            runner=self.publish_run_service,
            client=self.shopify_client,
            setup=self.shopify_setup_service,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    # --- scheduled sync -------------------------------------------------------------------------------------
    @component
    def sync_accounting_service(self) -> SyncAccountingService:
        return SyncAccountingService(dispatcher=self.dispatcher, settings=self.settings)

    @component
    def sync_dispatch_service(self) -> SyncDispatchService:
        return SyncDispatchService(
            uow_factory=self.uow_factory, dispatcher=self.dispatcher, settings=self.settings
        )

    @component
    def sync_dashboard_service(self) -> SyncDashboardService:
        return SyncDashboardService(uow_factory=self.uow_factory, settings=self.settings)

    @component
    def sync_status_service(self) -> SyncStatusService:
        return SyncStatusService(
            settings=self.settings,
            redis_client=self.redis,
            beat_entries=self._beat_entries,
            redbeat_prefix=self._redbeat_prefix,
            boeing_limiter=self.boeing_limiter,
            shopify_limiter=self.shopify_limiter,
            uow_factory=self.uow_factory,
        )

    @component
    def boeing_fetch_service(self) -> BoeingFetchService:
        return BoeingFetchService(
            uow_factory=self.uow_factory,
            accounting=self.sync_accounting_service,
            dispatcher=self.dispatcher,
            client=self.boeing_client,
            limiter=self.boeing_limiter,
            settings=self.settings,
        )

    @component
    def shopify_update_service(self) -> ShopifyUpdateService:
        return ShopifyUpdateService(
            uow_factory=self.uow_factory,
            accounting=self.sync_accounting_service,
            client=self.shopify_client,
            setup=self.shopify_setup_service,
            settings=self.settings,
        )

    def close(self) -> None:
        """Release the clients, pools and connections that were built (unbuilt ones are left alone)."""
        for name in _CLOSABLE:
            resource = self.__dict__.get(name)
            if resource is not None:
                resource.close()


def build_container(
    settings: Settings,
    *,
    task_sender: TaskSender | None = None,
    beat_entries: Sequence[BeatEntrySpec] = (),
    redbeat_prefix: str = "",
    db_pool_size: int = 6,
    overrides: Mapping[str, object] | None = None,
) -> Container:
    """The one composition root used by FastAPI, Celery and the tests.

    ``task_sender`` hands committed outbox messages to the broker (a container without one cannot send
    tasks); ``beat_entries`` and ``redbeat_prefix`` describe the scheduler for ``/health/sync-status``;
    ``db_pool_size`` sizes the pool for this process's concurrency unless ``DB_POOL_MAX_SIZE`` is set;
    ``overrides`` replaces components by name (tests), and a name that is not a component raises
    ``TypeError``."""
    return Container(
        settings,
        task_sender=task_sender,
        beat_entries=beat_entries,
        redbeat_prefix=redbeat_prefix,
        db_pool_size=db_pool_size,
        overrides=overrides or {},
    )
