#pragma once

#include "Database.h"

namespace billing {

// Tenants' Stripe customers, as the webhooks record them.
class CustomerStore final
{
public:
    explicit CustomerStore(Database &database)
        : m_database(database)
    {}

    // The tenant's most recently updated Stripe customer id, or an empty string.
    Result<QString> customerForTenant(const QString &tenantId);

private:
    Database &m_database;
};

} // namespace billing
