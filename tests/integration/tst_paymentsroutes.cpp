#include "HttpTestClient.h"
#include "StripeEmulator.h"
#include "TestDatabase.h"
#include "db/Migrator.h"
#include "payments/PaymentsRoutes.h"
#include "stripe/StripeClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace billing;
using billing::server::HttpService;
using billing::server::PaymentsRoutes;
using Headers = QList<QPair<QByteArray, QByteArray>>;

namespace {

const QString kStripeKey = u"sk_test_51RoutesTestKey00000000000"_s;
const QByteArray kApiToken = "routes-test-token-0123456789abcdef0123456789"_ba;

QJsonObject validCheckout()
{
    return {{u"plan_id"_s, u"solo"_s},
            {u"tenant_id"_s, u"tenant_123"_s},
            {u"success_url"_s, u"https://app.agencyos.network/dashboard?checkout=success"_s},
            {u"cancel_url"_s, u"https://app.agencyos.network/pricing?checkout=cancel"_s},
            {u"customer_email"_s, u"user@example.com"_s},
            {u"trial_days"_s, 14}};
}

} // namespace

// The seed's four endpoints, in-process: our HttpService and routes, the Stripe
// client, the emulator as Stripe and a real (SQLite) database.
class TestPaymentsRoutes final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void checkoutCreatesSubscriptionSession();
    void checkoutAcceptsRawPriceId();
    void checkoutReusesTheTenantsCustomer();
    void checkoutRejectsBadInput_data();
    void checkoutRejectsBadInput();
    void endpointsRequireTheApiToken_data();
    void endpointsRequireTheApiToken();
    void checkoutSurvivesTwoStripeFailures();
    void stripeFailureAfterRetriesIs502();
    void unknownPriceIs404NamingPlan();
    void wrongMethodIs405();
    void portalCreatesSession();
    void portalRejectsBadInput_data();
    void portalRejectsBadInput();
    void portalUnknownCustomerIs404WithModeHint();
    void getsSubscriptionEssentials();
    void subscriptionIdIsValidated();
    void cancelsAtPeriodEndAndNowWithAudit();
    void cancelPassesTheIdempotencyKeyOn();
    void cancelRejectsBadBody();

private:
    test::HttpTestClient::Reply call(const QByteArray &method, const QString &path,
                                     const QByteArray &body = {}, Headers headers = {},
                                     bool withToken = true);
    test::HttpTestClient::Reply post(const QString &path, const QJsonObject &body);
    QJsonArray stripeRequests();
    void injectFault(const QJsonObject &fault);
    QJsonObject completeCheckout(const QString &sessionId);

    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<emulator::StripeEmulator> m_emulator;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<StripeClient> m_stripe;
    std::unique_ptr<HttpService> m_service;
    std::unique_ptr<PaymentsRoutes> m_routes;
    std::unique_ptr<test::HttpTestClient> m_client;
};

void TestPaymentsRoutes::init()
{
    QString error;
    m_db = test::TestDatabase::create(SqlDialect::Sqlite, &error);
    QVERIFY2(m_db, qPrintable(error));
    Result<MigrationCatalog> catalog = MigrationCatalog::builtIn();
    QVERIFY(Migrator(m_db->database(), catalog.value()).migrate().ok());

    m_emulator =
        std::make_unique<emulator::StripeEmulator>(emulator::StripeEmulator::Options{kStripeKey, {}, {}});
    QVERIFY(m_emulator->listen(QHostAddress::LocalHost, 0).ok());

    m_network = std::make_unique<QNetworkAccessManager>();
    m_network->setProxy(QNetworkProxy::NoProxy);
    StripeClient::Options options;
    options.apiBase = QUrl(u"http://127.0.0.1:%1"_s.arg(m_emulator->port()));
    options.secretKey = kStripeKey;
    options.apiVersion = u"2025-03-31.basil"_s;
    options.retry.initialDelay = 10ms;
    options.retry.maxDelay = 40ms;
    m_stripe = std::make_unique<StripeClient>(m_network.get(), options);

    m_service = std::make_unique<HttpService>();
    PlanPrices prices{u"price_demo_solo"_s, u"price_demo_team"_s, u"price_demo_enterprise"_s};
    m_routes = std::make_unique<PaymentsRoutes>(
        PaymentsRoutes::Dependencies{m_stripe.get(), &m_db->database(), PlanCatalog(prices),
                                     RedirectAllowList({u"app.agencyos.network"_s, u"*.agencyos.test"_s}),
                                     QString::fromLatin1(kApiToken)});
    m_routes->install(*m_service);
    QVERIFY(m_service->listen(QHostAddress::LocalHost, 0).ok());
    m_client = std::make_unique<test::HttpTestClient>();
}

