#include "HttpTestClient.h"
#include "ServerProcess.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"
#include "webhook/WebhookSigner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

const QString kSecretKey = u"sk_test_51ReconcileTestKey000000"_s;
const QString kWebhookSecret = u"whsec_reconcileTestSecret"_s;
const QByteArray kApiToken = "reconcile-test-token-0123456789abcdef0123456"_ba;

struct Outcome
{
    int code = -1;
    QString out;
    QString err;
};

// The new period's end in a renewal control's answer (on the item, as API 2025-03 has it).
qint64 periodEndOf(const QJsonObject &renewal)
{
    return renewal.value(u"subscription"_s)
        .toObject()
        .value(u"items"_s)
        .toObject()
        .value(u"data"_s)
        .toArray()
        .first()
        .toObject()
        .value(u"current_period_end"_s)
        .toInteger();
}

} // namespace

// `reconcile` (#18) against the emulator: Stripe's state moved while the
// service heard nothing (it was down, or every delivery was dropped), as
// Stripe's own event log records it. Reconcile must name each difference,
// --fix must repair it through the appliers, and a second run find nothing.
class TestReconcile final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void nothingDiffersAfterNormalSales();
    void driftIsReportedAndFixed();
    void badArgumentsAreRefused();
    void anEventNewerThanTheReadIsNotUndone();
    void aServiceThatWasDownCatchesUpAtStart();
    void aMissedDeliveryOlderThanTheNewestStoredIsFetched();
    void staffRunAndFixThroughTheAdminApi();
    void aScheduledRunComesByItself();

private:
    struct Drift
    {
        QString canceled;
        QString renewed;
        QString paidLater;
        QString openInvoice;
    };
    // Three sales; the third's renewal fails and its events arrive: an open invoice, past due.
    void sellThreeWithAnOpenInvoice(Drift *drift);
    // #18's three, with the service hearing nothing: a cancellation while
    // every delivery failed, a renewal whose events were all dropped, the
    // open invoice paid by bank transfer and marked paid in Stripe's Dashboard.
    void stageDrift(const Drift &drift);
    QString addStaff(const QString &name);
    test::HttpTestClient::Reply admin(const QByteArray &method, const QString &path);
    // Starts a run through the admin API and waits for its end; the run's row.
    QJsonObject runToTheEnd();
    double metric(const QString &name);
    Outcome reconcile(const QStringList &arguments = {}, const QHash<QString, QString> &settings = {});
    QString sell(const QString &tenant, const QString &plan);
    // The emulator's control or API, as Stripe's side acts.
    QJsonObject stripe(const QByteArray &method, const QString &path);
    QString licenseStatus(const QString &subscription);

    std::unique_ptr<QTemporaryDir> m_workDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<emulator::StripeEmulator> m_stripe;
    std::unique_ptr<test::ServerProcess> m_server;
    QHash<QString, QString> m_settings;
    test::HttpTestClient m_client;
    QString m_token; // a staff member's
};

void TestReconcile::init()
{
    m_workDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_workDir->isValid());
    QString error;
    m_db = test::TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_db, qPrintable(error));
    emulator::StripeEmulator::Options options;
    options.webhookSecrets = {kWebhookSecret};
    m_stripe = std::make_unique<emulator::StripeEmulator>(options);
    // Stripe's events are two minutes old by the time reconcile reads the
    // lists: a snapshot counts as read a minute before its request
    // (StripeListReader::Page::snapshotTime), and a subscription's snapshot
    // moves it only when newer than the event that set it. (The emulator
    // signs deliveries by its clock too: within the 300 s tolerance.)
    m_stripe->store().setClockOffset(-120);
    QVERIFY(m_stripe->listen(QHostAddress::LocalHost, 0).ok());
    m_settings = test::ServerProcess::testSettings(*m_db, m_workDir->filePath(u"data"_s),
                                                   u"http://127.0.0.1:%1"_s.arg(m_stripe->port()));
    m_settings.insert({{u"STRIPE_SECRET_KEY"_s, kSecretKey},
                       {u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret},
                       {u"BILLING_API_TOKEN"_s, QString::fromLatin1(kApiToken)}});
    m_server =
        std::make_unique<test::ServerProcess>(QStringLiteral(BILLING_SERVER_BINARY), m_workDir->path());
    QString output;
    QVERIFY2(m_server->run({u"migrate"_s}, m_settings, &output, &output) == 0, qPrintable(output));
    QVERIFY2(m_server->start(m_settings, &output), qPrintable(output));
    m_stripe->webhooks().setTarget(QUrl(m_server->baseUrl() + u"/payments/stripe/webhook"_s));
}

