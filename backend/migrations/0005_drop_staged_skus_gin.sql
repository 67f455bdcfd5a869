-- Batch membership is always read for one batch (batch_id first, then unnest(staged_skus)), so the GIN index
-- on staged_skus served no query while every item transition paid to maintain it.
DROP INDEX IF EXISTS batch_items_staged_skus_idx;
