#include "HttpTestClient.h"
#include "ServerProcess.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"
#include "db/MigrationCatalog.h"
#include "db/Migrator.h"

#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {
const QString kSecretKey = u"sk_test_51SyncCommandTestKey0000"_s;
const QString kWebhookSecret = u"whsec_test/sync/command"_s;
} // namespace

// `sync events`: a checkout completed while the service was down (its
// webhooks went nowhere) is fetched from GET /v1/events and applied once.
// `sync customers|subscriptions|invoices|all`: Stripe's objects imported page
// by page, as their webhooks would have left them, resumable after a failure.
class TestSyncCommand final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void catchesUpWithEventsMissedWhileDown();
    void importsStripesObjectsAsTheirWebhooksWould();
    void resumesAnInterruptedImportAfterItsLastPage();
    void resumesAfterStripeDeletedTheCursorObject();
    void rollsBackAPageWithAnObjectItCannotImport();
    void refusesBadArguments_data();
    void refusesBadArguments();

private:
    // Runs the command while this thread's event loop keeps the emulator answering.
    int runSync(QString *output, const QStringList &arguments = {u"events"_s, u"--rate"_s, u"100"_s});
    // A checkout completed in the emulator while the service is down; the subscription id.
    QString sellWhileDown(const QString &tenantId, const QString &price);
    // POST or DELETE to the emulator; the answer's JSON.
    QJsonObject emulatorCall(const QByteArray &method, const QString &path, const QByteArray &body = {});
    qint64 count(const QString &sql);

    std::unique_ptr<QTemporaryDir> m_workDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<emulator::StripeEmulator> m_stripe;
    QHash<QString, QString> m_settings;
};

void TestSyncCommand::init()
{
    m_workDir = std::make_unique<QTemporaryDir>();
    QString error;
    m_db = test::TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_db, qPrintable(error));
    QVERIFY(Migrator(m_db->database(), MigrationCatalog::builtIn().value()).migrate().ok());
    emulator::StripeEmulator::Options options;
    options.webhookSecrets = {kWebhookSecret};
    options.webhookUrl = QUrl(u"http://127.0.0.1:9/payments/stripe/webhook"_s); // the service is down
    m_stripe = std::make_unique<emulator::StripeEmulator>(options);
    QVERIFY(m_stripe->listen(QHostAddress::LocalHost, 0).ok());
    m_settings = test::ServerProcess::testSettings(*m_db, m_workDir->filePath(u"data"_s),
                                                   u"http://127.0.0.1:%1"_s.arg(m_stripe->port()));
    m_settings.insert({{u"STRIPE_SECRET_KEY"_s, kSecretKey}, {u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret}});
}

void TestSyncCommand::cleanup()
{
    m_stripe.reset();
    m_db.reset();
    m_workDir.reset();
}

int TestSyncCommand::runSync(QString *output, const QStringList &arguments)
{
    QProcess process;
    process.setProcessEnvironment(test::ServerProcess::environment(m_settings));
    process.setWorkingDirectory(m_workDir->path());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(BILLING_SERVER_BINARY), QStringList{u"sync"_s} + arguments);
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 60000))
        return -1;
    *output = QString::fromUtf8(process.readAll());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

QJsonObject TestSyncCommand::emulatorCall(const QByteArray &method, const QString &path,
                                          const QByteArray &body)
{
    test::HttpTestClient http;
    const auto answer = http.send(method, QUrl(u"http://127.0.0.1:%1"_s.arg(m_stripe->port()) + path), body,
                                  {{"Authorization"_ba, "Bearer " + kSecretKey.toLatin1()},
                                   {"Content-Type"_ba, "application/x-www-form-urlencoded"_ba}});
    if (answer.status != 200)
        qWarning() << method << path << answer.status << answer.body;
    return answer.status == 200 ? answer.json() : QJsonObject();
}

