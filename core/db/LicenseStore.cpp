#include "LicenseStore.h"

#include "SqlValues.h"
#include "license/LicenseSigner.h"

#include <QUuid>

using namespace Qt::StringLiterals;

namespace billing {

LicenseStore::Validity LicenseStore::validityFor(const QString &status, qint64 periodEnd, qint64 graceSeconds,
                                                 qint64 now)
{
    // Every key expires: a key without an end would outlive a cancellation.
    if ((status == u"active" || status == u"trialing") && periodEnd > 0)
        return {u"active"_s, periodEnd};
    if (status == u"past_due")
        return {u"grace"_s, std::max(periodEnd, now + graceSeconds)};
    if (status == u"canceled" || status == u"incomplete_expired")
        return {u"revoked"_s, now};
    if (status == u"unpaid" || status == u"paused")
        return {u"suspended"_s, now};
    // Checkout completed before the subscription's own events: provisional,
    // through the grace period, until they arrive with the real period.
    return {u"active"_s, now + std::max<qint64>(graceSeconds, 24 * 3600)};
}

Result<QString> LicenseStore::sign(const QString &licenseId, const QString &tenantId, const QString &plan,
                                   qint64 issuedAt, qint64 validUntil) const
{
    // The column holds the catalogue's plans; NULL is a price outside it.
    return m_signer.issue({licenseId, tenantId, plan.isEmpty() ? u"custom"_s : plan, issuedAt, validUntil});
}

Result<bool> LicenseStore::issueOnce(const QString &subscriptionId, const QString &tenantId,
                                     const QString &plan, const Validity &validity,
                                     const QString &sourceEventId, qint64 now)
{
    const QString licenseId = u"lic_"_s + QUuid::createUuid().toString(QUuid::Id128).left(20);
    Result<QString> key = sign(licenseId, tenantId, plan, now, validity.validUntil);
    if (!key)
        return key.error();
    // The UNIQUE subscription id makes a second licence impossible, also when
    // the same checkout event is delivered many times at once.
    Result<SqlRows> query = runQuery(
        m_db, u"cannot issue the licence"_s,
        u"INSERT INTO licenses (license_key, tenant_id, stripe_subscription_id, plan, status, valid_until, "
        "issued_at, suspended_at, revoked_at, source_event_id, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stripe_subscription_id) DO NOTHING"_s,
        {key.value(), tenantId, subscriptionId,
         plan == u"custom" || plan.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(plan),
         validity.status, nullInteger(validity.validUntil, validity.validUntil > 0), now,
         // Issued already suspended or revoked (a first sight of a subscription
         // in that state, e.g. by sync): stamped as update() would have.
         nullInteger(now, validity.status == u"suspended"), nullInteger(now, validity.status == u"revoked"),
         sourceEventId, now});
    if (!query)
        return query.error();
    return query->numRowsAffected() > 0;
}

Result<void> LicenseStore::update(const QString &subscriptionId, const Validity &validity, qint64 now)
{
    Result<SqlRows> current =
        runQuery(m_db, u"cannot read the licence"_s,
                 u"SELECT license_key, tenant_id, plan, issued_at, status, valid_until FROM licenses "
                 "WHERE stripe_subscription_id = ?"_s,
                 {subscriptionId});
    if (!current)
        return current.error();
    if (!current->next())
        return {}; // no licence yet: issued when the checkout event arrives
    const QString status = current->value(4).toString();
    const qint64 validUntil = current->value(5).toLongLong();
    // Unchanged, or still in grace / suspended / revoked: the first end stands
    // (a second failed payment does not lengthen the grace period).
    if (status == validity.status && (validUntil == validity.validUntil || status != u"active"))
        return {};

    Result<LicenseKey::Parsed> parsed = LicenseKey::parse(current->value(0).toString());
    const QString licenseId = parsed ? parsed->claims.licenseId : u"lic_unknown"_s;
    Result<QString> key = sign(licenseId, current->value(1).toString(), current->value(2).toString(),
                               current->value(3).toLongLong(), validity.validUntil);
    if (!key)
        return key.error();
    Result<SqlRows> updated =
        runQuery(m_db, u"cannot update the licence"_s,
                 u"UPDATE licenses SET license_key = ?, status = ?, valid_until = ?, updated_at = ?, "
                 "suspended_at = CASE WHEN ? = 'suspended' THEN COALESCE(suspended_at, ?) ELSE NULL END, "
                 "revoked_at = CASE WHEN ? = 'revoked' THEN COALESCE(revoked_at, ?) ELSE revoked_at END "
                 "WHERE stripe_subscription_id = ?"_s,
                 {key.value(), validity.status, nullInteger(validity.validUntil, validity.validUntil > 0),
                  now, validity.status, now, validity.status, now, subscriptionId});
    return updated ? Result<void>() : Result<void>(updated.error());
}

} // namespace billing
