#include "HttpTestClient.h"
#include "ServerProcess.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"
#include "license/LicenseSigner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

const QString kSecretKey = u"sk_test_51LifecycleSimulation00000"_s;
const QString kWebhookSecret = u"whsec_lifecycleSimulation"_s;
const QByteArray kApiToken = "lifecycle-simulation-token-0123456789abcdef01"_ba;
// The catalogue's plans and raw prices: monthly, quarterly, yearly, another currency.
const QStringList kPlans = {u"solo"_s,
                            u"team"_s,
                            u"enterprise"_s,
                            u"price_demo_quarterly"_s,
                            u"price_demo_yearly"_s,
                            u"price_demo_usd_monthly"_s};
constexpr int kHistoriesPerWorld = 10;
constexpr int kStepsPerHistory = 6;
// Stripe's clock moves this much between steps: events of different steps
// never share a second, as real renewals (a period apart) never do. Events
// are compared to the second, so a compressed history would otherwise
// order a renewal and the failure after it by chance.
constexpr qint64 kSecondsPerStep = 2;

// Where the pinned API version (2025-03-31) puts it, or older versions did.
QString subscriptionOfInvoice(const QJsonObject &invoice)
{
    const QString direct = invoice.value(u"subscription"_s).toString();
    return !direct.isEmpty() ? direct
                             : invoice.value(u"parent"_s)
                                   .toObject()
                                   .value(u"subscription_details"_s)
                                   .toObject()
                                   .value(u"subscription"_s)
                                   .toString();
}

// SIM_SERVER_BINARY: a copy, so that a long run is not changed by a rebuild meanwhile.
QString serverBinary()
{
    const QString chosen = qEnvironmentVariable("SIM_SERVER_BINARY");
    return chosen.isEmpty() ? QStringLiteral(BILLING_SERVER_BINARY) : chosen;
}

int environmentNumber(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok && value > 0 ? value : fallback;
}

// One tenant's life: what it bought and what happened, for the replay log.
struct History
{
    QString tenant;
    QString subscription; // the current one; empty before the first sale
    QStringList subscriptions;
};

} // namespace

// The lifecycle simulator (#18): seeded random histories played through the
// Stripe emulator against the real service. Tenants buy each plan and raw
// prices, with and without trials; renewals are paid or fail, failures are
// recovered by card or out of band; subscriptions are cancelled at the period
// end or at once; strangers buy on the same account. Deliveries are
// duplicated, reordered, or dropped (the events exist, no delivery succeeds),
// and the service is SIGKILLed between steps (deliveries meanwhile fail).
// After each world settles (a restart: catch-up), the oracle: every Stripe
// event is stored, `reconcile` finds nothing, every licence verifies with the
// status its subscription implies, payments are exactly the paid invoices,
// dunning notices are exactly the failed attempts (a failure learnt after its
// invoice was paid needs none), and no acknowledged event is missing.
//
// A world holds kHistoriesPerWorld histories sharing one service and account,
// interleaved. SIM_HISTORIES (default 50 on SQLite, 20 on PostgreSQL) and
// SIM_FIRST_SEED (default 1) choose which; a failure prints the world's seed
// and its steps: SIM_FIRST_SEED=<seed> SIM_HISTORIES=10 replays it.
class TestLifecycle final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void historiesConverge();

private:
    struct World;
    struct Figures
    {
        qint64 events = 0;
        qint64 divergences = 0; // as reconcile counted them
    };
    bool playWorld(quint32 seed, QString *failure, Figures *figures);
};

struct TestLifecycle::World
{
    quint32 seed = 0;
    QRandomGenerator rng;
    std::unique_ptr<QTemporaryDir> workDir;
    std::unique_ptr<test::TestDatabase> db;
    std::unique_ptr<emulator::StripeEmulator> stripe;
    std::unique_ptr<test::ServerProcess> server;
    QHash<QString, QString> settings;
    test::HttpTestClient http;
    QList<History> histories;
    QStringList log;
    bool serviceUp = false;

    QString url() const { return u"http://127.0.0.1:%1"_s.arg(stripe->port()); }