void TestReconcile::cleanup()
{
    if (m_server)
        QVERIFY(m_server->stop());
    m_server.reset();
    m_stripe.reset();
    m_db.reset();
    m_workDir.reset();
}

Outcome TestReconcile::reconcile(const QStringList &arguments, const QHash<QString, QString> &settings)
{
    // Not ServerProcess::run, which blocks: the emulator answering it lives on this thread.
    QProcess process;
    process.setProcessEnvironment(
        test::ServerProcess::environment(settings.isEmpty() ? m_settings : settings));
    process.setWorkingDirectory(m_workDir->path());
    process.start(QStringLiteral(BILLING_SERVER_BINARY), QStringList{u"reconcile"_s} + arguments);
    Outcome outcome;
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 60000))
        return outcome;
    outcome.out = QString::fromUtf8(process.readAllStandardOutput());
    outcome.err = QString::fromUtf8(process.readAllStandardError());
    outcome.code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return outcome;
}

QString TestReconcile::sell(const QString &tenant, const QString &plan)
{
    const QString subscription =
        m_server->sellSubscription(m_stripe->port(), kApiToken, tenant, plan, tenant + u"@example.com"_s);
    if (!QTest::qWaitFor([this] { return m_stripe->webhooks().isIdle(); }, 15000))
        qWarning("the sale's webhooks were still being delivered after 15 s");
    return subscription;
}

QJsonObject TestReconcile::stripe(const QByteArray &method, const QString &path)
{
    const auto reply = m_client.send(method, QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_stripe->port()).arg(path)),
                                     {}, {{"Authorization"_ba, "Bearer " + kSecretKey.toLatin1()}});
    if (reply.status != 200)
        qWarning("%s %s: %d %s", method.constData(), qPrintable(path), reply.status, reply.body.constData());
    return reply.json();
}

QString TestReconcile::licenseStatus(const QString &subscription)
{
    QSqlQuery query(m_db->database().connection().value());
    query.prepare(u"SELECT status FROM licenses WHERE stripe_subscription_id = ?"_s);
    query.addBindValue(subscription);
    if (!query.exec() || !query.next())
        return {};
    return query.value(0).toString();
}

void TestReconcile::nothingDiffersAfterNormalSales()
{
    QVERIFY(sell(u"tenant_a"_s, u"team"_s).startsWith(u"sub_"_s));
    QVERIFY(sell(u"tenant_b"_s, u"solo"_s).startsWith(u"sub_"_s));
    const Outcome checked = reconcile();
    QVERIFY2(checked.code == 0, qPrintable(checked.out + checked.err));
    QVERIFY2(checked.out.contains(u"reconcile: 0 divergences"_s), qPrintable(checked.out));
    QVERIFY2(checked.out.contains(u"2 subscriptions"_s), qPrintable(checked.out));
}

