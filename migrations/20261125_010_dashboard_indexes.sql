-- Indexes for the dashboard's lists (admin API), which page newest first by
-- Stripe's created time. payment_events keeps five indexes, as before: the
-- one on received_at goes (the row id gives the arrival order).
DROP INDEX payment_events_received;
CREATE INDEX payment_events_created ON payment_events (stripe_created_at);
DROP INDEX payment_events_status;
CREATE INDEX payment_events_status ON payment_events (status, stripe_created_at);
CREATE INDEX invoices_created ON invoices (stripe_created_at);
CREATE INDEX payments_day ON payments (paid_at, currency);
DROP INDEX payments_paid_at;
CREATE INDEX subscriptions_updated ON subscriptions (updated_at);
