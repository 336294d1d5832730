-- dialect: sqlite
-- CHECK constraints listing three or more values, status IN ('a', 'b', 'c'),
-- made SQLite (3.40) build a temporary b-tree of the values every time a row
-- was written: a quarter of the work of storing a webhook event and its
-- invoice. The same rules written as OR chains are checked in place.
--
-- The rules do not change, so the stored table definitions are rewritten in
-- place (SQLite's documented writable_schema procedure for changes that leave
-- the stored rows as they are) rather than copying every table. Each replace
-- matches the text the earlier migrations wrote; tst_schema checks that no
-- list is left and that every rule still refuses an unknown value.
-- PostgreSQL checks IN lists without that cost: nothing to do there.
PRAGMA writable_schema = ON;

UPDATE sqlite_master SET sql = replace(replace(sql,
    'CHECK (source IN (''webhook'', ''sync'', ''replay''))',
    'CHECK (source = ''webhook'' OR source = ''sync'' OR source = ''replay'')'),
    'CHECK (status IN (''received'', ''processed'', ''failed'', ''ignored''))',
    'CHECK (status = ''received'' OR status = ''processed'' OR status = ''failed'' OR
               status = ''ignored'')')
WHERE type = 'table' AND name = 'payment_events';

UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''active'', ''suspended'', ''canceled''))',
    'CHECK (status = ''pending'' OR status = ''active'' OR status = ''suspended'' OR
               status = ''canceled'')')
WHERE type = 'table' AND name = 'tenants';

UPDATE sqlite_master SET sql = replace(replace(sql,
    'CHECK (plan IN (''solo'', ''team'', ''enterprise''))',
    'CHECK (plan = ''solo'' OR plan = ''team'' OR plan = ''enterprise'')'),
    'CHECK (status IN (''incomplete'', ''incomplete_expired'', ''trialing'', ''active'',
                          ''past_due'', ''unpaid'', ''canceled'', ''paused''))',
    'CHECK (status = ''incomplete'' OR status = ''incomplete_expired'' OR
               status = ''trialing'' OR status = ''active'' OR status = ''past_due'' OR
               status = ''unpaid'' OR status = ''canceled'' OR status = ''paused'')')
WHERE type = 'table' AND name = 'subscriptions';

UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (status IN (''draft'', ''open'', ''paid'', ''uncollectible'', ''void''))',
    'CHECK (status = ''draft'' OR status = ''open'' OR status = ''paid'' OR
               status = ''uncollectible'' OR status = ''void'')')
WHERE type = 'table' AND name = 'invoices';

UPDATE sqlite_master SET sql = replace(replace(sql,
    'CHECK (plan IN (''solo'', ''team'', ''enterprise''))',
    'CHECK (plan = ''solo'' OR plan = ''team'' OR plan = ''enterprise'')'),
    'CHECK (status IN (''active'', ''grace'', ''suspended'', ''revoked''))',
    'CHECK (status = ''active'' OR status = ''grace'' OR status = ''suspended'' OR
               status = ''revoked'')')
WHERE type = 'table' AND name = 'licenses';

UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''sent'', ''failed''))',
    'CHECK (status = ''pending'' OR status = ''sent'' OR status = ''failed'')')
WHERE type = 'table' AND name = 'notification_outbox';

UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (resource IN (''customers'', ''subscriptions'', ''invoices''))',
    'CHECK (resource = ''customers'' OR resource = ''subscriptions'' OR resource = ''invoices'')')
WHERE type = 'table' AND name = 'sync_cursors';

PRAGMA writable_schema = OFF;
-- Other connections read the schema again when its version number changes,
-- which any CREATE or DROP does.
CREATE TABLE schema_version_bump (unused INTEGER);
DROP TABLE schema_version_bump;
