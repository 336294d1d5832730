-- Deliveries refused before they became events (bad signature, oversized body,
-- wrong mode), for the dashboard's Deliveries view. Never the body or a secret.
CREATE TABLE webhook_delivery_failures (
    id {{AUTO_ID}},
    received_at BIGINT NOT NULL,
    remote_address TEXT,
    reason TEXT NOT NULL,
    -- the event id when the body could still be read
    stripe_event_id TEXT,
    body_size BIGINT
);

CREATE INDEX webhook_delivery_failures_received ON webhook_delivery_failures (received_at);
