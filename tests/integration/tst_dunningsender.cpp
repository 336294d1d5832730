#include "TestDatabase.h"
#include "billing/DunningSender.h"
#include "db/Migrator.h"
#include "db/NotificationOutbox.h"
#include "http/HttpService.h"

#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;

// Dunning notices leave the outbox through the configured hook, once each,
// and failures are retried later.
class TestDunningSender final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void postsEachNoticeOnce();
    void retriesAFailedDeliveryLater();
    void givesUpAfterMaxAttempts();
    void runsACommandWithTheNoticeOnStdin();

private:
    void queue(const QString &dedupeKey);
    QVariant value(const QString &sql);
    bool runPass(DunningSender &sender);

    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<server::HttpService> m_hook;
    QList<server::HttpRequest> m_received;
    int m_answer = 200;
    std::unique_ptr<FixedClock> m_clock;
    QNetworkAccessManager m_network;
};

void TestDunningSender::init()
{
    QString error;
    m_db = test::TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_db, qPrintable(error));
    QVERIFY(Migrator(m_db->database(), MigrationCatalog::builtIn().value()).migrate().ok());
    m_received.clear();
    m_answer = 200;
    m_hook = std::make_unique<server::HttpService>();
    m_hook->addRoute("POST", u"/dunning"_s,
                     [this](const server::HttpRequest &request, server::HttpResponder responder) {
                         m_received.append(request);
                         responder.sendJson(m_answer, {});
                     });
    QVERIFY(m_hook->listen(QHostAddress::LocalHost, 0).ok());
    m_network.setProxy(QNetworkProxy::NoProxy);
    m_clock = std::make_unique<FixedClock>(QDateTime::fromSecsSinceEpoch(1764000000, Qt::UTC));
}

void TestDunningSender::cleanup()
{
    m_hook.reset();
    m_db.reset();
}

void TestDunningSender::queue(const QString &dedupeKey)
{
    QSqlDatabase db = m_db->database().connection().value();
    NotificationOutbox outbox(db);
    NotificationOutbox::Notice notice;
    notice.kind = u"dunning.payment_failed"_s;
    notice.dedupeKey = dedupeKey;
    notice.email = u"billing@tenant.test"_s;
    notice.payload = {{u"amount_due"_s, 9900}, {u"currency"_s, u"eur"_s}};
    QVERIFY(outbox.enqueue(notice, m_clock->nowSecondsSinceEpoch()).value());
}

QVariant TestDunningSender::value(const QString &sql)
{
    QSqlDatabase db = m_db->database().connection().value();
    QSqlQuery query(db);
    return query.exec(sql) && query.next() ? query.value(0) : QVariant();
}

bool TestDunningSender::runPass(DunningSender &sender)
{
    QSignalSpy finished(&sender, &DunningSender::passFinished);
    sender.sendDue();
    return !finished.isEmpty() || finished.wait(10000);
}

void TestDunningSender::postsEachNoticeOnce()
{
    queue(u"payment_failed:in_1:1"_s);
    queue(u"payment_failed:in_1:2"_s);
    DunningSender sender(m_db->database(), &m_network,
                         {QUrl(u"http://127.0.0.1:%1/dunning"_s.arg(m_hook->serverPort())), {}}, *m_clock);
    QVERIFY(runPass(sender));
    QCOMPARE(m_received.size(), 2);
    QCOMPARE(m_received[0].header("Idempotency-Key"), "payment_failed:in_1:1"_ba);
    const QJsonObject body = QJsonDocument::fromJson(m_received[0].body).object();
    QCOMPARE(body.value(u"kind"_s).toString(), u"dunning.payment_failed"_s);
    QCOMPARE(body.value(u"notice"_s).toObject().value(u"amount_due"_s).toInt(), 9900);
    QCOMPARE(
        value(u"SELECT COUNT(*) FROM notification_outbox WHERE status = 'sent' AND attempts = 1"_s).toInt(),
        2);

    QVERIFY(runPass(sender));
    QCOMPARE(m_received.size(), 2); // nothing sent twice
}

void TestDunningSender::retriesAFailedDeliveryLater()
{
    queue(u"payment_failed:in_2:1"_s);
    m_answer = 503;
    DunningSender sender(m_db->database(), &m_network,
                         {QUrl(u"http://127.0.0.1:%1/dunning"_s.arg(m_hook->serverPort())), {}}, *m_clock);
    QVERIFY(runPass(sender));
    QCOMPARE(m_received.size(), 1);
    QCOMPARE(value(u"SELECT status FROM notification_outbox"_s).toString(), u"pending"_s);
    QCOMPARE(value(u"SELECT attempts FROM notification_outbox"_s).toInt(), 1);
    QVERIFY(value(u"SELECT last_error FROM notification_outbox"_s).toString().contains(u"503"_s));

    // Not due yet: nothing is sent.
    QVERIFY(runPass(sender));
    QCOMPARE(m_received.size(), 1);

    m_answer = 200;
    m_clock->setNow(m_clock->now().addSecs(DunningSender::backoff(1).count()));
    QVERIFY(runPass(sender));
    QCOMPARE(m_received.size(), 2);
    QCOMPARE(value(u"SELECT status FROM notification_outbox"_s).toString(), u"sent"_s);
    QCOMPARE(value(u"SELECT attempts FROM notification_outbox"_s).toInt(), 2);
}

void TestDunningSender::givesUpAfterMaxAttempts()
{
    queue(u"payment_failed:in_3:1"_s);
    m_answer = 500;
    DunningSender::Options options{QUrl(u"http://127.0.0.1:%1/dunning"_s.arg(m_hook->serverPort())), {}};
    options.maxAttempts = 2;
    DunningSender sender(m_db->database(), &m_network, options, *m_clock);
    QVERIFY(runPass(sender));
    m_clock->setNow(m_clock->now().addSecs(3600));
    QVERIFY(runPass(sender));
    QCOMPARE(m_received.size(), 2);
    QCOMPARE(value(u"SELECT status FROM notification_outbox"_s).toString(), u"failed"_s);
}

void TestDunningSender::runsACommandWithTheNoticeOnStdin()
{
    QTemporaryDir dir;
    const QString output = dir.filePath(u"notice.json"_s);
    const QString script = dir.filePath(u"hook.sh"_s);
    QFile file(script);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("#!/bin/sh\ncat > '" + output.toUtf8() + "'\n");
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));

    queue(u"payment_failed:in_4:1"_s);
    DunningSender sender(m_db->database(), &m_network, {QUrl(), script}, *m_clock);
    QVERIFY(runPass(sender));
    QFile written(output);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(written.readAll()).object().value(u"dedupe_key"_s).toString(),
             u"payment_failed:in_4:1"_s);
    QCOMPARE(value(u"SELECT status FROM notification_outbox"_s).toString(), u"sent"_s);
}

QTEST_GUILESS_MAIN(TestDunningSender)
#include "tst_dunningsender.moc"
