-- Normalization finds the items waiting for one stored Boeing answer by its id.
CREATE INDEX batch_items_raw_data_idx ON batch_items (raw_data_id) WHERE status = 'in_progress';