void TestPaymentsRoutes::cleanup()
{
    m_client.reset();
    m_routes.reset();
    m_service.reset();
    m_stripe.reset();
    m_network.reset();
    m_emulator.reset();
    m_db.reset();
}

test::HttpTestClient::Reply TestPaymentsRoutes::call(const QByteArray &method, const QString &path,
                                                     const QByteArray &body, Headers headers, bool withToken)
{
    if (withToken)
        headers.append({"Authorization"_ba, "Bearer " + kApiToken});
    return m_client->send(method, QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_service->serverPort()).arg(path)),
                          body, headers);
}

test::HttpTestClient::Reply TestPaymentsRoutes::post(const QString &path, const QJsonObject &body)
{
    return call("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                {{"Content-Type"_ba, "application/json"_ba}});
}

QJsonArray TestPaymentsRoutes::stripeRequests()
{
    return m_client->get(QUrl(u"http://127.0.0.1:%1/_emulator/requests"_s.arg(m_emulator->port())))
        .json()
        .value(u"data"_s)
        .toArray();
}

void TestPaymentsRoutes::injectFault(const QJsonObject &fault)
{
    QCOMPARE(
        m_client->postJson(QUrl(u"http://127.0.0.1:%1/_emulator/faults"_s.arg(m_emulator->port())), fault)
            .status,
        200);
}

QJsonObject TestPaymentsRoutes::completeCheckout(const QString &sessionId)
{
    return m_client
        ->send("POST",
               QUrl(u"http://127.0.0.1:%1/_emulator/checkout/sessions/%2/complete"_s.arg(m_emulator->port())
                        .arg(sessionId)))
        .json();
}

void TestPaymentsRoutes::checkoutCreatesSubscriptionSession()
{
    const auto reply = post(u"/payments/stripe/checkout"_s, validCheckout());
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = reply.json();
    QCOMPARE(answer.keys(), (QStringList{u"id"_s, u"url"_s}));
    QVERIFY(answer.value(u"id"_s).toString().startsWith(u"cs_test_"_s));

    const QJsonArray requests = stripeRequests();
    QCOMPARE(requests.size(), 1);
    const QJsonObject sent = requests.first().toObject();
    QCOMPARE(sent.value(u"path"_s).toString(), u"/v1/checkout/sessions"_s);
    const FormParams params = FormParams::decode(sent.value(u"body"_s).toString().toUtf8()).value();
    QCOMPARE(params.value(u"mode"_s), u"subscription"_s);
    QCOMPARE(params.value(u"line_items[0][price]"_s), u"price_demo_solo"_s);
    QCOMPARE(params.value(u"line_items[0][quantity]"_s), u"1"_s);
    QCOMPARE(params.value(u"client_reference_id"_s), u"tenant_123"_s);
    QCOMPARE(params.value(u"customer_email"_s), u"user@example.com"_s);
    QVERIFY(params.value(u"customer"_s).isNull());
    QCOMPARE(params.value(u"metadata[tenant_id]"_s), u"tenant_123"_s);
    QCOMPARE(params.value(u"metadata[plan]"_s), u"solo"_s);
    QCOMPARE(params.value(u"subscription_data[metadata][tenant_id]"_s), u"tenant_123"_s);
    QCOMPARE(params.value(u"subscription_data[metadata][plan]"_s), u"solo"_s);
    QCOMPARE(params.value(u"subscription_data[trial_period_days]"_s), u"14"_s);

    // The answer carries the session Stripe created.
    const QJsonObject session =
        m_emulator->store().object(u"checkout.session"_s, answer.value(u"id"_s).toString());
    QCOMPARE(answer.value(u"url"_s), session.value(u"url"_s));
}

void TestPaymentsRoutes::checkoutAcceptsRawPriceId()
{
    QJsonObject body = validCheckout();
    body.insert(u"plan_id"_s, u"price_demo_enterprise"_s);
    body.remove(u"trial_days"_s);
    QCOMPARE(post(u"/payments/stripe/checkout"_s, body).status, 200);
    const FormParams params =
        FormParams::decode(stripeRequests().first().toObject().value(u"body"_s).toString().toUtf8()).value();
    QCOMPARE(params.value(u"line_items[0][price]"_s), u"price_demo_enterprise"_s);
    QCOMPARE(params.value(u"metadata[plan]"_s), u"enterprise"_s);
    QVERIFY(params.value(u"subscription_data[trial_period_days]"_s).isNull());
}

void TestPaymentsRoutes::checkoutReusesTheTenantsCustomer()
{
    const QString customer =
        m_emulator->store().createCustomer(u"known@example.com"_s, {}).value(u"id"_s).toString();
    QSqlDatabase db = m_db->database().connection().value();
    QSqlQuery query(db);
    QVERIFY(
        query.exec(u"INSERT INTO tenants (tenant_id, created_at, updated_at) VALUES ('tenant_123', 1, 1)"_s));
    QVERIFY(query.prepare(
        u"INSERT INTO customers (stripe_customer_id, tenant_id, livemode, created_at, updated_at) "
        "VALUES (?, 'tenant_123', ?, 1, 1)"_s));
    query.addBindValue(customer);
    query.addBindValue(false);
    QVERIFY(query.exec());

    QCOMPARE(post(u"/payments/stripe/checkout"_s, validCheckout()).status, 200);
    const FormParams params =
        FormParams::decode(stripeRequests().first().toObject().value(u"body"_s).toString().toUtf8()).value();
    QCOMPARE(params.value(u"customer"_s), customer);
    QVERIFY2(params.value(u"customer_email"_s).isNull(), "customer and customer_email were both sent");
}

void TestPaymentsRoutes::checkoutRejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("message");

    auto with = [](const QString &field, const QJsonValue &value) {
        QJsonObject body = validCheckout();
        if (value.isUndefined())
            body.remove(field);
        else
            body.insert(field, value);
        return QJsonDocument(body).toJson(QJsonDocument::Compact);
    };
    const QByteArray json = "application/json"_ba;
    QTest::newRow("unknown plan") << with(u"plan_id"_s, u"gold"_s) << json << u"plan_id"_s
                                  << u"unknown plan \"gold\": use solo, team, enterprise or a Price id"_s;
    QTest::newRow("product id as plan")
        << with(u"plan_id"_s, u"prod_123"_s) << json << u"plan_id"_s << u"unknown plan"_s;
    QTest::newRow("plan not a string")
        << with(u"plan_id"_s, 3) << json << u"plan_id"_s << u"plan_id must be a string"_s;
    QTest::newRow("missing plan") << with(u"plan_id"_s, QJsonValue::Undefined) << json << u"plan_id"_s
                                  << u"plan_id is required"_s;
    QTest::newRow("missing tenant") << with(u"tenant_id"_s, QJsonValue::Undefined) << json << u"tenant_id"_s
                                    << u"tenant_id is required"_s;
    QTest::newRow("tenant with spaces") << with(u"tenant_id"_s, u"tenant 1"_s) << json << u"tenant_id"_s
                                        << u"tenant_id may contain only letters, digits"_s;
    QTest::newRow("tenant too long") << with(u"tenant_id"_s, QString(201, u'a')) << json << u"tenant_id"_s
                                     << u"tenant_id is longer than 200 characters"_s;
    QTest::newRow("empty tenant") << with(u"tenant_id"_s, u" "_s) << json << u"tenant_id"_s
                                  << u"tenant_id must not be empty"_s;
    QTest::newRow("success_url elsewhere")
        << with(u"success_url"_s, u"https://evil.example/x"_s) << json << u"success_url"_s
        << u"points at evil.example, which is not in BILLING_ALLOWED_REDIRECT_HOSTS"_s;
    QTest::newRow("success_url lookalike host")
        << with(u"success_url"_s, u"https://app.agencyos.network.evil.example/"_s) << json << u"success_url"_s
        << u"not in BILLING_ALLOWED_REDIRECT_HOSTS"_s;
    QTest::newRow("success_url relative") << with(u"success_url"_s, u"/dashboard"_s) << json
                                          << u"success_url"_s << u"must be an absolute http(s) URL"_s;
    QTest::newRow("success_url javascript") << with(u"success_url"_s, u"javascript:alert(1)"_s) << json
                                            << u"success_url"_s << u"must be an absolute http(s) URL"_s;
    QTest::newRow("success_url with credentials")
        << with(u"success_url"_s, u"https://u:p@app.agencyos.network/"_s) << json << u"success_url"_s
        << u"user name or password"_s;
    QTest::newRow("missing cancel_url") << with(u"cancel_url"_s, QJsonValue::Undefined) << json
                                        << u"cancel_url"_s << u"cancel_url is required"_s;
    QTest::newRow("bad email") << with(u"customer_email"_s, u"not-an-email"_s) << json << u"customer_email"_s
                               << u"customer_email is not an email address"_s;
    QTest::newRow("trial zero") << with(u"trial_days"_s, 0) << json << u"trial_days"_s
                                << u"trial_days must be from 1 to 730"_s;
    QTest::newRow("trial too long") << with(u"trial_days"_s, 731) << json << u"trial_days"_s
                                    << u"from 1 to 730"_s;
    QTest::newRow("trial fraction") << with(u"trial_days"_s, 14.5) << json << u"trial_days"_s
                                    << u"trial_days must be a whole number"_s;
    QTest::newRow("trial as string") << with(u"trial_days"_s, u"14"_s) << json << u"trial_days"_s
                                     << u"trial_days must be a whole number"_s;
    QTest::newRow("unknown field") << with(u"trial_day"_s, 14) << json << u"trial_day"_s
                                   << u"unknown field \"trial_day\""_s;
    QTest::newRow("malformed json") << "{\"plan_id\": "_ba << json << QString() << u"is not valid JSON"_s;
    QTest::newRow("array body") << "[1,2]"_ba << json << QString() << u"must be a JSON object"_s;
    QTest::newRow("form body") << "plan_id=solo"_ba
                               << "application/x-www-form-urlencoded"_ba << QString()
                               << u"Content-Type: application/json"_s;
    QTest::newRow("no content type") << with(u"plan_id"_s, u"solo"_s) << QByteArray() << QString()
                                     << u"Content-Type: application/json"_s;
}

