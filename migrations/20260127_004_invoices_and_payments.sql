-- The seed's local cache of invoices, and one payment record per paid invoice.
-- No foreign key to subscriptions: Stripe may deliver an invoice event before
-- the subscription's own events.
CREATE TABLE invoices (
    stripe_invoice_id TEXT NOT NULL PRIMARY KEY,
    stripe_customer_id TEXT NOT NULL,
    stripe_subscription_id TEXT,
    tenant_id TEXT,
    invoice_number TEXT,
    status TEXT CHECK (status IN ('draft', 'open', 'paid', 'uncollectible', 'void')),
    billing_reason TEXT,
    currency TEXT NOT NULL,
    amount_due BIGINT NOT NULL,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    amount_remaining BIGINT NOT NULL DEFAULT 0,
    attempt_count INTEGER NOT NULL DEFAULT 0,
    next_payment_attempt BIGINT,
    hosted_invoice_url TEXT,
    period_start BIGINT,
    period_end BIGINT,
    paid_at BIGINT,
    livemode BOOLEAN NOT NULL,
    stripe_created_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX invoices_subscription ON invoices (stripe_subscription_id);
CREATE INDEX invoices_customer ON invoices (stripe_customer_id);
CREATE INDEX invoices_tenant ON invoices (tenant_id);
CREATE INDEX invoices_status ON invoices (status, stripe_created_at);

-- An invoice is paid once: UNIQUE makes a second record of it impossible.
CREATE TABLE payments (
    id {{AUTO_ID}},
    stripe_invoice_id TEXT NOT NULL UNIQUE REFERENCES invoices (stripe_invoice_id),
    stripe_customer_id TEXT NOT NULL,
    stripe_subscription_id TEXT,
    tenant_id TEXT,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    currency TEXT NOT NULL,
    paid_at BIGINT NOT NULL,
    stripe_event_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX payments_paid_at ON payments (paid_at);
CREATE INDEX payments_tenant ON payments (tenant_id);
