#pragma once

#include "Database.h"

namespace billing {

// tenants and their Stripe customers.
class TenantStore final
{
public:
    explicit TenantStore(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // Creates the tenant or marks it provisioned (active) with this email.
    Result<void> provision(const QString &tenantId, const QString &email, qint64 now);
    // Creates the tenant as pending if unknown (events that name it before checkout completes).
    Result<void> ensureTenant(const QString &tenantId, qint64 now);
    // Creates or updates the customer; a known tenant link is never replaced by
    // none. The e-mail changes only when emailTime (Stripe's time of what says
    // it: an event's created, a snapshot's read) is not older than the one
    // that set the stored e-mail.
    Result<void> upsertCustomer(const QString &customerId, const QString &tenantId, const QString &email,
                                qint64 emailTime, bool livemode, qint64 now);
    Result<QString> tenantForCustomer(const QString &customerId);
    Result<QString> emailForCustomer(const QString &customerId);

private:
    QSqlDatabase m_db;
};

} // namespace billing
