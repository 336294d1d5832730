-- The dashboard's summary (#17) reads every live subscription and 30 days of
-- payments every 5 s while dashboards poll, on readers that share the
-- machine with the webhook writer. These indexes hold every column it reads,
-- so it reads no table row: 0.34 s to 0.18 s on 100,000 subscriptions and
-- 294,000 payments (SQLite). The subscriptions index starts with status too,
-- so it replaces the one on (status, plan), and payments keep one index by
-- day, wider: a write updates as many indexes as before.
DROP INDEX subscriptions_status;
CREATE INDEX subscriptions_summary ON subscriptions (status, livemode, plan, currency, billing_interval,
    billing_interval_count, unit_amount, quantity, trial_end, tenant_id);
DROP INDEX payments_day;
CREATE INDEX payments_day ON payments (paid_at, currency, amount, tenant_id);
