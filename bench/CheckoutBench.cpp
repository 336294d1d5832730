// bench_checkout: how fast the service sells, and what it adds to Stripe's time.
//
// Starts the Stripe emulator and agencyos-billing-server as child processes on
// free loopback ports, then drives POST /payments/stripe/checkout at a chosen
// concurrency over keep-alive connections. It measures the emulator's own
// answer time for the same Stripe call (POST /v1/checkout/sessions, sent
// directly) and reports checkouts/s and the latency the service adds on top.
//
//   bench_checkout [--concurrency N] [--requests N]

#include "HttpLoad.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

const QByteArray kStripeKey = "sk_test_benchmark0000000000000000"_ba;
const QByteArray kApiToken = "bench-token-0123456789abcdef0123456789abcdef"_ba;

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
        bench::startAndWaitForPort(emulator, QStringLiteral(BENCH_EMULATOR_BINARY),
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
    const quint16 serverPort = bench::startAndWaitForPort(server, QStringLiteral(BENCH_SERVER_BINARY),
                                                          {u"serve"_s, u"--port"_s, u"0"_s});

    const QByteArray checkout =
        QJsonDocument(
            QJsonObject{{u"plan_id"_s, u"team"_s},
                        {u"tenant_id"_s, u"tenant_bench"_s},
                        {u"success_url"_s, u"https://app.agencyos.network/dashboard?checkout=success"_s},
                        {u"cancel_url"_s, u"https://app.agencyos.network/pricing?checkout=cancel"_s},
                        {u"customer_email"_s, u"bench@example.com"_s},
                        {u"trial_days"_s, 14}})
            .toJson(QJsonDocument::Compact);
    const QByteArray serviceRequest = bench::httpPost("/payments/stripe/checkout", "application/json",
                                                      checkout, {{"Authorization", "Bearer " + kApiToken}});
    // The same Stripe call the service makes, sent to the emulator directly.
    const QByteArray stripeBody =
        "mode=subscription&line_items[0][price]=price_demo_team&line_items[0][quantity]=1"
        "&success_url=https%3A%2F%2Fapp.agencyos.network%2Fdashboard%3Fcheckout%3Dsuccess"
        "&cancel_url=https%3A%2F%2Fapp.agencyos.network%2Fpricing%3Fcheckout%3Dcancel&client_reference_id="
        "tenant_bench"
        "&customer_email=bench%40example.com&metadata[tenant_id]=tenant_bench&metadata[plan]=team"
        "&subscription_data[metadata][tenant_id]=tenant_bench&subscription_data[metadata][plan]=team"
        "&subscription_data[trial_period_days]=14"_ba;
    const QByteArray stripeRequest =
        bench::httpPost("/v1/checkout/sessions", "application/x-www-form-urlencoded", stripeBody,
                        {{"Authorization", "Bearer " + kStripeKey}, {"Stripe-Version", "2025-03-31.basil"}});

    auto same = [](const QByteArray &request) { return [request](int) { return request; }; };
    bench::drive(serverPort, concurrency, std::min(requests, 1000), same(serviceRequest)); // warm up both
    const bench::Figures stripeOnly = bench::drive(emulatorPort, concurrency, requests, same(stripeRequest));
    const bench::Figures service = bench::drive(serverPort, concurrency, requests, same(serviceRequest));

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
