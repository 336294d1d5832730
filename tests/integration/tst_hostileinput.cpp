#include "HttpTestClient.h"
#include "ServerProcess.h"
#include "TestDatabase.h"
#include "db/MigrationCatalog.h"
#include "db/Migrator.h"
#include "webhook/WebhookSigner.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;
using Headers = QList<QPair<QByteArray, QByteArray>>;

namespace {

const QString kWebhookSecret = u"whsec_test/hostile/input"_s;
const QByteArray kApiToken = "hostile-input-test-token-0123456789abcdef0"_ba;

enum class Auth { None, Api, Staff, Signed };

// One bad request and what the service must answer.
struct BadRequest
{
    const char *name;
    QByteArray method;
    QString path;
    QByteArray body;
    Auth auth = Auth::None;
    int status = 400;
    QByteArray contentType = "application/json";
    Headers extraHeaders = {};
    // Sent byte for byte over a socket: Qt's client would merge repeated headers.
    bool raw = false;
};

QList<BadRequest> catalogue();

} // namespace

// A catalogue of hostile and malformed requests across every endpoint: each
// gets its documented status and a JSON error saying what is wrong, and the
// database holds afterwards exactly what it held before (refused webhooks
// are logged for the dashboard, as documented, and nothing else).
class TestHostileInput final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void refusedWithoutChange_data();
    void refusedWithoutChange();
    void catalogueIsLargeEnough();

private:
    QString fingerprint(bool includeFailureLog);
    test::HttpTestClient::Reply rawExchange(const QByteArray &method, const QString &path,
                                            const QByteArray &body, const Headers &headers);

    std::unique_ptr<QTemporaryDir> m_workDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<test::ServerProcess> m_server;
    QByteArray m_staffToken;
    test::HttpTestClient m_client;
};

void TestHostileInput::initTestCase()
{
    m_workDir = std::make_unique<QTemporaryDir>();
    QString error;
    m_db = test::TestDatabase::create(SqlDialect::Sqlite, &error);
    QVERIFY2(m_db, qPrintable(error));
    QHash<QString, QString> settings =
        test::ServerProcess::testSettings(*m_db, m_workDir->filePath(u"data"_s), u"http://127.0.0.1:9"_s);
    settings.insert({{u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret},
                     {u"BILLING_API_TOKEN"_s, QString::fromLatin1(kApiToken)}});
    m_server =
        std::make_unique<test::ServerProcess>(QStringLiteral(BILLING_SERVER_BINARY), m_workDir->path());
    QString output;
    QCOMPARE(m_server->run({u"migrate"_s}, settings, &output, &output), 0);
    QCOMPARE(m_server->run({u"staff"_s, u"add"_s, u"erin"_s}, settings, &output), 0);
    m_staffToken = output.trimmed().split(u'\n').constLast().toLatin1();
    QVERIFY2(m_server->start(settings, &output), qPrintable(output));
}

void TestHostileInput::cleanupTestCase()
{
    if (m_server)
        QVERIFY(m_server->stop());
}

QString TestHostileInput::fingerprint(bool includeFailureLog)
{
    QSqlDatabase db = m_db->database().connection().value();
    QStringList parts;
    for (const QString &table : test::tableNames(db)) {
        if (!includeFailureLog && table == u"webhook_delivery_failures")
            continue;
        // Counts writes to the tables fingerprinted here: no data of its own.
        if (table == u"change_marks")
            continue;
        QSqlQuery query(db);
        // The count, and a digest of every row's text.
        query.exec(u"SELECT * FROM "_s + table);
        QStringList rows;
        while (query.next()) {
            QStringList values;
            for (int i = 0; i < query.record().count(); ++i)
                values << query.value(i).toString();
            rows << values.join(u'|');
        }
        rows.sort();
        // last_seen_at of the staff member moves with use: not a change of data.
        if (table == u"staff_members")
            rows = {QString::number(rows.size())};
        parts << table + u':' + QString::number(qHash(rows.join(u'\n')));
    }
    return parts.join(u' ');
}

