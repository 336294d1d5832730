-- The dashboard's change feed: a counter per table it lists and per writer
-- (a PostgreSQL connection; 0 on SQLite, which has one writer at a time).
-- Triggers (018, 019) move a counter in the transaction of every insert,
-- update or delete of the table, so:
--   * the counter commits with the change, and is seen only once it is;
--   * the sum per table only grows, and grows with every commit whatever the
--     order transactions commit in, and whichever instance or process (serve,
--     sync, replay) made it;
--   * writers never wait for each other: each moves a row of its own.
-- Nothing deletes from it; it holds one row a table for each connection that
-- ever wrote that table.
CREATE TABLE change_marks (
    table_name TEXT NOT NULL,
    writer BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    PRIMARY KEY (table_name, writer)
);
