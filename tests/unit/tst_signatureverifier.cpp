#include "webhook/SignatureVerifier.h"

#include <QMessageAuthenticationCode>
#include <QTest>

using namespace Qt::StringLiterals;
using billing::SignatureVerifier;
using Outcome = billing::SignatureVerifier::Outcome;

namespace {

constexpr qint64 kNow = 1764000000;
const QByteArray kPayload =
    "{\n  \"id\": \"evt_1\",\n  \"object\": \"event\",\n  \"type\": \"invoice.paid\"\n}"_ba;

// Computed with Qt's HMAC, independently of the code under test.
QByteArray sign(const QByteArray &secret, qint64 timestamp, const QByteArray &payload)
{
    return QMessageAuthenticationCode::hash(QByteArray::number(timestamp) + '.' + payload, secret,
                                            QCryptographicHash::Sha256)
        .toHex();
}

QByteArray header(qint64 timestamp, const QList<QByteArray> &signatures)
{
    QByteArray text = "t=" + QByteArray::number(timestamp);
    for (const QByteArray &signature : signatures)
        text += ",v1=" + signature;
    return text;
}

} // namespace

Q_DECLARE_METATYPE(billing::SignatureVerifier::Outcome)

class TestSignatureVerifier final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decides_data();
    void decides();
    void reportsNoSecret();
    void reasonNeverContainsTheSecret();
};

void TestSignatureVerifier::decides_data()
{
    QTest::addColumn<QStringList>("secrets");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<int>("matchedSecret");

    const QStringList one{u"whsec_current"_s};
    const QStringList rotation{u"whsec_old"_s, u"whsec_current"_s};
    const QByteArray good = sign("whsec_current", kNow, kPayload);

    QTest::newRow("valid") << one << header(kNow, {good}) << kPayload << Outcome::Valid << 0;
    // As Stripe's SDKs read it: " v1=" is not "v1=", and non key=value elements are skipped.
    QTest::newRow("space before v1") << one << "t=" + QByteArray::number(kNow) + ", v1=" + good << kPayload
                                     << Outcome::NoV1Signature << -1;
    QTest::newRow("trailing comma") << one << header(kNow, {good}) + "," << kPayload << Outcome::Valid << 0;
    QTest::newRow("element without equals")
        << one << header(kNow, {good}) + ",junk" << kPayload << Outcome::Valid << 0;
    QTest::newRow("rotation: second configured secret")
        << rotation << header(kNow, {good}) << kPayload << Outcome::Valid << 1;
    QTest::newRow("rotation: Stripe signs with both")
        << one << header(kNow, {sign("whsec_old", kNow, kPayload), good}) << kPayload << Outcome::Valid << 0;
    QTest::newRow("v0 alongside v1") << one << header(kNow, {good}) + ",v0=" + QByteArray(64, 'a') << kPayload
                                     << Outcome::Valid << 0;
    QTest::newRow("tampered body") << one << header(kNow, {good})
                                   << QByteArray(kPayload).replace("paid", "void") << Outcome::NoMatch << -1;
    QTest::newRow("re-serialised json")
        << one << header(kNow, {good})
        << "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"invoice.paid\"}"_ba << Outcome::NoMatch << -1;
    QTest::newRow("wrong secret") << QStringList{u"whsec_other"_s} << header(kNow, {good}) << kPayload
                                  << Outcome::NoMatch << -1;
    QTest::newRow("signature of another timestamp")
        << one << header(kNow, {sign("whsec_current", kNow - 1, kPayload)}) << kPayload << Outcome::NoMatch
        << -1;
    QTest::newRow("at the tolerance")
        << one << header(kNow - 300, {sign("whsec_current", kNow - 300, kPayload)}) << kPayload
        << Outcome::Valid << 0;
    QTest::newRow("stale") << one << header(kNow - 301, {sign("whsec_current", kNow - 301, kPayload)})
                           << kPayload << Outcome::TimestampTooOld << 0;
    QTest::newRow("future within tolerance")
        << one << header(kNow + 300, {sign("whsec_current", kNow + 300, kPayload)}) << kPayload
        << Outcome::Valid << 0;
    QTest::newRow("future beyond tolerance")
        << one << header(kNow + 301, {sign("whsec_current", kNow + 301, kPayload)}) << kPayload
        << Outcome::TimestampInFuture << 0;
    QTest::newRow("v0 only") << one << "t=" + QByteArray::number(kNow) + ",v0=" + good << kPayload
                             << Outcome::NoV1Signature << -1;
    QTest::newRow("uppercase hex is not Stripe's")
        << one << header(kNow, {good.toUpper()}) << kPayload << Outcome::NoV1Signature << -1;
    QTest::newRow("missing") << one << QByteArray() << kPayload << Outcome::MissingHeader << -1;
    QTest::newRow("garbage") << one << "garbage"_ba << kPayload << Outcome::MalformedHeader << -1;
    QTest::newRow("no timestamp") << one << "v1=" + good << kPayload << Outcome::MalformedHeader << -1;
    QTest::newRow("timestamp junk") << one << "t=" + QByteArray::number(kNow) + "x,v1=" + good << kPayload
                                    << Outcome::MalformedHeader << -1;
    QTest::newRow("timestamp leading zero") << one << "t=0" + QByteArray::number(kNow) + ",v1=" + good
                                            << kPayload << Outcome::MalformedHeader << -1;
    QTest::newRow("negative timestamp")
        << one << "t=-5,v1=" + good << kPayload << Outcome::MalformedHeader << -1;
    QTest::newRow("two timestamps") << one << header(kNow, {good}) + ",t=" + QByteArray::number(kNow)
                                    << kPayload << Outcome::MalformedHeader << -1;
    static const char bytes[] = "{\"id\":\"evt_2\",\"x\":\"\xff\xfe\"}";
    const QByteArray notUtf8(bytes, sizeof(bytes) - 1);
    QTest::newRow("body not utf-8: bytes are what is signed")
        << one << header(kNow, {sign("whsec_current", kNow, notUtf8)}) << notUtf8 << Outcome::Valid << 0;
}

