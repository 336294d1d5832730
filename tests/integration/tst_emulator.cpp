#include "EmulatorStateFile.h"
#include "HttpTestClient.h"
#include "StripeEmulator.h"
#include "http/HttpService.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;
using Headers = QList<QPair<QByteArray, QByteArray>>;

namespace {
const QByteArray kKey = "sk_test_51EmulatorTestKey0000000000"_ba;
const QByteArray kForm = "application/x-www-form-urlencoded"_ba;
} // namespace

// The emulator must be as strict as Stripe, or tests against it prove little.
class TestEmulator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void rejectsBadRequests_data();
    void rejectsBadRequests();
    void replaysIdempotentRequests();
    void listsEventsWithPagination();
    void deliversSignedWebhooksInRequestedOrder();
    void keepsItsAccountInTheStateFile();
    void redeliversWhatTheEndpointNeverAccepted();
    void refusesAnUnreadableStateFile_data();
    void refusesAnUnreadableStateFile();
    void replacesTheStateFileWholeOnEverySave();

private:
    test::HttpTestClient::Reply api(const QByteArray &method, const QString &path,
                                    const QByteArray &body = {}, const QByteArray &key = kKey,
                                    const QByteArray &contentType = kForm, Headers extra = {});
    QString createSession();
    // Creates a checkout session and completes it: the new subscription's id.
    QString sellSubscription();
    // A second emulator on the same state file, as after a restart.
    std::unique_ptr<emulator::StripeEmulator> restart(const emulator::EmulatorStateFile &file);

    int m_receiverStatus = 200;
    std::unique_ptr<emulator::StripeEmulator> m_emulator;
    std::unique_ptr<test::HttpTestClient> m_client;
    std::unique_ptr<server::HttpService> m_receiver;
    QList<server::HttpRequest> m_received;
};

void TestEmulator::init()
{
    m_received.clear();
    m_receiverStatus = 200;
    m_receiver = std::make_unique<server::HttpService>();
    m_receiver->addRoute("POST", u"/hook"_s,
                         [this](const server::HttpRequest &request, server::HttpResponder responder) {
                             m_received.append(request);
                             responder.sendJson(m_receiverStatus, {{u"received"_s, m_receiverStatus == 200}});
                         });
    QVERIFY(m_receiver->listen(QHostAddress::LocalHost, 0).ok());

    emulator::StripeEmulator::Options options;
    options.webhookSecrets = {u"whsec_first"_s, u"whsec_second"_s};
    options.webhookUrl = QUrl(u"http://127.0.0.1:%1/hook"_s.arg(m_receiver->serverPort()));
    m_emulator = std::make_unique<emulator::StripeEmulator>(options);
    QVERIFY(m_emulator->listen(QHostAddress::LocalHost, 0).ok());
    m_client = std::make_unique<test::HttpTestClient>();
}

void TestEmulator::cleanup()
{
    m_client.reset();
    m_emulator.reset();
    m_receiver.reset();
}

test::HttpTestClient::Reply TestEmulator::api(const QByteArray &method, const QString &path,
                                              const QByteArray &body, const QByteArray &key,
                                              const QByteArray &contentType, Headers extra)
{
    Headers headers = std::move(extra);
    if (!key.isEmpty())
        headers.append({"Authorization"_ba, "Bearer " + key});
    if (!contentType.isEmpty() && !body.isEmpty())
        headers.append({"Content-Type"_ba, contentType});
    return m_client->send(method, QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_emulator->port()).arg(path)), body,
                          headers);
}

QString TestEmulator::createSession()
{
    const auto reply = api("POST", u"/v1/checkout/sessions"_s,
                           "mode=subscription&line_items[0][price]=price_demo_team&line_items[0][quantity]=1"
                           "&success_url=https%3A%2F%2Fa.test%2F&customer_email=a%40b.test"_ba);
    return reply.json().value(u"id"_s).toString();
}

