-- Where `sync customers|subscriptions|invoices` stands in Stripe's list, so an
-- interrupted backfill resumes after the last page it applied instead of
-- starting over. Each page's objects and the cursor move in one transaction.
CREATE TABLE sync_cursors (
    resource TEXT NOT NULL PRIMARY KEY
        CHECK (resource IN ('customers', 'subscriptions', 'invoices')),
    -- id of the last object applied (Stripe's starting_after); NULL before the first page
    starting_after TEXT,
    -- its created time: where to go on (created[lte]) if Stripe deleted that object since
    starting_after_created BIGINT,
    objects_applied BIGINT NOT NULL DEFAULT 0 CHECK (objects_applied >= 0),
    pages_applied BIGINT NOT NULL DEFAULT 0 CHECK (pages_applied >= 0),
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- set when the list's last page was applied; a new run then starts over
    completed_at BIGINT
);
