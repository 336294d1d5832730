#include "HttpTestClient.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"
#include "billing/EventProcessor.h"
#include "common/Clock.h"
#include "db/Migrator.h"
#include "license/LicenseSigner.h"
#include "webhook/EventWorker.h"
#include "webhook/RefusedDeliveries.h"
#include "webhook/SignatureVerifier.h"
#include "webhook/WebhookRoute.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;
using Headers = QList<QPair<QByteArray, QByteArray>>;

namespace {
const QString kSecret = u"whsec_routeTestSecret"_s;
const PlanPrices kPrices{u"price_demo_solo"_s, u"price_demo_team"_s, u"price_demo_enterprise"_s};
} // namespace

// POST /payments/stripe/webhook end to end: signature, storage, answers, and
// the emulator's real deliveries after a completed checkout.
class TestWebhookRoute final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void refusesBadSignaturesAndLogsThem_data();
    void refusesBadSignaturesAndLogsThem();
    void refusesOversizedBodies();
    void acknowledgesOnlyStoredEvents();
    void answers500WhenProcessingFails();
    void emulatorCheckoutProvisionsOnce();
    void concurrentDuplicateDeliveriesMakeOneLicence();
    void floodOfRefusalsIsCountedNotWrittenEach();
    void sourcesBeyondTheLimitAreCountedTogether();

private:
    QByteArray sign(const QByteArray &payload, qint64 t) const;
    test::HttpTestClient::Reply deliver(const QByteArray &payload, const QByteArray &signature);
    qint64 count(const QString &table, const QString &where = {});
    QVariant value(const QString &sql);
    QUrl webhookUrl() const;

    QTemporaryDir m_keyDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<LicenseSigner> m_signer;
    std::unique_ptr<SignatureVerifier> m_verifier;
    std::unique_ptr<EventProcessor> m_processor;
    FixedClock m_refusalClock{QDateTime(QDate(2027, 1, 1), QTime(12, 0, 5), Qt::UTC)};
    std::unique_ptr<server::RefusedDeliveries> m_refusals;
    std::unique_ptr<server::HttpService> m_service;
    std::unique_ptr<server::EventWorker> m_worker;
    std::unique_ptr<server::WebhookRoute> m_route;
    std::unique_ptr<test::HttpTestClient> m_client;
};

void TestWebhookRoute::init()
{
    QString error;
    m_db = test::TestDatabase::create(SqlDialect::Sqlite, &error);
    QVERIFY2(m_db, qPrintable(error));
    QVERIFY(Migrator(m_db->database(), MigrationCatalog::builtIn().value()).migrate().ok());
    m_signer =
        std::make_unique<LicenseSigner>(LicenseSigner::loadOrCreate(m_keyDir.filePath(u"key.pem"_s)).value());
    m_verifier = std::make_unique<SignatureVerifier>(QStringList{kSecret}, std::chrono::seconds(300));
    m_processor =
        std::make_unique<EventProcessor>(m_db->database(), *m_signer, PlanCatalog(kPrices),
                                         EventProcessor::Options{StripeMode::Test, u"2025-03-31.basil"_s});
    // A fixed time for the counts: a flood that ran across an hour would make two rows.
    m_refusals = std::make_unique<server::RefusedDeliveries>(
        m_db->database(), m_refusalClock,
        server::RefusedDeliveries::Options{std::chrono::milliseconds(50), 1000});
    m_service = std::make_unique<server::HttpService>();
    m_worker = std::make_unique<server::EventWorker>(*m_processor, m_db->database());
    m_route = std::make_unique<server::WebhookRoute>(server::WebhookRoute::Dependencies{
        m_verifier.get(), m_worker.get(), m_refusals.get(), nullptr, 64 * 1024});
    m_route->install(*m_service);
    QVERIFY(m_service->listen(QHostAddress::LocalHost, 0).ok());
    m_client = std::make_unique<test::HttpTestClient>();
}

void TestWebhookRoute::cleanup()
{
    m_client.reset();
    m_route.reset();
    m_worker.reset();
    m_refusals.reset();
    m_service.reset();
    m_processor.reset();
    m_db.reset();
}

QUrl TestWebhookRoute::webhookUrl() const
{
    return QUrl(u"http://127.0.0.1:%1/payments/stripe/webhook"_s.arg(m_service->serverPort()));
}

QByteArray TestWebhookRoute::sign(const QByteArray &payload, qint64 t) const
{
    return "t=" + QByteArray::number(t) + ",v1=" +
           QMessageAuthenticationCode::hash(QByteArray::number(t) + '.' + payload, kSecret.toUtf8(),
                                            QCryptographicHash::Sha256)
               .toHex();
}

