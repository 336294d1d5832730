-- dialect: postgres
-- The events list finds an event or object id by prefix, compared byte by
-- byte (COLLATE "C"): under the database's usual collation (en_US.UTF-8) a
-- prefix range matches nothing. An index serves a range only in its own
-- collation, so these two give the prefix search the indexes it had.
-- SQLite compares bytes already: nothing to do there.
CREATE INDEX payment_events_event_id_bytes ON payment_events (stripe_event_id COLLATE "C");
CREATE INDEX payment_events_object_bytes ON payment_events (object_id COLLATE "C");
