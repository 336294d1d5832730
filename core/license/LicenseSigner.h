#pragma once

#include "LicenseKey.h"

#include <memory>

namespace billing {

// Signs and verifies licence keys with Ed25519 (OpenSSL). The private key is a
// PEM file created on first use with mode 0600; products that check licences
// need only the public key (publicKeyPem()).
class LicenseSigner final
{
public:
    ~LicenseSigner();
    LicenseSigner(LicenseSigner &&) noexcept;
    LicenseSigner &operator=(LicenseSigner &&) noexcept;

    // Loads the key at path, or creates it there (and its directory) if absent.
    static Result<LicenseSigner> loadOrCreate(const QString &privateKeyPath);
    // A verifier from a public key PEM (what `license verify` needs).
    static Result<LicenseSigner> fromPublicKeyPem(const QByteArray &pem);

    Result<QString> issue(const LicenseClaims &claims) const;
    // The claims when the key is intact and signed by this key pair.
    Result<LicenseClaims> verify(const QString &key) const;
    QByteArray publicKeyPem() const;
    // What names the key pair in messages and in license_signing_keys: the
    // first 16 hex digits of SHA-256 over publicKeyPem().
    QString fingerprint() const;
    static QString fingerprintOf(const QByteArray &publicKeyPem);

private:
    struct Key;
    explicit LicenseSigner(std::unique_ptr<Key> key);
    std::unique_ptr<Key> m_key;
};

} // namespace billing
