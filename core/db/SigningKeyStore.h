#pragma once

#include "Database.h"

namespace billing {

// license_signing_keys: the public keys licences of this installation are
// signed with, one current and any number retired. Shared by every instance on
// the database.
class SigningKeyStore final
{
public:
    struct Key
    {
        QString fingerprint;
        QByteArray publicKeyPem;
        qint64 createdAt = 0;
        qint64 retiredAt = 0; // 0: the current key
    };

    explicit SigningKeyStore(Database &database)
        : m_database(database)
    {}

    // Every recorded key, the current one first, then the retired newest first.
    Result<QList<Key>> keys();
    // Records `key` as the current key when there is none yet (the first
    // instance to start); either way returns the current key afterwards.
    Result<Key> adoptIfNone(const Key &key, qint64 now);
    // `key` becomes the current key and the current one is retired, in one
    // transaction. Fails, changing nothing, when `previousFingerprint` is no
    // longer the current key (another rotation came first).
    Result<void> rotate(const QString &previousFingerprint, const Key &key, qint64 now);

private:
    Database &m_database;
};

} // namespace billing
