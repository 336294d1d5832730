#include "SigningIdentity.h"

#include <QDateTime>
#include <QFile>

using namespace Qt::StringLiterals;

namespace billing::SigningIdentity {

namespace {

QString when(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

QString copyAdvice(const QString &keyPath, const QString &fingerprint)
{
    return u"Every instance on this database must sign with the installation's key (fingerprint %1): copy "
           u"the "
           "key file from a machine where the service runs (the same path by default, %2), owned by the "
           "service's user with mode 0600, then start again"_s.arg(fingerprint, keyPath);
}

} // namespace

Result<LicenseSigner> load(Database &database, const QString &keyPath, qint64 now)
{
    SigningKeyStore store(database);
    if (!QFile::exists(keyPath)) {
        // Without a key file, make one only for a database that has no key yet.
        Result<QList<SigningKeyStore::Key>> recorded = store.keys();
        if (!recorded)
            return recorded.error();
        if (!recorded->isEmpty() && recorded->first().retiredAt == 0) {
            return Error{ErrorCode::Configuration,
                         u"there is no licence signing key at %1, and this installation already has one. "_s +
                             copyAdvice(keyPath, recorded->first().fingerprint)};
        }
    }
    Result<LicenseSigner> signer = LicenseSigner::loadOrCreate(keyPath);
    if (!signer)
        return signer.error();
    const QByteArray publicKey = signer->publicKeyPem();
    const QString fingerprint = signer->fingerprint();
    Result<SigningKeyStore::Key> current = store.adoptIfNone({fingerprint, publicKey, now, 0}, now);
    if (!current)
        return current.error();
    if (current->fingerprint == fingerprint)
        return signer;

    Result<QList<SigningKeyStore::Key>> recorded = store.keys();
    if (!recorded)
        return recorded.error();
    for (const SigningKeyStore::Key &key : recorded.value()) {
        if (key.fingerprint == fingerprint && key.retiredAt != 0) {
            return Error{
                ErrorCode::Configuration,
                u"the licence signing key %1 (fingerprint %2) was retired on %3 by `license rotate-key`. "_s
                        .arg(keyPath, fingerprint, when(key.retiredAt)) +
                    copyAdvice(keyPath, current->fingerprint)};
        }
    }
    return Error{
        ErrorCode::Configuration,
        u"the licence signing key %1 (fingerprint %2) is not this installation's, recorded in the database "
        "on %3. "_s.arg(keyPath, fingerprint, when(current->createdAt)) +
            copyAdvice(keyPath, current->fingerprint)};
}

Result<std::vector<LicenseSigner>> verifiers(Database &database, const QString &keyPath)
{
    Result<QList<SigningKeyStore::Key>> recorded = SigningKeyStore(database).keys();
    if (!recorded)
        return recorded.error();
    std::vector<LicenseSigner> all;
    QStringList fingerprints;
    for (const SigningKeyStore::Key &key : recorded.value()) {
        Result<LicenseSigner> verifier = LicenseSigner::fromPublicKeyPem(key.publicKeyPem);
        if (!verifier)
            return Error{ErrorCode::Database, u"the recorded licence key %1 is unreadable: %2"_s.arg(
                                                  key.fingerprint, verifier.error().message)};
        all.push_back(std::move(verifier).value());
        fingerprints << key.fingerprint;
    }
    if (QFile::exists(keyPath)) {
        Result<LicenseSigner> own = LicenseSigner::loadOrCreate(keyPath);
        if (!own)
            return own.error();
        if (!fingerprints.contains(own->fingerprint()))
            all.push_back(std::move(own).value());
    }
    return all;
}

Result<LicenseSigner> rotate(Database &database, const QString &keyPath, qint64 now)
{
    Result<LicenseSigner> previous = load(database, keyPath, now);
    if (!previous)
        return previous.error();
    const QString previousFingerprint = previous->fingerprint();
    const QString kept = keyPath + u".retired-"_s + previousFingerprint;
    if (QFile::exists(kept) && !QFile::remove(kept))
        return Error{ErrorCode::Io, u"cannot replace %1"_s.arg(kept)};
    if (!QFile::rename(keyPath, kept))
        return Error{ErrorCode::Io, u"cannot move %1 aside to %2"_s.arg(keyPath, kept)};
    Result<LicenseSigner> next = LicenseSigner::loadOrCreate(keyPath);
    if (!next) {
        QFile::rename(kept, keyPath);
        return next.error();
    }
    if (Result<void> recorded = SigningKeyStore(database).rotate(
            previousFingerprint, {next->fingerprint(), next->publicKeyPem(), now, 0}, now);
        !recorded) {
        // Nothing was recorded: put the old key back, so this instance still starts.
        QFile::remove(keyPath);
        QFile::rename(kept, keyPath);
        return recorded.error();
    }
    return next;
}

} // namespace billing::SigningIdentity
