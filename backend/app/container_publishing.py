"""Publishing and multi-part search collaborators of the composition root (mixed into ``Container``).

Kept apart so ``container.py`` stays small; names are part of the container's interface (tasks, routes and
the sync pipeline use ``product_store``, ``shopify_setup_service``, ``publish_outcomes`` ...).
"""

from __future__ import annotations

from typing import Any

from app.components import component
from app.core.config import Settings


class PublishingComponents:
    """Stores and services of publishing; built lazily like every component."""

    settings: Settings
    # Provided by the rest of the container.
    uow_factory: Any
    redis: Any
    dispatcher: Any
    shopify_client: Any
    batch_store: Any
    batch_item_store: Any
    idempotency_store: Any
    staging_store: Any
    sync_store: Any
    batch_service: Any

    @component
    def product_store(self) -> Any:
        from app.db.product_store import ProductStore

        return ProductStore()

    @component
    def publish_item_store(self) -> Any:
        from app.db.publish_item_store import PublishItemStore

        return PublishItemStore()

    @component
    def reconciliation_store(self) -> Any:
        from app.db.reconciliation_store import ReconciliationStore

        return ReconciliationStore()

    @component
    def image_store(self) -> Any:
        from app.db.image_store import ImageStore

        return ImageStore(self.settings.storage)

    @component
    def shopify_setup_service(self) -> Any:
        from app.services.shopify_setup_service import ShopifySetupService

        return ShopifySetupService(self.shopify_client, self.redis, self.settings)

    @component
    def publish_outcomes(self) -> Any:
        from app.services.publish_outcomes import PublishOutcomes

        return PublishOutcomes(
            uow_factory=self.uow_factory,
            batch_service=self.batch_service,
            items=self.batch_item_store,
            publish_items=self.publish_item_store,
            staging=self.staging_store,
            products=self.product_store,
            sync=self.sync_store,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def publish_reconciliation_service(self) -> Any:
        from app.services.publish_reconciliation_service import PublishReconciliationService

        return PublishReconciliationService(
            uow_factory=self.uow_factory,
            reconciliations=self.reconciliation_store,
            publish_items=self.publish_item_store,
            products=self.product_store,
            outcomes=self.publish_outcomes,
            client=self.shopify_client,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def publish_runner(self) -> Any:
        from app.services.publish_runner import PublishRunner

        return PublishRunner(
            uow_factory=self.uow_factory,
            batches=self.batch_store,
            items=self.batch_item_store,
            publish_items=self.publish_item_store,
            staging=self.staging_store,
            products=self.product_store,
            client=self.shopify_client,
            setup=self.shopify_setup_service,
            images=self.image_store,
            outcomes=self.publish_outcomes,
            reconciliation=self.publish_reconciliation_service,
            settings=self.settings,
        )

    @component
    def publishing_service(self) -> Any:
        from app.services.publishing_service import PublishingService

        return PublishingService(
            uow_factory=self.uow_factory,
            batches=self.batch_store,
            items=self.batch_item_store,
            publish_items=self.publish_item_store,
            idempotency=self.idempotency_store,
            staging=self.staging_store,
            products=self.product_store,
            batch_service=self.batch_service,
            outcomes=self.publish_outcomes,
            runner=self.publish_runner,
            client=self.shopify_client,
            setup=self.shopify_setup_service,
            dispatcher=self.dispatcher,
            settings=self.settings,
        )

    @component
    def search_service(self) -> Any:
        from app.services.search_service import SearchService

        return SearchService(
            self.shopify_client, max_part_numbers=self.settings.app.max_multi_part_search_size
        )
