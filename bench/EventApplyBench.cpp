// bench_event_apply: the CPU each webhook costs its two threads, measured alone.
//
// bench_webhooks measures the whole service, load generator included, on two
// cores shared by everything, so its figures move by ±10 % from run to run.
// This one times the two halves of a delivery in one process, on thread CPU
// clocks, to tell whether a change to either made it cheaper:
//   admit: parse and check an event, as the HTTP thread does for each delivery;
//   apply: store and apply batches of events in one transaction each on a fresh
//          SQLite database (synchronous=FULL), as the event worker does.
// Events are the same ~3 KB invoice.payment_succeeded as bench_webhooks'.
//
//   bench_event_apply [--events N] [--batch N] [--rounds N]

#include "InvoiceEvents.h"
#include "billing/EventProcessor.h"
#include "db/MigrationCatalog.h"
#include "db/Migrator.h"
#include "license/LicenseSigner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <chrono>
#include <ctime>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

double threadCpuSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

double wallSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

QList<QByteArray> invoicePaidEvents(const bench::InvoiceEvents &events, int count, int round)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<QByteArray> payloads;
    payloads.reserve(count);
    for (int i = 0; i < count; ++i)
        payloads.append(events.payload(round * count + i, now));
    return payloads;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"CPU per webhook event: admission and batched application"_s);
    parser.addHelpOption();
    parser.addOption({u"events"_s, u"Events per round."_s, u"n"_s, u"20000"_s});
    parser.addOption({u"batch"_s, u"Events per transaction."_s, u"n"_s, u"64"_s});
    parser.addOption({u"rounds"_s, u"Rounds; the best is reported."_s, u"n"_s, u"3"_s});
    parser.process(app);
    const int count = std::max(1, parser.value(u"events"_s).toInt());
    const int batchSize = std::max(1, parser.value(u"batch"_s).toInt());
    const int rounds = std::max(1, parser.value(u"rounds"_s).toInt());

    QTemporaryDir dir;
    Database database(DatabaseUrl::sqliteFile(dir.filePath(u"billing.sqlite3"_s)));
    if (Result<QList<Migration>> migrated = Migrator(database, MigrationCatalog::builtIn().value()).migrate();
        !migrated) {
        qFatal("cannot migrate: %s", qPrintable(migrated.error().message));
    }
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(dir.filePath(u"license-key.pem"_s));
    if (!signer)
        qFatal("cannot create the licence key: %s", qPrintable(signer.error().message));
    EventProcessor processor(database, signer.value(), PlanCatalog(PlanPrices{}),
                             {StripeMode::Test, u"2025-03-31.basil"_s, std::chrono::hours(24 * 7)});

    const bench::InvoiceEvents events;
    double bestAdmit = 1e9;
    double bestApply = 1e9;
    double bestWall = 1e9;
    for (int round = 0; round < rounds; ++round) {
        const QList<QByteArray> payloads = invoicePaidEvents(events, count, round);
        QList<EventProcessor::Admitted> admitted(count);
        const double admitStart = threadCpuSeconds();
        for (int i = 0; i < count; ++i) {
            if (processor.admit({payloads[i], 0}, &admitted[i]))
                qFatal("event %d was refused", i);
        }
        bestAdmit = std::min(bestAdmit, (threadCpuSeconds() - admitStart) / count);

        const double applyStart = threadCpuSeconds();
        const double wallStart = wallSeconds();
        for (int first = 0; first < count; first += batchSize) {
            const QList<EventProcessor::Report> reports = processor.apply(admitted.mid(first, batchSize));
            for (const EventProcessor::Report &report : reports) {
                if (report.outcome != EventProcessor::Outcome::Processed)
                    qFatal("%s: %s", qPrintable(report.eventId), qPrintable(report.message));
            }
        }
        bestApply = std::min(bestApply, (threadCpuSeconds() - applyStart) / count);
        bestWall = std::min(bestWall, (wallSeconds() - wallStart) / count);
    }

    QTextStream out(stdout);
    out << "bench_event_apply: " << count << " events a round, batches of " << batchSize << ", best of "
        << rounds << " rounds, SQLite, synchronous=FULL" << Qt::endl;
    out << QString::asprintf("  admit (HTTP thread)   %6.1f us CPU per event", bestAdmit * 1e6) << Qt::endl;
    out << QString::asprintf("  apply (event worker)  %6.1f us CPU per event, %6.1f us wall (%.0f events/s)",
                             bestApply * 1e6, bestWall * 1e6, 1.0 / bestWall)
        << Qt::endl;
    return 0;
}