    // Controls take JSON; Stripe's API (/v1) takes a form.
    test::HttpTestClient::Reply emulator(const QByteArray &method, const QString &path,
                                         const QByteArray &body = {})
    {
        return http.send(
            method, QUrl(url() + path), body,
            {{"Authorization"_ba, "Bearer " + kSecretKey.toLatin1()},
             {"Content-Type"_ba,
              path.startsWith(u"/v1/"_s) ? "application/x-www-form-urlencoded"_ba : "application/json"_ba}});
    }

    bool settleDeliveries()
    {
        return QTest::qWaitFor([this] { return stripe->webhooks().isIdle(); }, 20000);
    }

    bool start()
    {
        QString output;
        if (!server->start(settings, &output)) {
            log << u"the service did not start: "_s + output;
            return false;
        }
        stripe->webhooks().setTarget(QUrl(server->baseUrl() + u"/payments/stripe/webhook"_s));
        serviceUp = true;
        return true;
    }

    void kill()
    {
        server->kill();
        serviceUp = false;
        // Deliveries now reach nothing, as Stripe's do while the service is down.
        stripe->webhooks().setTarget(QUrl(u"http://127.0.0.1:1/payments/stripe/webhook"_s));
    }

    // How this step's events are delivered: as usual, twice, in reverse, or never.
    QString deliveryMode()
    {
        switch (rng.bounded(10)) {
        case 0: return u"copies=2"_s;
        case 1: return u"reverse=true"_s;
        case 2: return u"deliver=false"_s;
        default: return {};
        }
    }
};

