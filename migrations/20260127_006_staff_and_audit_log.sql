-- Billing staff who use the dashboard, and what every one of them did.
CREATE TABLE staff_members (
    id {{AUTO_ID}},
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    -- SHA-256 of the personal token; the token itself is shown once and never stored
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_seen_at BIGINT
);

-- Append-only: the service never updates or deletes these rows.
CREATE TABLE audit_log (
    id {{AUTO_ID}},
    occurred_at BIGINT NOT NULL,
    -- a staff member's name, "api" for the API token, or "cli"/"system"
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    -- JSON with the action's parameters and result (never a secret)
    details TEXT,
    outcome TEXT NOT NULL DEFAULT 'succeeded' CHECK (outcome IN ('succeeded', 'failed'))
);

CREATE INDEX audit_log_occurred ON audit_log (occurred_at);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
