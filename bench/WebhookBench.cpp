// bench_webhooks: how many Stripe events the service makes durable per second.
//
// Starts agencyos-billing-server on a fresh SQLite database, generates N
// distinct invoice.payment_succeeded events (Stripe's sample invoice, ~3 KB),
// signs them as Stripe does, posts them over keep-alive connections at a
// chosen concurrency, and reports events/s and p50/p99 latency. Then it stops
// the service and checks the stored rows against the 200 answers: every
// acknowledged event must be in payment_events, processed, exactly once.
//
// With --refused-every K, every K-th request is signed with another secret,
// as a flood of forged deliveries would be: the figures are then those of
// the valid deliveries among them, and the refusals must all be counted in
// webhook_delivery_failures once the service has stopped.
//
//   bench_webhooks [--events N] [--concurrency N] [--refused-every K]
//   BENCH_SERVER=path runs another build of the service.

#include "HttpLoad.h"
#include "InvoiceEvents.h"
#include "webhook/WebhookSigner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <set>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Durable webhook throughput of agencyos-billing-server"_s);
    parser.addHelpOption();
    parser.addOption({u"events"_s, u"Distinct events to deliver."_s, u"n"_s, u"60000"_s});
    parser.addOption({u"concurrency"_s, u"Keep-alive connections."_s, u"n"_s, u"32"_s});
    parser.addOption({u"refused-every"_s, u"Every k-th request badly signed (0: none)."_s, u"k"_s, u"0"_s});
    parser.process(app);
    const int refusedEvery = std::max(0, parser.value(u"refused-every"_s).toInt());
    const int total = std::max(1, parser.value(u"events"_s).toInt());
    const int concurrency = std::max(1, parser.value(u"concurrency"_s).toInt());
    const QString secret = u"whsec_benchmark/secret"_s;

    const bench::InvoiceEvents events;

    // Payloads and signatures are made before the clock starts.
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    std::vector<QByteArray> requests;
    requests.reserve(size_t(total));
    qint64 payloadBytes = 0;
    int refusedSent = 0;
    for (int i = 0; i < total; ++i) {
        const QByteArray payload = events.payload(i, now);
        payloadBytes += payload.size();
        const bool forged = refusedEvery > 0 && i % refusedEvery == refusedEvery - 1;
        refusedSent += forged ? 1 : 0;
        const QString signingSecret = forged ? u"whsec_forged/secret"_s : secret;
        requests.push_back(bench::httpPost(
            "/payments/stripe/webhook", "application/json; charset=utf-8", payload,
            {{"Stripe-Signature", billing::WebhookSigner::header({signingSecret}, now, payload)},
             {"User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}}));
    }

    QTemporaryDir dir;
    const QProcessEnvironment environment =
        bench::serviceEnvironment(dir.path(), {{u"STRIPE_WEBHOOK_SECRET"_s, secret}});
    QProcess server;
    server.setProcessEnvironment(environment);
    server.setWorkingDirectory(dir.path());
    const QString serverBinary = qEnvironmentVariable("BENCH_SERVER", QStringLiteral(BENCH_SERVER_BINARY));
    const quint16 port = bench::startAndWaitForPort(server, serverBinary, {u"serve"_s, u"--port"_s, u"0"_s});

    const bench::Figures figures =
        bench::drive(port, concurrency, total, [&requests](int i) { return requests[size_t(i)]; });
    const double peakMiB = bench::peakMemoryMiB(server.processId());
    server.terminate();
    server.waitForFinished(10000);

    // The row check: every 200 is a stored, processed event, each once.
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s);
    db.setDatabaseName(dir.filePath(u"billing.sqlite3"_s));
    if (!db.open())
        qFatal("cannot open the benchmark database");
    std::set<QString> stored;
    qint64 rows = 0;
    QSqlQuery query(db);
    query.exec(u"SELECT stripe_event_id FROM payment_events WHERE status = 'processed'"_s);
    while (query.next()) {
        stored.insert(query.value(0).toString());
        ++rows;
    }
    QSqlQuery payments(db);
    payments.exec(u"SELECT COUNT(*) FROM payments"_s);
    payments.next();
    QSqlQuery refusals(db);
    refusals.exec(u"SELECT COUNT(*), SUM(attempts) FROM webhook_delivery_failures"_s);
    refusals.next();
    const qint64 refusalRows = refusals.value(0).toLongLong();
    // An older service logs a row a refusal and has no count.
    const qint64 refusalsCounted = refusals.value(1).isNull() ? refusalRows : refusals.value(1).toLongLong();
    int lost = 0;
    for (int index : figures.acknowledgedIndexes) {
        if (!stored.count(u"evt_bench%1"_s.arg(index, 8, 10, QChar(u'0'))))
            ++lost;
    }

    QTextStream out(stdout);
    out << "bench_webhooks: " << total << " events (" << payloadBytes / total
        << " bytes on average), concurrency " << concurrency << ", SQLite, synchronous=FULL" << Qt::endl;
    out << QString::asprintf("  %.0f events/s   p50 %.2f ms   p99 %.2f ms   non-200 answers %d",
                             figures.perSecond, figures.medianMs, figures.p99Ms,
                             figures.failures - refusedSent)
        << Qt::endl;
    if (refusedSent > 0) {
        out << "  forged deliveries: " << refusedSent << " sent, " << figures.failures << " refused, "
            << refusalsCounted << " counted in " << refusalRows << " row(s)" << Qt::endl;
    }
    out << QString::asprintf("  p99.9 %.2f ms   slowest %.2f ms", figures.p999Ms, figures.maxMs) << Qt::endl;
    out << QString::asprintf("  service peak memory (VmHWM) %.1f MiB", peakMiB) << Qt::endl;
    out << "  row check: " << figures.acknowledged << " acknowledged, " << rows << " processed rows, "
        << payments.value(0).toLongLong() << " payments, " << lost << " acknowledged but missing, "
        << (rows - qint64(stored.size())) << " duplicates" << Qt::endl;
    return lost == 0 && rows == figures.acknowledged && figures.failures == refusedSent &&
                   refusalsCounted == refusedSent
               ? 0
               : 1;
}
