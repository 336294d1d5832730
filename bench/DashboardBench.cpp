// bench_dashboard: the admin API and the dashboard on a large billing history.
//
// Seeds (once, then reuses) a SQLite database with 1,000,000 events, 100,000
// subscriptions and 300,000 invoices, starts agencyos-billing-server on it and
// times what the dashboard asks for: first pages, filters by type and tenant,
// deep pages, the summary. With the GUI built it also opens the dashboard's
// main window on it (offscreen) and reports the time to the first page of
// events, the longest GUI-thread stall while scrolling to the end, and memory.
//
//   bench_dashboard [--db PATH] [--events N] [--subscriptions N] [--invoices N] [--scroll-pages N]

#include "HttpLoad.h"
#include "ScaleSeed.h"
#include "db/Database.h"
#include "db/StaffStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTextStream>

#ifdef BENCH_WITH_GUI
#include "DashboardScroll.h"

#include <QApplication>
#endif

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

struct Timing
{
    double firstMs = 0;
    double medianMs = 0;
    int status = 0;
    int rows = 0;
};

Timing timeGet(QNetworkAccessManager &network, const QUrl &url, const QByteArray &token, int repeats = 5)
{
    Timing timing;
    std::vector<double> samples;
    for (int i = 0; i < repeats; ++i) {
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + token);
        QElapsedTimer timer;
        timer.start();
        QNetworkReply *reply = network.get(request);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        timing.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        timing.rows = int(body.count("\"id\":"));
        reply->deleteLater();
        if (i == 0)
            timing.firstMs = ms;
        samples.push_back(ms);
    }
    std::sort(samples.begin(), samples.end());
    timing.medianMs = samples[samples.size() / 2];
    return timing;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");
#ifdef BENCH_WITH_GUI
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
#else
    QCoreApplication app(argc, argv);