void TestPaymentsRoutes::checkoutRejectsBadInput()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, param);
    QFETCH(QString, message);

    Headers headers;
    if (!contentType.isEmpty())
        headers.append({"Content-Type"_ba, contentType});
    const auto reply = call("POST", u"/payments/stripe/checkout"_s, body, headers);
    QCOMPARE(reply.status, 400);
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"type"_s).toString(), u"invalid_request_error"_s);
    QVERIFY2(error.value(u"message"_s).toString().contains(message),
             qPrintable(error.value(u"message"_s).toString()));
    if (param.isEmpty())
        QVERIFY(error.value(u"param"_s).isNull());
    else
        QCOMPARE(error.value(u"param"_s).toString(), param);
    QVERIFY2(stripeRequests().isEmpty(), "a rejected request reached Stripe");
}

void TestPaymentsRoutes::endpointsRequireTheApiToken_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("authorization"); // empty: none

    const QList<std::pair<QByteArray, QString>> endpoints = {
        {"POST", u"/payments/stripe/checkout"_s},
        {"POST", u"/payments/stripe/portal"_s},
        {"GET", u"/payments/stripe/subscription/sub_1"_s},
        {"POST", u"/payments/stripe/subscription/sub_1/cancel"_s},
    };
    for (const auto &[method, path] : endpoints) {
        QTest::addRow("%s no token", qPrintable(path)) << method << path << QByteArray();
        QTest::addRow("%s wrong token", qPrintable(path)) << method << path << "Bearer wrong"_ba;
        QTest::addRow("%s token prefix", qPrintable(path))
            << method << path << "Bearer " + kApiToken.left(20);
        QTest::addRow("%s basic scheme", qPrintable(path))
            << method << path << "Basic " + kApiToken.toBase64();
    }
}

