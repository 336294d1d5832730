#include "HttpTestClient.h"
#include "StripeEmulator.h"
#include "stripe/StripeClient.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace billing;

namespace {
const QString kKey = u"sk_test_51ClientTestKey000000000000"_s;
}

// The Stripe client against the emulator: what goes on the wire, retries,
// timeouts and errors.
class TestStripeClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void sendsStripesWireFormat();
    void retriesServerErrorsWithTheSameIdempotencyKey();
    void usesTheCallersIdempotencyKey();
    void honoursRetryAfterOn429();
    void neverRetriesOtherClientErrors();
    void honoursStripeShouldRetryFalse();
    void retriesDroppedConnections();
    void timesOutSlowAnswers();
    void failsWhenStripeIsUnreachable();
    void capsResponseSize();
    void parsesStripeErrors();

private:
    StripeClient *client(std::chrono::milliseconds timeout = 5000ms,
                         qint64 maxResponseBytes = 8 * 1024 * 1024);
    StripeResult run(StripeJob *job);
    void injectFault(const QJsonObject &fault);
    QJsonArray requestLog();
    QUrl emulatorUrl(const QString &path) const;

    std::unique_ptr<emulator::StripeEmulator> m_emulator;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<test::HttpTestClient> m_control;
};

void TestStripeClient::init()
{
    m_emulator = std::make_unique<emulator::StripeEmulator>(emulator::StripeEmulator::Options{kKey, {}, {}});
    QVERIFY(m_emulator->listen(QHostAddress::LocalHost, 0).ok());
    m_network = std::make_unique<QNetworkAccessManager>();
    m_network->setProxy(QNetworkProxy::NoProxy);
    m_control = std::make_unique<test::HttpTestClient>();
}

void TestStripeClient::cleanup()
{
    m_control.reset();
    m_network.reset();
    m_emulator.reset();
}

QUrl TestStripeClient::emulatorUrl(const QString &path) const
{
    return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_emulator->port()).arg(path));
}

StripeClient *TestStripeClient::client(std::chrono::milliseconds timeout, qint64 maxResponseBytes)
{
    StripeClient::Options options;
    options.apiBase = emulatorUrl(QString());
    options.secretKey = kKey;
    options.apiVersion = u"2025-03-31.basil"_s;
    // Short waits: the tests check the decisions, not the wall clock.
    options.retry.initialDelay = 10ms;
    options.retry.maxDelay = 40ms;
    options.timeout = timeout;
    options.maxResponseBytes = maxResponseBytes;
    return new StripeClient(m_network.get(), options, m_network.get());
}

StripeResult TestStripeClient::run(StripeJob *job)
{
    StripeResult result;
    bool done = false;
    connect(job, &StripeJob::finished, this, [&](const StripeResult &r) {
        result = r;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000))
        qWarning("the Stripe job did not finish");
    return result;
}

void TestStripeClient::injectFault(const QJsonObject &fault)
{
    QCOMPARE(m_control->postJson(emulatorUrl(u"/_emulator/faults"_s), fault).status, 200);
}

QJsonArray TestStripeClient::requestLog()
{
    return m_control->get(emulatorUrl(u"/_emulator/requests"_s)).json().value(u"data"_s).toArray();
}

FormParams checkoutParams()
{
    FormParams params;
    params.add(u"mode"_s, u"subscription"_s)
        .add(u"line_items[0][price]"_s, u"price_demo_solo"_s)
        .add(u"line_items[0][quantity]"_s, qint64(1))
        .add(u"success_url"_s, u"https://app.test/ok?s={CHECKOUT_SESSION_ID}"_s)
        .add(u"cancel_url"_s, u"https://app.test/cancel"_s)
        .add(u"metadata[tenant_id]"_s, u"tenant_Zoë"_s);
    return params;
}

