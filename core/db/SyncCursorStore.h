#pragma once

#include "Database.h"

namespace billing {

// sync_cursors: how far a backfill of one Stripe list (customers,
// subscriptions, invoices) has come. Works inside the caller's transaction, so
// a page's objects and the cursor past them are committed together.
class SyncCursorStore final
{
public:
    struct Cursor
    {
        bool exists = false;
        QString startingAfter;           // empty: from the top of the list
        qint64 startingAfterCreated = 0; // that object's created time
        qint64 objectsApplied = 0;
        qint64 pagesApplied = 0;
        qint64 startedAt = 0;
        bool completed = false;
    };

    explicit SyncCursorStore(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    Result<Cursor> find(const QString &resource);
    // Starts the list over from the top (a first run, a finished one, or --restart).
    Result<void> restart(const QString &resource, qint64 now);
    // A page was applied: the next one starts after its last object.
    Result<void> advance(const QString &resource, const QString &lastObjectId, qint64 lastObjectCreated,
                         qint64 objects, qint64 now);
    Result<void> complete(const QString &resource, qint64 now);

private:
    QSqlDatabase m_db;
};

} // namespace billing
