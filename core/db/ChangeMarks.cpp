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

} // namespace billing
