-- The full data model of DESIGN §5. Money is numeric(12,2); every timestamp is timestamptz (UTC sessions).

CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- Bulk operations: one id through extract -> normalize -> publish runs.
CREATE TABLE batches (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    batch_type           text NOT NULL CHECK (batch_type IN ('extract', 'normalize', 'publish')),
    status               text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    total_items          integer NOT NULL DEFAULT 0 CHECK (total_items >= 0),
    extracted_count      integer NOT NULL DEFAULT 0 CHECK (extracted_count >= 0),
    normalized_count     integer NOT NULL DEFAULT 0 CHECK (normalized_count >= 0),
    skipped_count        integer NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
    published_count      integer NOT NULL DEFAULT 0 CHECK (published_count >= 0),
    failed_count         integer NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    publish_run          integer NOT NULL DEFAULT 0 CHECK (publish_run >= 0),
    part_numbers         text[],
    publish_part_numbers text[],
    error_message        text,
    idempotency_key      text,
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    completed_at         timestamptz
);
CREATE INDEX batches_created_at_idx ON batches (created_at DESC, id DESC);
CREATE INDEX batches_active_idx ON batches (status) WHERE status IN ('pending', 'processing');
CREATE TRIGGER batches_updated_at BEFORE UPDATE ON batches FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Idempotency keys are unique per endpoint, not globally.
CREATE TABLE idempotency_keys (
    endpoint   text NOT NULL,
    key        text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 100),
    batch_id   uuid NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (endpoint, key)
);

-- The truth for "nothing lost": one row per requested part number (extraction) or per SKU of a publish run.
CREATE TABLE batch_items (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id     uuid NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    stage        text NOT NULL CHECK (stage IN ('extraction', 'publishing')),
    run          integer NOT NULL DEFAULT 0 CHECK (run >= 0),
    position     integer NOT NULL CHECK (position >= 0),
    part_number  text NOT NULL CHECK (char_length(part_number) BETWEEN 1 AND 50),
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'sent', 'in_progress', 'normalized', 'blocked', 'published',
                                   'unchanged', 'failed', 'cancelled')),
    error        text,
    error_stage  text CHECK (error_stage IN ('extraction', 'normalization', 'publishing')),
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    chunk_no     integer,
    sent_at      timestamptz,
    lease_until  timestamptz,
    raw_data_id  bigint,
    staged_skus  text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (batch_id, stage, run, part_number)
);
CREATE INDEX batch_items_progress_idx ON batch_items (batch_id, stage, run, status);
CREATE INDEX batch_items_chunk_idx ON batch_items (batch_id, stage, run, chunk_no) WHERE chunk_no IS NOT NULL;
CREATE INDEX batch_items_failures_idx ON batch_items (batch_id, updated_at, id) WHERE status = 'failed';
CREATE INDEX batch_items_open_idx ON batch_items (status, sent_at, lease_until)
    WHERE status IN ('queued', 'sent', 'in_progress');
