#include "ServerProcess.h"
#include "TestDatabase.h"
#include "webhook/WebhookSigner.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlQuery>
#include <QTest>

#include <numeric>
#include <set>

using namespace Qt::StringLiterals;
using namespace billing;

namespace {

const QString kWebhookSecret = u"whsec_test/crash/safety"_s;
constexpr int kEvents = 1500;
constexpr int kInFlight = 12;

} // namespace

// The service killed with SIGKILL in the middle of a webhook load: after a
// restart and Stripe's retries of what got no 200, every acknowledged event is
// stored, each once, with its payment; and the database is intact.
class TestCrashSafety final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acknowledgedEventsSurviveSigkill();

private:
    QByteArray payload(int index) const;
    // Posts the events in `indexes` with kInFlight requests at a time; returns
    // those answered 200. Stops sending once `stopAfter` were acknowledged
    // (the caller kills the service then), -1: send all.
    std::set<int> deliver(const QString &baseUrl, const std::vector<int> &indexes,
                          const std::function<void(int acknowledged)> &onAck);
    qint64 value(const QString &sql);

    std::unique_ptr<test::TestDatabase> m_db;
    qint64 m_created = QDateTime::currentSecsSinceEpoch();
};

// Where a tenant's invoice names its tenant (the checkout's subscription_data[metadata]).
static QJsonObject tenantMetadata(int tenant)
{
    return {{u"type"_s, u"subscription_details"_s},
            {u"subscription_details"_s,
             QJsonObject{{u"metadata"_s, QJsonObject{{u"tenant_id"_s, u"tenant_crash%1"_s.arg(tenant)}}}}}};
}

QByteArray TestCrashSafety::payload(int index) const
{
    const QString invoice = u"in_crash%1"_s.arg(index, 6, 10, QChar(u'0'));
    const QJsonObject event{
        {u"id"_s, u"evt_crash%1"_s.arg(index, 6, 10, QChar(u'0'))},
        {u"object"_s, u"event"_s},
        {u"api_version"_s, u"2025-03-31.basil"_s},
        {u"created"_s, m_created},
        {u"livemode"_s, false},
        {u"type"_s, u"invoice.payment_succeeded"_s},
        {u"data"_s, QJsonObject{{u"object"_s, QJsonObject{{u"id"_s, invoice},
                                                          {u"object"_s, u"invoice"_s},
                                                          {u"customer"_s, u"cus_crash%1"_s.arg(index % 50)},
                                                          {u"parent"_s, tenantMetadata(index % 50)},
                                                          {u"status"_s, u"paid"_s},
                                                          {u"currency"_s, u"eur"_s},
                                                          {u"amount_due"_s, 2900},
                                                          {u"amount_paid"_s, 2900},
                                                          {u"amount_remaining"_s, 0},
                                                          {u"livemode"_s, false},
                                                          {u"created"_s, m_created}}}}}};
    return QJsonDocument(event).toJson(QJsonDocument::Compact);
}

std::set<int> TestCrashSafety::deliver(const QString &baseUrl, const std::vector<int> &indexes,
                                       const std::function<void(int)> &onAck)
{
    QNetworkAccessManager network;
    std::set<int> acknowledged;
    size_t next = 0;
    int inFlight = 0;
    std::function<void()> sendNext = [&] {
        while (inFlight < kInFlight && next < indexes.size()) {
            const int index = indexes[next++];
            const QByteArray body = payload(index);
            QNetworkRequest request(QUrl(baseUrl + u"/payments/stripe/webhook"_s));
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
            request.setRawHeader(
                "Stripe-Signature",
                WebhookSigner::header({kWebhookSecret}, QDateTime::currentSecsSinceEpoch(), body));
            request.setTransferTimeout(10000);
            QNetworkReply *reply = network.post(request, body);
            ++inFlight;
            QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply, index] {
                --inFlight;
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (status != 200 && status != 0)
                    qWarning("event %d: HTTP %d %s", index, status, reply->readAll().left(200).constData());
                if (status == 200) {
                    acknowledged.insert(index);
                    if (onAck)
                        onAck(int(acknowledged.size()));
                }
                reply->deleteLater();
                sendNext();
            });
        }
    };
    sendNext();
    if (!QTest::qWaitFor([&] { return inFlight == 0 && next >= indexes.size(); }, 120000))
        qWarning("deliveries still in flight after 120 s: %d", inFlight);
    return acknowledged;
}