void TestStripeClient::sendsStripesWireFormat()
{
    const StripeResult result = run(client()->post(u"/v1/checkout/sessions"_s, checkoutParams()));
    QVERIFY2(result.ok(), qPrintable(result.error.summary()));
    QVERIFY(result.object.value(u"id"_s).toString().startsWith(u"cs_test_"_s));
    QCOMPARE(result.object.value(u"metadata"_s).toObject().value(u"tenant_id"_s).toString(), u"tenant_Zoë"_s);
    QCOMPARE(result.object.value(u"success_url"_s).toString(),
             u"https://app.test/ok?s={CHECKOUT_SESSION_ID}"_s);
    QVERIFY(result.requestId.startsWith(u"req_"_s));
    QCOMPARE(result.attempts, 1);

    const QJsonObject logged = requestLog().first().toObject();
    QCOMPARE(logged.value(u"content_type"_s).toString(), u"application/x-www-form-urlencoded"_s);
    QCOMPARE(logged.value(u"stripe_version"_s).toString(), u"2025-03-31.basil"_s);
    QCOMPARE(logged.value(u"idempotency_key"_s).toString(), result.idempotencyKey);
    QCOMPARE(result.idempotencyKey.size(), 36); // a UUID
    QVERIFY(logged.value(u"body"_s).toString().contains(u"line_items[0][price]=price_demo_solo"_s));

    // GET carries no Idempotency-Key and no body.
    const StripeResult price = run(client()->get(u"/v1/prices/price_demo_team"_s));
    QVERIFY(price.ok());
    QCOMPARE(price.object.value(u"unit_amount"_s).toInt(), 9900);
    QVERIFY(requestLog().last().toObject().value(u"idempotency_key"_s).toString().isEmpty());
}

void TestStripeClient::retriesServerErrorsWithTheSameIdempotencyKey()
{
    injectFault({{u"path"_s, u"/v1/checkout/sessions"_s}, {u"status"_s, 500}, {u"count"_s, 2}});
    const StripeResult result = run(client()->post(u"/v1/checkout/sessions"_s, checkoutParams()));
    QVERIFY2(result.ok(), qPrintable(result.error.summary()));
    QCOMPARE(result.attempts, 3);

    const QJsonArray log = requestLog();
    QCOMPARE(log.size(), 3);
    QStringList statuses;
    for (const QJsonValue &entry : log) {
        statuses << QString::number(entry.toObject().value(u"status"_s).toInt());
        QCOMPARE(entry.toObject().value(u"idempotency_key"_s).toString(), result.idempotencyKey);
    }
    QCOMPARE(statuses, (QStringList{u"500"_s, u"500"_s, u"200"_s}));
}

void TestStripeClient::usesTheCallersIdempotencyKey()
{
    const StripeResult first =
        run(client()->post(u"/v1/checkout/sessions"_s, checkoutParams(), u"order-42"_s));
    QVERIFY(first.ok());
    QCOMPARE(first.idempotencyKey, u"order-42"_s);
    // Stripe replays the first answer for the same key and parameters.
    const StripeResult again =
        run(client()->post(u"/v1/checkout/sessions"_s, checkoutParams(), u"order-42"_s));
    QVERIFY(again.ok());
    QCOMPARE(again.object.value(u"id"_s), first.object.value(u"id"_s));
}

void TestStripeClient::honoursRetryAfterOn429()
{
    injectFault({{u"path"_s, u"/v1/prices"_s}, {u"status"_s, 429}, {u"retry_after"_s, u"1"_s}});
    QElapsedTimer timer;
    timer.start();
    const StripeResult result = run(client()->get(u"/v1/prices/price_demo_solo"_s));
    QVERIFY(result.ok());
    QCOMPARE(result.attempts, 2);
    QVERIFY2(timer.elapsed() >= 1000, "Retry-After: 1 was not honoured");
}

void TestStripeClient::neverRetriesOtherClientErrors()
{
    FormParams params = checkoutParams();
    params.add(u"bogus_param"_s, u"1"_s);
    const StripeResult result = run(client()->post(u"/v1/checkout/sessions"_s, params));
    QVERIFY(!result.ok());
    QCOMPARE(result.attempts, 1);
    QCOMPARE(result.error.httpStatus, 400);
    QCOMPARE(requestLog().size(), 1);
}

