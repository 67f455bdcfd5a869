"""Pure transformation helpers of the service layer: Shopify payloads, metafields and stock writes."""

from app.services.utils.inventory_mapper import (
    InventorySetRequest,
    build_inventory_set,
    product_set_inventory_quantities,
    uses_change_from_quantity,
)
from app.services.utils.metafield_builder import (
    build_location_summary_metafield,
    metafield_definition_inputs,
    product_metafields,
)
from app.services.utils.shopify_payload_builder import (
    ProductSetRequest,
    build_product_set,
    build_variant_price_update,
    origin_tag,
    product_handle,
    publish_content_hash,
)

__all__ = [
    "InventorySetRequest",
    "ProductSetRequest",
    "build_inventory_set",
    "build_location_summary_metafield",
    "build_product_set",
    "build_variant_price_update",
    "metafield_definition_inputs",
    "origin_tag",
    "product_handle",
    "product_metafields",
    "product_set_inventory_quantities",
    "publish_content_hash",
    "uses_change_from_quantity",
]