test::HttpTestClient::Reply TestWebhookRoute::deliver(const QByteArray &payload, const QByteArray &signature)
{
    Headers headers{{"Content-Type"_ba, "application/json; charset=utf-8"_ba}};
    if (!signature.isEmpty())
        headers.append({"Stripe-Signature"_ba, signature});
    return m_client->send("POST", webhookUrl(), payload, headers);
}

qint64 TestWebhookRoute::count(const QString &table, const QString &where)
{
    return value(u"SELECT COUNT(*) FROM "_s + table + (where.isEmpty() ? QString() : u" WHERE "_s + where))
        .toLongLong();
}

QVariant TestWebhookRoute::value(const QString &sql)
{
    // A connection of its own: it sees only what the service has committed.
    Database reader(m_db->url());
    QSqlDatabase db = reader.connection().value();
    QSqlQuery query(db);
    if (!query.exec(sql))
        qFatal("test query failed: %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
    return query.next() ? query.value(0) : QVariant();
}

static QByteArray customerCreated(const QString &id)
{
    return QJsonDocument(
               QJsonObject{{u"id"_s, id},
                           {u"object"_s, u"event"_s},
                           {u"type"_s, u"customer.created"_s},
                           {u"created"_s, 1764000000},
                           {u"livemode"_s, false},
                           {u"api_version"_s, u"2025-03-31.basil"_s},
                           {u"data"_s, QJsonObject{{u"object"_s, QJsonObject{{u"id"_s, u"cus_x"_s}}}}}})
        .toJson();
}

void TestWebhookRoute::refusesBadSignaturesAndLogsThem_data()
{
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<QString>("reason");
    const QByteArray payload = customerCreated(u"evt_sig"_s);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QTest::newRow("missing") << QByteArray() << u"no Stripe-Signature header"_s;
    QTest::newRow("malformed") << "nonsense"_ba << u"malformed Stripe-Signature header"_s;
    QTest::newRow("wrong secret") << "t=" + QByteArray::number(now) + ",v1=" + QByteArray(64, 'a')
                                  << u"no v1 signature matches"_s;
    QTest::newRow("stale") << sign(payload, now - 3600) << u"beyond the 300 s tolerance"_s;
}

void TestWebhookRoute::refusesBadSignaturesAndLogsThem()
{
    QFETCH(QByteArray, signature);
    QFETCH(QString, reason);
    const auto reply = deliver(customerCreated(u"evt_sig"_s), signature);
    QCOMPARE(reply.status, 400);
    const QString message = reply.json().value(u"error"_s).toObject().value(u"message"_s).toString();
    QVERIFY2(message.contains(reason), qPrintable(message));
    QVERIFY(!reply.body.contains(kSecret.toUtf8()));
    QCOMPARE(count(u"payment_events"_s), 0);
    QTRY_COMPARE(count(u"webhook_delivery_failures"_s), 1);
    QCOMPARE(value(u"SELECT attempts FROM webhook_delivery_failures"_s).toInt(), 1);
    QCOMPARE(value(u"SELECT remote_address FROM webhook_delivery_failures"_s).toString(), u"127.0.0.1"_s);
    QCOMPARE(value(u"SELECT stripe_event_id FROM webhook_delivery_failures"_s).toString(), u"evt_sig"_s);
    QVERIFY(value(u"SELECT reason FROM webhook_delivery_failures"_s).toString().contains(reason));
}

void TestWebhookRoute::refusesOversizedBodies()
{
    QByteArray payload = customerCreated(u"evt_big"_s);
    payload.insert(payload.size() - 2, ",\"padding\":\"" + QByteArray(70 * 1024, 'x') + "\"");
    const auto reply = deliver(payload, sign(payload, QDateTime::currentSecsSinceEpoch()));
    QCOMPARE(reply.status, 413);
    QCOMPARE(count(u"payment_events"_s), 0);
    QTRY_COMPARE(count(u"webhook_delivery_failures"_s), 1);
}

void TestWebhookRoute::acknowledgesOnlyStoredEvents()
{
    const QByteArray payload = customerCreated(u"evt_ok"_s);
    const auto first = deliver(payload, sign(payload, QDateTime::currentSecsSinceEpoch()));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value(u"status"_s).toString(), u"ignored"_s);
    // By the time the 2xx arrived, the event was committed, byte for byte.
    QCOMPARE(value(u"SELECT payload FROM payment_events WHERE stripe_event_id = 'evt_ok'"_s).toByteArray(),
             payload);
    QCOMPARE(value(u"SELECT signing_secret_index FROM payment_events"_s).toInt(), 0);

    const auto again = deliver(payload, sign(payload, QDateTime::currentSecsSinceEpoch()));
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json().value(u"status"_s).toString(), u"duplicate"_s);
    QCOMPARE(count(u"payment_events"_s), 1);
}

