#include "ApiClient.h"
#include "ApiReply.h"
#include "FakeAdminApi.h"

#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::test::FakeAdminApi;
using namespace billing::ui;

class TestApiClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void getSendsTokenAndParsesJson();
    void postSendsJsonBody();
    void httpErrorUsesServiceMessage();
    void unreachableServiceIsNamed();
    void tokenTravelsInClearOnlyToThisMachine_data();
    void tokenTravelsInClearOnlyToThisMachine();
    void requestsToAnotherMachineOverHttpCarryNoToken();
};

void TestApiClient::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
}

void TestApiClient::getSendsTokenAndParsesJson()
{
    FakeAdminApi fake;
    QVERIFY(fake.listen());
    QNetworkAccessManager network;
    ApiClient client(&network);
    client.setServiceUrl(fake.url());
    client.setToken(u"tok_alice"_s);
    QSignalSpy succeeded(&client, &ApiClient::requestSucceeded);

    ApiReply *reply = client.get(u"/session"_s);
    QSignalSpy finished(reply, &ApiReply::finished);
    QVERIFY(finished.wait());
    QVERIFY(reply->isOk());
    QCOMPARE(reply->json().value("staff"_L1).toString(), u"alice"_s);
    QCOMPARE(succeeded.size(), 1);
    QCOMPARE(fake.requests().size(), 1);
    QCOMPARE(fake.requests().at(0).path, u"/admin/v1/session"_s);
    QCOMPARE(fake.requests().at(0).authorization, QByteArray("Bearer tok_alice"));
}

void TestApiClient::postSendsJsonBody()
{
    FakeAdminApi fake;
    QVERIFY(fake.listen());
    fake.setResponse("POST", u"/admin/v1/portal"_s, 200, {{u"url"_s, u"https://billing.stripe.com/p/1"_s}});
    QNetworkAccessManager network;
    ApiClient client(&network);
    client.setServiceUrl(fake.url());
    client.setToken(u"tok"_s);
    ApiReply *reply = client.post(u"/portal"_s, {{u"customer_id"_s, u"cus_1"_s}});
    QSignalSpy finished(reply, &ApiReply::finished);
    QVERIFY(finished.wait());
    QVERIFY(reply->isOk());
    QCOMPARE(fake.requests().at(0).method, QByteArray("POST"));
    QCOMPARE(fake.requests().at(0).json().value("customer_id"_L1).toString(), u"cus_1"_s);
}

void TestApiClient::httpErrorUsesServiceMessage()
{
    FakeAdminApi fake;
    QVERIFY(fake.listen());
    fake.setResponse("GET", u"/admin/v1/session"_s, 401,
                     FakeAdminApi::error(u"Unknown or revoked staff token."_s, u"authentication_error"_s));
    QNetworkAccessManager network;
    ApiClient client(&network);
    client.setServiceUrl(fake.url());
    QSignalSpy failed(&client, &ApiClient::requestFailed);
    ApiReply *reply = client.get(u"/session"_s);
    QSignalSpy finished(reply, &ApiReply::finished);
    QVERIFY(finished.wait());
    QCOMPARE(reply->error(), ApiReply::Error::Http);
    QCOMPARE(reply->httpStatus(), 401);
    QCOMPARE(reply->errorMessage(), u"Unknown or revoked staff token."_s);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), u"Unknown or revoked staff token."_s);
}

void TestApiClient::unreachableServiceIsNamed()
{
    QNetworkAccessManager network;
    ApiClient client(&network);
    const QUrl url = FakeAdminApi::unreachableUrl();
    client.setServiceUrl(url);
    client.setToken(u"tok_secret"_s);
    ApiReply *reply = client.get(u"/session"_s);
    QSignalSpy finished(reply, &ApiReply::finished);
    QVERIFY(finished.wait());
    QCOMPARE(reply->error(), ApiReply::Error::Network);
    QVERIFY2(reply->errorMessage().startsWith(u"The service at "_s + url.toDisplayString() +
                                              u" is unreachable: "_s),
             qPrintable(reply->errorMessage()));
    QVERIFY(!reply->errorMessage().contains(u"tok_secret"_s));
}

void TestApiClient::tokenTravelsInClearOnlyToThisMachine_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("refused");
    QTest::newRow("loopback v4") << u"http://127.0.0.1:8787"_s << false;
    QTest::newRow("loopback v4 other") << u"http://127.0.0.2:8787"_s << false;
    QTest::newRow("loopback v6") << u"http://[::1]:8787"_s << false;
    QTest::newRow("localhost") << u"http://LocalHost:8787"_s << false;
    QTest::newRow("https elsewhere") << u"https://billing.example.net"_s << false;
    QTest::newRow("http elsewhere") << u"http://billing.example.net:8787"_s << true;
    QTest::newRow("http LAN address") << u"http://10.0.0.5:8787"_s << true;
    QTest::newRow("localhost lookalike") << u"http://localhost.example.net"_s << true;
}

void TestApiClient::tokenTravelsInClearOnlyToThisMachine()
{
    QFETCH(QString, url);
    QFETCH(bool, refused);
    const QString reason = ApiClient::insecureTransportReason(QUrl(url));
    QCOMPARE(!reason.isEmpty(), refused);
    if (refused)
        QVERIFY2(reason.contains(u"https://"_s), qPrintable(reason));
}

namespace {
// Records the Authorization header of every request; sends nothing anywhere.
class RecordingNetwork final : public QNetworkAccessManager
{
public:
    QList<QByteArray> authorizations;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *data) override
    {
        authorizations.append(request.rawHeader("Authorization"));
        QNetworkRequest nowhere(request);
        nowhere.setUrl(QUrl(u"http://127.0.0.1:9/"_s)); // the discard port: refused at once
        return QNetworkAccessManager::createRequest(op, nowhere, data);
    }
};
} // namespace

void TestApiClient::requestsToAnotherMachineOverHttpCarryNoToken()
{
    RecordingNetwork network;
    ApiClient client(&network);
    client.setToken(u"tok_secret"_s);
    client.setServiceUrl(QUrl(u"http://billing.example.net:8787"_s));
    client.get(u"/session"_s);
    client.post(u"/subscriptions/sub_1/cancel"_s);
    client.setServiceUrl(QUrl(u"https://billing.example.net"_s));
    client.get(u"/session"_s);
    QCOMPARE(network.authorizations,
             (QList<QByteArray>{QByteArray(), QByteArray(), QByteArrayLiteral("Bearer tok_secret")}));
}

QTEST_MAIN(TestApiClient)
#include "tst_apiclient.moc"