void TestEmulator::rejectsBadRequests_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("param");

    const QByteArray valid =
        "mode=subscription&line_items[0][price]=price_demo_solo&success_url=https%3A%2F%2Fa.test"_ba;
    QTest::newRow("unknown parameter") << "POST"_ba << u"/v1/checkout/sessions"_s << valid + "&bogus=1"
                                       << kKey << kForm << 400 << u"parameter_unknown"_s << u"bogus"_s;
    QTest::newRow("unknown nested parameter")
        << "POST"_ba << u"/v1/checkout/sessions"_s << valid + "&subscription_data[trial_days]=3" << kKey
        << kForm << 400 << u"parameter_unknown"_s << u"subscription_data[trial_days]"_s;
    QTest::newRow("mistyped integer")
        << "POST"_ba << u"/v1/checkout/sessions"_s << valid + "&line_items[0][quantity]=one" << kKey << kForm
        << 400 << u"parameter_invalid_integer"_s << u"line_items[0][quantity]"_s;
    QTest::newRow("bad enum") << "POST"_ba << u"/v1/checkout/sessions"_s
                              << "mode=rental&success_url=https%3A%2F%2Fa.test"_ba << kKey << kForm << 400
                              << u"parameter_invalid_enum"_s << u"mode"_s;
    QTest::newRow("missing mode") << "POST"_ba << u"/v1/checkout/sessions"_s << "success_url=x"_ba << kKey
                                  << kForm << 400 << u"parameter_missing"_s << u"mode"_s;
    QTest::newRow("customer and email")
        << "POST"_ba << u"/v1/checkout/sessions"_s << valid + "&customer=cus_x&customer_email=a%40b.test"
        << kKey << kForm << 400 << u"parameter_invalid"_s << u"customer_email"_s;
    QTest::newRow("unknown price") << "POST"_ba << u"/v1/checkout/sessions"_s
                                   << "mode=subscription&line_items[0][price]=prod_123&success_url=x"_ba
                                   << kKey << kForm << 400 << u"resource_missing"_s
                                   << u"line_items[0][price]"_s;
    QTest::newRow("json body") << "POST"_ba << u"/v1/checkout/sessions"_s << "{\"mode\":\"subscription\"}"_ba
                               << kKey << "application/json"_ba << 400 << QString() << QString();
    QTest::newRow("live key") << "GET"_ba << u"/v1/prices/price_demo_solo"_s << QByteArray()
                              << "sk_live_fake"_ba << kForm << 401 << QString() << QString();
    QTest::newRow("no key") << "GET"_ba << u"/v1/prices/price_demo_solo"_s << QByteArray() << QByteArray()
                            << kForm << 401 << QString() << QString();
    QTest::newRow("unknown subscription") << "GET"_ba << u"/v1/subscriptions/sub_nope"_s << QByteArray()
                                          << kKey << kForm << 404 << u"resource_missing"_s << u"id"_s;
    QTest::newRow("portal unknown customer") << "POST"_ba << u"/v1/billing_portal/sessions"_s
                                             << "customer=cus_nope&return_url=https%3A%2F%2Fa.test"_ba << kKey
                                             << kForm << 400 << u"resource_missing"_s << u"customer"_s;
    QTest::newRow("portal missing customer")
        << "POST"_ba << u"/v1/billing_portal/sessions"_s << "return_url=https%3A%2F%2Fa.test"_ba << kKey
        << kForm << 400 << u"parameter_missing"_s << u"customer"_s;
    QTest::newRow("bad boolean") << "POST"_ba << u"/v1/subscriptions/sub_x"_s << "cancel_at_period_end=yes"_ba
                                 << kKey << kForm << 400 << u"parameter_invalid_boolean"_s
                                 << u"cancel_at_period_end"_s;
    QTest::newRow("unknown query parameter") << "GET"_ba << u"/v1/events?limitt=3"_s << QByteArray() << kKey
                                             << kForm << 400 << u"parameter_unknown"_s << u"limitt"_s;
}

void TestEmulator::rejectsBadRequests()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, param);

    const auto reply = api(method, path, body, key, contentType);
    QCOMPARE(reply.status, status);
    QVERIFY(reply.header("Request-Id").startsWith("req_"));
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"type"_s).toString(), u"invalid_request_error"_s);
    QVERIFY(!error.value(u"message"_s).toString().isEmpty());
    QCOMPARE(error.value(u"code"_s).toString(), code);
    QCOMPARE(error.value(u"param"_s).toString(), param);
    QVERIFY(!reply.body.contains("sk_live_fake"));
}