void TestWebhookRoute::answers500WhenProcessingFails()
{
    const QByteArray payload =
        QJsonDocument(
            QJsonObject{{u"id"_s, u"evt_fail"_s},
                        {u"object"_s, u"event"_s},
                        {u"type"_s, u"customer.subscription.updated"_s},
                        {u"created"_s, 1},
                        {u"livemode"_s, false},
                        {u"data"_s, QJsonObject{{u"object"_s, QJsonObject{{u"id"_s, u"sub_1"_s},
                                                                          {u"status"_s, u"active"_s}}}}}})
            .toJson();
    const auto reply = deliver(payload, sign(payload, QDateTime::currentSecsSinceEpoch()));
    QCOMPARE(reply.status, 500);
    QCOMPARE(reply.json().value(u"error"_s).toObject().value(u"type"_s).toString(), u"api_error"_s);
    QCOMPARE(value(u"SELECT status FROM payment_events"_s).toString(), u"failed"_s);
}

void TestWebhookRoute::emulatorCheckoutProvisionsOnce()
{
    emulator::StripeEmulator::Options options;
    options.webhookSecrets = {kSecret};
    options.webhookUrl = webhookUrl();
    emulator::StripeEmulator stripe(options);
    QVERIFY(stripe.listen(QHostAddress::LocalHost, 0).ok());
    const QString base = u"http://127.0.0.1:%1"_s.arg(stripe.port());

    const auto created =
        m_client->send("POST", QUrl(base + u"/v1/checkout/sessions"_s),
                       "mode=subscription&line_items[0][price]=price_demo_team&line_items[0][quantity]=1&"
                       "success_url=https%3A%2F%2Fa.test"
                       "&client_reference_id=tenant_emu&metadata[tenant_id]=tenant_emu&metadata[plan]=team"
                       "&subscription_data[metadata][tenant_id]=tenant_emu&customer_email=e%40mu.test"_ba,
                       {{"Authorization"_ba, "Bearer sk_test_emulator"_ba},
                        {"Content-Type"_ba, "application/x-www-form-urlencoded"_ba}});
    QCOMPARE(created.status, 200);
    const QString session = created.json().value(u"id"_s).toString();
    // Every event delivered twice, newest first: the worst order Stripe may choose.
    QCOMPARE(m_client
                 ->send("POST",
                        QUrl(base + u"/_emulator/checkout/sessions/%1/complete?copies=2&reverse=true"_s.arg(
                                        session)))
                 .status,
             200);
    QTRY_VERIFY_WITH_TIMEOUT(stripe.webhooks().isIdle() && stripe.webhooks().deliveries().size() == 6, 10000);
    for (const QJsonValue &delivery : stripe.webhooks().deliveries())
        QCOMPARE(delivery.toObject().value(u"status"_s).toInt(), 200);

    QCOMPARE(count(u"tenants"_s, u"tenant_id = 'tenant_emu' AND status = 'active'"_s), 1);
    QCOMPARE(count(u"subscriptions"_s, u"status = 'active' AND plan = 'team'"_s), 1);
    QCOMPARE(count(u"invoices"_s, u"status = 'paid'"_s), 1);
    QCOMPARE(count(u"licenses"_s, u"status = 'active'"_s), 1);
    QCOMPARE(count(u"payment_events"_s, u"status = 'processed'"_s), 3);
    const Result<LicenseClaims> claims =
        m_signer->verify(value(u"SELECT license_key FROM licenses"_s).toString());
    QVERIFY(claims.ok());
    QCOMPARE(claims->tenantId, u"tenant_emu"_s);
}