void TestPaymentsRoutes::endpointsRequireTheApiToken()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, authorization);
    Headers headers{{"Content-Type"_ba, "application/json"_ba}};
    if (!authorization.isEmpty())
        headers.append({"Authorization"_ba, authorization});
    const auto reply = call(method, path, QJsonDocument(validCheckout()).toJson(), headers, false);
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.json().value(u"error"_s).toObject().value(u"type"_s).toString(),
             u"authentication_error"_s);
    QCOMPARE(reply.header("WWW-Authenticate"), "Bearer"_ba);
    QVERIFY(stripeRequests().isEmpty());
}

void TestPaymentsRoutes::checkoutSurvivesTwoStripeFailures()
{
    injectFault({{u"path"_s, u"/v1/checkout/sessions"_s}, {u"status"_s, 500}, {u"count"_s, 2}});
    const auto reply = post(u"/payments/stripe/checkout"_s, validCheckout());
    QCOMPARE(reply.status, 200);

    const QJsonArray requests = stripeRequests();
    QCOMPARE(requests.size(), 3);
    const QString key = requests.first().toObject().value(u"idempotency_key"_s).toString();
    QVERIFY(!key.isEmpty());
    for (const QJsonValue &request : requests)
        QCOMPARE(request.toObject().value(u"idempotency_key"_s).toString(), key);
    QCOMPARE(requests.last().toObject().value(u"status"_s).toInt(), 200);

    // Exactly one session exists, and it is the one we answered with.
    int sessions = 0;
    for (const QJsonValue &request : requests)
        sessions += request.toObject().value(u"status"_s).toInt() == 200 ? 1 : 0;
    QCOMPARE(sessions, 1);
    QVERIFY(m_emulator->store().contains(u"checkout.session"_s, reply.json().value(u"id"_s).toString()));
}

