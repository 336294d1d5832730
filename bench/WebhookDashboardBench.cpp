// bench_webhooks_dashboard: do staff browsing a large history delay Stripe's
// deliveries? (#17)
//
// On the scale database of bench_dashboard (1,000,000 events, seeded once and
// copied for each run), starts agencyos-billing-server, delivers N webhooks
// alone, then N more while D simulated dashboards page through the events and
// subscriptions lists (100 rows a page, following next_cursor, --think-ms
// between pages) and poll the summary every second. Prints the webhooks' p99 alone and under the
// dashboards' load in the same run (target: at most 1.5 times), and the
// dashboards' page latencies.
//
//   bench_webhooks_dashboard [--db PATH] [--events N] [--concurrency N] [--dashboards N] [--think-ms MS]
//   BENCH_SERVER=path runs another build of the service.

#include "HttpLoad.h"
#include "InvoiceEvents.h"
#include "ScaleSeed.h"
#include "db/Database.h"
#include "db/StaffStore.h"
#include "db/WalCheckpointer.h"
#include "webhook/WebhookSigner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

// One dashboard: pages through events, then subscriptions, 20 pages each,
// over and over, and asks for the summary once a second.
class DashboardClient final : public QObject
{
public:
    DashboardClient(const QString &base, const QByteArray &token, int thinkMs, QObject *parent)
        : QObject(parent)
        , m_base(base)
        , m_token(token)
        , m_thinkMs(thinkMs)
    {
        connect(&m_summaryTimer, &QTimer::timeout, this, [this] { get(u"/summary"_s, false); });
    }

    void start()
    {
        m_summaryTimer.start(1000);
        nextPage();
    }
    void stop()
    {
        m_stopped = true;
        m_summaryTimer.stop();
    }
    std::vector<double> pageMs;
    std::vector<double> summaryMs;
    int errors = 0;

private:
    void nextPage()
    {
        if (m_stopped)
            return;
        if (m_pages == 20) {
            m_pages = 0;
            m_cursor.clear();
            m_list = m_list == u"/events"_s ? u"/subscriptions"_s : u"/events"_s;
        }
        QString path = m_list + u"?limit=100"_s;
        if (!m_cursor.isEmpty())
            path += u"&cursor="_s + m_cursor;
        get(path, true);
    }

    void get(const QString &path, bool page)
    {
        QNetworkRequest request(QUrl(m_base + path));
        request.setRawHeader("Authorization", "Bearer " + m_token);
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        QNetworkReply *reply = m_network.get(request);
        connect(reply, &QNetworkReply::finished, this, [this, reply, timer, page] {
            const double ms = double(timer->nsecsElapsed()) / 1e6;
            reply->deleteLater();
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) {
                ++errors;
            } else if (page) {
                pageMs.push_back(ms);
                const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
                m_cursor = body.value(u"next_cursor"_s).toString();
                ++m_pages;
                if (m_cursor.isEmpty())
                    m_pages = 20;
            } else {
                summaryMs.push_back(ms);
            }
            if (page)
                QTimer::singleShot(m_thinkMs, this, [this] { nextPage(); });
        });
    }

    QNetworkAccessManager m_network{this};
    QTimer m_summaryTimer{this}; // a child, so that it moves to the clients' thread
    QString m_base;
    QByteArray m_token;
    int m_thinkMs = 0;
    QString m_list = u"/events"_s;
    QString m_cursor;
    int m_pages = 0;
    bool m_stopped = false;
};

