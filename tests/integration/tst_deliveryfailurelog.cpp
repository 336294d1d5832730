#include "TestDatabase.h"
#include "db/DeliveryFailureLog.h"
#include "db/Migrator.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;
using billing::test::TestDatabase;

namespace {
constexpr qint64 kHour = DeliveryFailureLog::kWindowSeconds;
constexpr qint64 kNoon = 1798804800; // 2027-01-01 12:00 UTC, on an hour

DeliveryFailureLog::Refusals refusals(const QString &source, const QString &reason, qint64 count,
                                      qint64 first, qint64 last)
{
    return {source, DeliveryFailureLog::reasonKind(reason), reason, {}, 10, count, first, last};
}
} // namespace

// The counted log of refused deliveries (#16), on both databases: counts add
// up within an hour, a new hour starts a row, and the table stays bounded.
class TestDeliveryFailureLog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void reasonKindTakesOutNumbers();
    void countsAddUpWithinAnHour();
    void aNewHourStartsANewRow();
    void oldRowsAndRowsBeyondTheLimitAreDropped();

private:
    QList<QVariantList> rows(const QString &sql);

    std::unique_ptr<TestDatabase> m_test;
};

void TestDeliveryFailureLog::init()
{
    QString error;
    m_test = TestDatabase::create(test::backendUnderTest(), &error);
    QVERIFY2(m_test, qPrintable(error));
    QVERIFY(Migrator(m_test->database(), MigrationCatalog::builtIn().value()).migrate().ok());
}

void TestDeliveryFailureLog::cleanup()
{
    m_test.reset();
}

QList<QVariantList> TestDeliveryFailureLog::rows(const QString &sql)
{
    QSqlQuery query(m_test->database().connection().value());
    if (!query.exec(sql))
        qFatal("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
    QList<QVariantList> all;
    while (query.next()) {
        QVariantList row;
        for (int i = 0; i < query.record().count(); ++i)
            row << query.value(i);
        all << row;
    }
    return all;
}

void TestDeliveryFailureLog::reasonKindTakesOutNumbers()
{
    QCOMPARE(DeliveryFailureLog::reasonKind(u"the body is larger than 1048576 bytes"_s),
             u"the body is larger than N bytes"_s);
    QCOMPARE(DeliveryFailureLog::reasonKind(u"no Stripe-Signature header"_s),
             u"no Stripe-Signature header"_s);
}

void TestDeliveryFailureLog::countsAddUpWithinAnHour()
{
    DeliveryFailureLog log(m_test->database());
    QVERIFY(log.record({refusals(u"1.2.3.4"_s, u"stale by 400 s"_s, 3, kNoon + 5, kNoon + 9),
                        refusals(u"5.6.7.8"_s, u"stale by 400 s"_s, 1, kNoon + 6, kNoon + 6)},
                       kNoon + 10)
                .ok());
    DeliveryFailureLog::Refusals later =
        refusals(u"1.2.3.4"_s, u"stale by 999 s"_s, 2, kNoon + 60, kNoon + 70);
    later.eventId = u"evt_later"_s;
    QVERIFY(log.record({later}, kNoon + 80).ok());

    const QList<QVariantList> stored =
        rows(u"SELECT remote_address, attempts, first_received_at, received_at, reason, stripe_event_id "
             "FROM webhook_delivery_failures ORDER BY remote_address"_s);
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored[0][0].toString(), u"1.2.3.4"_s);
    QCOMPARE(stored[0][1].toLongLong(), 5);
    QCOMPARE(stored[0][2].toLongLong(), kNoon + 5);
    QCOMPARE(stored[0][3].toLongLong(), kNoon + 70);
    QCOMPARE(stored[0][4].toString(), u"stale by 999 s"_s); // the latest in full
    QCOMPARE(stored[0][5].toString(), u"evt_later"_s);
    QCOMPARE(stored[1][1].toLongLong(), 1);
}

void TestDeliveryFailureLog::aNewHourStartsANewRow()
{
    DeliveryFailureLog log(m_test->database());
    QVERIFY(log.record({refusals(u"1.2.3.4"_s, u"bad"_s, 1, kNoon + 10, kNoon + 10)}, kNoon + 10).ok());
    QVERIFY(
        log.record({refusals(u"1.2.3.4"_s, u"bad"_s, 1, kNoon + kHour, kNoon + kHour)}, kNoon + kHour).ok());
    QVERIFY(log.record({refusals(u"1.2.3.4"_s, u"worse"_s, 1, kNoon + kHour, kNoon + kHour)}, kNoon + kHour)
                .ok());
    QCOMPARE(rows(u"SELECT attempts FROM webhook_delivery_failures"_s).size(), 3);
}

void TestDeliveryFailureLog::oldRowsAndRowsBeyondTheLimitAreDropped()
{
    DeliveryFailureLog log(m_test->database(), {30 * 24 * kHour, 5});
    const qint64 monthAgo = kNoon - 31 * 24 * kHour;
    QVERIFY(log.record({refusals(u"9.9.9.9"_s, u"old"_s, 4, monthAgo, monthAgo)}, monthAgo).ok());
    QList<DeliveryFailureLog::Refusals> many;
    for (int source = 1; source <= 7; ++source)
        many << refusals(u"10.0.0.%1"_s.arg(source), u"bad"_s, 1, kNoon, kNoon);
    QVERIFY(log.record(many, kNoon).ok());
    const QList<QVariantList> kept =
        rows(u"SELECT remote_address FROM webhook_delivery_failures ORDER BY id"_s);
    QCOMPARE(kept.size(), 5);
    QCOMPARE(kept.first().value(0).toString(), u"10.0.0.3"_s); // the newest five
    QCOMPARE(kept.last().value(0).toString(), u"10.0.0.7"_s);
}

QTEST_GUILESS_MAIN(TestDeliveryFailureLog)
#include "tst_deliveryfailurelog.moc"