#endif
    QCommandLineParser parser;
    parser.setApplicationDescription(u"The admin API and the dashboard on a large billing history"_s);
    parser.addHelpOption();
    parser.addOption({u"db"_s, u"SQLite file to seed and reuse."_s, u"path"_s,
                      QDir::temp().filePath(u"agencyos-billing-scale/billing.sqlite3"_s)});
    parser.addOption({u"events"_s, u"Events to seed."_s, u"n"_s, u"1000000"_s});
    parser.addOption({u"subscriptions"_s, u"Subscriptions to seed."_s, u"n"_s, u"100000"_s});
    parser.addOption({u"invoices"_s, u"Invoices to seed."_s, u"n"_s, u"300000"_s});
    parser.addOption({u"scroll-pages"_s, u"Pages of events the dashboard scrolls through (0: to the end)."_s,
                      u"n"_s, u"0"_s});
    parser.process(app);
    const QString path = parser.value(u"db"_s);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QTextStream out(stdout);

    bench::ScaleCounts counts;
    counts.events = parser.value(u"events"_s).toLongLong();
    counts.subscriptions = std::max<qint64>(1, parser.value(u"subscriptions"_s).toLongLong());
    counts.invoices = parser.value(u"invoices"_s).toLongLong();
    out << "bench_dashboard: " << counts.events << " events, " << counts.subscriptions << " subscriptions, "
        << counts.invoices << " invoices in " << path << Qt::endl;
    QString error;
    if (!bench::seedScaleDatabase(path, counts, &error))
        qFatal("seeding failed: %s", qPrintable(error));

    QByteArray token;
    {
        billing::Database database(billing::DatabaseUrl::sqliteFile(path));
        billing::StaffStore staff(database);
        const QString name = u"bench-%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
        billing::Result<QString> made = staff.add(name);
        if (!made)
            qFatal("cannot add a staff member: %s", qPrintable(made.error().message));
        token = made->toLatin1();
    }

    const QProcessEnvironment environment = bench::serviceEnvironment(
        QFileInfo(path).absolutePath(),
        {{u"BILLING_DATABASE_URL"_s, u"sqlite://"_s + QFileInfo(path).absoluteFilePath()}});
    QProcess server;
    server.setProcessEnvironment(environment);
    server.setWorkingDirectory(QFileInfo(path).absolutePath());
    const quint16 port = bench::startAndWaitForPort(server, QStringLiteral(BENCH_SERVER_BINARY),
                                                    {u"serve"_s, u"--port"_s, u"0"_s});
    const QString base = u"http://127.0.0.1:%1/admin/v1"_s.arg(port);

    QNetworkAccessManager network;
    const QList<std::pair<QString, QString>> requests = {
        {u"events, first page"_s, u"/events?limit=100"_s},
        {u"events by type"_s, u"/events?limit=100&type=invoice.payment_failed"_s},
        {u"events by status (failed)"_s, u"/events?limit=100&status=failed"_s},
        {u"events by id prefix"_s, u"/events?limit=100&q=evt_scale0054"_s},
        {u"events by object (tenant's invoice)"_s, u"/events?limit=100&q=in_scale00012345"_s},
        {u"events, oldest first"_s, u"/events?limit=100&sort=created"_s},
        {u"subscriptions, first page"_s, u"/subscriptions?limit=100"_s},
        {u"subscriptions by tenant"_s, u"/subscriptions?tenant=tenant_054321"_s},
        {u"subscriptions by status"_s, u"/subscriptions?limit=100&status=past_due"_s},
        {u"invoices, first page"_s, u"/invoices?limit=100"_s},
        {u"invoices by tenant"_s, u"/invoices?tenant=tenant_054321"_s},
        {u"invoices, failed or past due"_s, u"/invoices?limit=100&problem=1"_s},
        {u"licences by tenant"_s, u"/licenses?tenant=tenant_054321"_s},
        {u"licences suspended"_s, u"/licenses?limit=100&status=suspended"_s},
        {u"tenant detail"_s, u"/tenants/tenant_054321"_s},
        {u"summary"_s, u"/summary"_s},
    };
    out << "  admin API (first call / median of 5, ms):" << Qt::endl;
    double worstFilterMs = 0;
    for (const auto &[name, pathAndQuery] : requests) {
        const Timing timing = timeGet(network, QUrl(base + pathAndQuery), token);
        out << QString::asprintf("    %-38s %7.1f / %7.1f  (HTTP %d, %d rows)", qPrintable(name),
                                 timing.firstMs, timing.medianMs, timing.status, timing.rows)
            << Qt::endl;
        if (name.contains(u" by "))
            worstFilterMs = std::max(worstFilterMs, timing.firstMs);
    }
    out << QString::asprintf("  slowest filter by type or tenant (first call): %.1f ms (target 300 ms)",
                             worstFilterMs)
        << Qt::endl;

#ifdef BENCH_WITH_GUI
    const bench::ScrollFigures scroll =
        bench::scrollDashboard(QUrl(u"http://127.0.0.1:%1"_s.arg(port)), QString::fromLatin1(token),
                               parser.value(u"scroll-pages"_s).toInt());
    out << QString::asprintf("  dashboard: first page of events shown %.0f ms after the window was created "
                             "(target 1000 ms)",
                             scroll.firstPageMs)
        << Qt::endl;
    out << QString::asprintf(
               "  dashboard: scrolled %lld rows in %d pages in %.1f s; longest GUI-thread stall "
               "%.1f ms (target 50 ms)",
               scroll.rows, scroll.pages, scroll.seconds, scroll.longestStallMs)
        << Qt::endl;
    out << QString::asprintf(
               "  dashboard memory (VmHWM of this process, seeding excluded when reused): %.1f MiB "
               "(target 300 MiB)",
               bench::peakMemoryMiB(QCoreApplication::applicationPid()))
        << Qt::endl;
#endif
    out << QString::asprintf("  service peak memory (VmHWM) %.1f MiB",
                             bench::peakMemoryMiB(server.processId()))
        << Qt::endl;
    server.terminate();
    server.waitForFinished(10000);
    return 0;
}
