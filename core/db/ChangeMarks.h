#pragma once

#include "Database.h"

#include <QList>

namespace billing {

// change_marks (migrations 017 to 019): for each table the dashboard lists, a
// number that grows with every committed insert, update or delete of it, from
// any instance or process, in whatever order transactions commit. Comparing
// two readings says exactly which tables changed in between.
class ChangeMarks final
{
public:
    // In trackedTables() order.
    using Reading = QList<qint64>;

    explicit ChangeMarks(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    static const QStringList &trackedTables();

    Result<Reading> read();
    // PostgreSQL: folds the counters of connections that are gone into one
    // row a table (writer 0), keeping every sum, so the table holds a row a
    // table for each live connection rather than for each that ever wrote.
    // Nothing to do on SQLite.
    Result<void> compact(SqlDialect dialect);
    // The tables whose marks differ between two readings of the same size.
    static QStringList changedTables(const Reading &before, const Reading &after);
    // Whether `later` shows a change since `earlier`: no mark lower, one
    // higher. Two readers can hand back readings out of order; the older one
    // (every mark lower or equal) is not news.
    static bool isNewer(const Reading &earlier, const Reading &later);

private:
    QSqlDatabase m_db;
};

} // namespace billing
