#include "HttpTestClient.h"
#include "ServerProcess.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"
#include "webhook/WebhookSigner.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

// Recognisable values: if any of them shows up where it must not, the test
// names which. (Fake, and shaped so no secret scanner mistakes them for real.)
const QString kStripeKey = u"sk_test_SECRETKEYcanary4711aaaaaaaa"_s;
const QString kWebhookSecret = u"whsec_SECRET/WEBHOOK/canary4711"_s;
const QString kApiToken = u"SECRETAPITOKENcanary4711-0123456789abcdef"_s;

} // namespace

// A full flow with recognisable secrets: checkout, webhooks (good and
// forged), dashboard sign-in and actions, failures of every kind. Afterwards
// no secret may appear in the service's log, in any answer, in any database
// row, or in the admin API; the licence private key neither.
class TestSecrets final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void secretsAppearNowhere();

private:
    void remember(const test::HttpTestClient::Reply &reply) { m_answers += reply.body + '\n'; }
    QByteArray m_answers;
};

void TestSecrets::secretsAppearNowhere()
{
    QTemporaryDir workDir;
    QString error;
    std::unique_ptr<test::TestDatabase> db = test::TestDatabase::create(SqlDialect::Sqlite, &error);
    QVERIFY2(db, qPrintable(error));
    emulator::StripeEmulator::Options options;
    options.apiKey = kStripeKey;
    options.webhookSecrets = {kWebhookSecret};
    emulator::StripeEmulator stripe(options);
    QVERIFY(stripe.listen(QHostAddress::LocalHost, 0).ok());

    QHash<QString, QString> settings = test::ServerProcess::testSettings(
        *db, workDir.filePath(u"data"_s), u"http://127.0.0.1:%1"_s.arg(stripe.port()));
    settings.insert({
        {u"STRIPE_SECRET_KEY"_s, kStripeKey},
        {u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret},
        {u"BILLING_API_TOKEN"_s, kApiToken},
        {u"QT_LOGGING_RULES"_s, u"*.debug=true"_s}, // the most talkative log there is
    });
    test::ServerProcess server(QStringLiteral(BILLING_SERVER_BINARY), workDir.path());
    QString output;
    QCOMPARE(server.run({u"migrate"_s}, settings, &output, &output), 0);
    QString staffOut;
    QCOMPARE(server.run({u"staff"_s, u"add"_s, u"dora"_s}, settings, &staffOut), 0);
    const QString staffToken = staffOut.trimmed().split(u'\n').constLast();
    QString checkConfig;
    QString checkConfigErr;
    server.run({u"check-config"_s}, settings, &checkConfig, &checkConfigErr);
    QVERIFY(server.start(settings, &output));
    stripe.webhooks().setTarget(QUrl(server.baseUrl() + u"/payments/stripe/webhook"_s));

    test::HttpTestClient http;
    const QList<QPair<QByteArray, QByteArray>> api{{"Authorization"_ba, "Bearer " + kApiToken.toLatin1()}};
    const QList<QPair<QByteArray, QByteArray>> staff{{"Authorization"_ba, "Bearer " + staffToken.toLatin1()}};
    const QString base = server.baseUrl();

    // A sale, completed in Stripe, with its webhooks.
    const auto created = http.postJson(QUrl(base + u"/payments/stripe/checkout"_s),
                                       {{u"plan_id"_s, u"solo"_s},
                                        {u"tenant_id"_s, u"tenant_secret"_s},
                                        {u"success_url"_s, u"https://app.agencyos.network/ok"_s},
                                        {u"cancel_url"_s, u"https://app.agencyos.network/no"_s}},
                                       api);
    remember(created);
    QCOMPARE(created.status, 200);
    remember(http.send(
        "POST", QUrl(u"http://127.0.0.1:%1/_emulator/checkout/sessions/%2/complete"_s.arg(stripe.port())
                         .arg(created.json().value(u"id"_s).toString()))));
    QTRY_VERIFY_WITH_TIMEOUT(
        http.get(QUrl(base + u"/admin/v1/licenses"_s), staff).json().value(u"data"_s).toArray().size() == 1,
        10000);

    // Failures of every kind: wrong tokens, forged and stale signatures, Stripe errors.
    remember(http.get(QUrl(base + u"/admin/v1/events"_s),
                      {{"Authorization"_ba, "Bearer " + kApiToken.toLatin1()}}));
    remember(http.postJson(QUrl(base + u"/payments/stripe/checkout"_s), {{u"plan_id"_s, u"solo"_s}},
                           {{"Authorization"_ba, "Bearer " + staffToken.toLatin1()}}));
    const QByteArray payload = R"({"id":"evt_forged","object":"event","type":"invoice.paid","livemode":false,
        "created":1,"data":{"object":{"id":"in_1"}}})";
    remember(
        http.send("POST", QUrl(base + u"/payments/stripe/webhook"_s), payload,
                  {{"Stripe-Signature"_ba, WebhookSigner::header({u"whsec_wrongSecret"_s}, 1, payload)}}));
    remember(http.send(
        "POST", QUrl(base + u"/payments/stripe/webhook"_s), payload,
        {{"Stripe-Signature"_ba,
          WebhookSigner::header({kWebhookSecret}, QDateTime::currentSecsSinceEpoch() - 3600, payload)}}));
    remember(http.get(QUrl(base + u"/payments/stripe/subscription/sub_doesNotExist"_s), api));
    remember(http.postJson(QUrl(base + u"/admin/v1/portal"_s), {{u"customer_id"_s, u"cus_doesNotExist"_s}},
                           staff));

    // What the dashboard reads.
    for (const QString &path : {u"/session"_s, u"/summary"_s, u"/events?limit=500"_s, u"/subscriptions"_s,
                                u"/licenses"_s, u"/invoices"_s, u"/deliveries"_s, u"/dunning"_s, u"/audit"_s,
                                u"/tenants/tenant_secret"_s, u"/changes"_s})
        remember(http.get(QUrl(base + u"/admin/v1"_s + path), staff));
    const QJsonArray events =
        http.get(QUrl(base + u"/admin/v1/events"_s), staff).json().value(u"data"_s).toArray();
    for (const QJsonValue &event : events)
        remember(http.get(QUrl(base + u"/admin/v1/events/"_s + event[u"id"_s].toString()), staff));
    remember(http.get(QUrl(base + u"/metrics"_s)));
    remember(http.get(QUrl(base + u"/healthz"_s)));
    QVERIFY(server.stop());

    // Everything the database holds, as text.
    QByteArray rows;
    QSqlDatabase connection = db->database().connection().value();
    for (const QString &table : test::tableNames(connection)) {
        QSqlQuery query(connection);
        QVERIFY(query.exec(u"SELECT * FROM "_s + table));
        while (query.next()) {
            for (int i = 0; i < query.record().count(); ++i)
                rows += query.value(i).toByteArray() + '\n';
        }
    }
    QFile keyFile(workDir.filePath(u"data/license-signing-key.pem"_s));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QByteArray privateKey = keyFile.readAll();
    // The PEM body of the private key (its base64 lines) must not leak either.
    const QList<QByteArray> keyLines = privateKey.split('\n');
    QVERIFY(keyLines.size() >= 3);
    const QByteArray keyBody = keyLines.at(1);

    const QByteArray log =
        output.toUtf8() + server.output().toUtf8() + checkConfig.toUtf8() + checkConfigErr.toUtf8();
    QVERIFY(log.contains("listening on"));   // the log was captured
    QVERIFY(rows.contains("tenant_secret")); // the rows were read
    const QList<QPair<const char *, QByteArray>> places{
        {"log", log}, {"answers", m_answers}, {"database", rows}};
    const QList<QPair<const char *, QByteArray>> secrets{{"Stripe secret key", kStripeKey.toLatin1()},
                                                         {"webhook secret", kWebhookSecret.toLatin1()},
                                                         {"API token", kApiToken.toLatin1()},
                                                         {"staff token", staffToken.toLatin1()},
                                                         {"licence private key", keyBody}};
    for (const auto &[place, text] : places) {
        for (const auto &[name, secret] : secrets) {
            if (text.contains(secret)) {
                const qsizetype at = text.indexOf(secret);
                qWarning("%s in the %s: ...%s...", name, place,
                         text.mid(std::max<qsizetype>(0, at - 300), 400).constData());
            }
            QVERIFY2(!text.contains(secret), qPrintable(u"the %1 appears in the %2"_s.arg(
                                                 QLatin1StringView(name), QLatin1StringView(place))));
        }
    }
    // Not even the API token's distinctive part.
    QVERIFY(!log.contains("canary4711") && !m_answers.contains("canary4711") && !rows.contains("canary4711"));
}

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
