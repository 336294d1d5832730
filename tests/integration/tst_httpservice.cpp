#include "http/HttpService.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
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

QTEST_GUILESS_MAIN(TestHttpService)
#include "tst_httpservice.moc"