void TestPaymentsRoutes::stripeFailureAfterRetriesIs502()
{
    injectFault({{u"path"_s, u"/v1/checkout/sessions"_s}, {u"status"_s, 503}, {u"count"_s, 3}});
    const auto reply = post(u"/payments/stripe/checkout"_s, validCheckout());
    QCOMPARE(reply.status, 502);
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"type"_s).toString(), u"api_error"_s);
    QVERIFY(error.value(u"stripe_request_id"_s).toString().startsWith(u"req_"_s));
    QVERIFY(!reply.body.contains(kStripeKey.toUtf8()));
}

void TestPaymentsRoutes::unknownPriceIs404NamingPlan()
{
    QJsonObject body = validCheckout();
    body.insert(u"plan_id"_s, u"price_doesNotExist"_s);
    const auto reply = post(u"/payments/stripe/checkout"_s, body);
    QCOMPARE(reply.status, 404);
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"param"_s).toString(), u"plan_id"_s);
    QVERIFY(error.value(u"message"_s).toString().contains(u"No such price: 'price_doesNotExist'"_s));
    QVERIFY(error.value(u"message"_s).toString().contains(u"not prod_"_s));
}

void TestPaymentsRoutes::wrongMethodIs405()
{
    const auto reply = call("GET", u"/payments/stripe/checkout"_s);
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.header("Allow"), "POST"_ba);
    QCOMPARE(call("GET", u"/payments/stripe/nothing"_s).status, 404);
}

