-- dialect: sqlite
-- change_marks (017) on SQLite: one writer at a time, so one counter a table,
-- moved for each row written. The rows are made here with fixed row ids,
-- which the triggers update by row id: a single lookup, since these run for
-- every row the service writes.
INSERT INTO change_marks (rowid, table_name, writer, generation) VALUES
    (1, 'payment_events', 0, 0),
    (2, 'tenants', 0, 0),
    (3, 'customers', 0, 0),
    (4, 'subscriptions', 0, 0),
    (5, 'invoices', 0, 0),
    (6, 'payments', 0, 0),
    (7, 'licenses', 0, 0),
    (8, 'audit_log', 0, 0),
    (9, 'notification_outbox', 0, 0),
    (10, 'webhook_delivery_failures', 0, 0);
CREATE TRIGGER payment_events_marks_insert AFTER INSERT ON payment_events BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 1;
END;
CREATE TRIGGER payment_events_marks_update AFTER UPDATE ON payment_events BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 1;
END;
CREATE TRIGGER payment_events_marks_delete AFTER DELETE ON payment_events BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 1;
END;
CREATE TRIGGER tenants_marks_insert AFTER INSERT ON tenants BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 2;
END;
CREATE TRIGGER tenants_marks_update AFTER UPDATE ON tenants BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 2;
END;
CREATE TRIGGER tenants_marks_delete AFTER DELETE ON tenants BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 2;
END;
CREATE TRIGGER customers_marks_insert AFTER INSERT ON customers BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 3;
END;
CREATE TRIGGER customers_marks_update AFTER UPDATE ON customers BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 3;
END;
CREATE TRIGGER customers_marks_delete AFTER DELETE ON customers BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 3;
END;
CREATE TRIGGER subscriptions_marks_insert AFTER INSERT ON subscriptions BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 4;
END;
CREATE TRIGGER subscriptions_marks_update AFTER UPDATE ON subscriptions BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 4;
END;
CREATE TRIGGER subscriptions_marks_delete AFTER DELETE ON subscriptions BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 4;
END;
CREATE TRIGGER invoices_marks_insert AFTER INSERT ON invoices BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 5;
END;
CREATE TRIGGER invoices_marks_update AFTER UPDATE ON invoices BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 5;
END;
CREATE TRIGGER invoices_marks_delete AFTER DELETE ON invoices BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 5;
END;
CREATE TRIGGER payments_marks_insert AFTER INSERT ON payments BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 6;
END;
CREATE TRIGGER payments_marks_update AFTER UPDATE ON payments BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 6;
END;
CREATE TRIGGER payments_marks_delete AFTER DELETE ON payments BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 6;
END;
CREATE TRIGGER licenses_marks_insert AFTER INSERT ON licenses BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 7;
END;
CREATE TRIGGER licenses_marks_update AFTER UPDATE ON licenses BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 7;
END;
CREATE TRIGGER licenses_marks_delete AFTER DELETE ON licenses BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 7;
END;
CREATE TRIGGER audit_log_marks_insert AFTER INSERT ON audit_log BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 8;
END;
CREATE TRIGGER audit_log_marks_update AFTER UPDATE ON audit_log BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 8;
END;
CREATE TRIGGER audit_log_marks_delete AFTER DELETE ON audit_log BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 8;
END;
CREATE TRIGGER notification_outbox_marks_insert AFTER INSERT ON notification_outbox BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 9;
END;
CREATE TRIGGER notification_outbox_marks_update AFTER UPDATE ON notification_outbox BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 9;
END;
CREATE TRIGGER notification_outbox_marks_delete AFTER DELETE ON notification_outbox BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 9;
END;
CREATE TRIGGER webhook_delivery_failures_marks_insert AFTER INSERT ON webhook_delivery_failures BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 10;
END;
CREATE TRIGGER webhook_delivery_failures_marks_update AFTER UPDATE ON webhook_delivery_failures BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 10;
END;
CREATE TRIGGER webhook_delivery_failures_marks_delete AFTER DELETE ON webhook_delivery_failures BEGIN
    UPDATE change_marks SET generation = generation + 1 WHERE rowid = 10;
END;
