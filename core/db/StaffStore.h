#pragma once

#include "Database.h"
#include "common/Clock.h"

#include <optional>

namespace billing {

// Billing staff and their personal dashboard tokens. A token is shown once,
// when it is made; only its SHA-256 is stored, so the database cannot give
// it away.
class StaffStore final
{
public:
    struct Member
    {
        QString name;
        qint64 createdAt = 0;
        std::optional<qint64> revokedAt;
        std::optional<qint64> lastSeenAt;
    };

    explicit StaffStore(Database &database, const Clock &clock = Clock::system())
        : m_database(database)
        , m_clock(clock)
    {}

    // Adds a member and returns the new token (aob_staff_ + 43 random characters).
    Result<QString> add(const QString &name);
    Result<QList<Member>> list();
    // False when no active member has that name.
    Result<bool> revoke(const QString &name);
    // A new token for a member (active or revoked); the old one stops working.
    // Nothing when nobody has that name.
    Result<std::optional<QString>> rotate(const QString &name);
    struct SignIn
    {
        QString name;
        // Not seen for a minute or more: recordVisit is due. The check itself
        // only reads, so it runs on a reader beside the writer.
        bool visitDue = false;
    };
    // The active member the token belongs to, if any. Writes nothing.
    Result<std::optional<SignIn>> authenticate(QByteArrayView token);
    // Records now as the token's last use (last_seen_at).
    Result<void> recordVisit(QByteArrayView token);

    // 1–100 characters: letters, digits, '.', '_', '-', '@' and spaces inside.
    static bool isValidName(const QString &name);
    static QString tokenHash(QByteArrayView token);

private:
    Database &m_database;
    const Clock &m_clock;
};

} // namespace billing
