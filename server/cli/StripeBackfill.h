#pragma once

#include "CliCommand.h"
#include "billing/PlanCatalog.h"
#include "db/Database.h"
#include "license/LicenseSigner.h"
#include "stripe/StripeClient.h"

#include <chrono>

namespace billing::server {

// `sync customers|subscriptions|invoices`: reads one of Stripe's lists to its
// end and imports every object (SnapshotImporter). Each page is imported in
// one transaction together with the list cursor (sync_cursors), so a run that
// is interrupted — killed, network down, Stripe refusing — resumes after the
// last page it committed; nothing is imported twice or skipped.
class StripeBackfill final
{
public:
    struct Options
    {
        int pageSize = 100;
        int rate = 20;        // Stripe requests per second at most
        bool restart = false; // ignore an unfinished run's cursor
        std::chrono::seconds pastDueGrace{7 * 24 * 3600};
    };

    StripeBackfill(Database &database, StripeClient &stripe, const LicenseSigner &signer, PlanCatalog plans,
                   Options options);

    static QStringList resources(); // subscriptions, customers, invoices: the order `all` runs them in

    // Returns an ExitCode; prints progress to out and what went wrong to err.
    int run(const QString &resource, CliStreams streams);

private:
    struct Counts
    {
        qint64 read = 0;
        qint64 applied = 0;
        qint64 unchanged = 0;
        qint64 skipped = 0;
    };

    // Imports one page and moves the cursor past it, in one transaction.
    Result<void> importPage(const QString &resource, const QJsonArray &objects, qint64 snapshotTime,
                            bool last, Counts &counts);

    Database &m_database;
    StripeClient &m_stripe;
    const LicenseSigner &m_signer;
    PlanCatalog m_plans;
    Options m_options;
};

} // namespace billing::server