void TestEmulator::replaysIdempotentRequests()
{
    const QByteArray body =
        "mode=subscription&line_items[0][price]=price_demo_solo&success_url=https%3A%2F%2Fa.test"_ba;
    const Headers key{{"Idempotency-Key"_ba, "key-1"_ba}};
    const auto first = api("POST", u"/v1/checkout/sessions"_s, body, kKey, kForm, key);
    QCOMPARE(first.status, 200);
    const auto replay = api("POST", u"/v1/checkout/sessions"_s, body, kKey, kForm, key);
    QCOMPARE(replay.status, 200);
    QCOMPARE(replay.header("Idempotent-Replayed"), "true"_ba);
    QCOMPARE(replay.json().value(u"id"_s), first.json().value(u"id"_s));
    const auto conflict =
        api("POST", u"/v1/checkout/sessions"_s, body + "&client_reference_id=x", kKey, kForm, key);
    QCOMPARE(conflict.status, 400);
    QCOMPARE(conflict.json().value(u"error"_s).toObject().value(u"type"_s).toString(),
             u"idempotency_error"_s);
}

void TestEmulator::listsEventsWithPagination()
{
    const QString session = createSession();
    const auto completed = m_client->send(
        "POST", QUrl(u"http://127.0.0.1:%1/_emulator/checkout/sessions/%2/complete"_s.arg(m_emulator->port())
                         .arg(session)));
    QCOMPARE(completed.status, 200);
    const QJsonArray ids = completed.json().value(u"events"_s).toArray();
    QCOMPARE(ids.size(), 3);

    const auto firstPage = api("GET", u"/v1/events?limit=2"_s);
    QCOMPARE(firstPage.status, 200);
    QCOMPARE(firstPage.json().value(u"object"_s).toString(), u"list"_s);
    const QJsonArray page = firstPage.json().value(u"data"_s).toArray();
    QCOMPARE(page.size(), 2);
    QVERIFY(firstPage.json().value(u"has_more"_s).toBool());
    QCOMPARE(page.at(0).toObject().value(u"id"_s), ids.at(2)); // newest first
    const QString last = page.at(1).toObject().value(u"id"_s).toString();

    const auto secondPage = api("GET", u"/v1/events?limit=2&starting_after="_s + last);
    const QJsonArray rest = secondPage.json().value(u"data"_s).toArray();
    QCOMPARE(rest.size(), 1);
    QCOMPARE(rest.at(0).toObject().value(u"id"_s), ids.at(0));
    QVERIFY(!secondPage.json().value(u"has_more"_s).toBool());

    const auto filtered = api("GET", u"/v1/events?types[]=checkout.session.completed"_s);
    QCOMPARE(filtered.json().value(u"data"_s).toArray().size(), 1);
}

void TestEmulator::deliversSignedWebhooksInRequestedOrder()
{
    const QString session = createSession();
    const auto completed = m_client->send(
        "POST", QUrl(u"http://127.0.0.1:%1/_emulator/checkout/sessions/%2/complete?copies=2&reverse=true"_s
                         .arg(m_emulator->port())
                         .arg(session)));
    QCOMPARE(completed.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_received.size(), 6, 10000);

    const QStringList expectedOrder = {
        u"checkout.session.completed"_s,    u"checkout.session.completed"_s,
        u"invoice.payment_succeeded"_s,     u"invoice.payment_succeeded"_s,
        u"customer.subscription.created"_s, u"customer.subscription.created"_s};
    for (qsizetype i = 0; i < m_received.size(); ++i) {
        const server::HttpRequest &delivery = m_received[i];
        const QJsonObject event = QJsonDocument::fromJson(delivery.body).object();
        QCOMPARE(event.value(u"type"_s).toString(), expectedOrder[i]);
        QCOMPARE(event.value(u"object"_s).toString(), u"event"_s);
        QVERIFY(delivery.header("Content-Type").startsWith("application/json"));

        // t=…,v1=…,v1=…: one v1 per secret, each HMAC-SHA256 over "t.body",
        // checked here with Qt's own HMAC rather than the code that made it.
        const QList<QByteArray> parts = delivery.header("Stripe-Signature").split(',');
        QCOMPARE(parts.size(), 3);
        QVERIFY(parts[0].startsWith("t="));
        const QByteArray timestamp = parts[0].mid(2);
        QVERIFY(qAbs(timestamp.toLongLong() - QDateTime::currentSecsSinceEpoch()) < 60);
        const QByteArray signedPayload = timestamp + '.' + delivery.body;
        QCOMPARE(parts[1], "v1=" + QMessageAuthenticationCode::hash(signedPayload, "whsec_first",
                                                                    QCryptographicHash::Sha256)
                                       .toHex());
        QCOMPARE(parts[2], "v1=" + QMessageAuthenticationCode::hash(signedPayload, "whsec_second",
                                                                    QCryptographicHash::Sha256)
                                       .toHex());
    }
    // The completed session names its customer and subscription, as checkout.session.completed must.
    const QJsonObject sessionEvent = QJsonDocument::fromJson(m_received[0].body).object();
    const QJsonObject object = sessionEvent.value(u"data"_s).toObject().value(u"object"_s).toObject();
    QCOMPARE(object.value(u"status"_s).toString(), u"complete"_s);
    QVERIFY(object.value(u"customer"_s).toString().startsWith(u"cus_"_s));
    QVERIFY(object.value(u"subscription"_s).toString().startsWith(u"sub_"_s));
}

