// bench_reconcile: reconciliation of a large Stripe account (#18), within
// Stripe's rate limit.
//
// Seeds N subscriptions of N tenants (each with its customer and its paid
// first invoice) straight into the project's Stripe emulator, imports them
// with `sync all`, then times `reconcile` (nothing differs) and, after 1 % of
// the subscriptions were renewed in Stripe without any event, `reconcile
// --fix`. Stripe's lists give 100 objects a page, so the run cannot be
// shorter than its pages ÷ --rate: the figure to compare with.
//
//   bench_reconcile [--subscriptions N] [--rate R]

#include "HttpLoad.h"
#include "StripeEmulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTextStream>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {

struct Run
{
    int exitCode = -1;
    double seconds = 0;
    QString output;
};

// The emulator answers on this thread: wait in an event loop, not waitForFinished.
Run runCommand(const QProcessEnvironment &environment, const QStringList &arguments)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    QEventLoop loop;
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QElapsedTimer timer;
    timer.start();
    process.start(QStringLiteral(BENCH_SERVER_BINARY), arguments);
    loop.exec();
    Run run;
    run.seconds = double(timer.nsecsElapsed()) / 1e9;
    run.output = QString::fromUtf8(process.readAll());
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return run;
}

QString lastLine(const QString &output)
{
    return output.trimmed().section(u'\n', -1).section(u'\r', -1);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"reconcile on a large Stripe account"_s);
    parser.addHelpOption();
    parser.addOption({u"subscriptions"_s, u"Subscriptions to seed."_s, u"n"_s, u"10000"_s});
    parser.addOption({u"rate"_s, u"Stripe requests per second (reconcile and sync)."_s, u"n"_s, u"25"_s});
    parser.process(app);
    const int subscriptions = std::max(100, parser.value(u"subscriptions"_s).toInt());
    const QString rate = QString::number(std::clamp(parser.value(u"rate"_s).toInt(), 1, 100));
    QTextStream out(stdout);

    billing::emulator::StripeEmulator::Options options;
    options.webhookSecrets = {u"whsec_benchmark/secret"_s};
    billing::emulator::StripeEmulator stripe(options);
    // Older than reconcile's one-minute allowance for snapshots.
    stripe.store().setClockOffset(-600);
    if (!stripe.listen(QHostAddress::LocalHost, 0).ok())
        qFatal("the emulator did not listen");
    QStringList ids;
    for (int i = 0; i < subscriptions; ++i) {
        const QString tenant = u"tenant_%1"_s.arg(i);
        const QJsonObject metadata{{u"tenant_id"_s, tenant}};
        const QString customer =
            stripe.store().createCustomer(tenant + u"@example.com"_s, metadata).value(u"id"_s).toString();
        ids << stripe.store()
                   .startSubscription(customer, u"price_demo_solo"_s, metadata, 0)
                   .subscription.value(u"id"_s)
                   .toString();
    }

    QTemporaryDir dir;
    const QProcessEnvironment environment = bench::serviceEnvironment(
        dir.path(), {{u"STRIPE_API_BASE"_s, u"http://127.0.0.1:%1"_s.arg(stripe.port())},
                     {u"STRIPE_PRICE_SOLO"_s, u"price_demo_solo"_s},
                     {u"STRIPE_PRICE_TEAM"_s, u"price_demo_team"_s},
                     {u"STRIPE_PRICE_ENTERPRISE"_s, u"price_demo_enterprise"_s}});
    if (runCommand(environment, {u"migrate"_s}).exitCode != 0)
        qFatal("migrate failed");
    const Run sync = runCommand(environment, {u"sync"_s, u"all"_s, u"--rate"_s, rate});
    if (sync.exitCode != 0)
        qFatal("sync all failed: %s", qPrintable(sync.output));
    const Run clean = runCommand(environment, {u"reconcile"_s, u"--rate"_s, rate});
    if (clean.exitCode != 0)
        qFatal("reconcile found differences after sync: %s", qPrintable(clean.output.right(2000)));

    // 1 %: renewed in Stripe, and no event said so.
    const int drifted = subscriptions / 100;
    for (int i = 0; i < drifted; ++i) {
        QJsonObject subscription = stripe.store().object(u"subscription"_s, ids.at(i * 100));
        QJsonObject items = subscription.value(u"items"_s).toObject();
        QJsonArray data = items.value(u"data"_s).toArray();
        QJsonObject item = data.first().toObject();
        const qint64 end = item.value(u"current_period_end"_s).toInteger();
        item.insert(u"current_period_start"_s, end);
        item.insert(u"current_period_end"_s, end + 30 * 24 * 3600);
        data.replace(0, item);
        items.insert(u"data"_s, data);
        subscription.insert(u"items"_s, items);
        stripe.store().put(u"subscription"_s, subscription);
    }
    const Run fixed = runCommand(environment, {u"reconcile"_s, u"--fix"_s, u"--rate"_s, rate});
    if (fixed.exitCode != 0)
        qFatal("reconcile --fix did not end level: %s", qPrintable(fixed.output.right(2000)));

    // Three lists of n objects, 100 a page.
    const int pages = 3 * int(std::ceil(subscriptions / 100.0));
    const double floorSeconds = pages / rate.toDouble();
    out << "bench_reconcile: " << subscriptions << " subscriptions, customers and invoices; " << pages
        << " list pages at " << rate << " requests/s (floor " << QString::number(floorSeconds, 'f', 1)
        << " s), SQLite" << Qt::endl;
    out << "  sync all:          " << QString::number(sync.seconds, 'f', 1) << " s" << Qt::endl;
    out << "  reconcile:         " << QString::number(clean.seconds, 'f', 1) << " s ("
        << QString::number(clean.seconds / floorSeconds, 'f', 2) << "x the floor): " << lastLine(clean.output)
        << Qt::endl;
    out << "  reconcile --fix:   " << QString::number(fixed.seconds, 'f', 1) << " s with " << drifted
        << " drifted: " << lastLine(fixed.output) << Qt::endl;
    return 0;
}