void TestPaymentsRoutes::portalCreatesSession()
{
    const QString customer =
        m_emulator->store().createCustomer(u"c@example.com"_s, {}).value(u"id"_s).toString();
    const auto reply = post(u"/payments/stripe/portal"_s,
                            {{u"customer_id"_s, customer},
                             {u"return_url"_s, u"https://app.agencyos.network/settings/billing"_s}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().keys(), QStringList{u"url"_s});
    QVERIFY(reply.json().value(u"url"_s).toString().startsWith(u"https://billing.stripe.com/p/session/"_s));
    const FormParams sent =
        FormParams::decode(stripeRequests().first().toObject().value(u"body"_s).toString().toUtf8()).value();
    QCOMPARE(sent.value(u"customer"_s), customer);
    QCOMPARE(sent.value(u"return_url"_s), u"https://app.agencyos.network/settings/billing"_s);

    // Audited as the dashboard's portal links are; the URL (it logs the customer in) is not kept.
    QSqlDatabase db = m_db->database().connection().value();
    QSqlQuery query(db);
    QVERIFY(query.exec(u"SELECT actor, action, target_type, target_id, outcome, details FROM audit_log"_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), u"api"_s);
    QCOMPARE(query.value(1).toString(), u"customer.portal_link"_s);
    QCOMPARE(query.value(2).toString(), u"customer"_s);
    QCOMPARE(query.value(3).toString(), customer);
    QCOMPARE(query.value(4).toString(), u"succeeded"_s);
    QVERIFY(query.value(5).toString().contains(u"\"remote_address\":\"127.0.0.1\""_s));
    QVERIFY(!query.value(5).toString().contains(u"billing.stripe.com"_s));
    QVERIFY(!query.next());
}

void TestPaymentsRoutes::portalRejectsBadInput_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("message");

    const QString returnUrl = u"https://app.agencyos.network/settings/billing"_s;
    QTest::newRow("missing customer")
        << QJsonObject{{u"return_url"_s, returnUrl}} << u"customer_id"_s << u"customer_id is required"_s;
    QTest::newRow("not a customer id")
        << QJsonObject{{u"customer_id"_s, u"tenant_123"_s}, {u"return_url"_s, returnUrl}} << u"customer_id"_s
        << u"customer id (cus_…)"_s;
    QTest::newRow("missing return_url")
        << QJsonObject{{u"customer_id"_s, u"cus_1"_s}} << u"return_url"_s << u"return_url is required"_s;
    QTest::newRow("return_url elsewhere")
        << QJsonObject{{u"customer_id"_s, u"cus_1"_s}, {u"return_url"_s, u"https://phish.example/"_s}}
        << u"return_url"_s << u"not in BILLING_ALLOWED_REDIRECT_HOSTS"_s;
    QTest::newRow("wildcard subdomain allowed, apex not")
        << QJsonObject{{u"customer_id"_s, u"cus_1"_s}, {u"return_url"_s, u"https://agencyos.test/"_s}}
        << u"return_url"_s << u"not in BILLING_ALLOWED_REDIRECT_HOSTS"_s;
}