QString TestEmulator::sellSubscription()
{
    const QString session = createSession();
    const auto completed = m_client->send(
        "POST", QUrl(u"http://127.0.0.1:%1/_emulator/checkout/sessions/%2/complete"_s.arg(m_emulator->port())
                         .arg(session)));
    return completed.json().value(u"subscription"_s).toObject().value(u"id"_s).toString();
}

std::unique_ptr<emulator::StripeEmulator> TestEmulator::restart(const emulator::EmulatorStateFile &file)
{
    emulator::StripeEmulator::Options options;
    options.webhookSecrets = {u"whsec_first"_s};
    options.webhookUrl = QUrl(u"http://127.0.0.1:%1/hook"_s.arg(m_receiver->serverPort()));
    auto restarted = std::make_unique<emulator::StripeEmulator>(options);
    QString error;
    if (file.load(restarted->store(), &error) != emulator::EmulatorStateFile::Load::Loaded ||
        !restarted->persistTo(file, &error) || !restarted->listen(QHostAddress::LocalHost, 0).ok()) {
        qWarning("restart failed: %s", qPrintable(error));
        return {};
    }
    return restarted;
}

void TestEmulator::keepsItsAccountInTheStateFile()
{
    QTemporaryDir dir;
    const emulator::EmulatorStateFile file(dir.filePath(u"state.json"_s));
    QString error;
    QCOMPARE(file.load(m_emulator->store(), &error), emulator::EmulatorStateFile::Load::Missing);
    QVERIFY2(m_emulator->persistTo(file, &error), qPrintable(error));
    const QString subscription = sellSubscription();
    QVERIFY(subscription.startsWith(u"sub_"_s));
    QCOMPARE(api("POST", u"/v1/subscriptions/"_s + subscription, "cancel_at_period_end=true").status, 200);
    QTRY_VERIFY(m_emulator->webhooks().isIdle());
    const QJsonArray eventsBefore = api("GET", u"/v1/events"_s).json().value(u"data"_s).toArray();
    QCOMPARE(eventsBefore.size(), 4);
    m_emulator.reset(); // no goodbye: everything must already be on disk

    m_emulator = restart(file);
    QVERIFY(m_emulator);
    const auto kept = api("GET", u"/v1/subscriptions/"_s + subscription);
    QCOMPARE(kept.status, 200);
    QVERIFY(kept.json().value(u"cancel_at_period_end"_s).toBool());
    QCOMPARE(api("GET", u"/v1/events"_s).json().value(u"data"_s).toArray(), eventsBefore);
    // Everything was accepted by the endpoint: nothing to deliver again.
    QCOMPARE(m_emulator->redeliverPending(), 0);
    // Ids go on from the saved counter, so lists keep Stripe's newest-first order.
    const QString second = sellSubscription();
    const QJsonArray listed = api("GET", u"/v1/subscriptions"_s).json().value(u"data"_s).toArray();
    QCOMPARE(listed.size(), 2);
    QCOMPARE(listed.at(0).toObject().value(u"id"_s).toString(), second);
    QCOMPARE(listed.at(1).toObject().value(u"id"_s).toString(), subscription);
}

