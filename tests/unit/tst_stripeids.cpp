#include "stripe/StripeIds.h"

#include <QTest>

using namespace Qt::StringLiterals;

// The ids the service accepts from Stripe's events, URLs and request bodies.
class TestStripeIds final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recognisesIds_data();
    void recognisesIds();
};

void TestStripeIds::recognisesIds_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<bool>("underscores");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("event") << u"evt_1NG8Du2eZvKYlo2CUI79vXWy"_s << u"evt_"_s << true << true;
    QTest::newRow("subscription") << u"sub_1MowQVLkdIwHu7ixeRlqHVzs"_s << u"sub_"_s << true << true;
    QTest::newRow("underscore") << u"sub_test_1"_s << u"sub_"_s << true << true;
    QTest::newRow("underscore where Stripe uses none") << u"cus_test_1"_s << u"cus_"_s << false << false;
    QTest::newRow("customer") << u"cus_NffrFeUfNV2Hib"_s << u"cus_"_s << false << true;
    QTest::newRow("one character") << u"evt_a"_s << u"evt_"_s << true << true;
    QTest::newRow("prefix only") << u"evt_"_s << u"evt_"_s << true << false;
    QTest::newRow("longest") << u"evt_"_s + QString(250, u'a') << u"evt_"_s << true << true;
    QTest::newRow("too long") << u"evt_"_s + QString(251, u'a') << u"evt_"_s << true << false;
    QTest::newRow("other kind") << u"sub_1"_s << u"evt_"_s << true << false;
    QTest::newRow("prefix in upper case") << u"EVT_1"_s << u"evt_"_s << true << false;
    QTest::newRow("empty") << QString() << u"evt_"_s << true << false;
    QTest::newRow("trailing newline") << u"sub_1\n"_s << u"sub_"_s << true << false;
    QTest::newRow("leading space") << u" sub_1"_s << u"sub_"_s << true << false;
    QTest::newRow("hyphen") << u"sub_a-b"_s << u"sub_"_s << true << false;
    QTest::newRow("slash") << u"sub_a/b"_s << u"sub_"_s << true << false;
    QTest::newRow("non-ASCII letter") << u"cus_é"_s << u"cus_"_s << false << false;
    QTest::newRow("non-ASCII digit") << u"cus_١"_s << u"cus_"_s << false << false;
}

void TestStripeIds::recognisesIds()
{
    QFETCH(QString, text);
    QFETCH(QString, prefix);
    QFETCH(bool, underscores);
    QFETCH(bool, accepted);
    const QByteArray latin1 = prefix.toLatin1();
    QCOMPARE(billing::isStripeId(text, QLatin1StringView(latin1), underscores), accepted);
}

QTEST_GUILESS_MAIN(TestStripeIds)
#include "tst_stripeids.moc"
