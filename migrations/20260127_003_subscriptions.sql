-- Local mirror of Stripe subscriptions. state_event_* record which Stripe event
-- the row reflects, so an older event delivered late cannot move it backwards.
CREATE TABLE subscriptions (
    stripe_subscription_id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants (tenant_id),
    stripe_customer_id TEXT NOT NULL REFERENCES customers (stripe_customer_id),
    stripe_price_id TEXT,
    -- solo, team, enterprise, or NULL for a price outside the three plans
    plan TEXT CHECK (plan IN ('solo', 'team', 'enterprise')),
    status TEXT NOT NULL
        CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing', 'active',
                          'past_due', 'unpaid', 'canceled', 'paused')),
    currency TEXT,
    -- price per interval in the currency's smallest unit, for MRR
    unit_amount BIGINT,
    billing_interval TEXT,
    current_period_start BIGINT,
    current_period_end BIGINT,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_at BIGINT,
    canceled_at BIGINT,
    ended_at BIGINT,
    trial_start BIGINT,
    trial_end BIGINT,
    livemode BOOLEAN NOT NULL,
    state_event_id TEXT,
    state_event_created BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id);
CREATE INDEX subscriptions_customer ON subscriptions (stripe_customer_id);
CREATE INDEX subscriptions_status ON subscriptions (status, plan);
