-- Licences generated when a checkout completes: exactly one per subscription,
-- enforced here so that concurrent deliveries of the same event cannot make two.
CREATE TABLE licenses (
    id {{AUTO_ID}},
    license_key TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id),
    stripe_subscription_id TEXT NOT NULL UNIQUE,
    plan TEXT CHECK (plan IN ('solo', 'team', 'enterprise')),
    status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'grace', 'suspended', 'revoked')),
    valid_until BIGINT,
    issued_at BIGINT NOT NULL,
    suspended_at BIGINT,
    revoked_at BIGINT,
    -- the checkout.session.completed event that generated it
    source_event_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX licenses_tenant ON licenses (tenant_id);
CREATE INDEX licenses_status ON licenses (status, valid_until);
