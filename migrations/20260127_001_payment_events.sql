-- Every Stripe event the service has received, kept for audit and idempotency.
-- One row per Stripe event id: a redelivered event finds its row and is not
-- processed again. Times are Unix seconds (UTC).
CREATE TABLE payment_events (
    id {{AUTO_ID}},
    stripe_event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    api_version TEXT,
    livemode BOOLEAN NOT NULL,
    stripe_created_at BIGINT NOT NULL,
    -- data.object.id (cs_…, sub_…, in_…), to list the events of one object
    object_id TEXT,
    -- the request body exactly as received: signatures are computed over these bytes
    payload {{BLOB}} NOT NULL,
    -- webhook, sync (fetched from GET /v1/events) or replay
    source TEXT NOT NULL DEFAULT 'webhook'
        CHECK (source IN ('webhook', 'sync', 'replay')),
    -- which configured webhook secret verified it (0-based), during a rotation
    signing_secret_index INTEGER,
    received_at BIGINT NOT NULL,
    processed_at BIGINT,
    status TEXT NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'processed', 'failed', 'ignored')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- set when api_version differs from the pinned STRIPE_API_VERSION
    warning TEXT
);

CREATE INDEX payment_events_type_created ON payment_events (event_type, stripe_created_at);
CREATE INDEX payment_events_status ON payment_events (status, received_at);
CREATE INDEX payment_events_object ON payment_events (object_id);
CREATE INDEX payment_events_received ON payment_events (received_at);
