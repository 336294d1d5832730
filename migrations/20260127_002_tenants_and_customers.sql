-- The agency's tenants (the seed's tenant_id) and their Stripe customers.
CREATE TABLE tenants (
    tenant_id TEXT NOT NULL PRIMARY KEY CHECK (length(tenant_id) BETWEEN 1 AND 200),
    email TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'active', 'suspended', 'canceled')),
    provisioned_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE customers (
    stripe_customer_id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants (tenant_id),
    email TEXT,
    name TEXT,
    livemode BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX customers_tenant ON customers (tenant_id);
