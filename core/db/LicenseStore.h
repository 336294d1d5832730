#pragma once

#include "Database.h"

namespace billing {

class LicenseSigner;

// licenses: one per subscription (a UNIQUE constraint), its key re-signed when
// its validity changes.
class LicenseStore final
{
public:
    struct Validity
    {
        QString status;        // active, grace, suspended, revoked
        qint64 validUntil = 0; // 0: unknown
    };

    LicenseStore(QSqlDatabase db, const LicenseSigner &signer)
        : m_db(std::move(db))
        , m_signer(signer)
    {}

    // What a subscription in this state entitles to: active/trialing until the
    // period end; past_due through the grace period; unpaid suspended and
    // canceled/incomplete_expired revoked (their keys expire now); a
    // subscription not yet known in detail, provisionally through the grace period.
    static Validity validityFor(const QString &subscriptionStatus, qint64 periodEnd, qint64 graceSeconds,
                                qint64 now);

    // Creates the subscription's licence if it has none; returns whether it did.
    Result<bool> issueOnce(const QString &subscriptionId, const QString &tenantId, const QString &plan,
                           const Validity &validity, const QString &sourceEventId, qint64 now);
    // Brings an existing licence (if any) to this validity.
    Result<void> update(const QString &subscriptionId, const Validity &validity, qint64 now);

private:
    Result<QString> sign(const QString &licenseId, const QString &tenantId, const QString &plan,
                         qint64 issuedAt, qint64 validUntil) const;

    QSqlDatabase m_db;
    const LicenseSigner &m_signer;
};

} // namespace billing
