-- Reconciliation in serve (#18): each run, scheduled or started by staff,
-- and what it found, so the dashboard can show the last run and fix what
-- differs. A divergence is fixed by applying Stripe's object again: fixed_at
-- and fixed_by say when and by whom; the rows are never deleted.
CREATE TABLE reconcile_runs (
    id {{ROW_ID}},
    livemode BOOLEAN NOT NULL,
    -- "schedule", or the staff member who started it
    started_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    -- OR chains, not IN lists: SQLite builds a temporary table for an IN (012)
    status TEXT NOT NULL CHECK (status = 'running' OR status = 'succeeded' OR status = 'failed'),
    objects_read BIGINT NOT NULL DEFAULT 0,
    divergences BIGINT NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX reconcile_runs_started ON reconcile_runs (livemode, started_at);

CREATE TABLE reconcile_divergences (
    id {{ROW_ID}},
    run_id BIGINT NOT NULL REFERENCES reconcile_runs (id),
    -- "<object>.<field>", "<object>.missing", "<object>.not_in_stripe"
    kind TEXT NOT NULL,
    -- the Stripe object whose snapshot repairs it
    object_type TEXT NOT NULL
        CHECK (object_type = 'subscription' OR object_type = 'invoice' OR object_type = 'customer'),
    object_id TEXT NOT NULL,
    tenant_id TEXT,
    local_value TEXT NOT NULL,
    stripe_value TEXT NOT NULL,
    fixed_at BIGINT,
    fixed_by TEXT
);
CREATE INDEX reconcile_divergences_run ON reconcile_divergences (run_id, id);
