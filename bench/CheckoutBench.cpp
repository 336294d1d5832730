// bench_checkout: how fast the service sells, and what it adds to Stripe's time.
//
// Starts the Stripe emulator and agencyos-billing-server as child processes on
// free loopback ports, then drives POST /payments/stripe/checkout at a chosen
// concurrency over keep-alive connections. It measures the emulator's own
// answer time for the same Stripe call (POST /v1/checkout/sessions, sent
// directly) and reports checkouts/s and the latency the service adds on top.
//
//   bench_checkout [--concurrency N] [--requests N]

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

const QByteArray kStripeKey = "sk_test_benchmark0000000000000000"_ba;
const QByteArray kApiToken = "bench-token-0123456789abcdef0123456789abcdef"_ba;

// One keep-alive HTTP/1.1 connection sending the same request over and over.
class Connection final : public QObject
{
    Q_OBJECT

public:
    Connection(quint16 port, QByteArray request, QObject *parent)
        : QObject(parent)
        , m_port(port)
        , m_request(std::move(request))
    {
        connect(&m_socket, &QTcpSocket::readyRead, this, &Connection::onReadyRead);
        connect(&m_socket, &QTcpSocket::connected, this, &Connection::sendOne);
    }

    void start(int count)
    {
        m_remaining = count;
        m_socket.connectToHost(QHostAddress::LocalHost, m_port);
    }

    std::vector<qint64> latenciesNs;
    int failures = 0;

Q_SIGNALS:
    void done();

private:
    void sendOne()
    {
        if (m_remaining-- <= 0) {
            m_socket.disconnectFromHost();
            Q_EMIT done();
            return;
        }
        m_buffer.clear();
        m_timer.start();
        m_socket.write(m_request);
    }

    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        static const QRegularExpression lengthPattern(u"content-length:\\s*(\\d+)"_s,
                                                      QRegularExpression::CaseInsensitiveOption);
        const QString headers = QString::fromLatin1(m_buffer.left(headerEnd));
        const qsizetype length = lengthPattern.match(headers).captured(1).toLongLong();
        if (m_buffer.size() < headerEnd + 4 + length)
            return;
        latenciesNs.push_back(m_timer.nsecsElapsed());
        if (!m_buffer.startsWith("HTTP/1.1 200"))
            ++failures;
        sendOne();
    }

    quint16 m_port;
    QByteArray m_request;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QElapsedTimer m_timer;
    int m_remaining = 0;
};

struct Figures
{
    double perSecond = 0;
    double medianMs = 0;
    double p99Ms = 0;
    int failures = 0;
};

Figures drive(quint16 port, const QByteArray &request, int concurrency, int requests)
{
    std::vector<std::unique_ptr<Connection>> connections;
    int finished = 0;
    QEventLoop loop;
    QElapsedTimer wall;
    wall.start();
    for (int i = 0; i < concurrency; ++i) {
        auto connection = std::make_unique<Connection>(port, request, nullptr);
        QObject::connect(connection.get(), &Connection::done, &loop, [&] {
            if (++finished == concurrency)
                loop.quit();
        });
        connection->start(requests / concurrency);
        connections.push_back(std::move(connection));
    }
    loop.exec();
    const double seconds = double(wall.nsecsElapsed()) / 1e9;

    std::vector<qint64> all;
    Figures figures;
    for (const auto &connection : connections) {
        all.insert(all.end(), connection->latenciesNs.begin(), connection->latenciesNs.end());
        figures.failures += connection->failures;
    }
    std::sort(all.begin(), all.end());
    figures.perSecond = double(all.size()) / seconds;
    figures.medianMs = all.empty() ? 0 : double(all[all.size() / 2]) / 1e6;
    figures.p99Ms = all.empty() ? 0 : double(all[std::min(all.size() - 1, all.size() * 99 / 100)]) / 1e6;
    return figures;
}

// Starts a child and returns the port it reports in its "listening on" line.
quint16 startAndWaitForPort(QProcess &process, const QString &program, const QStringList &arguments)
{
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(program, arguments);
    static const QRegularExpression listening(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
    QString output;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000) {
        if (!process.waitForReadyRead(200) && process.state() != QProcess::Running)
            break;
        output += QString::fromUtf8(process.readAllStandardOutput());
        const QRegularExpressionMatch match = listening.match(output);
        if (match.hasMatch())
            return quint16(match.captured(1).toUInt());
    }
    qFatal("%s did not start: %s", qPrintable(program), qPrintable(output));
}

