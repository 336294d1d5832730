-- dialect: postgres
-- change_marks (017) on PostgreSQL: once a statement, each connection moves
-- its own counter (pg_backend_pid()), so concurrent writers, on this machine
-- or another, never wait on one row. A statement that wrote no row moves it
-- too: at worst a list is read again for nothing.
CREATE FUNCTION billing_mark_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_marks (table_name, writer, generation) VALUES (TG_TABLE_NAME, pg_backend_pid(), 1)
    ON CONFLICT (table_name, writer) DO UPDATE SET generation = change_marks.generation + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER payment_events_marks AFTER INSERT OR UPDATE OR DELETE ON payment_events
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER tenants_marks AFTER INSERT OR UPDATE OR DELETE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER customers_marks AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER subscriptions_marks AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER invoices_marks AFTER INSERT OR UPDATE OR DELETE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER payments_marks AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER licenses_marks AFTER INSERT OR UPDATE OR DELETE ON licenses
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER audit_log_marks AFTER INSERT OR UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER notification_outbox_marks AFTER INSERT OR UPDATE OR DELETE ON notification_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
CREATE TRIGGER webhook_delivery_failures_marks AFTER INSERT OR UPDATE OR DELETE ON webhook_delivery_failures
    FOR EACH STATEMENT EXECUTE FUNCTION billing_mark_change();
