#include "HttpTestClient.h"
#include "ServerProcess.h"
#include "TestDatabase.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;

// /healthz and /metrics of the real service process, as a monitor sees them.
class TestOpsRoutes final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void healthzNamesEachCheck();
    void metricsCountRefusedWebhooksAndStripeCalls();

private:
    std::unique_ptr<QTemporaryDir> m_workDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<test::ServerProcess> m_server;
    test::HttpTestClient m_client;
};

void TestOpsRoutes::init()
{
    m_workDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_workDir->isValid());
    QString error;
    m_db = test::TestDatabase::create(SqlDialect::Sqlite, &error);
    QVERIFY2(m_db, qPrintable(error));
    // Nothing listens at Stripe's address: the Stripe call fails fast, and is counted.
    QHash<QString, QString> settings =
        test::ServerProcess::testSettings(*m_db, m_workDir->filePath(u"data"_s), u"http://127.0.0.1:9"_s);
    settings.insert(u"BILLING_API_TOKEN"_s, u"ops-routes-test-token-0123456789abcdef0123"_s);
    m_server =
        std::make_unique<test::ServerProcess>(QStringLiteral(BILLING_SERVER_BINARY), m_workDir->path());
    QString output;
    QVERIFY2(m_server->start(settings, &output), qPrintable(output));
}

void TestOpsRoutes::cleanup()
{
    if (m_server)
        QVERIFY(m_server->stop());
    m_server.reset();
    m_db.reset();
    m_workDir.reset();
}

void TestOpsRoutes::healthzNamesEachCheck()
{
    const auto healthy = m_client.get(QUrl(m_server->baseUrl() + u"/healthz"_s));
    QCOMPARE(healthy.status, 200);
    QCOMPARE(healthy.json().value(u"status"_s).toString(), u"ok"_s);
    const QJsonObject checks = healthy.json().value(u"checks"_s).toObject();
    QCOMPARE(checks.value(u"database"_s).toString(), u"ok"_s);
    QCOMPARE(checks.value(u"migrations"_s).toString(), u"ok"_s);
    QCOMPARE(checks.value(u"license_signing_key"_s).toString(), u"ok"_s);

    // The signing key gone: unhealthy, and the answer says which check failed.
    QVERIFY(QFile::remove(m_workDir->filePath(u"data/license-signing-key.pem"_s)));
    const auto unhealthy = m_client.get(QUrl(m_server->baseUrl() + u"/healthz"_s));
    QCOMPARE(unhealthy.status, 503);
    QCOMPARE(unhealthy.json().value(u"checks"_s).toObject().value(u"license_signing_key"_s).toString(),
             u"not readable"_s);
    QCOMPARE(unhealthy.json().value(u"checks"_s).toObject().value(u"database"_s).toString(), u"ok"_s);
}

void TestOpsRoutes::metricsCountRefusedWebhooksAndStripeCalls()
{
    for (int i = 0; i < 2; ++i) {
        const auto refused = m_client.send(
            "POST", QUrl(m_server->baseUrl() + u"/payments/stripe/webhook"_s), "{}",
            {{"Stripe-Signature"_ba, "t=1,v1=00"_ba}, {"Content-Type"_ba, "application/json"_ba}});
        QCOMPARE(refused.status, 400);
    }
    const auto checkout =
        m_client.postJson(QUrl(m_server->baseUrl() + u"/payments/stripe/checkout"_s),
                          {{u"plan_id"_s, u"solo"_s},
                           {u"tenant_id"_s, u"t1"_s},
                           {u"success_url"_s, u"https://app.agencyos.network/a"_s},
                           {u"cancel_url"_s, u"https://app.agencyos.network/b"_s}},
                          {{"Authorization"_ba, "Bearer ops-routes-test-token-0123456789abcdef0123"_ba}});
    QVERIFY2(checkout.status == 502 || checkout.status == 504, checkout.body.constData());

    const auto metrics = m_client.get(QUrl(m_server->baseUrl() + u"/metrics"_s));
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.header("Content-Type").startsWith("text/plain"));
    const QString text = QString::fromUtf8(metrics.body);
    QVERIFY2(text.contains(u"billing_webhook_refused_total{reason=\"signature\"} 2\n"_s), qPrintable(text));
    QVERIFY2(
        text.contains(u"billing_stripe_requests_total{method=\"POST\",endpoint=\"/v1/checkout/sessions\","
                      "status=\"0\"} 1\n"_s),
        qPrintable(text));
    QVERIFY(text.contains(u"# TYPE billing_stripe_request_duration_seconds summary"_s));
    // Nothing secret in it.
    QVERIFY(!text.contains(u"sk_test_"_s) && !text.contains(u"whsec_"_s));
}

QTEST_GUILESS_MAIN(TestOpsRoutes)
#include "tst_opsroutes.moc"
