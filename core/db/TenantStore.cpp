#include "TenantStore.h"

#include "SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<void> TenantStore::provision(const QString &tenantId, const QString &email, qint64 now)
{
    Result<SqlRows> query = runQuery(
        m_db, u"cannot provision the tenant"_s,
        u"INSERT INTO tenants (tenant_id, email, status, provisioned_at, created_at, updated_at) "
        "VALUES (?, ?, 'active', ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET "
        "email = COALESCE(excluded.email, tenants.email), "
        "status = CASE WHEN tenants.status = 'pending' THEN 'active' ELSE tenants.status END, "
        "provisioned_at = COALESCE(tenants.provisioned_at, excluded.provisioned_at), updated_at = excluded.updated_at"_s,
        {tenantId, nullString(email), now, now, now});
    return query ? Result<void>() : Result<void>(query.error());
}

Result<void> TenantStore::ensureTenant(const QString &tenantId, qint64 now)
{
    Result<SqlRows> query = runQuery(m_db, u"cannot record the tenant"_s,
                                     u"INSERT INTO tenants (tenant_id, status, created_at, updated_at) "
                                     "VALUES (?, 'pending', ?, ?) ON CONFLICT (tenant_id) DO NOTHING"_s,
                                     {tenantId, now, now});
    return query ? Result<void>() : Result<void>(query.error());
}

Result<void> TenantStore::upsertCustomer(const QString &customerId, const QString &tenantId,
                                         const QString &email, qint64 emailTime, bool livemode, qint64 now)
{
    if (!tenantId.isEmpty()) {
        if (Result<void> tenant = ensureTenant(tenantId, now); !tenant)
            return tenant;
    }
    Result<SqlRows> query = runQuery(
        m_db, u"cannot record the customer"_s,
        u"INSERT INTO customers (stripe_customer_id, tenant_id, email, email_set_at, livemode, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stripe_customer_id) DO UPDATE SET "
        "tenant_id = COALESCE(customers.tenant_id, excluded.tenant_id), "
        "email = CASE WHEN excluded.email_set_at >= COALESCE(customers.email_set_at, -1) "
        "THEN excluded.email ELSE customers.email END, "
        "email_set_at = CASE WHEN excluded.email_set_at >= COALESCE(customers.email_set_at, -1) "
        "THEN excluded.email_set_at ELSE customers.email_set_at END, "
        "updated_at = excluded.updated_at"_s,
        // No e-mail: no time either, so the stored one stays.
        {customerId, nullString(tenantId), nullString(email), nullInteger(emailTime, !email.isEmpty()),
         livemode, now, now});
    return query ? Result<void>() : Result<void>(query.error());
}

Result<QString> TenantStore::tenantForCustomer(const QString &customerId)
{
    Result<SqlRows> query =
        runQuery(m_db, u"cannot read the customer"_s,
                 u"SELECT tenant_id FROM customers WHERE stripe_customer_id = ?"_s, {customerId});
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toString() : QString();
}

Result<QString> TenantStore::emailForCustomer(const QString &customerId)
{
    Result<SqlRows> query =
        runQuery(m_db, u"cannot read the customer"_s,
                 u"SELECT email FROM customers WHERE stripe_customer_id = ?"_s, {customerId});
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toString() : QString();
}

} // namespace billing
