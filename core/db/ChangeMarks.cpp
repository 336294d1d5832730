#include "ChangeMarks.h"

#include "SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

const QStringList &ChangeMarks::trackedTables()
{
    // The triggers of migrations 018 and 019 cover exactly these.
    static const QStringList tables{u"payment_events"_s,
                                    u"tenants"_s,
                                    u"customers"_s,
                                    u"subscriptions"_s,
                                    u"invoices"_s,
                                    u"payments"_s,
                                    u"licenses"_s,
                                    u"audit_log"_s,
                                    u"notification_outbox"_s,
                                    u"webhook_delivery_failures"_s};
    return tables;
}

Result<ChangeMarks::Reading> ChangeMarks::read()
{
    // One row a table and writer; a handful of rows on any installation.
    Result<SqlRows> rows = runQuery(
        m_db, u"cannot read the change marks"_s,
        u"SELECT table_name, CAST(SUM(generation) AS BIGINT) FROM change_marks GROUP BY table_name"_s);
    if (!rows)
        return rows.error();
    const QStringList &tables = trackedTables();
    Reading reading(tables.size(), 0);
    while (rows->next()) {
        // A table no connection wrote yet has no row on PostgreSQL: 0.
        const qsizetype index = tables.indexOf(rows->value(0).toString());
        if (index >= 0)
            reading[index] = rows->value(1).toLongLong();
    }
    return reading;
}

Result<void> ChangeMarks::compact(SqlDialect dialect)
{
    if (dialect != SqlDialect::Postgres)
        return {};
    // One statement: the rows taken out and the sums put back commit together.
    Result<SqlRows> folded = runQuery(
        m_db, u"cannot compact the change marks"_s,
        u"WITH gone AS (DELETE FROM change_marks WHERE writer <> 0 AND writer NOT IN "
        "(SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL) RETURNING table_name, generation) "
        "INSERT INTO change_marks (table_name, writer, generation) "
        "SELECT table_name, 0, SUM(generation) FROM gone GROUP BY table_name "
        "ON CONFLICT (table_name, writer) DO UPDATE SET generation = change_marks.generation + excluded.generation"_s);
    return folded ? Result<void>() : Result<void>(folded.error());
}

QStringList ChangeMarks::changedTables(const Reading &before, const Reading &after)
{
    QStringList changed;
    const QStringList &tables = trackedTables();
    for (qsizetype i = 0; i < tables.size() && i < before.size() && i < after.size(); ++i) {
        if (before[i] != after[i])
            changed << tables[i];
    }
    return changed;
}

bool ChangeMarks::isNewer(const Reading &earlier, const Reading &later)
{
    if (earlier.size() != later.size())
        return false;
    bool higher = false;
    for (qsizetype i = 0; i < later.size(); ++i) {
        if (later[i] < earlier[i])
            return false;
        higher = higher || later[i] > earlier[i];
    }
    return higher;
}

} // namespace billing
