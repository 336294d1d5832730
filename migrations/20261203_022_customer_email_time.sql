-- customer.updated is applied from webhooks now (#18): an e-mail changed in
-- Stripe's Dashboard or the Customer Portal reaches the service. Events come
-- out of order, so the row keeps the Stripe time (event created, or a
-- snapshot's read time) of what set its e-mail; something older changes
-- nothing. Rows written before count as oldest.
ALTER TABLE customers ADD COLUMN email_set_at BIGINT;