bool TestLifecycle::playWorld(quint32 seed, QString *failure, Figures *figures)
{
    World world;
    world.seed = seed;
    world.rng.seed(seed);
    world.workDir = std::make_unique<QTemporaryDir>();
    QString error;
    world.db = test::TestDatabase::create(test::backendUnderTest(), &error);
    if (!world.db) {
        *failure = error;
        return false;
    }
    emulator::StripeEmulator::Options options;
    options.webhookSecrets = {kWebhookSecret};
    world.stripe = std::make_unique<emulator::StripeEmulator>(options);
    // Stripe's events are older than reconcile's 60 s allowance by the time
    // it reads the lists; the deliveries' signatures (by the same clock) stay
    // within the tolerance set below.
    qint64 clockOffset = -(kHistoriesPerWorld * kStepsPerHistory * kSecondsPerStep + 300);
    world.stripe->store().setClockOffset(clockOffset);
    if (!world.stripe->listen(QHostAddress::LocalHost, 0).ok()) {
        *failure = u"the emulator did not listen"_s;
        return false;
    }
    world.settings =
        test::ServerProcess::testSettings(*world.db, world.workDir->filePath(u"data"_s), world.url());
    world.settings.insert({{u"STRIPE_SECRET_KEY"_s, kSecretKey},
                           {u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret},
                           {u"STRIPE_WEBHOOK_TOLERANCE"_s, u"3600"_s},
                           {u"BILLING_API_TOKEN"_s, QString::fromLatin1(kApiToken)},
                           // Catch-up at each start only: the settle step restarts.
                           {u"BILLING_EVENTS_POLL_INTERVAL"_s, u"3600"_s},
                           {u"BILLING_RECONCILE_INTERVAL"_s, u"0"_s}});
    world.server = std::make_unique<test::ServerProcess>(serverBinary(), world.workDir->path());
    QString output;
    if (world.server->run({u"migrate"_s}, world.settings, &output, &output) != 0) {
        *failure = output;
        return false;
    }
    if (!world.start()) {
        *failure = world.log.join(u'\n');
        return false;
    }
    for (int i = 0; i < kHistoriesPerWorld; ++i)
        world.histories.append({u"t%1_%2"_s.arg(seed).arg(i), {}, {}});

    auto fail = [&](const QString &why) {
        *failure = u"seed %1: %2\nsteps:\n  %3"_s.arg(seed).arg(why, world.log.join(u"\n  "_s));
        return false;
    };

    for (int step = 0; step < kHistoriesPerWorld * kStepsPerHistory; ++step) {
        // The service goes down now and then, and comes back a few steps later.
        if (world.serviceUp && world.rng.bounded(20) == 0) {
            world.kill();
            world.log << u"SIGKILL the service"_s;
        } else if (!world.serviceUp && world.rng.bounded(3) == 0) {
            if (!world.start())
                return fail(u"restart failed"_s);
            world.log << u"start the service"_s;
        }
        if (world.rng.bounded(15) == 0) {
            const QString price = kPlans.at(3 + int(world.rng.bounded(3))); // a raw price
            const auto stranger = world.emulator(
                "POST", u"/_emulator/subscriptions?"_s + world.deliveryMode(),
                QJsonDocument(QJsonObject{{u"price"_s, price}, {u"email"_s, u"someone@elsewhere.example"_s}})
                    .toJson());
            world.log << u"a stranger buys on the same account: %1"_s.arg(stranger.status);
        }

        History &history = world.histories[int(world.rng.bounded(kHistoriesPerWorld))];
        const QJsonObject subscription =
            history.subscription.isEmpty()
                ? QJsonObject()
                : world.stripe->store().object(u"subscription"_s, history.subscription);
        const QString status = subscription.value(u"status"_s).toString();
        QString action;
        if (history.subscription.isEmpty() || status == u"canceled") {
            if (!world.serviceUp)
                continue; // checkout is the service's
            const QString plan = kPlans.at(int(world.rng.bounded(kPlans.size())));
            QJsonObject body{{u"plan_id"_s, plan},
                             {u"tenant_id"_s, history.tenant},
                             {u"customer_email"_s, QString(history.tenant + u"@example.com"_s)},
                             {u"success_url"_s, u"https://app.agencyos.network/ok"_s},
                             {u"cancel_url"_s, u"https://app.agencyos.network/cancel"_s}};
            const bool trial = world.rng.bounded(5) == 0;
            if (trial)
                body.insert(u"trial_days"_s, 14);
            const auto session =
                world.http.postJson(QUrl(world.server->baseUrl() + u"/payments/stripe/checkout"_s), body,
                                    {{"Authorization"_ba, "Bearer " + kApiToken}});
            const QString sessionId = session.json().value(u"id"_s).toString();
            if (session.status != 200 || sessionId.isEmpty())
                return fail(u"checkout for %1 answered %2 %3"_s.arg(history.tenant)
                                .arg(session.status)
                                .arg(QString::fromUtf8(session.body)));
            const QString mode = world.deliveryMode();
            const auto completed =
                world.emulator("POST", u"/_emulator/checkout/sessions/%1/complete?%2"_s.arg(sessionId, mode));
            history.subscription =
                completed.json().value(u"subscription"_s).toObject().value(u"id"_s).toString();
            if (history.subscription.isEmpty())
                return fail(u"completing %1 answered %2"_s.arg(sessionId).arg(completed.status));
            history.subscriptions << history.subscription;
            action = u"buys %1%2 (%3) [%4]"_s.arg(plan, trial ? u" with a trial"_s : QString(),
                                                  history.subscription, mode);
        } else {
            const bool endsAtPeriodEnd = subscription.value(u"cancel_at_period_end"_s).toBool();
            QString openInvoice;
            for (const QJsonObject &invoice : world.stripe->store().objects(u"invoice"_s)) {
                if (subscriptionOfInvoice(invoice) == history.subscription &&
                    invoice.value(u"status"_s).toString() == u"open")
                    openInvoice = invoice.value(u"id"_s).toString();
            }
            const QString mode = world.deliveryMode();
            // Changes made through Stripe's API deliver as usual; their drop
            // is a delivery that reaches nothing.
            const bool dropApiDeliveries = mode == u"deliver=false";
            if (dropApiDeliveries)
                world.stripe->webhooks().setTarget(QUrl(u"http://127.0.0.1:1/payments/stripe/webhook"_s));
            const int choice = int(world.rng.bounded(11));
            if (choice == 10) {
                // The customer changes their e-mail in the Customer Portal.
                const QString customer = subscription.value(u"customer"_s).toString();
                const QString email = u"%1.%2@example.com"_s.arg(history.tenant).arg(step);
                world.emulator("POST", u"/v1/customers/"_s + customer,
                               "email=" + QUrl::toPercentEncoding(email));
                action =
                    u"changes e-mail to %1%2"_s.arg(email, dropApiDeliveries ? u" [dropped]"_s : QString());
            } else if (endsAtPeriodEnd && choice < 5) {
                // The period ends: Stripe cancels instead of renewing.
                world.emulator("DELETE", u"/v1/subscriptions/"_s + history.subscription);
                action = u"period ends, canceled as scheduled"_s;
            } else if (!openInvoice.isEmpty() && choice < 4) {
                const bool outOfBand = world.rng.bounded(2) == 0;
                world.emulator("POST", u"/_emulator/invoices/%1/pay?out_of_band=%2&%3"_s.arg(
                                           openInvoice, outOfBand ? u"true"_s : u"false"_s, mode));
                action =
                    u"pays %1 %2 [%3]"_s.arg(openInvoice, outOfBand ? u"out of band"_s : u"by card"_s, mode);
            } else if (choice < 6 && !endsAtPeriodEnd) {
                world.emulator("POST",
                               u"/_emulator/subscriptions/%1/renew?%2"_s.arg(history.subscription, mode));
                action = u"renews, paid [%1]"_s.arg(mode);
            } else if (choice < 8 && !endsAtPeriodEnd) {
                world.emulator(
                    "POST", u"/_emulator/subscriptions/%1/fail_renewal?%2"_s.arg(history.subscription, mode));
                action = u"renewal fails [%1]"_s.arg(mode);
            } else if (choice == 8 && world.serviceUp && !dropApiDeliveries && !endsAtPeriodEnd) {
                const auto canceled = world.http.postJson(
                    QUrl(world.server->baseUrl() +
                         u"/payments/stripe/subscription/%1/cancel"_s.arg(history.subscription)),
                    {{u"at_period_end"_s, true}}, {{"Authorization"_ba, "Bearer " + kApiToken}});
                if (canceled.status != 200)
                    return fail(u"cancel at period end answered %1 %2"_s.arg(canceled.status)
                                    .arg(QString::fromUtf8(canceled.body)));
                action = u"cancels at period end (through the service)"_s;
            } else {
                world.emulator("DELETE", u"/v1/subscriptions/"_s + history.subscription);
                action = u"canceled now in Stripe"_s;
            }
            if (dropApiDeliveries) {
                if (!world.settleDeliveries())
                    return fail(u"deliveries did not settle"_s);
                if (world.serviceUp)
                    world.stripe->webhooks().setTarget(
                        QUrl(world.server->baseUrl() + u"/payments/stripe/webhook"_s));
            }
        }
        if (!world.settleDeliveries())
            return fail(u"deliveries did not settle"_s);
        world.log << history.tenant + u": "_s + action;
        clockOffset += kSecondsPerStep;
        world.stripe->store().setClockOffset(clockOffset);
    }

    // Settle: the service restarts (catch-up at start) and must then hold
    // every event Stripe has in this mode.
    if (world.serviceUp)
        world.kill();
    if (!world.start())
        return fail(u"the final start failed"_s);
    world.log << u"restart: catch-up"_s;
    QSet<QString> stripeEvents;
    for (const QJsonObject &event : world.stripe->store().events()) {
        if (!event.value(u"livemode"_s).toBool())
            stripeEvents.insert(event.value(u"id"_s).toString());
    }
    figures->events = stripeEvents.size();
    QSqlDatabase db = world.db->database().connection().value();
    auto storedEvents = [&db] {
        QSet<QString> ids;
        QSqlQuery query(db);
        if (query.exec(u"SELECT stripe_event_id FROM payment_events"_s)) {
            while (query.next())
                ids.insert(query.value(0).toString());
        }
        return ids;
    };
    if (!QTest::qWaitFor([&] { return storedEvents().contains(stripeEvents); }, 30000)) {
        QStringList missing =
            QList<QString>((stripeEvents - storedEvents()).cbegin(), (stripeEvents - storedEvents()).cend());
        return fail(u"catch-up left %1 events unstored: %2"_s.arg(missing.size()).arg(missing.join(u' ')));
    }
    // And the service has applied them, not only stored them.
    if (!QTest::qWaitFor(
            [&db] {
                QSqlQuery query(db);
                return query.exec(u"SELECT COUNT(*) FROM payment_events WHERE status = 'received'"_s) &&
                       query.next() && query.value(0).toInt() == 0;
            },
            30000))
        return fail(u"events stayed unapplied"_s);

    // No acknowledged event is missing.
    const QSet<QString> stored = storedEvents();
    for (const QJsonValue &delivery : world.stripe->webhooks().deliveries()) {
        const int status = delivery[u"status"_s].toInt();
        if (status >= 200 && status < 300 && !stored.contains(delivery[u"event"_s].toString()))
            return fail(
                u"event %1 was acknowledged but is not stored"_s.arg(delivery[u"event"_s].toString()));
    }

    // reconcile: nothing differs.
    QProcess reconcile;
    reconcile.setProcessEnvironment(test::ServerProcess::environment(world.settings));
    reconcile.setWorkingDirectory(world.workDir->path());
    reconcile.start(serverBinary(), {u"reconcile"_s, u"--rate"_s, u"100"_s});
    if (!QTest::qWaitFor([&] { return reconcile.state() == QProcess::NotRunning; }, 60000))
        return fail(u"reconcile did not finish"_s);
    const QString reconciled =
        QString::fromUtf8(reconcile.readAllStandardOutput() + reconcile.readAllStandardError());
    static const QRegularExpression summary(u"reconcile: (\\d+) divergences"_s);
    figures->divergences = summary.match(reconciled).captured(1).toLongLong();
    if (reconcile.exitStatus() != QProcess::NormalExit || reconcile.exitCode() != 0)
        return fail(u"reconcile exited %1:\n%2"_s.arg(reconcile.exitCode()).arg(reconciled));

    // Our subscriptions in Stripe: their invoices and failed attempts.
    QSet<QString> ours;
    for (const History &history : std::as_const(world.histories))
        ours.unite(QSet<QString>(history.subscriptions.cbegin(), history.subscriptions.cend()));
    QSet<QString> paidInvoices;
    QHash<QString, QString> invoiceStatus;
    for (const QJsonObject &invoice : world.stripe->store().objects(u"invoice"_s)) {
        if (!ours.contains(subscriptionOfInvoice(invoice)))
            continue;
        invoiceStatus.insert(invoice.value(u"id"_s).toString(), invoice.value(u"status"_s).toString());
        if (invoice.value(u"status"_s).toString() == u"paid")
            paidInvoices.insert(invoice.value(u"id"_s).toString());
    }
    QSet<QString> failedAttempts;
    for (const QJsonObject &event : world.stripe->store().events()) {
        const QJsonObject invoice = event.value(u"data"_s).toObject().value(u"object"_s).toObject();
        if (event.value(u"type"_s).toString() == u"invoice.payment_failed" &&
            ours.contains(subscriptionOfInvoice(invoice)))
            failedAttempts.insert(u"payment_failed:%1:%2"_s.arg(invoice.value(u"id"_s).toString())
                                      .arg(invoice.value(u"attempt_count"_s).toInt()));
    }

    // Payments are exactly the paid invoices.
    QSet<QString> payments;
    QSqlQuery query(db);
    if (!query.exec(u"SELECT stripe_invoice_id FROM payments"_s))
        return fail(u"cannot read payments"_s);
    while (query.next())
        payments.insert(query.value(0).toString());
    if (payments != paidInvoices) {
        const QSet<QString> extra = payments - paidInvoices;
        const QSet<QString> missing = paidInvoices - payments;
        return fail(u"payments differ from paid invoices: extra %1, missing %2"_s.arg(
            QStringList(extra.cbegin(), extra.cend()).join(u' '),
            QStringList(missing.cbegin(), missing.cend()).join(u' ')));
    }

    // Dunning notices: each for a real failed attempt; every failed attempt
    // of an invoice still unpaid has one.
    QSet<QString> notices;
    if (!query.exec(u"SELECT dedupe_key FROM notification_outbox WHERE dedupe_key LIKE 'payment_failed:%'"_s))
        return fail(u"cannot read the notices"_s);
    while (query.next())
        notices.insert(query.value(0).toString().section(u":resend:"_s, 0, 0));
    for (const QString &notice : std::as_const(notices)) {
        if (!failedAttempts.contains(notice))
            return fail(u"notice %1 has no failed attempt in Stripe"_s.arg(notice));
    }
    for (const QString &attempt : std::as_const(failedAttempts)) {
        if (invoiceStatus.value(attempt.section(u':', 1, 1)) != u"paid" && !notices.contains(attempt))
            return fail(u"failed attempt %1 of an unpaid invoice has no notice"_s.arg(attempt));
    }

    // Every licence verifies, for its tenant, with the status its subscription implies.
    if (!query.exec(u"SELECT public_key FROM license_signing_keys WHERE retired_at IS NULL"_s) ||
        !query.next())
        return fail(u"no signing key is recorded"_s);
    Result<LicenseSigner> verifier = LicenseSigner::fromPublicKeyPem(query.value(0).toString().toUtf8());
    if (!verifier)
        return fail(verifier.error().message);
    if (!query.exec(
            u"SELECT l.license_key, l.tenant_id, l.status, s.status, s.stripe_subscription_id "
            "FROM licenses l JOIN subscriptions s ON s.stripe_subscription_id = l.stripe_subscription_id"_s))
        return fail(u"cannot read the licences"_s);
    int licences = 0;
    while (query.next()) {
        ++licences;
        const QString subscriptionId = query.value(4).toString();
        Result<LicenseClaims> claims = verifier->verify(query.value(0).toString());
        if (!claims || claims->tenantId != query.value(1).toString())
            return fail(u"the licence of %1 does not verify for its tenant"_s.arg(subscriptionId));
        const QString licence = query.value(2).toString();
        const QString stripeStatus =
            world.stripe->store().object(u"subscription"_s, subscriptionId).value(u"status"_s).toString();
        if (stripeStatus != query.value(3).toString())
            return fail(u"%1 is %2 here and %3 in Stripe"_s.arg(subscriptionId, query.value(3).toString(),
                                                                stripeStatus));
        const QString implied = stripeStatus == u"active" || stripeStatus == u"trialing" ? u"active"_s
                                : stripeStatus == u"past_due"                            ? u"grace"_s
                                                                                         : u"revoked"_s;
        if (licence != implied)
            return fail(u"the licence of %1 is %2; a %3 subscription implies %4"_s.arg(
                subscriptionId, licence, stripeStatus, implied));
    }
    if (licences != ours.size())
        return fail(u"%1 licences for %2 subscriptions"_s.arg(licences).arg(ours.size()));
    world.server->stop();
    return true;
}