void TestWebhookRoute::concurrentDuplicateDeliveriesMakeOneLicence()
{
    QJsonObject session{{u"id"_s, u"cs_test_dup"_s},    {u"object"_s, u"checkout.session"_s},
                        {u"mode"_s, u"subscription"_s}, {u"client_reference_id"_s, u"tenant_dup"_s},
                        {u"customer"_s, u"cus_dup"_s},  {u"subscription"_s, u"sub_dup"_s},
                        {u"livemode"_s, false},         {u"metadata"_s, QJsonObject{{u"plan"_s, u"solo"_s}}}};
    const QByteArray payload = QJsonDocument(QJsonObject{{u"id"_s, u"evt_dup"_s},
                                                         {u"object"_s, u"event"_s},
                                                         {u"type"_s, u"checkout.session.completed"_s},
                                                         {u"created"_s, QDateTime::currentSecsSinceEpoch()},
                                                         {u"livemode"_s, false},
                                                         {u"data"_s, QJsonObject{{u"object"_s, session}}}})
                                   .toJson();
    const QByteArray signature = sign(payload, QDateTime::currentSecsSinceEpoch());

    // 50 deliveries in flight at once, each on its own connection.
    constexpr int kDeliveries = 50;
    std::vector<std::unique_ptr<QNetworkAccessManager>> clients;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < kDeliveries; ++i) {
        clients.push_back(std::make_unique<QNetworkAccessManager>());
        clients.back()->setProxy(QNetworkProxy::NoProxy);
        QNetworkRequest request(webhookUrl());
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
        request.setRawHeader("Stripe-Signature", signature);
        replies << clients.back()->post(request, payload);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(replies.cbegin(), replies.cend(), [](QNetworkReply *r) { return r->isFinished(); }),
        30000);
    int processed = 0;
    for (QNetworkReply *reply : std::as_const(replies)) {
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        processed +=
            QJsonDocument::fromJson(reply->readAll()).object().value(u"status"_s).toString() == u"processed";
    }
    QCOMPARE(processed, 1);
    QCOMPARE(count(u"licenses"_s), 1);
    QCOMPARE(count(u"payment_events"_s), 1);
}

// Anyone can POST to the webhook URL (#16): 400 badly signed deliveries from
// one source, with signatures of every age, make one row that counts them
// all, and a valid delivery among them is stored and answered as usual.
void TestWebhookRoute::floodOfRefusalsIsCountedNotWrittenEach()
{
    QSignalSpy written(m_refusals.get(), &server::RefusedDeliveries::written);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray payload = customerCreated(u"evt_flood"_s);
    for (int i = 0; i < 400; ++i) {
        // Stale by 301 to 700 s: the reasons differ in their numbers only.
        const auto reply = deliver(payload, sign(payload, now - 301 - i));
        QCOMPARE(reply.status, 400);
        if (i == 200) {
            const QByteArray valid = customerCreated(u"evt_valid"_s);
            QCOMPARE(deliver(valid, sign(valid, now)).status, 200);
        }
    }
    QTRY_COMPARE(count(u"webhook_delivery_failures"_s), 1);
    QTRY_COMPARE(value(u"SELECT attempts FROM webhook_delivery_failures"_s).toInt(), 400);
    auto reportedWritten = [&written] {
        qint64 refusals = 0;
        for (const QList<QVariant> &arguments : std::as_const(written))
            refusals += arguments.value(0).toLongLong();
        return refusals;
    };
    // The report of the last write comes back a moment after its commit.
    QTRY_COMPARE(reportedWritten(), 400);
    QVERIFY(written.count() < 400); // gathered, not one write a request
    QCOMPARE(value(u"SELECT reason_kind FROM webhook_delivery_failures"_s).toString(),
             u"signature check failed: the signature timestamp is N s old, beyond the N s tolerance "
             "(STRIPE_WEBHOOK_TOLERANCE)"_s);
    QVERIFY(value(u"SELECT first_received_at <= received_at FROM webhook_delivery_failures"_s).toBool());
    QCOMPARE(value(u"SELECT stripe_event_id FROM webhook_delivery_failures"_s).toString(), u"evt_flood"_s);
    QCOMPARE(count(u"payment_events"_s, u"stripe_event_id = 'evt_valid'"_s), 1);
}

// The in-memory counts are bounded too: past maxSources distinct sources in
// one write, the rest share one row.
void TestWebhookRoute::sourcesBeyondTheLimitAreCountedTogether()
{
    server::RefusedDeliveries refusals(m_db->database(), m_refusalClock,
                                       {std::chrono::milliseconds(60000), 3});
    QSignalSpy written(&refusals, &server::RefusedDeliveries::written);
    for (int source = 1; source <= 10; ++source)
        refusals.note(u"10.0.0.%1"_s.arg(source), u"no Stripe-Signature header"_s, {}, 10);
    refusals.note(u"10.0.0.1"_s, u"no Stripe-Signature header"_s, {}, 10);
    refusals.write();
    QTRY_COMPARE(written.count(), 1);
    QCOMPARE(written.first().value(0).toLongLong(), 11);
    QCOMPARE(count(u"webhook_delivery_failures"_s), 4);
    QCOMPARE(
        value(u"SELECT attempts FROM webhook_delivery_failures WHERE remote_address = '(other sources)'"_s)
            .toInt(),
        7);
    QCOMPARE(
        value(u"SELECT attempts FROM webhook_delivery_failures WHERE remote_address = '10.0.0.1'"_s).toInt(),
        2);
}

QTEST_GUILESS_MAIN(TestWebhookRoute)
#include "tst_webhookroute.moc"
