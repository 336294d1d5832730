#include "license/LicenseSigner.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace billing;

class TestLicense final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void issuesKeysThatVerify();
    void createsThePrivateKeyOwnerOnlyAndReusesIt();
    void anyChangedCharacterFails();
    void anotherKeyPairFails();
    void publicKeyAloneVerifies();
    void rejectsMalformedKeys_data();
    void rejectsMalformedKeys();

private:
    QTemporaryDir m_dir;
    LicenseClaims m_claims;
};

void TestLicense::init()
{
    QVERIFY(m_dir.isValid());
    m_claims = {u"lic_01"_s, u"tenant_123"_s, u"team"_s, 1764000000, 1766592000};
}

void TestLicense::issuesKeysThatVerify()
{
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(m_dir.filePath(u"key.pem"_s));
    QVERIFY2(signer.ok(), qPrintable(signer.ok() ? QString() : signer.error().message));
    const Result<QString> key = signer->issue(m_claims);
    QVERIFY(key.ok());
    QVERIFY(key->startsWith(u"AOB1."_s));
    QVERIFY2(key->size() < 260, qPrintable(key.value()));
    QVERIFY(!key->contains(u' ') && !key->contains(u'=') && !key->contains(u'+') && !key->contains(u'/'));
    const Result<LicenseClaims> claims = signer->verify(key.value());
    QVERIFY2(claims.ok(), qPrintable(claims.ok() ? QString() : claims.error().message));
    QCOMPARE(claims.value(), m_claims);
}

void TestLicense::createsThePrivateKeyOwnerOnlyAndReusesIt()
{
    const QString path = m_dir.filePath(u"sub/dir/key.pem"_s);
    Result<LicenseSigner> first = LicenseSigner::loadOrCreate(path);
    QVERIFY(first.ok());
    QCOMPARE(QFileInfo(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                              QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QVERIFY(QFileInfo(path).permissions() & QFileDevice::ReadOwner);
    Result<LicenseSigner> second = LicenseSigner::loadOrCreate(path);
    QVERIFY(second.ok());
    QCOMPARE(second->publicKeyPem(), first->publicKeyPem());
    QVERIFY(second->verify(first->issue(m_claims).value()).ok());
}

void TestLicense::anyChangedCharacterFails()
{
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(m_dir.filePath(u"key.pem"_s));
    const QString key = signer->issue(m_claims).value();
    const QString alphabet = u"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."_s;
    int tried = 0;
    for (qsizetype i = 0; i < key.size(); ++i) {
        QString tampered = key;
        tampered[i] = alphabet[(alphabet.indexOf(key[i]) + 7) % alphabet.size()];
        if (tampered == key)
            continue;
        ++tried;
        QVERIFY2(!signer->verify(tampered).ok(), qPrintable(u"accepted with character %1 changed"_s.arg(i)));
    }
    QCOMPARE(tried, key.size());
}

void TestLicense::anotherKeyPairFails()
{
    Result<LicenseSigner> ours = LicenseSigner::loadOrCreate(m_dir.filePath(u"ours.pem"_s));
    Result<LicenseSigner> theirs = LicenseSigner::loadOrCreate(m_dir.filePath(u"theirs.pem"_s));
    const Result<LicenseClaims> claims = ours->verify(theirs->issue(m_claims).value());
    QVERIFY(!claims.ok());
    QVERIFY(claims.error().message.contains(u"signature is not valid"_s));
}

void TestLicense::publicKeyAloneVerifies()
{
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(m_dir.filePath(u"key.pem"_s));
    const QByteArray pem = signer->publicKeyPem();
    QVERIFY(pem.startsWith("-----BEGIN PUBLIC KEY-----"));
    Result<LicenseSigner> verifier = LicenseSigner::fromPublicKeyPem(pem);
    QVERIFY(verifier.ok());
    QCOMPARE(verifier->verify(signer->issue(m_claims).value()).value(), m_claims);
    QVERIFY(!verifier->issue(m_claims).ok());
    QVERIFY(!LicenseSigner::fromPublicKeyPem("not a key").ok());
}

void TestLicense::rejectsMalformedKeys_data()
{
    QTest::addColumn<QString>("key");
    QTest::newRow("empty") << QString();
    QTest::newRow("words") << u"hello world"_s;
    QTest::newRow("wrong prefix") << u"AOB2.e30.AAAA"_s;
    QTest::newRow("two parts") << u"AOB1.e30"_s;
    QTest::newRow("bad base64") << u"AOB1.e30.***"_s;
    QTest::newRow("short signature") << u"AOB1.e30.AAAA"_s;
    QTest::newRow("huge") << QString(5000, u'A');
}

void TestLicense::rejectsMalformedKeys()
{
    QFETCH(QString, key);
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(m_dir.filePath(u"key.pem"_s));
    const Result<LicenseClaims> claims = signer->verify(key);
    QVERIFY(!claims.ok());
    QVERIFY(claims.error().message.startsWith(u"not a valid licence key"_s));
}

QTEST_GUILESS_MAIN(TestLicense)
#include "tst_license.moc"
