#include "StaffStore.h"

#include "SqlValues.h"

#include <QCryptographicHash>
#include <QRegularExpression>

#include <openssl/rand.h>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

constexpr QByteArrayView kTokenPrefix = "aob_staff_";
// last_seen_at is written at most this often, so requests stay reads.
constexpr qint64 kLastSeenResolutionSeconds = 60;

} // namespace

bool StaffStore::isValidName(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9._@-](?:[A-Za-z0-9._@ -]{0,98}[A-Za-z0-9._@-])?$"_s);
    return pattern.match(name).hasMatch();
}

QString StaffStore::tokenHash(QByteArrayView token)
{
    return QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex());
}

namespace {

Result<QByteArray> newToken()
{
    unsigned char random[32];
    if (RAND_bytes(random, sizeof random) != 1)
        return Error{ErrorCode::Io, u"the system has no randomness for a token"_s};
    return QByteArray(kTokenPrefix.toByteArray() +
                      QByteArray(reinterpret_cast<const char *>(random), sizeof random)
                          .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

Result<std::optional<QString>> StaffStore::rotate(const QString &name)
{
    Result<QByteArray> token = newToken();
    if (!token)
        return token.error();
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<SqlRows> updated =
        runQuery(db.value(), u"cannot give the staff member a new token"_s,
                 u"UPDATE staff_members SET token_hash = ?, revoked_at = NULL WHERE name = ?"_s,
                 {tokenHash(token.value()), name});
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() == 0)
        return std::optional<QString>();
    return std::optional<QString>(QString::fromLatin1(token.value()));
}

Result<QString> StaffStore::add(const QString &name)
{
    if (!isValidName(name)) {
        return Error{ErrorCode::InvalidInput,
                     u"a staff name has 1 to 100 letters, digits, '.', '_', '-', '@' or inner spaces"_s};
    }
    Result<QByteArray> made = newToken();
    if (!made)
        return made.error();
    const QByteArray token = made.value();

    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<SqlRows> existing = runQuery(db.value(), u"cannot read the staff"_s,
                                        u"SELECT 1 FROM staff_members WHERE name = ?"_s, {name});
    if (!existing)
        return existing.error();
    if (existing->next())
        return Error{ErrorCode::InvalidInput, u"a staff member named \"%1\" exists already"_s.arg(name)};
    Result<SqlRows> inserted =
        runQuery(db.value(), u"cannot add the staff member"_s,
                 u"INSERT INTO staff_members (name, token_hash, created_at) VALUES (?, ?, ?)"_s,
                 {name, tokenHash(token), m_clock.nowSecondsSinceEpoch()});
    if (!inserted)
        return inserted.error();
    return QString::fromLatin1(token);
}

Result<QList<StaffStore::Member>> StaffStore::list()
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<SqlRows> rows =
        runQuery(db.value(), u"cannot list the staff"_s,
                 u"SELECT name, created_at, revoked_at, last_seen_at FROM staff_members ORDER BY name"_s);
    if (!rows)
        return rows.error();
    QList<Member> members;
    while (rows->next()) {
        Member member;
        member.name = rows->value(0).toString();
        member.createdAt = rows->value(1).toLongLong();
        if (!rows->value(2).isNull())
            member.revokedAt = rows->value(2).toLongLong();
        if (!rows->value(3).isNull())
            member.lastSeenAt = rows->value(3).toLongLong();
        members << member;
    }
    return members;
}

Result<bool> StaffStore::revoke(const QString &name)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<SqlRows> updated =
        runQuery(db.value(), u"cannot revoke the staff member"_s,
                 u"UPDATE staff_members SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL"_s,
                 {m_clock.nowSecondsSinceEpoch(), name});
    if (!updated)
        return updated.error();
    return updated->numRowsAffected() > 0;
}

Result<std::optional<StaffStore::SignIn>> StaffStore::authenticate(QByteArrayView token)
{
    if (!token.startsWith(kTokenPrefix) || token.size() > 200)
        return std::optional<SignIn>();
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    // The lookup is by hash: comparing hashes of secrets leaks nothing useful.
    Result<SqlRows> rows = runQuery(
        db.value(), u"cannot check the staff token"_s,
        u"SELECT name, last_seen_at FROM staff_members WHERE token_hash = ? AND revoked_at IS NULL"_s,
        {tokenHash(token)});
    if (!rows)
        return rows.error();
    if (!rows->next())
        return std::optional<SignIn>();
    const qint64 lastSeen = rows->value(1).toLongLong();
    return std::optional<SignIn>(SignIn{
        rows->value(0).toString(), m_clock.nowSecondsSinceEpoch() - lastSeen >= kLastSeenResolutionSeconds});
}

Result<void> StaffStore::recordVisit(QByteArrayView token)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<SqlRows> seen = runQuery(db.value(), u"cannot record the staff member's visit"_s,
                                    u"UPDATE staff_members SET last_seen_at = ? WHERE token_hash = ?"_s,
                                    {m_clock.nowSecondsSinceEpoch(), tokenHash(token)});
    if (!seen)
        return seen.error();
    return {};
}

} // namespace billing