void TestLifecycle::historiesConverge()
{
    const bool postgres = test::backendUnderTest() == SqlDialect::Postgres;
    const int histories = environmentNumber("SIM_HISTORIES", postgres ? 20 : 50);
    const int firstSeed = environmentNumber("SIM_FIRST_SEED", 1);
    const int worlds = (histories + kHistoriesPerWorld - 1) / kHistoriesPerWorld;
    QStringList failures;
    QStringList failedSeeds;
    Figures total;
    for (int world = 0; world < worlds; ++world) {
        const quint32 seed = quint32(firstSeed + world);
        QString failure;
        Figures figures;
        if (!playWorld(seed, &failure, &figures)) {
            failures << failure;
            failedSeeds << QString::number(seed);
            qWarning("%s", qPrintable(failure));
        }
        total.events += figures.events;
        total.divergences += figures.divergences;
    }
    // One line for scripts/simulate.sh to add up.
    qInfo("lifecycle: %d histories, %d worlds (seeds %d to %d), %lld events, %lld divergences, %lld failed "
          "worlds, failing seeds: %s",
          worlds * kHistoriesPerWorld, worlds, firstSeed, firstSeed + worlds - 1, total.events,
          total.divergences, qint64(failures.size()),
          failedSeeds.isEmpty() ? "none" : qPrintable(failedSeeds.join(u' ')));
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u"\n\n"_s)));
}

QTEST_GUILESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