void TestPaymentsRoutes::portalRejectsBadInput()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, param);
    QFETCH(QString, message);
    const auto reply = post(u"/payments/stripe/portal"_s, body);
    QCOMPARE(reply.status, 400);
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"param"_s).toString(), param);
    QVERIFY2(error.value(u"message"_s).toString().contains(message),
             qPrintable(error.value(u"message"_s).toString()));
    QVERIFY(stripeRequests().isEmpty());
}

void TestPaymentsRoutes::portalUnknownCustomerIs404WithModeHint()
{
    const auto reply =
        post(u"/payments/stripe/portal"_s,
             {{u"customer_id"_s, u"cus_unknown"_s}, {u"return_url"_s, u"https://x.agencyos.test/billing"_s}});
    QCOMPARE(reply.status, 404);
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"param"_s).toString(), u"customer_id"_s);
    QVERIFY(error.value(u"message"_s).toString().contains(u"No such customer: 'cus_unknown'"_s));
    QVERIFY(error.value(u"message"_s).toString().contains(u"same mode (live or test)"_s));
}

void TestPaymentsRoutes::getsSubscriptionEssentials()
{
    const QString session =
        post(u"/payments/stripe/checkout"_s, validCheckout()).json().value(u"id"_s).toString();
    const QJsonObject completed = completeCheckout(session);
    const QJsonObject subscription = completed.value(u"subscription"_s).toObject();
    const QString id = subscription.value(u"id"_s).toString();
    QVERIFY(id.startsWith(u"sub_"_s));

    const auto reply = call("GET", u"/payments/stripe/subscription/"_s + id);
    QCOMPARE(reply.status, 200);
    const QJsonObject summary = reply.json();
    QCOMPARE(summary.value(u"id"_s).toString(), id);
    QCOMPARE(summary.value(u"status"_s).toString(), u"trialing"_s);
    QCOMPARE(summary.value(u"customer"_s), subscription.value(u"customer"_s));
    QCOMPARE(summary.value(u"price_id"_s).toString(), u"price_demo_solo"_s);
    QCOMPARE(summary.value(u"plan"_s).toString(), u"solo"_s);
    // Basil and later keep the period on the item; the summary finds it there.
    const QJsonObject item =
        subscription.value(u"items"_s).toObject().value(u"data"_s).toArray().first().toObject();
    QCOMPARE(summary.value(u"current_period_end"_s), item.value(u"current_period_end"_s));
    QCOMPARE(summary.value(u"current_period_start"_s), item.value(u"current_period_start"_s));
    QCOMPARE(summary.value(u"trial_end"_s), subscription.value(u"trial_end"_s));
    QCOMPARE(summary.value(u"cancel_at_period_end"_s).toBool(), false);
    QVERIFY(summary.value(u"canceled_at"_s).isNull());
}

void TestPaymentsRoutes::subscriptionIdIsValidated()
{
    const auto invalid = call("GET", u"/payments/stripe/subscription/tenant_123"_s);
    QCOMPARE(invalid.status, 400);
    QCOMPARE(invalid.json().value(u"error"_s).toObject().value(u"param"_s).toString(), u"subscription_id"_s);
    const auto injection = call("GET", u"/payments/stripe/subscription/sub_1%27%20OR%201=1"_s);
    QCOMPARE(injection.status, 400);
    QVERIFY(stripeRequests().isEmpty());

    const auto missing = call("GET", u"/payments/stripe/subscription/sub_doesNotExist"_s);
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.json().value(u"error"_s).toObject().value(u"param"_s).toString(), u"subscription_id"_s);
}

