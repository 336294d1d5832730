// Fuzzes the licence key parser and verifier, with a fixed key pair.
//
// Invariants:
//  - any input, read as Latin-1 or as UTF-8, is parsed or refused without a
//    crash; a parsed key has a 64-byte signature and both ids;
//  - a key the verifier accepts is one this key pair issued: issuing its
//    claims again gives the same key (Ed25519 is deterministic, and keys have
//    one spelling);
//  - a genuine key with one byte changed (position and value taken from the
//    input), one byte cut off or one byte added is refused.
#include "FuzzSupport.h"

#include "license/LicenseKey.h"
#include "license/LicenseSigner.h"

#include <QFile>
#include <QTemporaryDir>

#include <optional>

using namespace Qt::StringLiterals;
using billing::LicenseClaims;
using billing::LicenseKey;
using billing::LicenseSigner;

namespace {

// A key pair made for fuzzing only (openssl genpkey -algorithm ed25519); it
// signs nothing real. The keys in corpus/fuzz_license_key were issued with it.
constexpr char kPrivateKeyPem[] = "-----BEGIN PRIVATE KEY-----\n"
                                  "MC4CAQAwBQYDK2VwBCIEIJ8EUcBRyLYbqfa6hQRjV2oDnua2RAZ69xLv/TFkhwBY\n"
                                  "-----END PRIVATE KEY-----\n";
constexpr char kPublicKeyPem[] = "-----BEGIN PUBLIC KEY-----\n"
                                 "MCowBQYDK2VwAyEA0KAlOj9eYswLritXBj+EXWcSHW6EwSN/N7mLJ94WLm8=\n"
                                 "-----END PUBLIC KEY-----\n";

struct Fixture
{
    std::optional<LicenseSigner> signer;   // the private key: issues
    std::optional<LicenseSigner> verifier; // the public key alone, as products hold it
    QByteArray genuineKey;
};

Fixture &fixture()
{
    static Fixture instance;
    return instance;
}

void setUp()
{
    QTemporaryDir directory;
    FUZZ_CHECK(directory.isValid());
    const QString path = directory.filePath(u"license-signing-key.pem"_s);
    QFile file(path);
    FUZZ_CHECK(file.open(QIODevice::WriteOnly) &&
               file.write(kPrivateKeyPem) == qint64(sizeof(kPrivateKeyPem) - 1));
    file.close();
    billing::Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(path);
    FUZZ_CHECK(signer.ok());
    billing::Result<LicenseSigner> verifier = LicenseSigner::fromPublicKeyPem(kPublicKeyPem);
    FUZZ_CHECK(verifier.ok());
    FUZZ_CHECK(signer->publicKeyPem() == verifier->publicKeyPem());

    const LicenseClaims claims{u"lic_0001"_s, u"tenant_123"_s, u"team"_s, 1764000000, 1766592000};
    const billing::Result<QString> issued = signer->issue(claims);
    FUZZ_CHECK(issued.ok());
    const billing::Result<LicenseClaims> verified = verifier->verify(issued.value());
    FUZZ_CHECK(verified.ok() && verified.value() == claims);

    Fixture &f = fixture();
    f.signer.emplace(std::move(signer).value());
    f.verifier.emplace(std::move(verifier).value());
    f.genuineKey = issued->toLatin1();
}

void checkKey(const QString &key)
{
    const billing::Result<LicenseKey::Parsed> parsed = LicenseKey::parse(key);
    if (parsed) {
        FUZZ_CHECK(parsed->signature.size() == 64);
        FUZZ_CHECK(parsed->signedPart.startsWith("AOB1."));
        FUZZ_CHECK(!parsed->claims.licenseId.isEmpty() && !parsed->claims.tenantId.isEmpty());
    }
    const billing::Result<LicenseClaims> verified = fixture().verifier->verify(key);
    if (!verified)
        return;
    FUZZ_CHECK(parsed.ok() && parsed->claims == verified.value());
    const billing::Result<QString> reissued = fixture().signer->issue(verified.value());
    FUZZ_CHECK(reissued.ok() && reissued.value() == key.trimmed());
}

bool accepted(const QByteArray &key)
{
    return fixture().verifier->verify(QString::fromLatin1(key)).ok();
}

void checkTampering(const QByteArray &genuine, const uint8_t *data, size_t size)
{
    if (size < 3)
        return;
    const qsizetype position = (data[0] | (data[1] << 8)) % genuine.size();
    const char replacement = char(data[2]);
    if (replacement != genuine[position]) {
        QByteArray changed = genuine;
        changed[position] = replacement;
        FUZZ_CHECK(!accepted(changed));
    }
    QByteArray shorter = genuine;
    shorter.remove(position, 1);
    FUZZ_CHECK(!accepted(shorter));
    QByteArray longer = genuine;
    longer.insert(position, replacement);
    // Whitespace around a key is forgiven (keys get pasted); anything else is not.
    if (!QChar::fromLatin1(replacement).isSpace() || position > 0)
        FUZZ_CHECK(!accepted(longer));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    billing::fuzz::initialise(argc, argv);
    setUp();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = billing::fuzz::input(data, size);
    checkKey(QString::fromLatin1(input));
    checkKey(QString::fromUtf8(input));

    checkTampering(fixture().genuineKey, data, size);
    // An input that is itself a genuine key (the seeds are) is tampered with
    // too, without the whitespace around it that the verifier forgives.
    const QByteArray trimmed = QString::fromLatin1(input).trimmed().toLatin1();
    if (trimmed != fixture().genuineKey && accepted(trimmed))
        checkTampering(trimmed, data + size - std::min<size_t>(size, 3), std::min<size_t>(size, 3));
    return 0;
}