test::HttpTestClient::Reply TestHostileInput::rawExchange(const QByteArray &method, const QString &path,
                                                          const QByteArray &body, const Headers &headers)
{
    QByteArray request = method + ' ' + path.toLatin1() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                         QByteArray::number(body.size()) + "\r\nConnection: close\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    request += "\r\n" + body;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    test::HttpTestClient::Reply reply;
    if (!socket.waitForConnected(5000))
        return reply;
    socket.write(request);
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
        socket.waitForReadyRead(200);
        answer += socket.readAll();
        const qsizetype headerEnd = answer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            continue;
        const QByteArray head = answer.left(headerEnd).toLower();
        const qsizetype at = head.indexOf("content-length:");
        const qint64 length = at < 0 ? 0 : head.mid(at + 15).split('\r').constFirst().trimmed().toLongLong();
        if (answer.size() >= headerEnd + 4 + length) {
            reply.status = answer.mid(9, 3).toInt();
            reply.body = answer.mid(headerEnd + 4, length);
            break;
        }
    }
    return reply;
}

void TestHostileInput::refusedWithoutChange_data()
{
    QTest::addColumn<int>("index");
    const QList<BadRequest> requests = catalogue();
    for (int i = 0; i < requests.size(); ++i)
        QTest::newRow(requests[i].name) << i;
}

void TestHostileInput::refusedWithoutChange()
{
    QFETCH(int, index);
    const BadRequest request = catalogue().at(index);
    Headers headers = request.extraHeaders;
    if (!request.body.isEmpty() || request.method == "POST")
        headers.append({"Content-Type", request.contentType});
    if (request.auth == Auth::Api)
        headers.append({"Authorization", "Bearer " + kApiToken});
    else if (request.auth == Auth::Staff)
        headers.append({"Authorization", "Bearer " + m_staffToken});
    else if (request.auth == Auth::Signed)
        headers.append(
            {"Stripe-Signature",
             WebhookSigner::header({kWebhookSecret}, QDateTime::currentSecsSinceEpoch(), request.body)});

    const QString before = fingerprint(false);
    const auto reply = request.raw ? rawExchange(request.method, request.path, request.body, headers)
                                   : m_client.send(request.method, QUrl(m_server->baseUrl() + request.path),
                                                   request.body, headers);
    QCOMPARE(reply.status, request.status);
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QVERIFY2(!error.value(u"message"_s).toString().isEmpty(), reply.body.left(300).constData());
    QVERIFY(!error.value(u"type"_s).toString().isEmpty());
    QCOMPARE(fingerprint(false), before);
}

