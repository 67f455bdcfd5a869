-- product_staging.batch_id is informational (batch membership comes from batch_items.staged_skus) and batches
-- are never deleted, so its index served no query while every staging upsert paid to maintain it.
DROP INDEX IF EXISTS product_staging_batch_idx;
-- Raw-data retention deletes old answers, and ON DELETE SET NULL must find the staged rows that point at each
-- one: without this index that was a scan of product_staging per deleted answer.
CREATE INDEX IF NOT EXISTS product_staging_raw_data_idx ON product_staging (raw_data_id);
