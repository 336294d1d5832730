#include "StripeBackfill.h"

#include "db/WriteTransaction.h"

#include "ProgressLine.h"
#include "billing/SnapshotImporter.h"
#include "common/Clock.h"
#include "db/SyncCursorStore.h"
#include "stripe/StripeListReader.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLocale>
#include <QSqlError>
#include <QThread>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

// A page that fails on the database (the running service holding a lock, a
// PostgreSQL serialization failure, a dropped connection) is tried again,
// after a pause, before the run gives up.
constexpr int kPageAttempts = 3;
constexpr unsigned long kPageRetryPauseMs = 1000;

FormParams listFilters(const QString &resource)
{
    // Without a status Stripe leaves canceled subscriptions out; their end
    // matters too. The customer comes expanded: its email is the tenant's.
    if (resource == u"subscriptions")
        return FormParams{{u"status"_s, u"all"_s}, {u"expand[]"_s, u"data.customer"_s}};
    return {};
}

QString number(qint64 value)
{
    return QLocale::c().toString(value);
}

} // namespace

StripeBackfill::StripeBackfill(Database &database, StripeClient &stripe, const LicenseSigner &signer,
                               PlanCatalog plans, Options options)
    : m_database(database)
    , m_stripe(stripe)
    , m_signer(signer)
    , m_plans(std::move(plans))
    , m_options(options)
{}

QStringList StripeBackfill::resources()
{
    // Subscriptions first: they name their tenant (metadata from the
    // checkout), which links the customers and invoices that follow.
    return {u"subscriptions"_s, u"customers"_s, u"invoices"_s};
}

Result<void> StripeBackfill::importPage(const QString &resource, const QJsonArray &objects,
                                        qint64 snapshotTime, bool last, Counts &counts)
{
    Result<WriteTransaction> transaction = WriteTransaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    QSqlDatabase &db = transaction->db();
    auto rollback = [&transaction](Error error) -> Result<void> {
        return transaction->fail(std::move(error));
    };

    const qint64 now = Clock::system().nowSecondsSinceEpoch();
    SnapshotImporter importer(db, m_signer, m_plans, m_options.pastDueGrace.count(), now);
    Counts page;
    for (const QJsonValue &value : objects) {
        const QJsonObject object = value.toObject();
        Result<SnapshotImporter::Outcome> outcome =
            resource == u"customers"       ? importer.importCustomer(object, snapshotTime)
            : resource == u"subscriptions" ? importer.importSubscription(object, snapshotTime)
                                           : importer.importInvoice(object);
        if (!outcome) {
            return rollback(Error{outcome.error().code, u"%1: %2"_s.arg(object.value(u"id"_s).toString(),
                                                                        outcome.error().message)});
        }
        ++page.read;
        switch (outcome.value()) {
        case SnapshotImporter::Outcome::Applied: ++page.applied; break;
        case SnapshotImporter::Outcome::Unchanged: ++page.unchanged; break;
        case SnapshotImporter::Outcome::Skipped: ++page.skipped; break;
        }
    }
    SyncCursorStore cursors(db);
    if (!objects.isEmpty()) {
        const QJsonObject lastObject = objects.last().toObject();
        if (Result<void> moved = cursors.advance(resource, lastObject.value(u"id"_s).toString(),
                                                 lastObject.value(u"created"_s).toInteger(), page.read, now);
            !moved) {
            return rollback(moved.error());
        }
    }
    if (last) {
        if (Result<void> done = cursors.complete(resource, now); !done)
            return rollback(done.error());
    }
    if (Result<void> committed = transaction->commit(); !committed)
        return committed.error();
    counts.read += page.read;
    counts.applied += page.applied;
    counts.unchanged += page.unchanged;
    counts.skipped += page.skipped;
    return {};
}

int StripeBackfill::run(const QString &resource, CliStreams streams)
{
    Result<QSqlDatabase> connection = m_database.connection();
    if (!connection) {
        streams.err << u"error: "_s << connection.error().message << Qt::endl;
        return ExitFailure;
    }
    SyncCursorStore cursors(connection.value());
    Result<SyncCursorStore::Cursor> cursor = cursors.find(resource);
    if (!cursor) {
        streams.err << u"error: "_s << cursor.error().message << Qt::endl;
        return ExitFailure;
    }
    StripeListReader reader(m_stripe, u"/v1/"_s + resource, listFilters(resource), m_options.pageSize,
                            m_options.rate);
    const bool resuming = cursor->exists && !cursor->completed && !m_options.restart;
    if (resuming) {
        if (!cursor->startingAfter.isEmpty())
            reader.setStartingAfter(cursor->startingAfter);
        streams.out
            << u"%1: resuming the run started %2 after %3 (%4 objects in %5 pages already imported)"_s.arg(
                   resource, QDateTime::fromSecsSinceEpoch(cursor->startedAt, Qt::UTC).toString(Qt::ISODate),
                   cursor->startingAfter.isEmpty() ? u"the start"_s : cursor->startingAfter,
                   number(cursor->objectsApplied), number(cursor->pagesApplied))
            << Qt::endl;
    } else if (Result<void> reset = cursors.restart(resource, Clock::system().nowSecondsSinceEpoch());
               !reset) {
        streams.err << u"error: "_s << reset.error().message << Qt::endl;
        return ExitFailure;
    }

    ProgressLine progress(streams.out);
    Counts counts;
    QElapsedTimer elapsed;
    elapsed.start();
    auto summary = [&](int pages) {
        const double seconds = std::max<qint64>(elapsed.elapsed(), 1) / 1000.0;
        return u"%1: %2 read in %3 pages (%4/s): %5 imported, %6 not newer than what is stored, %7 skipped"_s
            .arg(resource, number(counts.read), number(pages), number(qint64(counts.read / seconds)),
                 number(counts.applied), number(counts.unchanged), number(counts.skipped));
    };
    for (int pages = 1;; ++pages) {
        Result<StripeListReader::Page> page = reader.next();
        if (!page && resuming && pages == 1 && reader.lastError().isResourceMissing() &&
            reader.lastError().param == u"starting_after") {
            // Stripe deleted the object the run stopped after (a customer, a
            // draft invoice): go on from its creation time instead. Objects of
            // that second come again; importing them twice changes nothing.
            streams.out << u"%1: %2 is gone from Stripe; going on from its creation time"_s.arg(
                               resource, cursor->startingAfter)
                        << Qt::endl;
            reader.setStartingAfter({});
            reader.setCreatedAtMost(cursor->startingAfterCreated);
            page = reader.next();
        }
        if (!page) {
            progress.finish(summary(pages - 1));
            streams.err << u"error: "_s << page.error().message << Qt::endl;
            streams.err << u"what was imported stays; run the command again to resume"_s << Qt::endl;
            return ExitFailure;
        }
        Result<void> imported;
        for (int attempt = 1; attempt <= kPageAttempts; ++attempt) {
            if (attempt > 1)
                QThread::msleep(kPageRetryPauseMs);
            imported = importPage(resource, page->data, page->snapshotTime(), !page->hasMore, counts);
            // An object that cannot be imported will not become importable by trying again.
            if (imported || imported.error().code == ErrorCode::InvalidInput)
                break;
        }
        if (!imported) {
            progress.finish(summary(pages - 1));
            streams.err << u"error: "_s << imported.error().message << Qt::endl
                        << u"what was imported before this page stays; run the command again to resume"_s
                        << Qt::endl;
            return ExitFailure;
        }
        if (!page->hasMore) {
            progress.finish(summary(pages));
            return ExitOk;
        }
        progress.update(summary(pages));
    }
}

} // namespace billing::server