void TestSignatureVerifier::decides()
{
    QFETCH(QStringList, secrets);
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, payload);
    QFETCH(Outcome, outcome);
    QFETCH(int, matchedSecret);

    const billing::FixedClock clock(QDateTime::fromSecsSinceEpoch(kNow, Qt::UTC));
    const SignatureVerifier verifier(secrets, std::chrono::seconds(300), clock);
    const SignatureVerifier::Verdict verdict = verifier.verify(header, payload);
    QCOMPARE(verdict.outcome, outcome);
    QCOMPARE(verdict.matchedSecretIndex, matchedSecret);
    QVERIFY(!verdict.reason.isEmpty());
}

void TestSignatureVerifier::reportsNoSecret()
{
    const SignatureVerifier verifier({}, std::chrono::seconds(300));
    QCOMPARE(verifier.verify("t=1,v1=00", kPayload).outcome, Outcome::NoSecretConfigured);
}

void TestSignatureVerifier::reasonNeverContainsTheSecret()
{
    const billing::FixedClock clock(QDateTime::fromSecsSinceEpoch(kNow, Qt::UTC));
    const SignatureVerifier verifier({u"whsec_RecognisableSecret"_s}, std::chrono::seconds(300), clock);
    const QList<QByteArray> headers = {
        header(kNow, {QByteArray(64, 'a')}),
        header(kNow - 900, {sign("whsec_RecognisableSecret", kNow - 900, kPayload)}), "junk"_ba,
        QByteArray()};
    for (const QByteArray &h : headers)
        QVERIFY(!verifier.verify(h, kPayload).reason.contains(u"Recognisable"_s));
}

QTEST_GUILESS_MAIN(TestSignatureVerifier)
#include "tst_signatureverifier.moc"