CREATE INDEX batch_items_staged_skus_idx ON batch_items USING gin (staged_skus);
CREATE TRIGGER batch_items_updated_at BEFORE UPDATE ON batch_items FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Every Boeing response as received.
CREATE TABLE boeing_raw_data (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id      uuid REFERENCES batches (id) ON DELETE SET NULL,
    search_query  text,
    part_numbers  text[] NOT NULL,
    returned_skus text[] NOT NULL DEFAULT '{}',
    raw_payload   jsonb NOT NULL,
    created_by    text NOT NULL,
    fetched_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX boeing_raw_data_part_numbers_idx ON boeing_raw_data USING gin (part_numbers);
CREATE INDEX boeing_raw_data_returned_skus_idx ON boeing_raw_data USING gin (returned_skus);
CREATE INDEX boeing_raw_data_fetched_at_idx ON boeing_raw_data (fetched_at);

-- One normalized record per full SKU (WF338109=K3).
CREATE TABLE product_staging (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sku                  text NOT NULL UNIQUE CHECK (char_length(sku) BETWEEN 1 AND 80),
    base_part_number     text NOT NULL,
    title                text NOT NULL,
    batch_id             uuid REFERENCES batches (id) ON DELETE SET NULL,
    raw_data_id          bigint REFERENCES boeing_raw_data (id) ON DELETE SET NULL,
    boeing_name          text,
    boeing_description   text,
    body_html            text,
    vendor               text,
    supplier_name        text,
    currency             text,
    list_price           numeric(12, 2),
    net_price            numeric(12, 2),
    cost_per_item        numeric(12, 2),
    price                numeric(12, 2),
    dim_length           numeric(14, 4),
    dim_width            numeric(14, 4),
    dim_height           numeric(14, 4),
    dim_uom              text,
    weight               numeric(14, 4),
    weight_unit          text,
    base_uom             text,
    inventory_quantity   integer,
    inventory_status     text CHECK (inventory_status IN ('in_stock', 'out_of_stock')),
    location_summary     text,
    locations            jsonb NOT NULL DEFAULT '[]',
    mapped_inventory     jsonb NOT NULL DEFAULT '[]',
    country_of_origin    text,
    hazmat_code          text,
    faa_approval_code    text,
    eccn                 text,
    schedule_b_code      text,
    condition            text,
    cert                 text,
    pma                  boolean,
    boeing_image_url     text,
    boeing_thumbnail_url text,
    image_url            text,
    status               text NOT NULL CHECK (status IN ('fetched', 'blocked', 'published', 'failed')),
    blocked_reason       text CHECK (blocked_reason IN ('no_price', 'no_stock', 'no_mapped_location')),
    shopify_product_id   text,
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'blocked') = (blocked_reason IS NOT NULL))
);
CREATE INDEX product_staging_created_at_idx ON product_staging (created_at DESC, id DESC);
CREATE INDEX product_staging_status_idx ON product_staging (status, created_at DESC);
CREATE INDEX product_staging_base_idx ON product_staging (base_part_number);
CREATE INDEX product_staging_batch_idx ON product_staging (batch_id);
CREATE TRIGGER product_staging_updated_at BEFORE UPDATE ON product_staging
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- What is published in Shopify, with the values last written there.
CREATE TABLE product (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sku                       text NOT NULL UNIQUE,
    base_part_number          text NOT NULL,
    title                     text NOT NULL,
    shopify_product_id        text NOT NULL UNIQUE,
    shopify_variant_id        text,
    shopify_inventory_item_id text,
    shopify_handle            text,
    boeing_name               text,
    boeing_description        text,
    body_html                 text,
    vendor                    text,
    supplier_name             text,
    currency                  text,
    list_price                numeric(12, 2),
    net_price                 numeric(12, 2),
    cost_per_item             numeric(12, 2),
    price                     numeric(12, 2),
    dim_length                numeric(14, 4),
    dim_width                 numeric(14, 4),
    dim_height                numeric(14, 4),
    dim_uom                   text,
    weight                    numeric(14, 4),
    weight_unit               text,
    base_uom                  text,
    inventory_quantity        integer,
    inventory_status          text CHECK (inventory_status IN ('in_stock', 'out_of_stock')),
    location_summary          text,
    locations                 jsonb NOT NULL DEFAULT '[]',
    mapped_inventory          jsonb NOT NULL DEFAULT '[]',
    country_of_origin         text,
    hazmat_code               text,
    faa_approval_code         text,
    eccn                      text,
    schedule_b_code           text,
    condition                 text,
    cert                      text,
    pma                       boolean,
    boeing_image_url          text,
    boeing_thumbnail_url      text,
    image_url                 text,
    content_hash              text,
    created_by                text NOT NULL,
    published_at              timestamptz NOT NULL DEFAULT now(),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_updated_at_idx ON product (updated_at DESC, id DESC);
CREATE INDEX product_base_idx ON product (base_part_number);
CREATE TRIGGER product_updated_at BEFORE UPDATE ON product FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Shopify writes whose database save failed: completed later, deleted only when still unreferenced.
CREATE TABLE publish_reconciliation (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku                       text NOT NULL,
    batch_id                  uuid REFERENCES batches (id) ON DELETE SET NULL,
    publish_state             text NOT NULL DEFAULT 'shopify_created_pending_db',
    state                     text NOT NULL DEFAULT 'pending_db'
                              CHECK (state IN ('pending_db', 'resolved', 'deleted')),
    shopify_product_id        text NOT NULL,
    shopify_variant_id        text,
    shopify_inventory_item_id text,
    shopify_handle            text,
    payload                   jsonb NOT NULL DEFAULT '{}',
    attempts                  integer NOT NULL DEFAULT 0,
    last_error                text,
    next_attempt_at           timestamptz NOT NULL DEFAULT now(),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    resolved_at               timestamptz
);
CREATE UNIQUE INDEX publish_reconciliation_pending_idx ON publish_reconciliation (shopify_product_id)
    WHERE state = 'pending_db';
CREATE INDEX publish_reconciliation_due_idx ON publish_reconciliation (next_attempt_at) WHERE state = 'pending_db';
CREATE TRIGGER publish_reconciliation_updated_at BEFORE UPDATE ON publish_reconciliation
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The sync schedule: one row per published SKU.
CREATE TABLE product_sync_schedule (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sku                   text NOT NULL UNIQUE REFERENCES product (sku) ON DELETE CASCADE ON UPDATE CASCADE,
    hour_bucket           integer NOT NULL CHECK (hour_bucket >= 0),
    next_sync_at          timestamptz NOT NULL,
    sync_status           text NOT NULL DEFAULT 'pending'
                          CHECK (sync_status IN ('pending', 'syncing', 'success', 'failed')),
    lease_until           timestamptz,
    last_sync_at          timestamptz,
    last_attempt_at       timestamptz,
    consecutive_failures  integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_error            text,
    last_price            numeric(12, 2),
    last_quantity         integer,
    last_inventory_status text,
    last_location_summary text,
    last_mapped_inventory jsonb NOT NULL DEFAULT '[]',
    last_hash             text,
    is_active             boolean NOT NULL DEFAULT true,
    created_by            text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_sync_schedule_due_idx ON product_sync_schedule (next_sync_at) WHERE is_active;
CREATE INDEX product_sync_schedule_bucket_idx ON product_sync_schedule (hour_bucket, sku);
CREATE INDEX product_sync_schedule_failures_idx ON product_sync_schedule (consecutive_failures DESC, updated_at DESC)
    WHERE consecutive_failures > 0;
CREATE INDEX product_sync_schedule_attempt_idx ON product_sync_schedule (last_attempt_at DESC);
CREATE INDEX product_sync_schedule_status_idx ON product_sync_schedule (sync_status, hour_bucket) WHERE is_active;
CREATE TRIGGER product_sync_schedule_updated_at BEFORE UPDATE ON product_sync_schedule
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Price/stock changes (old -> new) and final sync failures.
CREATE TABLE sync_history (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku            text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('change', 'failure')),
    old_price      numeric(12, 2),
    new_price      numeric(12, 2),
    old_quantity   integer,
    new_quantity   integer,
    old_locations  jsonb,
    new_locations  jsonb,
    reason         text,
    error          text,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_history_sku_idx ON sync_history (sku, created_at DESC);
CREATE INDEX sync_history_created_at_idx ON sync_history (created_at);

-- One summary row per UTC day, written by the end-of-day cleanup.
CREATE TABLE sync_daily_summary (
    day            date PRIMARY KEY,
    total_products integer NOT NULL,
    synced         integer NOT NULL,
    changed        integer NOT NULL,
    failed         integer NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Operators seen (Cognito sub).
CREATE TABLE users (
    sub           text PRIMARY KEY,
    username      text NOT NULL,
    email         text,
    groups        text[] NOT NULL DEFAULT '{}',
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);

-- The transactional outbox: task messages written in the same transaction as the work that needs them.
CREATE TABLE task_outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_name     text NOT NULL,
    args          jsonb NOT NULL DEFAULT '[]',
    kwargs        jsonb NOT NULL DEFAULT '{}',
    options       jsonb NOT NULL DEFAULT '{}',
    headers       jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    sent_at       timestamptz
);
CREATE INDEX task_outbox_unsent_idx ON task_outbox (created_at) WHERE sent_at IS NULL;
CREATE INDEX task_outbox_sent_idx ON task_outbox (sent_at) WHERE sent_at IS NOT NULL;
