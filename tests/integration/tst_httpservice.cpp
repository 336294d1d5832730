#include "http/HttpService.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::server::HttpService;

class TestHttpService final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listensOnLoopbackAndAnswersJson404();
    void reportsPortInUse();
    void servesHttpsWithTheConfiguredCertificate();
    void decodesPathArguments_data();
    void decodesPathArguments();
};

void TestHttpService::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
}

void TestHttpService::listensOnLoopbackAndAnswersJson404()
{
    HttpService service;
    const billing::Result<quint16> port = service.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port.ok());
    QVERIFY(port.value() != 0);
    QCOMPARE(service.serverPort(), port.value());

    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/payments/stripe/unknown"_s.arg(port.value())));
    QNetworkReply *reply = network.post(request, "{}"_ba);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
    QVERIFY(reply->header(QNetworkRequest::ContentTypeHeader).toString().contains(u"application/json"_s));
    const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
    const QJsonObject error = body.value(u"error"_s).toObject();
    QCOMPARE(error.value(u"type"_s).toString(), u"invalid_request_error"_s);
    QCOMPARE(error.value(u"message"_s).toString(), u"no route for /payments/stripe/unknown"_s);
    QVERIFY(error.value(u"param"_s).isNull());
    delete reply;
}

void TestHttpService::decodesPathArguments_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("argument");
    QTest::newRow("plain") << u"/items/evt_1/replay"_s << u"evt_1"_s;
    QTest::newRow("encoded underscore") << u"/items/evt%5F1/replay"_s << u"evt_1"_s;
    QTest::newRow("encoded slash stays in its segment") << u"/items/a%2Fb/replay"_s << u"a/b"_s;
    QTest::newRow("space and UTF-8") << u"/items/t%20%C3%A9/replay"_s << u"t \u00e9"_s;
    QTest::newRow("encoded literal segment") << u"/items/x/r%65play"_s << u"x"_s;
}

void TestHttpService::decodesPathArguments()
{
    QFETCH(QString, path);
    QFETCH(QString, argument);
    HttpService service;
    QString received;
    service.addRoute(
        "POST", u"/items/{id}/replay"_s,
        [&received](const billing::server::HttpRequest &request, billing::server::HttpResponder responder) {
            received = request.pathArgs.value(u"id"_s);
            responder.sendJson(200, {});
        });
    const billing::Result<quint16> port = service.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port.ok());
    QNetworkAccessManager network;
    QNetworkReply *reply = network.post(
        QNetworkRequest(QUrl::fromEncoded(u"http://127.0.0.1:%1%2"_s.arg(port.value()).arg(path).toLatin1())),
        "{}"_ba);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(received, argument);
    delete reply;
}

void TestHttpService::reportsPortInUse()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));

    HttpService service;
    const billing::Result<quint16> port = service.listen(QHostAddress::LocalHost, occupier.serverPort());
    QVERIFY(!port.ok());
    QVERIFY2(
        port.error().message.contains(u"cannot listen on 127.0.0.1 port %1"_s.arg(occupier.serverPort())),
        qPrintable(port.error().message));
    QCOMPARE(service.serverPort(), quint16(0));
}

// BILLING_TLS_CERT_FILE / _KEY_FILE: a client that trusts the certificate gets
// the service's answer over TLS; plain HTTP on that port gets nothing.
void TestHttpService::servesHttpsWithTheConfiguredCertificate()
{
    QTemporaryDir dir;
    QProcess openssl;
    openssl.start(u"openssl"_s,
                  {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-days"_s, u"1"_s,
                   u"-subj"_s, u"/CN=127.0.0.1"_s, u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s,
                   u"-keyout"_s, dir.filePath(u"key.pem"_s), u"-out"_s, dir.filePath(u"cert.pem"_s)});
    QVERIFY(openssl.waitForFinished(30000));
    QCOMPARE(openssl.exitCode(), 0);

    billing::Result<QSslConfiguration> tls =
        HttpService::tlsConfiguration(dir.filePath(u"cert.pem"_s), dir.filePath(u"key.pem"_s));
    QVERIFY2(tls.ok(), tls.ok() ? "" : qPrintable(tls.error().message));
    QVERIFY(!HttpService::tlsConfiguration(dir.filePath(u"cert.pem"_s), dir.filePath(u"cert.pem"_s)).ok());

    HttpService service;
    const billing::Result<quint16> port = service.listen(QHostAddress::LocalHost, 0, tls.value());
    QVERIFY(port.ok());

    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(u"https://127.0.0.1:%1/nothing/here"_s.arg(port.value())));
    QSslConfiguration client = QSslConfiguration::defaultConfiguration();
    client.setCaCertificates(QSslCertificate::fromPath(dir.filePath(u"cert.pem"_s)));
    request.setSslConfiguration(client);
    QNetworkReply *reply = network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->error(), QNetworkReply::ContentNotFoundError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
    QVERIFY(QJsonDocument::fromJson(reply->readAll()).object().contains(u"error"_s));
    reply->deleteLater();

    QNetworkReply *plain =
        network.get(QNetworkRequest(QUrl(u"http://127.0.0.1:%1/nothing/here"_s.arg(port.value()))));
    QSignalSpy plainFinished(plain, &QNetworkReply::finished);
    QVERIFY(plainFinished.wait(10000));
    QVERIFY(plain->error() != QNetworkReply::NoError);
    QCOMPARE(plain->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 0);
    plain->deleteLater();
}

QTEST_GUILESS_MAIN(TestHttpService)
#include "tst_httpservice.moc"