QByteArray httpPost(const QByteArray &path, const QByteArray &contentType, const QByteArray &body,
                    const QByteArray &authorization)
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization +
           "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nStripe-Version: 2025-03-31.basil\r\n\r\n" + body;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1"); // the load generator should cost as little as the service does
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Checkout throughput and added latency against the Stripe emulator"_s);
    parser.addHelpOption();
    parser.addOption({u"concurrency"_s, u"Concurrent keep-alive connections."_s, u"n"_s, u"8"_s});
    parser.addOption({u"requests"_s, u"Requests per phase."_s, u"n"_s, u"20000"_s});
    parser.process(app);
    const int concurrency = std::max(1, parser.value(u"concurrency"_s).toInt());
    const int requests = std::max(concurrency, parser.value(u"requests"_s).toInt());

    QTemporaryDir dir;
    QProcess emulator;
    const quint16 emulatorPort =
        startAndWaitForPort(emulator, QStringLiteral(BENCH_EMULATOR_BINARY),
                            {u"--port"_s, u"0"_s, u"--api-key"_s, QString::fromLatin1(kStripeKey)});

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"STRIPE_SECRET_KEY"_s, QString::fromLatin1(kStripeKey));
    environment.insert(u"STRIPE_WEBHOOK_SECRET"_s, u"whsec_benchmark"_s);
    environment.insert(u"STRIPE_PRICE_SOLO"_s, u"price_demo_solo"_s);
    environment.insert(u"STRIPE_PRICE_TEAM"_s, u"price_demo_team"_s);
    environment.insert(u"STRIPE_PRICE_ENTERPRISE"_s, u"price_demo_enterprise"_s);
    environment.insert(u"STRIPE_API_BASE"_s, u"http://127.0.0.1:%1"_s.arg(emulatorPort));
    environment.insert(u"BILLING_DATA_DIR"_s, dir.path());
    environment.insert(u"BILLING_API_TOKEN"_s, QString::fromLatin1(kApiToken));
    environment.insert(u"BILLING_ALLOWED_REDIRECT_HOSTS"_s, u"app.agencyos.network"_s);
    environment.insert(u"QT_LOGGING_RULES"_s, u"billing.*.info=false"_s);
    QProcess server;
    server.setProcessEnvironment(environment);
    server.setWorkingDirectory(dir.path());
    const quint16 serverPort =
        startAndWaitForPort(server, QStringLiteral(BENCH_SERVER_BINARY), {u"serve"_s, u"--port"_s, u"0"_s});

    const QByteArray checkout =
        QJsonDocument(
            QJsonObject{{u"plan_id"_s, u"team"_s},
                        {u"tenant_id"_s, u"tenant_bench"_s},
                        {u"success_url"_s, u"https://app.agencyos.network/dashboard?checkout=success"_s},
                        {u"cancel_url"_s, u"https://app.agencyos.network/pricing?checkout=cancel"_s},
                        {u"customer_email"_s, u"bench@example.com"_s},
                        {u"trial_days"_s, 14}})
            .toJson(QJsonDocument::Compact);
    const QByteArray serviceRequest =
        httpPost("/payments/stripe/checkout", "application/json", checkout, "Bearer " + kApiToken);
    // The same Stripe call the service makes, sent to the emulator directly.
    const QByteArray stripeBody =
        "mode=subscription&line_items[0][price]=price_demo_team&line_items[0][quantity]=1"
        "&success_url=https%3A%2F%2Fapp.agencyos.network%2Fdashboard%3Fcheckout%3Dsuccess"
        "&cancel_url=https%3A%2F%2Fapp.agencyos.network%2Fpricing%3Fcheckout%3Dcancel&client_reference_id="
        "tenant_bench"
        "&customer_email=bench%40example.com&metadata[tenant_id]=tenant_bench&metadata[plan]=team"
        "&subscription_data[metadata][tenant_id]=tenant_bench&subscription_data[metadata][plan]=team"
        "&subscription_data[trial_period_days]=14"_ba;
    const QByteArray stripeRequest = httpPost("/v1/checkout/sessions", "application/x-www-form-urlencoded",
                                              stripeBody, "Bearer " + kStripeKey);

    drive(serverPort, serviceRequest, concurrency, std::min(requests, 1000)); // warm up both
    const Figures stripeOnly = drive(emulatorPort, stripeRequest, concurrency, requests);
    const Figures service = drive(serverPort, serviceRequest, concurrency, requests);

    QTextStream out(stdout);
    out << "bench_checkout: " << requests << " requests per phase, concurrency " << concurrency << Qt::endl;
    out << QString::asprintf(
               "  emulator alone  : %8.0f calls/s      median %6.3f ms  p99 %6.3f ms  failures %d",
               stripeOnly.perSecond, stripeOnly.medianMs, stripeOnly.p99Ms, stripeOnly.failures)
        << Qt::endl;
    out << QString::asprintf(
               "  via the service : %8.0f checkouts/s  median %6.3f ms  p99 %6.3f ms  failures %d",
               service.perSecond, service.medianMs, service.p99Ms, service.failures)
        << Qt::endl;
    out << QString::asprintf("  added by the service: median %.3f ms, p99 %.3f ms",
                             service.medianMs - stripeOnly.medianMs, service.p99Ms - stripeOnly.p99Ms)
        << Qt::endl;

    server.terminate();
    emulator.terminate();
    server.waitForFinished(5000);
    emulator.waitForFinished(5000);
    return service.failures == 0 && stripeOnly.failures == 0 ? 0 : 1;
}

#include "CheckoutBench.moc"
