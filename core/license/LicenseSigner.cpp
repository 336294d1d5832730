#include "LicenseSigner.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

using namespace Qt::StringLiterals;

namespace billing {

struct LicenseSigner::Key
{
    EVP_PKEY *pkey = nullptr;
    bool hasPrivate = false;
    ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

struct BioDeleter
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

QByteArray readBio(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(length));
}

} // namespace

LicenseSigner::LicenseSigner(std::unique_ptr<Key> key)
    : m_key(std::move(key))
{}
LicenseSigner::~LicenseSigner() = default;
LicenseSigner::LicenseSigner(LicenseSigner &&) noexcept = default;
LicenseSigner &LicenseSigner::operator=(LicenseSigner &&) noexcept = default;

Result<LicenseSigner> LicenseSigner::loadOrCreate(const QString &privateKeyPath)
{
    auto key = std::make_unique<Key>();
    key->hasPrivate = true;
    QFile file(privateKeyPath);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return Error{ErrorCode::Io, u"cannot read the licence signing key %1: %2"_s.arg(
                                            privateKeyPath, file.errorString())};
        const QByteArray pem = file.readAll();
        BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
        key->pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
        if (!key->pkey || EVP_PKEY_get_id(key->pkey) != EVP_PKEY_ED25519)
            return Error{ErrorCode::InvalidInput, u"%1 is not an Ed25519 private key"_s.arg(privateKeyPath)};
        return LicenseSigner(std::move(key));
    }

    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    const bool generated =
        context && EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_keygen(context, &key->pkey) == 1;
    EVP_PKEY_CTX_free(context);
    if (!generated)
        return Error{ErrorCode::Io, u"OpenSSL could not generate an Ed25519 key"_s};

    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key->pkey, nullptr, nullptr, 0, nullptr, nullptr);
    const QByteArray pem = readBio(bio.get());
    QDir().mkpath(QFileInfo(privateKeyPath).absolutePath());
    // Created 0600 from the start: the key never exists readable by others.
    const QString temporary =
        privateKeyPath + u".new."_s + QString::number(QCoreApplication::applicationPid());
    QFile out(temporary);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate,
                  QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        out.write(pem) != pem.size() || !out.flush() || ::fsync(out.handle()) != 0) {
        return Error{ErrorCode::Io,
                     u"cannot write the licence signing key %1: %2"_s.arg(privateKeyPath, out.errorString())};
    }
    out.close();
    if (!QFile::rename(temporary, privateKeyPath)) {
        QFile::remove(temporary);
        // Another process created it first: use theirs.
        return loadOrCreate(privateKeyPath);
    }
    return LicenseSigner(std::move(key));
}

Result<LicenseSigner> LicenseSigner::fromPublicKeyPem(const QByteArray &pem)
{
    auto key = std::make_unique<Key>();
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    key->pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (!key->pkey || EVP_PKEY_get_id(key->pkey) != EVP_PKEY_ED25519)
        return Error{ErrorCode::InvalidInput, u"not an Ed25519 public key in PEM form"_s};
    return LicenseSigner(std::move(key));
}

Result<QString> LicenseSigner::issue(const LicenseClaims &claims) const
{
    if (!m_key->hasPrivate)
        return Error{ErrorCode::InvalidInput, u"a public key cannot sign"_s};
    const QByteArray part = LicenseKey::signedPart(claims);
    unsigned char signature[64];
    size_t length = sizeof(signature);
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    const bool signedOk =
        context && EVP_DigestSignInit(context, nullptr, nullptr, nullptr, m_key->pkey) == 1 &&
        EVP_DigestSign(context, signature, &length, reinterpret_cast<const unsigned char *>(part.constData()),
                       size_t(part.size())) == 1;
    EVP_MD_CTX_free(context);
    if (!signedOk)
        return Error{ErrorCode::Io, u"OpenSSL could not sign the licence"_s};
    return LicenseKey::assemble(part, QByteArray(reinterpret_cast<const char *>(signature), int(length)));
}

Result<LicenseClaims> LicenseSigner::verify(const QString &key) const
{
    Result<LicenseKey::Parsed> parsed = LicenseKey::parse(key);
    if (!parsed)
        return parsed.error();
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    const bool valid =
        context && EVP_DigestVerifyInit(context, nullptr, nullptr, nullptr, m_key->pkey) == 1 &&
        EVP_DigestVerify(context, reinterpret_cast<const unsigned char *>(parsed->signature.constData()),
                         size_t(parsed->signature.size()),
                         reinterpret_cast<const unsigned char *>(parsed->signedPart.constData()),
                         size_t(parsed->signedPart.size())) == 1;
    EVP_MD_CTX_free(context);
    if (!valid)
        return Error{ErrorCode::InvalidInput,
                     u"the licence key's signature is not valid for this public key"_s};
    return parsed->claims;
}

QByteArray LicenseSigner::publicKeyPem() const
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), m_key->pkey);
    return readBio(bio.get());
}

QString LicenseSigner::fingerprintOf(const QByteArray &publicKeyPem)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(publicKeyPem, QCryptographicHash::Sha256).toHex().left(16));
}

QString LicenseSigner::fingerprint() const
{
    return fingerprintOf(publicKeyPem());
}

} // namespace billing