QString TestSyncCommand::sellWhileDown(const QString &tenantId, const QString &price)
{
    const QJsonObject session = emulatorCall(
        "POST", u"/v1/checkout/sessions"_s,
        u"mode=subscription&line_items[0][price]=%1&line_items[0][quantity]=1&success_url=https%3A%2F%2Fa."
        u"test"
        "&client_reference_id=%2&subscription_data[metadata][tenant_id]=%2&customer_email=%2%40example.com"_s
            .arg(price, tenantId)
            .toUtf8());
    const QJsonObject completed = emulatorCall(
        "POST", u"/_emulator/checkout/sessions/%1/complete"_s.arg(session.value(u"id"_s).toString()));
    return completed.value(u"subscription"_s).toObject().value(u"id"_s).toString();
}

qint64 TestSyncCommand::count(const QString &sql)
{
    QSqlQuery query(m_db->database().connection().value());
    return query.exec(sql) && query.next() ? query.value(0).toLongLong() : -1;
}

void TestSyncCommand::catchesUpWithEventsMissedWhileDown()
{
    test::HttpTestClient http;
    const QString base = u"http://127.0.0.1:%1"_s.arg(m_stripe->port());
    const auto created = http.send(
        "POST", QUrl(base + u"/v1/checkout/sessions"_s),
        "mode=subscription&line_items[0][price]=price_demo_team&line_items[0][quantity]=1&"
        "success_url=https%3A%2F%2Fa.test&client_reference_id=tenant_sync&metadata[tenant_id]=tenant_sync"
        "&metadata[plan]=team&customer_email=s%40ync.test"_ba,
        {{"Authorization"_ba, "Bearer " + kSecretKey.toLatin1()},
         {"Content-Type"_ba, "application/x-www-form-urlencoded"_ba}});
    QCOMPARE(created.status, 200);
    const auto completed = http.send("POST", QUrl(base + u"/_emulator/checkout/sessions/"_s +
                                                  created.json().value(u"id"_s).toString() + u"/complete"_s));
    QCOMPARE(completed.status, 200);
    QCOMPARE(count(u"SELECT COUNT(*) FROM payment_events"_s), 0);

    QString output;
    QCOMPARE(runSync(&output), 0);
    QVERIFY2(output.contains(u"processed"_s), qPrintable(output));
    const qint64 synced = count(u"SELECT COUNT(*) FROM payment_events WHERE source = 'sync'"_s);
    QVERIFY2(synced >= 3, qPrintable(output)); // checkout, subscription, invoice at least
    QCOMPARE(count(u"SELECT COUNT(*) FROM payment_events WHERE status = 'failed'"_s), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM licenses WHERE tenant_id = 'tenant_sync'"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM subscriptions WHERE tenant_id = 'tenant_sync'"_s), 1);

    // Again: nothing new is applied, nothing doubles.
    QCOMPARE(runSync(&output), 0);
    QVERIFY2(output.contains(u"duplicate"_s), qPrintable(output));
    QCOMPARE(count(u"SELECT COUNT(*) FROM payment_events"_s), synced);
    QCOMPARE(count(u"SELECT COUNT(*) FROM licenses"_s), 1);
}