void TestReconcile::driftIsReportedAndFixed()
{
    Drift drift;
    sellThreeWithAnOpenInvoice(&drift);
    if (QTest::currentTestFailed())
        return;
    const auto &[canceled, renewed, paidLater, openInvoice] = drift;
    const Outcome settled = reconcile();
    QVERIFY2(settled.code == 0, qPrintable(settled.out + settled.err));

    stageDrift(drift);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(licenseStatus(canceled), u"active"_s);

    const Outcome checked = reconcile();
    QVERIFY2(checked.code == 4, qPrintable(checked.out + checked.err));
    const QStringList lines = checked.out.split(u'\n', Qt::SkipEmptyParts);
    auto reported = [&lines](const QString &kind, const QString &object, const QString &tenant) {
        return std::any_of(lines.cbegin(), lines.cend(), [&](const QString &line) {
            return line.startsWith(kind + u' ' + object + u" tenant="_s + tenant + u' ');
        });
    };
    QVERIFY2(reported(u"subscription.status"_s, canceled, u"tenant_canceled"_s), qPrintable(checked.out));
    QVERIFY2(
        checked.out.contains(
            u"subscription.status %1 tenant=tenant_canceled local=active stripe=canceled"_s.arg(canceled)),
        qPrintable(checked.out));
    QVERIFY2(reported(u"license.status"_s, canceled, u"tenant_canceled"_s), qPrintable(checked.out));
    QVERIFY2(reported(u"subscription.current_period_end"_s, renewed, u"tenant_renewed"_s),
             qPrintable(checked.out));
    QVERIFY2(reported(u"invoice.status"_s, openInvoice, u"tenant_paid"_s), qPrintable(checked.out));
    QVERIFY2(checked.out.contains(
                 u"invoice.status %1 tenant=tenant_paid local=open stripe=paid"_s.arg(openInvoice)),
             qPrintable(checked.out));
    QVERIFY2(reported(u"payment.missing"_s, openInvoice, u"tenant_paid"_s), qPrintable(checked.out));
    QVERIFY2(reported(u"subscription.status"_s, paidLater, u"tenant_paid"_s), qPrintable(checked.out));
    // Only looking changed nothing.
    QCOMPARE(licenseStatus(canceled), u"active"_s);
    QCOMPARE(reconcile().code, 4);

    // --json: the same divergences, one object a line, then the summary.
    const Outcome json = reconcile({u"--json"_s});
    QCOMPARE(json.code, 4);
    const QStringList jsonLines = json.out.split(u'\n', Qt::SkipEmptyParts);
    const qsizetype divergences = std::count_if(lines.cbegin(), lines.cend(), [](const QString &line) {
        return !line.startsWith(u"reading "_s) && !line.startsWith(u"reconcile:"_s);
    });
    QVERIFY(divergences >= 8);
    QCOMPARE(jsonLines.size(), divergences + 1); // and the summary
    const QJsonObject first = QJsonDocument::fromJson(jsonLines.first().toUtf8()).object();
    QVERIFY(first.contains(u"kind"_s) && first.contains(u"object"_s) && first.contains(u"local"_s) &&
            first.contains(u"stripe"_s));

    // One tenant at a time: only its lines, and --fix repairs only it.
    const Outcome oneTenant = reconcile({u"--tenant"_s, u"tenant_canceled"_s, u"--fix"_s});
    QVERIFY2(oneTenant.code == 0, qPrintable(oneTenant.out + oneTenant.err));
    QVERIFY(!oneTenant.out.contains(u"tenant_renewed"_s));
    QVERIFY(licenseStatus(canceled) != u"active"_s);
    QCOMPARE(reconcile().code, 4);

    const Outcome fixed = reconcile({u"--fix"_s});
    QVERIFY2(fixed.code == 0, qPrintable(fixed.out + fixed.err));
    QVERIFY2(fixed.out.contains(u"0 remaining"_s), qPrintable(fixed.out));
    const Outcome again = reconcile();
    QVERIFY2(again.code == 0, qPrintable(again.out + again.err));

    // Audited under the operator's name, and the rows say where they came from.
    QSqlQuery query(m_db->database().connection().value());
    // One entry per object fixed, written with the fix: the canceled
    // subscription once (by the --tenant run), then the two other
    // subscriptions and the two invoices.
    QVERIFY(query.exec(
        u"SELECT target_id, details FROM audit_log WHERE action = 'reconcile.fix' AND actor LIKE 'cli%'"_s));
    QStringList audited;
    while (query.next()) {
        audited << query.value(0).toString();
        QVERIFY(query.value(1).toString().contains(u"divergences"_s));
    }
    QCOMPARE(audited.count(canceled), 1);
    QCOMPARE(audited.count(renewed), 1);
    QCOMPARE(audited.count(paidLater), 1);
    QVERIFY(audited.contains(openInvoice));
    QCOMPARE(audited.size(), 5);
    QVERIFY(query.exec(u"SELECT COUNT(*) FROM payments WHERE stripe_invoice_id = '%1'"_s.arg(openInvoice)));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 1);
}

void TestReconcile::badArgumentsAreRefused()
{
    QCOMPARE(reconcile({u"--rate"_s, u"0"_s}).code, 2);
    QCOMPARE(reconcile({u"--tenant"_s, u""_s}).code, 2);
    // Nothing to compare with without a key.
    QHash<QString, QString> noKey = m_settings;
    noKey.remove(u"STRIPE_SECRET_KEY"_s);
    const Outcome outcome = reconcile({}, noKey);
    QVERIFY2(outcome.code == 3, qPrintable(outcome.out + outcome.err));
}