void TestEmulator::redeliversWhatTheEndpointNeverAccepted()
{
    QTemporaryDir dir;
    const emulator::EmulatorStateFile file(dir.filePath(u"state.json"_s));
    QString error;
    QVERIFY2(m_emulator->persistTo(file, &error), qPrintable(error));
    m_receiverStatus = 503; // the service is down
    QVERIFY(sellSubscription().startsWith(u"sub_"_s));
    QTRY_COMPARE(m_received.size(), 3);
    QTRY_VERIFY(m_emulator->webhooks().isIdle());
    m_emulator.reset();

    m_received.clear();
    m_receiverStatus = 200;
    m_emulator = restart(file);
    QVERIFY(m_emulator);
    QCOMPARE(m_emulator->redeliverPending(), 3);
    QTRY_COMPARE(m_received.size(), 3);
    QCOMPARE(QJsonDocument::fromJson(m_received.at(0).body).object().value(u"type"_s).toString(),
             u"customer.subscription.created"_s); // oldest first
    QTRY_VERIFY(m_emulator->webhooks().isIdle());
    QCOMPARE(m_emulator->redeliverPending(), 0);
}

void TestEmulator::refusesAnUnreadableStateFile_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("reason");
    QTest::newRow("cut short") << R"({"format":"agencyos-billing-stripe-emulator-state","vers)"_ba
                               << u"not JSON"_s;
    QTest::newRow("empty") << QByteArray() << u"not JSON"_s;
    QTest::newRow("another program's JSON") << R"({"customers":[]})"_ba << u"not an emulator state"_s;
    QTest::newRow("a later version")
        << R"({"format":"agencyos-billing-stripe-emulator-state","version":2,"counter":"1","clock_offset":0,"objects":{},"events":[]})"_ba
        << u"state version 2"_s;
    QTest::newRow("an object without id")
        << R"({"format":"agencyos-billing-stripe-emulator-state","version":1,"counter":"9","clock_offset":0,"objects":{"customer":[{"email":"a@b.test"}]},"events":[]})"_ba
        << u"has no id"_s;
    QTest::newRow("no counter")
        << R"({"format":"agencyos-billing-stripe-emulator-state","version":1,"clock_offset":0,"objects":{},"events":[]})"_ba
        << u"counter"_s;
}

void TestEmulator::refusesAnUnreadableStateFile()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    QFile written(dir.filePath(u"state.json"_s));
    QVERIFY(written.open(QIODevice::WriteOnly));
    written.write(contents);
    written.close();

    const QString sold = sellSubscription();
    QString error;
    const emulator::EmulatorStateFile file(written.fileName());
    QCOMPARE(file.load(m_emulator->store(), &error), emulator::EmulatorStateFile::Load::Unreadable);
    QVERIFY2(error.contains(reason), qPrintable(error));
    // Nothing changed on either side: the account in memory, the file on disk.
    QVERIFY(m_emulator->store().contains(u"subscription"_s, sold));
    QVERIFY(m_emulator->store().contains(u"price"_s, u"price_demo_solo"_s));
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.readAll(), contents);
}

void TestEmulator::replacesTheStateFileWholeOnEverySave()
{
    // A new file renamed over the old one, never the old one rewritten in place:
    // a crash mid-write then leaves the previous state, whole. A reader holding
    // the old file open sees exactly what it saw before the save.
    QTemporaryDir dir;
    const emulator::EmulatorStateFile file(dir.filePath(u"state.json"_s));
    QString error;
    QVERIFY2(m_emulator->persistTo(file, &error), qPrintable(error));
    QFile before(file.path());
    QVERIFY(before.open(QIODevice::ReadOnly));
    const QByteArray firstState = before.readAll();
    QVERIFY(firstState.contains("price_demo_team"));

    QVERIFY(sellSubscription().startsWith(u"sub_"_s));
    QVERIFY(before.seek(0));
    QCOMPARE(before.readAll(), firstState);
    QFile after(file.path());
    QVERIFY(after.open(QIODevice::ReadOnly));
    QVERIFY(after.readAll().contains("subscription_create"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{u"state.json"_s});
}

QTEST_GUILESS_MAIN(TestEmulator)
#include "tst_emulator.moc"
