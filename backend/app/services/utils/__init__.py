"""Pure transformation helpers of the service layer: Shopify payloads, metafields and stock writes."""
