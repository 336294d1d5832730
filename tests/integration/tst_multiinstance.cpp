#include "HttpTestClient.h"
#include "ServerProcess.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"
#include "db/MigrationCatalog.h"
#include "db/Migrator.h"
#include "webhook/WebhookSigner.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlQuery>
#include <QTest>

#include <numeric>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {
const QString kSecretKey = u"sk_test_51MultiInstanceTestKey000"_s;
const QString kWebhookSecret = u"whsec_test/multi/instance"_s;
constexpr int kCopies = 50;
} // namespace

// Outgrowing one machine: two service processes on one PostgreSQL database
// receive the same deliveries at once — 50 copies of one
// checkout.session.completed plus the subscription's and invoice's events,
// spread over both. Whatever gets no 2xx is retried, as Stripe does; in the
// end there is one licence, no duplicate row, and no event lost.
class TestMultiInstance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoInstancesMakeOneLicence();

private:
    qint64 count(const QString &sql);
    std::unique_ptr<test::TestDatabase> m_db;
};

qint64 TestMultiInstance::count(const QString &sql)
{
    QSqlQuery query(m_db->database().connection().value());
    return query.exec(sql) && query.next() ? query.value(0).toLongLong() : -1;
}

void TestMultiInstance::twoInstancesMakeOneLicence()
{
    QTemporaryDir workDir;
    QString error;
    m_db = test::TestDatabase::create(SqlDialect::Postgres, &error);
    QVERIFY2(m_db, qPrintable(error));
    QVERIFY(Migrator(m_db->database(), MigrationCatalog::builtIn().value()).migrate().ok());

    // The events of one sale, as Stripe has them.
    emulator::StripeEmulator::Options options;
    options.webhookSecrets = {kWebhookSecret};
    options.webhookUrl = QUrl(u"http://127.0.0.1:9/"_s); // nobody: we deliver ourselves
    emulator::StripeEmulator stripe(options);
    QVERIFY(stripe.listen(QHostAddress::LocalHost, 0).ok());
    test::HttpTestClient http;
    const QString base = u"http://127.0.0.1:%1"_s.arg(stripe.port());
    const auto created = http.send(
        "POST", QUrl(base + u"/v1/checkout/sessions"_s),
        "mode=subscription&line_items[0][price]=price_demo_team&line_items[0][quantity]=1&"
        "success_url=https%3A%2F%2Fa.test&client_reference_id=tenant_multi&metadata[tenant_id]=tenant_multi"
        "&metadata[plan]=team&customer_email=m%40ulti.test"_ba,
        {{"Authorization"_ba, "Bearer " + kSecretKey.toLatin1()},
         {"Content-Type"_ba, "application/x-www-form-urlencoded"_ba}});
    QCOMPARE(created.status, 200);
    QCOMPARE(http.send("POST", QUrl(base + u"/_emulator/checkout/sessions/"_s +
                                    created.json().value(u"id"_s).toString() + u"/complete"_s))
                 .status,
             200);
    const QJsonArray events = http.get(QUrl(base + u"/v1/events?limit=100"_s),
                                       {{"Authorization"_ba, "Bearer " + kSecretKey.toLatin1()}})
                                  .json()
                                  .value(u"data"_s)
                                  .toArray();
    QVERIFY(events.size() >= 3);
    QList<QByteArray> deliveries;
    for (const QJsonValue &event : events) {
        const QByteArray payload = QJsonDocument(event.toObject()).toJson(QJsonDocument::Compact);
        const int copies = event[u"type"_s].toString() == u"checkout.session.completed" ? kCopies : 5;
        for (int i = 0; i < copies; ++i)
            deliveries << payload;
    }

    // Two instances on the one database.
    QHash<QString, QString> settings =
        test::ServerProcess::testSettings(*m_db, workDir.filePath(u"data"_s), base);
    settings.insert({{u"STRIPE_SECRET_KEY"_s, kSecretKey},
                     {u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret},
                     {u"QT_LOGGING_RULES"_s, u"billing.*.info=false"_s}});
    test::ServerProcess first(QStringLiteral(BILLING_SERVER_BINARY), workDir.path());
    test::ServerProcess second(QStringLiteral(BILLING_SERVER_BINARY), workDir.path());
    QString output;
    QVERIFY2(first.start(settings, &output), qPrintable(output));
    QVERIFY2(second.start(settings, &output), qPrintable(output));
    const QStringList targets{first.baseUrl(), second.baseUrl()};

    // All at once; what is not 2xx is delivered again, up to 10 rounds.
    QNetworkAccessManager network;
    QList<int> pending(deliveries.size());
    std::iota(pending.begin(), pending.end(), 0);
    int rounds = 0;
    int retried = 0;
    while (!pending.isEmpty() && rounds < 10) {
        ++rounds;
        QList<int> failed;
        int open = 0;
        for (int index : std::as_const(pending)) {
            QNetworkRequest request(QUrl(targets[index % 2] + u"/payments/stripe/webhook"_s));
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
            request.setRawHeader("Stripe-Signature",
                                 WebhookSigner::header({kWebhookSecret}, QDateTime::currentSecsSinceEpoch(),
                                                       deliveries[index]));
            QNetworkReply *reply = network.post(request, deliveries[index]);
            ++open;
            connect(reply, &QNetworkReply::finished, reply, [&, reply, index] {
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (status < 200 || status > 299)
                    failed << index;
                --open;
                reply->deleteLater();
            });
        }
        QVERIFY(QTest::qWaitFor([&] { return open == 0; }, 60000));
        retried += int(failed.size());
        pending = failed;
    }
    QVERIFY(first.stop());
    QVERIFY(second.stop());
    QVERIFY2(pending.isEmpty(), "deliveries still refused after 10 rounds");

    QCOMPARE(count(u"SELECT COUNT(*) FROM licenses WHERE tenant_id = 'tenant_multi'"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM tenants"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM subscriptions"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM payment_events"_s), qint64(events.size()));
    QCOMPARE(count(u"SELECT COUNT(*) FROM payment_events WHERE status = 'processed' OR status = 'ignored'"_s),
             qint64(events.size()));
    QCOMPARE(count(u"SELECT COUNT(*) FROM payments"_s),
             count(u"SELECT COUNT(DISTINCT stripe_invoice_id) FROM payments"_s));
    qInfo("%lld deliveries of %lld events over two instances in %d round(s), %d retried after a non-2xx",
          qint64(deliveries.size()), qint64(events.size()), rounds, retried);
}

QTEST_GUILESS_MAIN(TestMultiInstance)
#include "tst_multiinstance.moc"