qint64 TestCrashSafety::value(const QString &sql)
{
    QSqlQuery query(m_db->database().connection().value());
    return query.exec(sql) && query.next() ? query.value(0).toLongLong() : -1;
}

void TestCrashSafety::acknowledgedEventsSurviveSigkill()
{
    QTemporaryDir workDir;
    QString error;
    m_db = test::TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_db, qPrintable(error));
    QHash<QString, QString> settings = test::ServerProcess::testSettings(*m_db, workDir.filePath(u"data"_s));
    settings.insert(
        {{u"STRIPE_WEBHOOK_SECRET"_s, kWebhookSecret}, {u"QT_LOGGING_RULES"_s, u"billing.*.info=false"_s}});

    std::vector<int> all(kEvents);
    std::iota(all.begin(), all.end(), 0);
    QString output;

    // First life: killed once a third of the events were acknowledged.
    auto first = std::make_unique<test::ServerProcess>(QStringLiteral(BILLING_SERVER_BINARY), workDir.path());
    QVERIFY2(first->start(settings, &output), qPrintable(output));
    bool killed = false;
    const std::set<int> acknowledgedBefore = deliver(first->baseUrl(), all, [&](int acknowledged) {
        if (!killed && acknowledged >= kEvents / 3) {
            killed = true;
            first->kill();
        }
    });
    QVERIFY(killed);
    QVERIFY(acknowledgedBefore.size() >= size_t(kEvents / 3));
    QVERIFY2(acknowledgedBefore.size() < size_t(kEvents), "the kill came too late to test anything");

    // Second life: Stripe retries what got no 200, and some that did.
    auto second =
        std::make_unique<test::ServerProcess>(QStringLiteral(BILLING_SERVER_BINARY), workDir.path());
    QVERIFY2(second->start(settings, &output), qPrintable(output));
    std::vector<int> retries;
    for (int index : all) {
        if (!acknowledgedBefore.count(index) || index % 10 == 0)
            retries.push_back(index);
    }
    const std::set<int> acknowledgedAfter = deliver(second->baseUrl(), retries, {});
    qInfo("second life: %zu of %zu retries acknowledged", acknowledgedAfter.size(), retries.size());
    QVERIFY(second->stop());

    std::set<int> acknowledged = acknowledgedBefore;
    acknowledged.insert(acknowledgedAfter.begin(), acknowledgedAfter.end());
    QCOMPARE(acknowledged.size(), size_t(kEvents)); // every event got its 200 in the end

    // Every acknowledged event stored, once, processed, with one payment.
    QCOMPARE(value(u"SELECT COUNT(*) FROM payment_events"_s), qint64(kEvents));
    QCOMPARE(value(u"SELECT COUNT(DISTINCT stripe_event_id) FROM payment_events"_s), qint64(kEvents));
    QCOMPARE(value(u"SELECT COUNT(*) FROM payment_events WHERE status = 'processed'"_s), qint64(kEvents));
    QCOMPARE(value(u"SELECT COUNT(*) FROM payments"_s), qint64(kEvents));
    QCOMPARE(value(u"SELECT COUNT(*) FROM invoices"_s), qint64(kEvents));
    if (m_db->url().dialect() == SqlDialect::Sqlite) {
        QSqlDatabase db = m_db->database().connection().value();
        QCOMPARE(test::integrityCheck(db), u"ok"_s);
    }
    qInfo("killed after %zu of %d acknowledged; %zu retried, all %d stored once", acknowledgedBefore.size(),
          kEvents, retries.size(), kEvents);
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
