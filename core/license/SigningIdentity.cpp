#include "SigningIdentity.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>

#include <optional>

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
    std::optional<LicenseSigner> signer;
    if (QFile::exists(keyPath)) {
        Result<LicenseSigner> loaded = LicenseSigner::loadOrCreate(keyPath);
        if (!loaded)
            return loaded.error();
        signer = std::move(loaded).value();
    } else {
        // A new key only for a database without one, and made under another
        // name until it is recorded: an instance that loses the race to record
        // its key keeps no stray key file.
        Result<QList<SigningKeyStore::Key>> recorded = store.keys();
        if (!recorded)
            return recorded.error();
        if (!recorded->isEmpty() && recorded->first().retiredAt == 0) {
            return Error{
                ErrorCode::Configuration,
                u"there is no licence signing key at %1, and this installation already has one. "_s.arg(
                    keyPath) +
                    copyAdvice(keyPath, recorded->first().fingerprint)};
        }
        const QString candidatePath =
            keyPath + u".candidate-"_s + QString::number(QCoreApplication::applicationPid());
        QFile::remove(candidatePath);
        Result<LicenseSigner> created = LicenseSigner::loadOrCreate(candidatePath);
        if (!created)
            return created.error();
        Result<SigningKeyStore::Key> current =
            store.adoptIfNone({created->fingerprint(), created->publicKeyPem(), now, 0}, now);
        if (!current || current->fingerprint != created->fingerprint()) {
            QFile::remove(candidatePath);
            if (!current)
                return current.error();
            return Error{
                ErrorCode::Configuration,
                u"there is no licence signing key at %1, and another instance recorded its key first. "_s.arg(
                    keyPath) +
                    copyAdvice(keyPath, current->fingerprint)};
        }
        if (!QFile::rename(candidatePath, keyPath))
            return Error{ErrorCode::Io, u"cannot move the new licence signing key to %1"_s.arg(keyPath)};
        return std::move(created).value();
    }

    const QString fingerprint = signer->fingerprint();
    Result<SigningKeyStore::Key> current =
        store.adoptIfNone({fingerprint, signer->publicKeyPem(), now, 0}, now);
    if (!current)
        return current.error();
    if (current->fingerprint == fingerprint)
        return std::move(*signer);

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
    QString hint;
    if (QFile::exists(keyPath + u".next"_s))
        hint = u" (%1.next may be the installation's key, left by an interrupted rotate-key)"_s.arg(keyPath);
    return Error{ErrorCode::Configuration,
                 u"the licence signing key %1 (fingerprint %2) is not this installation's, recorded in the "
                 "database on %3. "_s.arg(keyPath, fingerprint, when(current->createdAt)) +
                     copyAdvice(keyPath, current->fingerprint) + hint};
}

Result<std::vector<LicenseSigner>> verifiers(Database &database, const QString &keyPath)
{
    Result<QList<SigningKeyStore::Key>> recorded = SigningKeyStore(database).keys();
    if (!recorded)
        return recorded.error();
    std::vector<LicenseSigner> all;
    for (const SigningKeyStore::Key &key : recorded.value()) {
        Result<LicenseSigner> verifier = LicenseSigner::fromPublicKeyPem(key.publicKeyPem);
        if (!verifier)
            return Error{ErrorCode::Database, u"the recorded licence key %1 is unreadable: %2"_s.arg(
                                                  key.fingerprint, verifier.error().message)};
        all.push_back(std::move(verifier).value());
    }
    // Only an installation that has recorded nothing yet verifies with the key file alone.
    if (all.empty() && QFile::exists(keyPath)) {
        Result<LicenseSigner> own = LicenseSigner::loadOrCreate(keyPath);
        if (!own)
            return own.error();
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
    // The new key is on disk (flushed) before the database names it, and the
    // files change only once the database has: no step leaves the current key
    // without its private key.
    const QString nextPath = keyPath + u".next"_s;
    QFile::remove(nextPath);
    Result<LicenseSigner> next = LicenseSigner::loadOrCreate(nextPath);
    if (!next)
        return next.error();
    const QString nextFingerprint = next->fingerprint();
    Result<void> recorded = SigningKeyStore(database).rotate(
        previousFingerprint, {nextFingerprint, next->publicKeyPem(), now, 0}, now);
    if (!recorded) {
        // A commit whose answer was lost still counts: ask the database.
        Result<QList<SigningKeyStore::Key>> keys = SigningKeyStore(database).keys();
        const bool committed = keys && !keys->isEmpty() && keys->first().fingerprint == nextFingerprint;
        if (!committed) {
            QFile::remove(nextPath); // never recorded: no licence can depend on it
            return recorded.error();
        }
    }
    const QString kept = keyPath + u".retired-"_s + previousFingerprint;
    QFile::remove(kept);
    if (!QFile::rename(keyPath, kept) || !QFile::rename(nextPath, keyPath)) {
        return Error{ErrorCode::Io,
                     u"the new key %1 is recorded as current but could not replace %2; move %3 to %2 "
                     "by hand"_s.arg(nextFingerprint, keyPath, nextPath)};
    }
    return next;
}

} // namespace billing::SigningIdentity