// The log file's largest size, sampled every 20 ms: a reader at idle
// priority that is starved keeps its snapshot, and the log cannot start over
// behind it. takePeak() gives the peak since the last call.
class LogSizeSampler final
{
public:
    explicit LogSizeSampler(const QString &logPath)
        : m_thread([this, logPath] {
            while (!m_stop.load()) {
                const qint64 size = QFileInfo(logPath).size();
                qint64 peak = m_peak.load();
                while (size > peak && !m_peak.compare_exchange_weak(peak, size)) {
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        })
    {}
    ~LogSizeSampler()
    {
        m_stop = true;
        m_thread.join();
    }
    qint64 takePeak() { return m_peak.exchange(0); }

private:
    std::atomic<bool> m_stop{false};
    std::atomic<qint64> m_peak{0};
    std::thread m_thread;
};

double percentile(std::vector<double> samples, double fraction)
{
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    return samples[std::min(samples.size() - 1, size_t(double(samples.size()) * fraction))];
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Webhook latency with and without dashboards reading"_s);
    parser.addHelpOption();
    parser.addOption({u"db"_s, u"The scale SQLite file (seeded once, as bench_dashboard does)."_s, u"path"_s,
                      QDir::temp().filePath(u"agencyos-billing-scale/billing.sqlite3"_s)});
    parser.addOption({u"events"_s, u"Webhooks in each phase."_s, u"n"_s, u"20000"_s});
    parser.addOption({u"concurrency"_s, u"Webhook connections."_s, u"n"_s, u"32"_s});
    parser.addOption({u"dashboards"_s, u"Simulated dashboards."_s, u"n"_s, u"8"_s});
    parser.addOption(
        {u"think-ms"_s, u"Pause between a dashboard's pages (0: back to back)."_s, u"ms"_s, u"100"_s});
    parser.process(app);
    const int total = std::max(1, parser.value(u"events"_s).toInt());
    const int concurrency = std::max(1, parser.value(u"concurrency"_s).toInt());
    const int dashboards = std::max(1, parser.value(u"dashboards"_s).toInt());
    const int thinkMs = std::max(0, parser.value(u"think-ms"_s).toInt());
    const QString seeded = parser.value(u"db"_s);
    const QString secret = u"whsec_benchmark/secret"_s;
    QTextStream out(stdout);

    QDir().mkpath(QFileInfo(seeded).absolutePath());
    QString error;
    if (!bench::seedScaleDatabase(seeded, bench::ScaleCounts{}, &error))
        qFatal("seeding failed: %s", qPrintable(error));
    // A copy: the run writes to it.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"billing.sqlite3"_s);
    if (!QFile::copy(seeded, path))
        qFatal("cannot copy %s", qPrintable(seeded));
    // On the disk before the service starts: the copy's writeback (~1 GB)
    // would otherwise run under the first phase and delay its commits.
    {
        QFile copy(path);
        if (!copy.open(QIODevice::ReadWrite) || ::fsync(copy.handle()) != 0)
            qFatal("cannot sync the copy %s", qPrintable(path));
    }
    // The installation's licence signing key, recorded in the database by the
    // service that first ran on the seed: this run signs with it too.
    const QString keyFile = u"license-signing-key.pem"_s;
    if (QFile::exists(QFileInfo(seeded).absoluteDir().filePath(keyFile)) &&
        !QFile::copy(QFileInfo(seeded).absoluteDir().filePath(keyFile), dir.filePath(keyFile)))
        qFatal("cannot copy the licence signing key");
    QByteArray token;
    {
        billing::Database database(billing::DatabaseUrl::sqliteFile(path));
        billing::Result<QString> made = billing::StaffStore(database).add(u"bench"_s);
        if (!made)
            qFatal("cannot add a staff member: %s", qPrintable(made.error().message));
        token = made->toLatin1();
    }

    const bench::InvoiceEvents events;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    std::vector<QByteArray> requests;
    for (int i = 0; i < 2 * total; ++i) {
        const QByteArray payload = events.payload(i, now);
        requests.push_back(
            bench::httpPost("/payments/stripe/webhook", "application/json; charset=utf-8", payload,
                            {{"Stripe-Signature", billing::WebhookSigner::header({secret}, now, payload)}}));
    }

    QProcess server;
    server.setProcessEnvironment(
        bench::serviceEnvironment(dir.path(), {{u"STRIPE_WEBHOOK_SECRET"_s, secret},
                                               {u"BILLING_DATABASE_URL"_s, u"sqlite://"_s + path}}));
    server.setWorkingDirectory(dir.path());
    const QString serverBinary = qEnvironmentVariable("BENCH_SERVER", QStringLiteral(BENCH_SERVER_BINARY));
    const quint16 port = bench::startAndWaitForPort(server, serverBinary, {u"serve"_s, u"--port"_s, u"0"_s});

    const QString logPath = path + u"-wal"_s;
    LogSizeSampler logSize(logPath);
    logSize.takePeak(); // what the start left
    const bench::Figures alone =
        bench::drive(port, concurrency, total, [&requests](int i) { return requests[size_t(i)]; });
    const qint64 logPeakAlone = logSize.takePeak();

    // Both phases start from the same state: the first one's log copied and
    // emptied (the service's checkpointer does it once writes stop), not
    // still being copied under the second phase's commits.
    const auto logEmptied = [&logPath] {
        return QFileInfo(logPath).size() <= billing::WalCheckpointer::Options{}.truncateAboveBytes;
    };
    QElapsedTimer emptying;
    emptying.start();
    while (!logEmptied() && emptying.elapsed() < 60000)
        QThread::msleep(100);
    const double emptiedAfterS = double(emptying.elapsed()) / 1000;
    if (!logEmptied())
        out << "warning: the service did not empty the log within 60 s; the second phase starts anyway"
            << Qt::endl;

    // The dashboards run on a thread of their own: drive() holds this one.
    QThread clientThread;
    QObject clientRoot;
    QList<DashboardClient *> clients;
    for (int i = 0; i < dashboards; ++i)
        clients << new DashboardClient(u"http://127.0.0.1:%1/admin/v1"_s.arg(port), token, thinkMs,
                                       &clientRoot);
    clientRoot.moveToThread(&clientThread);
    // The dashboards stand for staff machines elsewhere: here they share the
    // two cores with the service and the load generator, and their parsing of
    // each page would be counted as the service's delay. At idle priority they
    // take only CPU both leave. Each asks for its next page once the last has
    // come, so slower pages mean fewer pages: their count is printed.
    clientThread.start(QThread::IdlePriority);
    for (DashboardClient *client : std::as_const(clients))
        QMetaObject::invokeMethod(client, [client] { client->start(); });
    QThread::msleep(1000); // the dashboards are paging before the webhooks start

    logSize.takePeak(); // the pauses before this phase
    const bench::Figures loaded = bench::drive(
        port, concurrency, total, [&requests, total](int i) { return requests[size_t(total + i)]; });
    const qint64 logPeakLoaded = logSize.takePeak();

    for (DashboardClient *client : std::as_const(clients))
        QMetaObject::invokeMethod(
            client, [client] { client->stop(); }, Qt::BlockingQueuedConnection);
    QThread::msleep(500);
    std::vector<double> pages;
    std::vector<double> summaries;
    int clientErrors = 0;
    double slowestPageMs = 0;
    std::size_t slowestPageNumber = 0; // 1: a dashboard's first page
    QMetaObject::invokeMethod(
        &clientRoot,
        [&] {
            for (DashboardClient *client : std::as_const(clients)) {
                for (std::size_t i = 0; i < client->pageMs.size(); ++i) {
                    if (client->pageMs[i] > slowestPageMs) {
                        slowestPageMs = client->pageMs[i];
                        slowestPageNumber = i + 1;
                    }
                }
                pages.insert(pages.end(), client->pageMs.begin(), client->pageMs.end());
                summaries.insert(summaries.end(), client->summaryMs.begin(), client->summaryMs.end());
                clientErrors += client->errors;
            }
            qDeleteAll(clients);
        },
        Qt::BlockingQueuedConnection);
    clientThread.quit();
    clientThread.wait();
    server.terminate();
    server.waitForFinished(10000);

    out << "bench_webhooks_dashboard: " << total << " webhooks a phase, concurrency " << concurrency << ", "
        << dashboards << " dashboards (" << thinkMs
        << " ms between pages), SQLite scale database (1,000,000 events)" << Qt::endl;
    out << QString::asprintf("  webhooks alone:           %6.0f events/s   p50 %6.2f ms   p99 %6.2f ms   "
                             "p99.9 %6.2f ms   non-200 %d",
                             alone.perSecond, alone.medianMs, alone.p99Ms, alone.p999Ms, alone.failures)
        << Qt::endl;
    out << QString::asprintf("  webhooks with dashboards: %6.0f events/s   p50 %6.2f ms   p99 %6.2f ms   "
                             "p99.9 %6.2f ms   non-200 %d",
                             loaded.perSecond, loaded.medianMs, loaded.p99Ms, loaded.p999Ms, loaded.failures)
        << Qt::endl;
    out << QString::asprintf("  p99 ratio: %.2f (target at most 1.5)",
                             alone.p99Ms > 0 ? loaded.p99Ms / alone.p99Ms : 0)
        << Qt::endl;
    out << QString::asprintf(
               "  dashboard pages: %zu   p50 %.1f ms   p99 %.1f ms   summaries %zu   p50 %.1f ms   "
               "errors %d",
               pages.size(), percentile(pages, 0.5), percentile(pages, 0.99), summaries.size(),
               percentile(summaries, 0.5), clientErrors)
        << Qt::endl;
    out << QString::asprintf("  slowest page %.1f ms (page %zu of its dashboard)   slowest summary %.1f ms",
                             slowestPageMs, slowestPageNumber,
                             summaries.empty() ? 0.0 : *std::max_element(summaries.begin(), summaries.end()))
        << Qt::endl;
    out << QString::asprintf(
               "  log file's peak: %.1f MB alone, %.1f MB with dashboards (emptied %.1f s after "
               "the first phase)",
               double(logPeakAlone) / 1e6, double(logPeakLoaded) / 1e6, emptiedAfterS)
        << Qt::endl;
    return alone.failures == 0 && loaded.failures == 0 && clientErrors == 0 ? 0 : 1;
}