void TestHostileInput::catalogueIsLargeEnough()
{
    QVERIFY(catalogue().size() >= 40);
    // The refused webhooks were counted for the dashboard (written every 5 s).
    auto refusalsCounted = [this] {
        QSqlQuery query(m_db->database().connection().value());
        return query.exec(u"SELECT COALESCE(SUM(attempts), 0) FROM webhook_delivery_failures"_s) &&
                       query.next()
                   ? query.value(0).toInt()
                   : -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(refusalsCounted() >= 10, 15000);
}

// The catalogue stays below the test class: moc reads this file too, and
// these raw strings would hide the class from it.
namespace {

QByteArray nested(int depth)
{
    return QByteArray(depth, '[') + QByteArray(depth, ']');
}

QByteArray event(const QByteArray &fields)
{
    return R"({"id":"evt_hostile1","object":"event","type":"invoice.paid","created":1700000000,)" + fields +
           R"(,"data":{"object":{"id":"in_hostile"}}})";
}

const QByteArray kCheckout =
    R"({"plan_id":"solo","tenant_id":"t1","success_url":"https://app.agencyos.network/ok",)"
    R"("cancel_url":"https://app.agencyos.network/no")";

QList<BadRequest> catalogue()
{
    const QString webhook = u"/payments/stripe/webhook"_s;
    const QString checkout = u"/payments/stripe/checkout"_s;
    return {
        // Webhooks.
        {"webhook without signature", "POST", webhook, event(R"("livemode":false)")},
        {"webhook signed with another secret",
         "POST",
         webhook,
         event(R"("livemode":false)"),
         Auth::None,
         400,
         "application/json",
         {{"Stripe-Signature", WebhookSigner::header({u"whsec_notOurs"_s}, QDateTime::currentSecsSinceEpoch(),
                                                     event(R"("livemode":false)"))}}},
        {"webhook signature garbage",
         "POST",
         webhook,
         event(R"("livemode":false)"),
         Auth::None,
         400,
         "application/json",
         {{"Stripe-Signature", "t=abc,v1=' OR 1=1 --"}}},
        {"webhook two signature headers",
         "POST",
         webhook,
         event(R"("livemode":false,"n":2)"),
         Auth::Signed,
         400,
         "application/json",
         {{"Stripe-Signature", "t=1,v1=00"}},
         true},
        {"webhook empty body", "POST", webhook, "", Auth::Signed},
        {"webhook malformed JSON", "POST", webhook, R"({"id":"evt_x",)", Auth::Signed},
        {"webhook JSON array", "POST", webhook, "[1,2,3]", Auth::Signed},
        {"webhook nested 100000 deep", "POST", webhook, nested(100000), Auth::Signed},
        {"webhook invalid UTF-8", "POST", webhook, event("\"livemode\":false,\"x\":\"\xff\xfe\""),
         Auth::Signed},
        {"webhook event without id", "POST", webhook,
         R"({"object":"event","type":"invoice.paid","livemode":false,"data":{"object":{}}})", Auth::Signed},
        {"webhook live event in test mode", "POST", webhook, event(R"("livemode":true)"), Auth::Signed},
        {"webhook over 1 MiB", "POST", webhook, QByteArray(1024 * 1024 + 1, ' '), Auth::Signed, 413},
        {"webhook GET", "GET", webhook, "", Auth::None, 405},
        // The payments API.
        {"checkout without token", "POST", checkout, kCheckout + "}", Auth::None, 401},
        {"checkout with a staff token", "POST", checkout, kCheckout + "}", Auth::Staff, 401},
        {"checkout text/plain", "POST", checkout, kCheckout + "}", Auth::Api, 400, "text/plain"},
        {"checkout malformed JSON", "POST", checkout, kCheckout, Auth::Api},
        {"checkout empty body", "POST", checkout, "", Auth::Api},
        {"checkout JSON array", "POST", checkout, "[]", Auth::Api},
        {"checkout nested 5000 deep", "POST", checkout, nested(5000), Auth::Api},
        {"checkout invalid UTF-8", "POST", checkout,
         kCheckout + R"(,"customer_email":")" + "\xc3\x28" + "\"}", Auth::Api},
        {"checkout plan_id a number", "POST", checkout, R"({"plan_id":7,"tenant_id":"t1"})", Auth::Api},
        {"checkout unknown plan", "POST", checkout, R"({"plan_id":"platinum","tenant_id":"t1"})", Auth::Api},
        {"checkout SQL in tenant_id", "POST", checkout,
         R"({"plan_id":"solo","tenant_id":"t1'; DROP TABLE tenants;--","success_url":"https://app.agencyos.network/ok","cancel_url":"https://app.agencyos.network/no"})",
         Auth::Api},
        {"checkout overlong tenant_id", "POST", checkout,
         R"({"plan_id":"solo","tenant_id":")" + QByteArray(201, 'a') + "\"}", Auth::Api},
        {"checkout trial_days 1e300", "POST", checkout, kCheckout + R"(,"trial_days":1e300})", Auth::Api},
        {"checkout trial_days negative", "POST", checkout, kCheckout + R"(,"trial_days":-3})", Auth::Api},
        {"checkout javascript: URL", "POST", checkout,
         R"js({"plan_id":"solo","tenant_id":"t1","success_url":"javascript:alert(1)","cancel_url":"https://app.agencyos.network/no"})js",
         Auth::Api},
        {"checkout foreign host", "POST", checkout,
         R"({"plan_id":"solo","tenant_id":"t1","success_url":"https://evil.example/ok","cancel_url":"https://app.agencyos.network/no"})",
         Auth::Api},
        {"checkout bad email", "POST", checkout, kCheckout + R"(,"customer_email":"not-an-email"})",
         Auth::Api},
        {"checkout unknown field", "POST", checkout, kCheckout + R"(,"price_override":1})", Auth::Api},
        {"portal SQL in customer_id", "POST", u"/payments/stripe/portal"_s,
         R"({"customer_id":"cus_x' OR '1'='1","return_url":"https://app.agencyos.network/a"})", Auth::Api},
        {"portal without return_url", "POST", u"/payments/stripe/portal"_s, R"({"customer_id":"cus_1"})",
         Auth::Api},
        {"subscription id with SQL", "GET", u"/payments/stripe/subscription/sub_x'%20OR%201=1--"_s, "",
         Auth::Api},
        {"subscription id overlong", "GET", u"/payments/stripe/subscription/sub_"_s + QString(300, u'a'), "",
         Auth::Api},
        {"cancel at_period_end a string", "POST", u"/payments/stripe/subscription/sub_1/cancel"_s,
         R"({"at_period_end":"yes"})", Auth::Api},
        {"cancel with GET", "GET", u"/payments/stripe/subscription/sub_1/cancel"_s, "", Auth::Api, 405},
        // The admin API.
        {"admin without token", "GET", u"/admin/v1/events"_s, "", Auth::None, 401},
        {"admin with the API token", "GET", u"/admin/v1/events"_s, "", Auth::Api, 401},
        {"admin bearer of SQL",
         "GET",
         u"/admin/v1/events"_s,
         "",
         Auth::None,
         401,
         "application/json",
         {{"Authorization", "Bearer aob_staff_' OR '1'='1"}}},
        {"admin Basic auth",
         "GET",
         u"/admin/v1/events"_s,
         "",
         Auth::None,
         401,
         "application/json",
         {{"Authorization", "Basic YWxpY2U6c2VjcmV0"}}},
        {"admin limit -1", "GET", u"/admin/v1/events?limit=-1"_s, "", Auth::Staff},
        {"admin limit huge", "GET", u"/admin/v1/invoices?limit=99999999999999999999"_s, "", Auth::Staff},
        {"admin cursor garbage", "GET", u"/admin/v1/events?cursor=%27%3B--"_s, "", Auth::Staff},
        {"admin sort injection", "GET", u"/admin/v1/events?sort=created;DROP%20TABLE%20x"_s, "", Auth::Staff},
        {"admin from not a number", "GET", u"/admin/v1/events?from=1%20OR%201=1"_s, "", Auth::Staff},
        {"admin cancel without a choice", "POST", u"/admin/v1/subscriptions/sub_1/cancel"_s, "{}",
         Auth::Staff},
        {"admin cancel bad id", "POST", u"/admin/v1/subscriptions/sub_x';--/cancel"_s,
         R"({"at_period_end":true})", Auth::Staff},
        {"admin portal both ids", "POST", u"/admin/v1/portal"_s,
         R"({"customer_id":"cus_1","tenant_id":"t1"})", Auth::Staff},
        {"admin resend bad id", "POST", u"/admin/v1/dunning/abc/resend"_s, "{}", Auth::Staff},
        {"admin replay not an event id", "POST", u"/admin/v1/events/in_1/replay"_s, "{}", Auth::Staff},
        {"admin replay unknown event", "POST", u"/admin/v1/events/evt_nothere/replay"_s, "{}", Auth::Staff,
         404},
        {"admin changes bad cursor", "GET", u"/admin/v1/changes?cursor=1.2.x.4"_s, "", Auth::Staff},
        {"unknown route", "GET", u"/admin/v1/../../etc/passwd"_s, "", Auth::Staff, 404},
    };
}

} // namespace

QTEST_GUILESS_MAIN(TestHostileInput)
#include "tst_hostileinput.moc"
