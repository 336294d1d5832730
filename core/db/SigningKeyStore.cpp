#include "SigningKeyStore.h"

#include "WriteTransaction.h"

#include "SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<QList<SigningKeyStore::Key>> SigningKeyStore::keys()
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<SqlRows> rows =
        runQuery(db.value(), u"cannot read the licence signing keys"_s,
                 u"SELECT fingerprint, public_key, created_at, retired_at FROM license_signing_keys "
                 "ORDER BY retired_at IS NOT NULL, retired_at DESC, created_at DESC"_s);
    if (!rows)
        return rows.error();
    QList<Key> found;
    while (rows->next()) {
        found.append({rows->value(0).toString(), rows->value(1).toString().toLatin1(),
                      rows->value(2).toLongLong(), rows->value(3).toLongLong()});
    }
    return found;
}

Result<SigningKeyStore::Key> SigningKeyStore::adoptIfNone(const Key &key, qint64 now)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    // The partial unique index lets only one current key in, also when two
    // instances start at once with different keys: the second insert is a no-op.
    Result<SqlRows> inserted = runQuery(
        db.value(), u"cannot record the licence signing key"_s,
        u"INSERT INTO license_signing_keys (fingerprint, public_key, created_at, retired_at) "
        "SELECT ?, ?, ?, NULL WHERE NOT EXISTS (SELECT 1 FROM license_signing_keys WHERE retired_at IS NULL) "
        "ON CONFLICT DO NOTHING"_s,
        {key.fingerprint, QString::fromLatin1(key.publicKeyPem), now});
    if (!inserted)
        return inserted.error();
    Result<QList<Key>> all = keys();
    if (!all)
        return all.error();
    if (all->isEmpty() || all->first().retiredAt != 0)
        return Error{ErrorCode::Database, u"license_signing_keys holds no current key after recording one"_s};
    return all->first();
}

Result<void> SigningKeyStore::rotate(const QString &previousFingerprint, const Key &key, qint64 now)
{
    Result<WriteTransaction> transaction = WriteTransaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    auto rollback = [&transaction](Error error) -> Result<void> {
        return transaction->fail(std::move(error));
    };
    Result<SqlRows> retired = runQuery(
        transaction->db(), u"cannot retire the licence signing key"_s,
        u"UPDATE license_signing_keys SET retired_at = ? WHERE fingerprint = ? AND retired_at IS NULL"_s,
        {now, previousFingerprint});
    if (!retired)
        return rollback(retired.error());
    if (retired->numRowsAffected() != 1) {
        return rollback(Error{ErrorCode::InvalidInput,
                              u"the key %1 is not the current licence signing key any more; another rotation "
                              "came first (see license public-key --all)"_s.arg(previousFingerprint)});
    }
    Result<SqlRows> added = runQuery(
        transaction->db(), u"cannot record the new licence signing key"_s,
        u"INSERT INTO license_signing_keys (fingerprint, public_key, created_at, retired_at) VALUES (?, ?, ?, NULL)"_s,
        {key.fingerprint, QString::fromLatin1(key.publicKeyPem), now});
    if (!added)
        return rollback(added.error());
    return transaction->commit();
}

} // namespace billing
