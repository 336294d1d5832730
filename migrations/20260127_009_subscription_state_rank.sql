-- Tie-break for events of one subscription created in the same second: the
-- row keeps the rank of the state it holds (incomplete < trialing < active <
-- past_due < unpaid < canceled), and a same-second event applies only when
-- its rank is not lower. See SubscriptionStore.
ALTER TABLE subscriptions ADD COLUMN state_rank INTEGER NOT NULL DEFAULT 0;
