-- Notices to send (dunning after a failed payment, ...), written in the same
-- transaction as the event that causes them and sent afterwards. dedupe_key
-- (e.g. "payment_failed:in_123:2" for the second failed attempt) makes a
-- redelivered event unable to queue the same notice twice.
CREATE TABLE notification_outbox (
    id {{AUTO_ID}},
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    tenant_id TEXT,
    stripe_customer_id TEXT,
    stripe_invoice_id TEXT,
    recipient_email TEXT,
    -- JSON the notice is rendered from
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT,
    next_attempt_at BIGINT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);

CREATE INDEX notification_outbox_pending ON notification_outbox (status, next_attempt_at);
CREATE INDEX notification_outbox_tenant ON notification_outbox (tenant_id);