void TestPaymentsRoutes::cancelsAtPeriodEndAndNowWithAudit()
{
    const QString session =
        post(u"/payments/stripe/checkout"_s, validCheckout()).json().value(u"id"_s).toString();
    const QString id =
        completeCheckout(session).value(u"subscription"_s).toObject().value(u"id"_s).toString();

    const auto later =
        post(u"/payments/stripe/subscription/%1/cancel"_s.arg(id), {{u"at_period_end"_s, true}});
    QCOMPARE(later.status, 200);
    QCOMPARE(later.json().value(u"cancel_at_period_end"_s).toBool(), true);
    QCOMPARE(later.json().value(u"status"_s).toString(), u"trialing"_s);
    QCOMPARE(stripeRequests().last().toObject().value(u"method"_s).toString(), u"POST"_s);

    const auto now = call("POST", u"/payments/stripe/subscription/%1/cancel"_s.arg(id));
    QCOMPARE(now.status, 200);
    QCOMPARE(now.json().value(u"status"_s).toString(), u"canceled"_s);
    QCOMPARE(stripeRequests().last().toObject().value(u"method"_s).toString(), u"DELETE"_s);

    QSqlDatabase db = m_db->database().connection().value();
    QSqlQuery query(db);
    QVERIFY(query.exec(
        u"SELECT actor, action, target_type, target_id, outcome, details FROM audit_log ORDER BY id"_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), u"api"_s);
    QCOMPARE(query.value(1).toString(), u"subscription.cancel_at_period_end"_s);
    QCOMPARE(query.value(2).toString(), u"subscription"_s);
    QCOMPARE(query.value(3).toString(), id);
    QCOMPARE(query.value(4).toString(), u"succeeded"_s);
    QVERIFY(query.value(5).toString().contains(u"\"remote_address\":\"127.0.0.1\""_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(1).toString(), u"subscription.cancel"_s);
    QVERIFY(!query.next());
}

void TestPaymentsRoutes::cancelPassesTheIdempotencyKeyOn()
{
    const QString session =
        post(u"/payments/stripe/checkout"_s, validCheckout()).json().value(u"id"_s).toString();
    const QString id =
        completeCheckout(session).value(u"subscription"_s).toObject().value(u"id"_s).toString();
    const QByteArray body = R"({"at_period_end":true})";
    const Headers headers{{"Content-Type"_ba, "application/json"_ba},
                          {"Idempotency-Key"_ba, "cancel-retry-1"_ba}};
    const auto first = call("POST", u"/payments/stripe/subscription/%1/cancel"_s.arg(id), body, headers);
    const auto retried = call("POST", u"/payments/stripe/subscription/%1/cancel"_s.arg(id), body, headers);
    QCOMPARE(first.status, 200);
    QCOMPARE(retried.status, 200);
    QCOMPARE(retried.json(), first.json());
    const QJsonArray sent = stripeRequests();
    QCOMPARE(sent.at(sent.size() - 2).toObject().value(u"idempotency_key"_s).toString(), u"cancel-retry-1"_s);
    QCOMPARE(sent.last().toObject().value(u"idempotency_key"_s).toString(), u"cancel-retry-1"_s);
    // Stripe replayed the first answer: one change, one event.
    QCOMPARE(m_emulator->store().events().first().value(u"type"_s).toString(),
             u"customer.subscription.updated"_s);
    QCOMPARE(m_emulator->store().events().at(1).value(u"type"_s).toString(), u"checkout.session.completed"_s);

    const auto tooLong =
        call("POST", u"/payments/stripe/subscription/%1/cancel"_s.arg(id), body,
             {{"Content-Type"_ba, "application/json"_ba}, {"Idempotency-Key"_ba, QByteArray(256, 'k')}});
    QCOMPARE(tooLong.status, 400);
    QCOMPARE(tooLong.json().value(u"error"_s).toObject().value(u"param"_s).toString(), u"Idempotency-Key"_s);
}

void TestPaymentsRoutes::cancelRejectsBadBody()
{
    const auto reply =
        post(u"/payments/stripe/subscription/sub_1/cancel"_s, {{u"at_period_end"_s, u"yes"_s}});
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.json().value(u"error"_s).toObject().value(u"param"_s).toString(), u"at_period_end"_s);
    QVERIFY(stripeRequests().isEmpty());
}

QTEST_GUILESS_MAIN(TestPaymentsRoutes)
#include "tst_paymentsroutes.moc"