// A webhook event created just before (or after) reconcile read Stripe's list
// wins over the list: the read may predate the change the event reports. A
// snapshot counts as read a minute before its request, so the check neither
// reports nor undoes it; the next run compares it.
void TestReconcile::anEventNewerThanTheReadIsNotUndone()
{
    const QString subscription = sell(u"tenant_a"_s, u"team"_s);
    QVERIFY(subscription.startsWith(u"sub_"_s));
    // Stripe's object as an event created now reports it: past due.
    QJsonObject object = stripe("GET", u"/v1/subscriptions/"_s + subscription);
    object.insert(u"status"_s, u"past_due"_s);
    const QJsonObject event{
        {u"id"_s, u"evt_newerThanTheRead"_s},
        {u"object"_s, u"event"_s},
        {u"api_version"_s, m_stripe->store().apiVersion},
        {u"created"_s, QDateTime::currentSecsSinceEpoch()},
        {u"data"_s, QJsonObject{{u"object"_s, object}}},
        {u"livemode"_s, false},
        {u"pending_webhooks"_s, 1},
        {u"type"_s, u"customer.subscription.updated"_s},
    };
    const QByteArray payload = QJsonDocument(event).toJson(QJsonDocument::Compact);
    const auto delivered = m_client.send(
        "POST", QUrl(m_server->baseUrl() + u"/payments/stripe/webhook"_s), payload,
        {{"Content-Type"_ba, "application/json"_ba},
         {"Stripe-Signature"_ba,
          WebhookSigner::header({kWebhookSecret}, QDateTime::currentSecsSinceEpoch(), payload)}});
    QVERIFY2(delivered.status == 200, delivered.body.constData());
    auto status = [this, &subscription] {
        QSqlQuery query(m_db->database().connection().value());
        query.prepare(u"SELECT status FROM subscriptions WHERE stripe_subscription_id = ?"_s);
        query.addBindValue(subscription);
        return query.exec() && query.next() ? query.value(0).toString() : QString();
    };
    QCOMPARE(status(), u"past_due"_s);
    // A second later: a snapshot timed by the check itself was newer, to the
    // second, and put the subscription back to active.
    QTest::qWait(1100);
    const Outcome fixed = reconcile({u"--fix"_s});
    QVERIFY2(fixed.code == 0, qPrintable(fixed.out + fixed.err));
    QCOMPARE(status(), u"past_due"_s);
    QCOMPARE(licenseStatus(subscription), u"grace"_s); // past due, within its grace period
}

