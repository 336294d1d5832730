#include "SyncCursorStore.h"

#include "SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<SyncCursorStore::Cursor> SyncCursorStore::find(const QString &resource)
{
    Result<SqlRows> rows =
        runQuery(m_db, u"cannot read the sync cursor"_s,
                 u"SELECT starting_after, starting_after_created, objects_applied, pages_applied, "
                 "started_at, completed_at FROM sync_cursors WHERE resource = ?"_s,
                 {resource});
    if (!rows)
        return rows.error();
    Cursor cursor;
    if (!rows->next())
        return cursor;
    cursor.exists = true;
    cursor.startingAfter = rows->value(0).toString();
    cursor.startingAfterCreated = rows->value(1).toLongLong();
    cursor.objectsApplied = rows->value(2).toLongLong();
    cursor.pagesApplied = rows->value(3).toLongLong();
    cursor.startedAt = rows->value(4).toLongLong();
    cursor.completed = !rows->value(5).isNull();
    return cursor;
}

Result<void> SyncCursorStore::restart(const QString &resource, qint64 now)
{
    Result<SqlRows> rows = runQuery(
        m_db, u"cannot reset the sync cursor"_s,
        u"INSERT INTO sync_cursors (resource, starting_after, starting_after_created, objects_applied, "
        "pages_applied, started_at, updated_at, completed_at) VALUES (?, NULL, NULL, 0, 0, ?, ?, NULL) "
        "ON CONFLICT (resource) DO UPDATE SET starting_after = NULL, starting_after_created = NULL, "
        "objects_applied = 0, pages_applied = 0, started_at = excluded.started_at, "
        "updated_at = excluded.updated_at, completed_at = NULL"_s,
        {resource, now, now});
    return rows ? Result<void>() : Result<void>(rows.error());
}

Result<void> SyncCursorStore::advance(const QString &resource, const QString &lastObjectId,
                                      qint64 lastObjectCreated, qint64 objects, qint64 now)
{
    Result<SqlRows> rows =
        runQuery(m_db, u"cannot move the sync cursor"_s,
                 u"UPDATE sync_cursors SET starting_after = ?, starting_after_created = ?, "
                 "objects_applied = objects_applied + ?, pages_applied = pages_applied + 1, updated_at = ? "
                 "WHERE resource = ?"_s,
                 {lastObjectId, lastObjectCreated, objects, now, resource});
    if (!rows)
        return rows.error();
    // No row: the objects would commit without the cursor past them.
    if (rows->numRowsAffected() != 1)
        return Error{ErrorCode::Database, u"the sync cursor of %1 is missing"_s.arg(resource)};
    return {};
}

Result<void> SyncCursorStore::complete(const QString &resource, qint64 now)
{
    Result<SqlRows> rows =
        runQuery(m_db, u"cannot finish the sync cursor"_s,
                 u"UPDATE sync_cursors SET completed_at = ?, updated_at = ? WHERE resource = ?"_s,
                 {now, now, resource});
    return rows ? Result<void>() : Result<void>(rows.error());
}

} // namespace billing
