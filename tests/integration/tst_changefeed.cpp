#include "TestDatabase.h"
#include "admin/ChangeFeed.h"
#include "db/Migrator.h"
#include "db/ReaderPool.h"
#include "http/HttpService.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <atomic>

using namespace Qt::StringLiterals;
using namespace billing;
using billing::server::ChangeFeed;
using billing::server::HttpRequest;
using billing::server::HttpResponder;
using billing::server::HttpService;

// The change feed's long polls (GET /admin/v1/changes) read the change marks
// on the dashboard's readers, which run at idle priority and can be starved
// for seconds under a burst of webhooks: a wait that is over is answered on
// time all the same.
class TestChangeFeed final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void aWaitThatIsOverIsAnsweredWhileTheReadersAreBusy();
};

void TestChangeFeed::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
}

void TestChangeFeed::aWaitThatIsOverIsAnsweredWhileTheReadersAreBusy()
{
    QString error;
    std::unique_ptr<test::TestDatabase> database =
        test::TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(database, qPrintable(error));
    QVERIFY(Migrator(database->database(), MigrationCatalog::builtIn().value()).migrate().ok());

    QObject owner;
    ReaderPool readers(database->database(), &owner, 2);
    ChangeFeed feed(readers);
    HttpService service;
    service.addRoute("GET", u"/changes"_s, [&feed](const HttpRequest &request, HttpResponder responder) {
        feed.wait(request.query.queryItemValue(u"cursor"_s),
                  std::chrono::seconds(request.query.queryItemValue(u"wait"_s).toInt()),
                  std::move(responder));
    });
    const Result<quint16> port = service.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port.ok());
    QNetworkAccessManager network;
    const auto get = [&](const QString &query) {
        return network.get(
            QNetworkRequest(QUrl(u"http://127.0.0.1:%1/changes?%2"_s.arg(port.value()).arg(query))));
    };

    QNetworkReply *first = get(u"wait=0"_s);
    QSignalSpy firstDone(first, &QNetworkReply::finished);
    QVERIFY(firstDone.wait(5000));
    const QString cursor = QJsonDocument::fromJson(first->readAll()).object().value(u"cursor"_s).toString();
    QVERIFY(!cursor.isEmpty());
    delete first;

    // Nothing changes: the wait is answered after 1 s, with the same cursor.
    QElapsedTimer sinceAsked;
    sinceAsked.start();
    QNetworkReply *waiting = get(u"wait=1&cursor="_s + cursor);
    QSignalSpy waitingDone(waiting, &QNetworkReply::finished);
    QTest::qWait(300); // its own reading of the marks is back: it waits
    QVERIFY(waitingDone.isEmpty());
    // Then both readers are held for 8 s, as a burst of webhooks would.
    std::atomic<bool> release{false};
    std::atomic<int> held{0};
    for (int i = 0; i < 2; ++i) {
        readers.run(
            [&release, &held](QSqlDatabase &) -> Result<QJsonObject> {
                ++held;
                for (int waited = 0; waited < 8000 && !release; waited += 10)
                    QThread::msleep(10);
                return QJsonObject{};
            },
            [](Result<QJsonObject>) {});
    }
    QTRY_COMPARE(held.load(), 2);

    const bool answered = waitingDone.wait(4000);
    const qint64 answeredAfterMs = sinceAsked.elapsed();
    release = true;
    QVERIFY2(answered, "the wait was not answered while the readers were busy");
    QVERIFY2(answeredAfterMs >= 900, qPrintable(QString::number(answeredAfterMs)));
    QCOMPARE(waiting->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QJsonObject body = QJsonDocument::fromJson(waiting->readAll()).object();
    QCOMPARE(body.value(u"cursor"_s).toString(), cursor);
    QCOMPARE(body.value(u"changed"_s).toArray().size(), 0);
    delete waiting;
}

QTEST_GUILESS_MAIN(TestChangeFeed)
#include "tst_changefeed.moc"