// serve's catch-up (#18): stopped while a renewal and a cancellation happen
// (their deliveries fail), it fetches them from GET /v1/events when it starts
// again; nobody runs sync.
void TestReconcile::aServiceThatWasDownCatchesUpAtStart()
{
    const QString renewed = sell(u"tenant_renewed"_s, u"solo"_s);
    const QString canceled = sell(u"tenant_canceled"_s, u"team"_s);
    QVERIFY(renewed.startsWith(u"sub_"_s) && canceled.startsWith(u"sub_"_s));
    QVERIFY(m_server->stop());

    const QJsonObject renewal = stripe("POST", u"/_emulator/subscriptions/%1/renew"_s.arg(renewed));
    const qint64 newEnd = periodEndOf(renewal);
    QVERIFY(newEnd > 0);
    QCOMPARE(stripe("DELETE", u"/v1/subscriptions/"_s + canceled).value(u"status"_s).toString(),
             u"canceled"_s);
    QVERIFY(QTest::qWaitFor([this] { return m_stripe->webhooks().isIdle(); }, 15000));
    const QJsonArray deliveries = m_stripe->webhooks().deliveries();
    // The service was down: those deliveries reached nothing.
    QVERIFY(std::any_of(deliveries.begin(), deliveries.end(),
                        [](const QJsonValue &delivery) { return delivery[u"status"_s].toInt() == 0; }));
    auto column = [this](const QString &sql) {
        QSqlQuery query(m_db->database().connection().value());
        return query.exec(sql) && query.next() ? query.value(0).toString() : QString();
    };
    QCOMPARE(column(u"SELECT status FROM subscriptions WHERE stripe_subscription_id = '%1'"_s.arg(canceled)),
             u"active"_s);

    QString output;
    QVERIFY2(m_server->start(m_settings, &output), qPrintable(output));
    QTRY_COMPARE_WITH_TIMEOUT(
        column(u"SELECT status FROM subscriptions WHERE stripe_subscription_id = '%1'"_s.arg(canceled)),
        u"canceled"_s, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(
        column(u"SELECT current_period_end FROM subscriptions WHERE stripe_subscription_id = '%1'"_s.arg(
            renewed)),
        QString::number(newEnd), 10000);
    QVERIFY(column(u"SELECT status FROM licenses WHERE stripe_subscription_id = '%1'"_s.arg(canceled)) !=
            u"active"_s);
    QVERIFY(column(u"SELECT COUNT(*) FROM payment_events WHERE source = 'sync'"_s).toInt() >= 2);
    const Outcome checked = reconcile();
    QVERIFY2(checked.code == 0, qPrintable(checked.out + checked.err));
}

// Catch-up's second pass: a renewal whose delivery never succeeded, followed
// by a sale the service did receive. The newest stored event is then newer
// than the renewal, so only Stripe's delivery_success=false finds it.
void TestReconcile::aMissedDeliveryOlderThanTheNewestStoredIsFetched()
{
    const QString renewed = sell(u"tenant_renewed"_s, u"solo"_s);
    QVERIFY(renewed.startsWith(u"sub_"_s));
    const QJsonObject renewal =
        stripe("POST", u"/_emulator/subscriptions/%1/renew?deliver=false"_s.arg(renewed));
    const qint64 newEnd = periodEndOf(renewal);
    QVERIFY(newEnd > 0);
    m_stripe->store().setClockOffset(-60); // the next sale's events are newer
    QVERIFY(sell(u"tenant_later"_s, u"team"_s).startsWith(u"sub_"_s));
    auto periodEnd = [this, &renewed] {
        QSqlQuery query(m_db->database().connection().value());
        query.prepare(u"SELECT current_period_end FROM subscriptions WHERE stripe_subscription_id = ?"_s);
        query.addBindValue(renewed);
        return query.exec() && query.next() ? query.value(0).toLongLong() : 0;
    };
    QVERIFY(periodEnd() < newEnd);

    QVERIFY(m_server->stop());
    QString output;
    QVERIFY2(m_server->start(m_settings, &output), qPrintable(output));
    QTRY_COMPARE_WITH_TIMEOUT(periodEnd(), newEnd, 10000);
}

void TestReconcile::sellThreeWithAnOpenInvoice(Drift *drift)
{
    drift->canceled = sell(u"tenant_canceled"_s, u"team"_s);
    drift->renewed = sell(u"tenant_renewed"_s, u"solo"_s);
    drift->paidLater = sell(u"tenant_paid"_s, u"solo"_s);
    QVERIFY(drift->canceled.startsWith(u"sub_"_s) && drift->renewed.startsWith(u"sub_"_s) &&
            drift->paidLater.startsWith(u"sub_"_s));
    const QJsonObject failed =
        stripe("POST", u"/_emulator/subscriptions/%1/fail_renewal"_s.arg(drift->paidLater));
    drift->openInvoice = failed.value(u"invoice"_s).toObject().value(u"id"_s).toString();
    QVERIFY(drift->openInvoice.startsWith(u"in_"_s));
    QVERIFY(QTest::qWaitFor([this] { return m_stripe->webhooks().isIdle(); }, 15000));
}

void TestReconcile::stageDrift(const Drift &drift)
{
    m_stripe->webhooks().setTarget(QUrl(u"http://127.0.0.1:1/payments/stripe/webhook"_s));
    QCOMPARE(stripe("DELETE", u"/v1/subscriptions/"_s + drift.canceled).value(u"status"_s).toString(),
             u"canceled"_s);
    QVERIFY(QTest::qWaitFor([this] { return m_stripe->webhooks().isIdle(); }, 15000));
    m_stripe->webhooks().setTarget(QUrl(m_server->baseUrl() + u"/payments/stripe/webhook"_s));
    QVERIFY(stripe("POST", u"/_emulator/subscriptions/%1/renew?deliver=false"_s.arg(drift.renewed))
                .contains(u"invoice"_s));
    QVERIFY(
        stripe("POST", u"/_emulator/invoices/%1/pay?out_of_band=true&deliver=false"_s.arg(drift.openInvoice))
            .contains(u"invoice"_s));
}

QString TestReconcile::addStaff(const QString &name)
{
    QString out;
    QString err;
    if (m_server->run({u"staff"_s, u"add"_s, name}, m_settings, &out, &err) != 0)
        return err;
    m_token = out.trimmed().split(u'\n').constLast();
    return m_token;
}

test::HttpTestClient::Reply TestReconcile::admin(const QByteArray &method, const QString &path)
{
    return m_client.send(
        method, QUrl(m_server->baseUrl() + u"/admin/v1"_s + path), method == "POST" ? "{}"_ba : QByteArray(),
        {{"Authorization"_ba, "Bearer " + m_token.toLatin1()}, {"Content-Type"_ba, "application/json"_ba}});
}

QJsonObject TestReconcile::runToTheEnd()
{
    const auto started = admin("POST", u"/reconcile/runs"_s);
    if (started.status != 202) {
        qWarning("starting a run: %d %s", started.status, started.body.constData());
        return {};
    }
    const qint64 id = started.json().value(u"id"_s).toInteger();
    QJsonObject run;
    const bool ended = QTest::qWaitFor(
        [&] {
            const QJsonArray runs = admin("GET", u"/reconcile/runs"_s).json().value(u"data"_s).toArray();
            for (const QJsonValue &value : runs) {
                if (value[u"id"_s].toInteger() == id)
                    run = value.toObject();
            }
            return run.value(u"status"_s).toString() != u"running"_s && !run.isEmpty();
        },
        30000);
    if (!ended)
        qWarning("run %lld still running after 30 s", id);
    return run;
}

double TestReconcile::metric(const QString &name)
{
    const QString text = QString::fromUtf8(m_client.get(QUrl(m_server->baseUrl() + u"/metrics"_s)).body);
    for (const QString &line : text.split(u'\n')) {
        if (line.startsWith(name + u' '))
            return line.section(u' ', 1, 1).toDouble();
    }
    return -1;
}

// #18 in serve: staff start a run from the dashboard's API, see what differs
// (and the metric), fix one divergence (its object's other lines go with it),
// then all; each fix audited under their name, and a new run finds nothing.
void TestReconcile::staffRunAndFixThroughTheAdminApi()
{
    Drift drift;
    sellThreeWithAnOpenInvoice(&drift);
    if (QTest::currentTestFailed())
        return;
    const auto &[canceled, renewed, paidLater, openInvoice] = drift;
    QVERIFY(!addStaff(u"alice"_s).isEmpty());
    QCOMPARE(metric(u"billing_reconcile_divergences"_s), 0.0);

    const QJsonObject clean = runToTheEnd();
    QCOMPARE(clean.value(u"status"_s).toString(), u"succeeded"_s);
    QCOMPARE(clean.value(u"divergences"_s).toInt(), 0);
    QCOMPARE(clean.value(u"started_by"_s).toString(), u"alice"_s);

    stageDrift(drift);
    if (QTest::currentTestFailed())
        return;
    const QJsonObject drifted = runToTheEnd();
    QCOMPARE(drifted.value(u"status"_s).toString(), u"succeeded"_s);
    const int found = drifted.value(u"divergences"_s).toInt();
    QVERIFY2(found >= 5, qPrintable(QString::number(found)));
    QCOMPARE(metric(u"billing_reconcile_divergences"_s), double(found));
    const QString runId = QString::number(drifted.value(u"id"_s).toInteger());
    const QJsonArray divergences =
        admin("GET", u"/reconcile/divergences?run="_s + runId).json().value(u"data"_s).toArray();
    QCOMPARE(divergences.size(), found);
    qint64 periodEnd = 0;
    for (const QJsonValue &divergence : divergences) {
        if (divergence[u"kind"_s] == u"subscription.current_period_end"_s &&
            divergence[u"object_id"_s] == renewed)
            periodEnd = divergence[u"id"_s].toInteger();
    }
    QVERIFY2(periodEnd > 0, QJsonDocument(divergences).toJson().constData());
    auto listed = [&divergences](const QString &kind, const QString &object) {
        return std::any_of(divergences.begin(), divergences.end(), [&](const QJsonValue &divergence) {
            return divergence[u"kind"_s] == kind && divergence[u"object_id"_s] == object;
        });
    };
    QVERIFY(listed(u"subscription.status"_s, canceled));
    QVERIFY(listed(u"license.status"_s, canceled));
    QVERIFY(listed(u"invoice.status"_s, openInvoice));
    QVERIFY(listed(u"payment.missing"_s, openInvoice));
    // The dashboard shows a period's values as dates, an amount as it is.
    for (const QJsonValue &divergence : divergences) {
        const QString kind = divergence[u"kind"_s].toString();
        const bool time = kind.endsWith(u"current_period_end"_s) || kind.endsWith(u"valid_until"_s);
        const bool plain = kind.endsWith(u".status"_s) || kind == u"payment.missing"_s;
        if (time || plain)
            QCOMPARE(divergence[u"value_type"_s].toString(), time ? u"time"_s : u"text"_s);
    }

    // Fixing the period fixes every line of that subscription.
    const auto fixedOne = admin("POST", u"/reconcile/divergences/%1/fix"_s.arg(periodEnd));
    QVERIFY2(fixedOne.status == 200, fixedOne.body.constData());
    QVERIFY(fixedOne.json().value(u"fixed"_s).toArray().size() >= 2);
    QVERIFY(fixedOne.json().value(u"still_different"_s).toArray().isEmpty());
    const auto again = admin("POST", u"/reconcile/divergences/%1/fix"_s.arg(periodEnd));
    QVERIFY2(again.status == 409 && again.body.contains("fixed already"), again.body.constData());
    QCOMPARE(admin("POST", u"/reconcile/divergences/999999/fix"_s).status, 404);

    const auto fixedAll = admin("POST", u"/reconcile/fix-all"_s);
    QVERIFY2(fixedAll.status == 200, fixedAll.body.constData());
    QCOMPARE(metric(u"billing_reconcile_divergences"_s), 0.0);
    QVERIFY(admin("GET", u"/reconcile/divergences?open=1&run="_s + runId)
                .json()
                .value(u"data"_s)
                .toArray()
                .isEmpty());

    QSqlQuery query(m_db->database().connection().value());
    QVERIFY(
        query.exec(u"SELECT COUNT(*) FROM audit_log WHERE action = 'reconcile.fix' AND actor = 'alice'"_s));
    QVERIFY(query.next());
    QVERIFY(query.value(0).toInt() >= 4); // three subscriptions and the invoice
    QCOMPARE(licenseStatus(canceled), u"revoked"_s);
    QVERIFY(query.exec(u"SELECT COUNT(*) FROM payments WHERE stripe_invoice_id = '%1'"_s.arg(openInvoice)));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 1);
    QCOMPARE(runToTheEnd().value(u"divergences"_s).toInt(), 0);
}

// BILLING_RECONCILE_INTERVAL: the first run comes one interval after start.
void TestReconcile::aScheduledRunComesByItself()
{
    QVERIFY(sell(u"tenant_a"_s, u"team"_s).startsWith(u"sub_"_s));
    QVERIFY(!addStaff(u"alice"_s).isEmpty());
    QVERIFY(m_server->stop());
    QHash<QString, QString> settings = m_settings;
    settings.insert(u"BILLING_RECONCILE_INTERVAL"_s, u"1"_s);
    QString output;
    QVERIFY2(m_server->start(settings, &output), qPrintable(output));
    QJsonObject run;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QJsonArray runs =
                admin("GET", u"/reconcile/runs?status=succeeded"_s).json().value(u"data"_s).toArray();
            run = runs.isEmpty() ? QJsonObject() : runs.first().toObject();
            return !runs.isEmpty();
        },
        20000));
    QCOMPARE(run.value(u"started_by"_s).toString(), u"schedule"_s);
    QCOMPARE(run.value(u"divergences"_s).toInt(), 0);
    QVERIFY(run.value(u"objects_read"_s).toInt() >= 3); // a subscription, its customer, its invoice
}

QTEST_GUILESS_MAIN(TestReconcile)
#include "tst_reconcile.moc"
