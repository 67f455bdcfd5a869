-- Extraction tracking: what the batch API reports beyond the initial columns, and suffix-aware raw lookups.

-- Duplicates dropped from the operator's input (an idempotent repeat answers with the original figure).
ALTER TABLE batches ADD COLUMN duplicates_removed integer NOT NULL DEFAULT 0 CHECK (duplicates_removed >= 0);
-- progress_percent as it stood when the batch was cancelled (in-flight items may still move counters).
ALTER TABLE batches ADD COLUMN cancelled_progress_percent numeric(5, 2);

-- Base part numbers of the returned SKUs, so an unsuffixed part number finds a suffixed item by index.
ALTER TABLE boeing_raw_data ADD COLUMN returned_bases text[] NOT NULL DEFAULT '{}';
CREATE INDEX boeing_raw_data_returned_bases_idx ON boeing_raw_data USING gin (returned_bases);

-- The sweeper looks for chunks sent long ago and leases that ran out, per stage.
CREATE INDEX batch_items_stale_idx ON batch_items (stage, status, sent_at)
    WHERE status IN ('sent', 'in_progress');