void TestSyncCommand::importsStripesObjectsAsTheirWebhooksWould()
{
    // Five sales while the service was down: one renewed, one whose renewal
    // failed, one canceled; and a customer of the account this service never sold to.
    QStringList subscriptions;
    for (int i = 0; i < 5; ++i) {
        subscriptions << sellWhileDown(u"tenant_import_%1"_s.arg(i),
                                       i % 2 ? u"price_demo_team"_s : u"price_demo_solo"_s);
        QVERIFY(!subscriptions.last().isEmpty());
    }
    QVERIFY(!emulatorCall("POST", u"/_emulator/subscriptions/%1/renew"_s.arg(subscriptions[1])).isEmpty());
    QVERIFY(
        !emulatorCall("POST", u"/_emulator/subscriptions/%1/fail_renewal"_s.arg(subscriptions[2])).isEmpty());
    QVERIFY(!emulatorCall("DELETE", u"/v1/subscriptions/%1"_s.arg(subscriptions[3])).isEmpty());
    // Sold elsewhere on the same Stripe account: a customer, its subscription and invoice.
    const QString stranger =
        m_stripe->store().createCustomer(u"someone@else.test"_s, {}).value(u"id"_s).toString();
    const QJsonObject strangerSubscription =
        m_stripe->store().createSubscription(stranger, u"price_demo_solo"_s, {}, 0);
    m_stripe->store().createInvoice(strangerSubscription, true, u"subscription_create"_s);
    const qint64 stripeInvoices = m_stripe->store().objects(u"invoice"_s).size() - 1;
    QCOMPARE(stripeInvoices, 7); // five first invoices, one renewal, one failed renewal
    QCOMPARE(count(u"SELECT COUNT(*) FROM subscriptions"_s), 0);

    QString output;
    QCOMPARE(runSync(&output, {u"all"_s, u"--page-size"_s, u"2"_s, u"--rate"_s, u"100"_s}), 0);
    // The stranger's customer, subscription and invoice are read and skipped.
    auto summary = [&](const QString &pattern) {
        return QRegularExpression(pattern).match(output).hasMatch();
    };
    QVERIFY2(summary(u"subscriptions: 6 read in 3 pages \\(\\d+/s\\): 5 imported, 0 not newer than what is "
                     "stored, 1 skipped"_s),
             qPrintable(output));
    QVERIFY2(summary(u"customers: 6 read in 3 pages \\(\\d+/s\\): 5 imported, 0 not newer than what is "
                     "stored, 1 skipped"_s),
             qPrintable(output));
    QVERIFY2(summary(u"invoices: 8 read in 4 pages \\(\\d+/s\\): 7 imported, 0 not newer than what is "
                     "stored, 1 skipped"_s),
             qPrintable(output));

    QCOMPARE(count(u"SELECT COUNT(*) FROM tenants WHERE status = 'active'"_s), 5);
    QCOMPARE(count(u"SELECT COUNT(*) FROM tenants WHERE email = tenant_id || '@example.com'"_s), 5);
    QCOMPARE(count(u"SELECT COUNT(*) FROM customers"_s), 5);
    QCOMPARE(count(u"SELECT COUNT(*) FROM subscriptions"_s), 5);
    QCOMPARE(
        count(
            u"SELECT COUNT(*) FROM subscriptions WHERE status = 'canceled' AND stripe_subscription_id = '%1'"_s
                .arg(subscriptions[3])),
        1);
    QCOMPARE(
        count(
            u"SELECT COUNT(*) FROM subscriptions WHERE status = 'past_due' AND stripe_subscription_id = '%1'"_s
                .arg(subscriptions[2])),
        1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM subscriptions WHERE plan = 'team'"_s), 2);
    QCOMPARE(count(u"SELECT COUNT(*) FROM licenses"_s), 5);
    QCOMPARE(
        count(
            u"SELECT COUNT(*) FROM licenses WHERE status = 'revoked' AND stripe_subscription_id = '%1'"_s.arg(
                subscriptions[3])),
        1);
    QCOMPARE(
        count(u"SELECT COUNT(*) FROM licenses WHERE status = 'grace' AND stripe_subscription_id = '%1'"_s.arg(
            subscriptions[2])),
        1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM invoices"_s), stripeInvoices);
    QCOMPARE(count(u"SELECT COUNT(*) FROM payments"_s), stripeInvoices - 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM invoices WHERE tenant_id IS NULL"_s), 0);
    // An old failure is history, not news: no dunning notice from an import.
    QCOMPARE(count(u"SELECT COUNT(*) FROM notification_outbox"_s), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM sync_cursors WHERE completed_at IS NOT NULL"_s), 3);

    // Again: a new run from the top, where everything is already as it should be.
    QCOMPARE(runSync(&output, {u"all"_s, u"--rate"_s, u"100"_s}), 0);
    QVERIFY2(output.contains(u"subscriptions: 6 read in 1 pages"_s), qPrintable(output));
    // The canceled one is final: a later snapshot of it has nothing to apply.
    QVERIFY2(output.contains(u"4 imported, 1 not newer than what is stored, 1 skipped"_s),
             qPrintable(output));
    QCOMPARE(count(u"SELECT COUNT(*) FROM licenses"_s), 5);
    QCOMPARE(count(u"SELECT COUNT(*) FROM payments"_s), stripeInvoices - 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM invoices"_s), stripeInvoices);
}

void TestSyncCommand::resumesAnInterruptedImportAfterItsLastPage()
{
    QStringList newestFirst;
    for (int i = 0; i < 7; ++i)
        newestFirst.prepend(sellWhileDown(u"tenant_resume_%1"_s.arg(i), u"price_demo_solo"_s));
    // Stripe answers two pages, then fails (longer than the client's retries last).
    emulatorCall("POST", u"/_emulator/faults"_s,
                 R"({"method":"GET","path":"/v1/subscriptions","status":500,"count":20,"after":2})");

    QString output;
    QCOMPARE(runSync(&output, {u"subscriptions"_s, u"--page-size"_s, u"2"_s, u"--rate"_s, u"100"_s}), 1);
    QVERIFY2(output.contains(u"run the command again to resume"_s), qPrintable(output));
    // Two whole pages stayed, nothing of the third.
    QCOMPARE(count(u"SELECT COUNT(*) FROM subscriptions"_s), 4);
    QCOMPARE(count(u"SELECT COUNT(*) FROM licenses"_s), 4);
    QCOMPARE(count(u"SELECT objects_applied FROM sync_cursors WHERE resource = 'subscriptions'"_s), 4);

    emulatorCall("DELETE", u"/_emulator/faults"_s);
    emulatorCall("DELETE", u"/_emulator/requests"_s);
    QCOMPARE(runSync(&output, {u"subscriptions"_s, u"--page-size"_s, u"2"_s, u"--rate"_s, u"100"_s}), 0);
    QVERIFY2(output.contains(u"resuming the run started"_s), qPrintable(output));
    QVERIFY2(output.contains(newestFirst[3]), qPrintable(output));
    // The resumed run asked for what follows the fourth subscription, not the top.
    test::HttpTestClient http;
    const QJsonArray requests =
        http.send("GET", QUrl(u"http://127.0.0.1:%1/_emulator/requests"_s.arg(m_stripe->port())))
            .json()
            .value(u"data"_s)
            .toArray();
    QVERIFY(!requests.isEmpty());
    const QString firstQuery = requests.first().toObject().value(u"query"_s).toString();
    QVERIFY2(firstQuery.contains(u"starting_after="_s + newestFirst[3]), qPrintable(firstQuery));
    QCOMPARE(count(u"SELECT COUNT(*) FROM subscriptions"_s), 7);
    QCOMPARE(count(u"SELECT COUNT(*) FROM licenses"_s), 7);
    QCOMPARE(count(u"SELECT COUNT(*) FROM sync_cursors WHERE resource = 'subscriptions' "
                   "AND completed_at IS NOT NULL AND objects_applied = 7"_s),
             1);
}

void TestSyncCommand::resumesAfterStripeDeletedTheCursorObject()
{
    for (int i = 0; i < 6; ++i)
        QVERIFY(!sellWhileDown(u"tenant_gone_%1"_s.arg(i), u"price_demo_solo"_s).isEmpty());
    QString output;
    QCOMPARE(runSync(&output, {u"subscriptions"_s, u"--rate"_s, u"100"_s}), 0); // links customers to tenants
    emulatorCall("POST", u"/_emulator/faults"_s,
                 R"({"method":"GET","path":"/v1/customers","status":500,"count":20,"after":2})");
    QCOMPARE(runSync(&output, {u"customers"_s, u"--page-size"_s, u"2"_s, u"--rate"_s, u"100"_s}), 1);
    QCOMPARE(count(u"SELECT objects_applied FROM sync_cursors WHERE resource = 'customers'"_s), 4);

    // The customer the run stopped after is deleted in Stripe meanwhile.
    emulatorCall("DELETE", u"/_emulator/faults"_s);
    const QString cursorCustomer = m_stripe->store().objects(u"customer"_s).at(3).value(u"id"_s).toString();
    m_stripe->store().remove(u"customer"_s, cursorCustomer);
    QCOMPARE(runSync(&output, {u"customers"_s, u"--page-size"_s, u"2"_s, u"--rate"_s, u"100"_s}), 0);
    QVERIFY2(output.contains(cursorCustomer + u" is gone from Stripe"_s), qPrintable(output));
    QCOMPARE(
        count(
            u"SELECT COUNT(*) FROM sync_cursors WHERE resource = 'customers' AND completed_at IS NOT NULL"_s),
        1);
}

void TestSyncCommand::rollsBackAPageWithAnObjectItCannotImport()
{
    QVERIFY(!sellWhileDown(u"tenant_page_0"_s, u"price_demo_solo"_s).isEmpty());
    // A subscription without a customer: not what Stripe sends, but the bytes could be anything.
    emulator::EmulatorStore &store = m_stripe->store();
    const QString broken = store.newId(u"sub"_s);
    store.put(u"subscription"_s,
              QJsonObject{{u"id"_s, broken},
                          {u"object"_s, u"subscription"_s},
                          {u"status"_s, u"active"_s},
                          {u"created"_s, store.now()},
                          {u"metadata"_s, QJsonObject{{u"tenant_id"_s, u"tenant_page_x"_s}}}});
    QVERIFY(!sellWhileDown(u"tenant_page_1"_s, u"price_demo_solo"_s).isEmpty());

    // Page 1 is [the newest sale, broken]: the sale is imported, then broken
    // fails, and the whole page goes back.
    QString output;
    QCOMPARE(runSync(&output, {u"subscriptions"_s, u"--page-size"_s, u"2"_s, u"--rate"_s, u"100"_s}), 1);
    QVERIFY2(output.contains(broken + u": the subscription has no id or customer"_s), qPrintable(output));
    QCOMPARE(output.count(u"error: "_s), 1); // not tried again: it would fail again
    QCOMPARE(count(u"SELECT COUNT(*) FROM subscriptions"_s), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM licenses"_s), 0);
    QCOMPARE(count(u"SELECT pages_applied FROM sync_cursors WHERE resource = 'subscriptions'"_s), 0);
}

void TestSyncCommand::refusesBadArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("nothing") << QStringList{} << u"usage:"_s;
    QTest::newRow("unknown list") << QStringList{u"prices"_s} << u"usage:"_s;
    QTest::newRow("two lists") << QStringList{u"customers"_s, u"invoices"_s} << u"usage:"_s;
    QTest::newRow("page size 0") << QStringList{u"customers"_s, u"--page-size"_s, u"0"_s} << u"--page-size"_s;
    QTest::newRow("page size 101") << QStringList{u"all"_s, u"--page-size"_s, u"101"_s} << u"--page-size"_s;
    QTest::newRow("rate 0") << QStringList{u"invoices"_s, u"--rate"_s, u"0"_s} << u"--rate"_s;
    QTest::newRow("since on an import") << QStringList{u"customers"_s, u"--since"_s, u"5"_s} << u"--since"_s;
    QTest::newRow("restart on events") << QStringList{u"events"_s, u"--restart"_s} << u"--restart"_s;
}

void TestSyncCommand::refusesBadArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QString output;
    QCOMPARE(runSync(&output, arguments), 2);
    QVERIFY2(output.contains(message), qPrintable(output));
    QCOMPARE(count(u"SELECT COUNT(*) FROM sync_cursors"_s), 0);
}

QTEST_GUILESS_MAIN(TestSyncCommand)
#include "tst_synccommand.moc"
