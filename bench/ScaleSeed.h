#pragma once

#include <QString>

// Fills a SQLite database with a large, realistic billing history for the
// dashboard's scale benchmark: tenants and customers, subscriptions across
// the plans and statuses, their licences, invoices, payments, and events.
namespace bench {

struct ScaleCounts
{
    qint64 events = 1'000'000;
    qint64 subscriptions = 100'000;
    qint64 invoices = 300'000;
};

// Migrates and seeds `path` unless it already holds this seed (a marker
// table records the counts). Returns false with a message on failure.
bool seedScaleDatabase(const QString &path, const ScaleCounts &counts, QString *error);

} // namespace bench
