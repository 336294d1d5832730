-- A Price bills every interval_count intervals (300.00 every 3 months), for
-- each of the item's quantity: MRR needs both. Rows stored before this keep 1
-- and 1 until their next event or sync brings Stripe's values.
ALTER TABLE subscriptions ADD COLUMN billing_interval_count INTEGER NOT NULL DEFAULT 1
    CHECK (billing_interval_count >= 1);
ALTER TABLE subscriptions ADD COLUMN quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 0);
