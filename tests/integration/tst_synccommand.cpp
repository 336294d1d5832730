#include "HttpTestClient.h"
#include "ServerProcess.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"
#include "db/MigrationCatalog.h"
#include "db/Migrator.h"

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
class TestSyncCommand final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void catchesUpWithEventsMissedWhileDown();

private:
    // Runs the command while this thread's event loop keeps the emulator answering.
    int runSync(QString *output);
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

int TestSyncCommand::runSync(QString *output)
{
    QProcess process;
    process.setProcessEnvironment(test::ServerProcess::environment(m_settings));
    process.setWorkingDirectory(m_workDir->path());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(BILLING_SERVER_BINARY), {u"sync"_s, u"events"_s, u"--rate"_s, u"100"_s});
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 60000))
        return -1;
    *output = QString::fromUtf8(process.readAll());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
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

QTEST_GUILESS_MAIN(TestSyncCommand)
#include "tst_synccommand.moc"