void TestStripeClient::honoursStripeShouldRetryFalse()
{
    injectFault({{u"path"_s, u"/v1/prices"_s}, {u"status"_s, 500}, {u"should_retry"_s, u"false"_s}});
    const StripeResult result = run(client()->get(u"/v1/prices/price_demo_solo"_s));
    QVERIFY(!result.ok());
    QCOMPARE(result.attempts, 1);
    QCOMPARE(result.error.httpStatus, 500);
}

void TestStripeClient::retriesDroppedConnections()
{
    // Qt itself resends once when a fresh connection closes before any answer,
    // so two drops are what it takes to fail one of our attempts.
    injectFault({{u"path"_s, u"/v1/prices"_s}, {u"drop"_s, true}, {u"count"_s, 2}});
    const StripeResult result = run(client()->get(u"/v1/prices/price_demo_solo"_s));
    QVERIFY2(result.ok(), qPrintable(result.error.summary()));
    QCOMPARE(result.attempts, 2);
}

void TestStripeClient::timesOutSlowAnswers()
{
    injectFault({{u"path"_s, u"/v1/prices"_s}, {u"delay_ms"_s, 1500}, {u"count"_s, 3}});
    const StripeResult result = run(client(200ms)->get(u"/v1/prices/price_demo_solo"_s));
    QVERIFY(!result.ok());
    QCOMPARE(result.error.kind, StripeError::Kind::Timeout);
    QCOMPARE(result.attempts, 3);
}

void TestStripeClient::failsWhenStripeIsUnreachable()
{
    QTcpServer reserved;
    QVERIFY(reserved.listen(QHostAddress::LocalHost, 0));
    const quint16 closedPort = reserved.serverPort();
    reserved.close();

    StripeClient::Options options;
    options.apiBase = QUrl(u"http://127.0.0.1:%1"_s.arg(closedPort));
    options.secretKey = kKey;
    options.apiVersion = u"2025-03-31.basil"_s;
    options.retry.initialDelay = 5ms;
    options.retry.maxDelay = 10ms;
    StripeClient unreachable(m_network.get(), options);
    const StripeResult result = run(unreachable.get(u"/v1/prices/price_demo_solo"_s));
    QVERIFY(!result.ok());
    QCOMPARE(result.error.kind, StripeError::Kind::Network);
    QCOMPARE(result.attempts, 3);
}

void TestStripeClient::capsResponseSize()
{
    const StripeResult result = run(client(5000ms, 100)->get(u"/v1/prices/price_demo_solo"_s));
    QVERIFY(!result.ok());
    QCOMPARE(result.error.kind, StripeError::Kind::ResponseTooLarge);
    QCOMPARE(result.attempts, 1);
}

void TestStripeClient::parsesStripeErrors()
{
    const StripeResult missing = run(client()->get(u"/v1/subscriptions/sub_missing"_s));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error.kind, StripeError::Kind::Api);
    QCOMPARE(missing.error.httpStatus, 404);
    QCOMPARE(missing.error.type, u"invalid_request_error"_s);
    QCOMPARE(missing.error.code, u"resource_missing"_s);
    QCOMPARE(missing.error.param, u"id"_s);
    QCOMPARE(missing.error.message, u"No such subscription: 'sub_missing'"_s);
    QVERIFY(missing.error.requestId.startsWith(u"req_"_s));
    QVERIFY(missing.error.isResourceMissing());
    QVERIFY(missing.error.summary().contains(missing.error.requestId));

    StripeClient::Options options;
    options.apiBase = emulatorUrl(QString());
    options.secretKey = u"sk_test_wrongkey"_s;
    options.apiVersion = u"2025-03-31.basil"_s;
    StripeClient wrongKey(m_network.get(), options);
    const StripeResult denied = run(wrongKey.get(u"/v1/prices/price_demo_solo"_s));
    QCOMPARE(denied.error.httpStatus, 401);
    QCOMPARE(denied.attempts, 1);
    QVERIFY(!denied.error.message.contains(u"sk_test_wrongkey"_s));
}

QTEST_GUILESS_MAIN(TestStripeClient)
#include "tst_stripeclient.moc"
