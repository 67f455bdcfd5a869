-- Scheduled sync: the change a Boeing fetch found waits on its schedule row for the Shopify write, and the
-- dispatcher, the in-flight count and the history endpoint read by lease and by last update.

ALTER TABLE product_sync_schedule ADD COLUMN pending_target jsonb;

-- In flight = lease_until > now(); leases are cleared when work ends, so this index stays small.
CREATE INDEX product_sync_schedule_lease_idx ON product_sync_schedule (lease_until)
    WHERE lease_until IS NOT NULL;

-- GET /sync/history: newest updated_at first, id as the tie-breaker.
CREATE INDEX product_sync_schedule_updated_idx ON product_sync_schedule (updated_at DESC, id DESC);

-- End-of-day summary: changes and failures of one UTC day.
CREATE INDEX sync_history_kind_created_idx ON sync_history (kind, created_at);
