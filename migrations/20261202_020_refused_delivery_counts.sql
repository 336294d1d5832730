-- Refused deliveries are counted, not written one row each (#16): anyone can
-- POST to the public webhook URL, and a flood of badly signed bodies must not
-- grow the database by a row a request. A row now stands for the refusals of
-- one source and one kind of reason (the reason with its numbers taken out)
-- in one hour: how many, the first and the last, the latest reason in full.
-- Rows written before count once.
ALTER TABLE webhook_delivery_failures ADD COLUMN first_received_at BIGINT;
ALTER TABLE webhook_delivery_failures ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1;
ALTER TABLE webhook_delivery_failures ADD COLUMN window_start BIGINT;
ALTER TABLE webhook_delivery_failures ADD COLUMN reason_kind TEXT;
UPDATE webhook_delivery_failures SET first_received_at = received_at;
CREATE UNIQUE INDEX webhook_delivery_failures_window
    ON webhook_delivery_failures (window_start, remote_address, reason_kind);
