-- dialect: sqlite
-- Ids from the row id alone, without AUTOINCREMENT. All AUTOINCREMENT adds is
-- that the id of a deleted last row is never given out again; nothing in this
-- product deletes from these tables. It cost every insert a lookup and an
-- update of sqlite_sequence: two per webhook event, and one more page of the
-- log per commit.
--
-- An INTEGER PRIMARY KEY is the row id either way, so the stored rows do not
-- change: the definitions are rewritten in place, as in 012. New ids continue
-- from the largest stored one. tst_migrator checks both.
-- PostgreSQL's identity columns have no such cost: nothing to do there.
PRAGMA writable_schema = ON;

UPDATE sqlite_master
SET sql = replace(sql, 'id INTEGER PRIMARY KEY AUTOINCREMENT', 'id INTEGER PRIMARY KEY')
WHERE type = 'table' AND name IN ('payment_events', 'payments', 'licenses', 'staff_members',
                                  'audit_log', 'notification_outbox', 'webhook_delivery_failures');

PRAGMA writable_schema = OFF;
-- Other connections read the schema again when its version number changes,
-- which any CREATE or DROP does.
CREATE TABLE schema_version_bump (unused INTEGER);
DROP TABLE schema_version_bump;
-- The counters nothing reads any more.
DELETE FROM sqlite_sequence;
