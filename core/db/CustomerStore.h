#pragma once

#include "Database.h"

#include <QSqlQuery>

namespace billing {

// Tenants' Stripe customers, as the webhooks record them.
class CustomerStore final
{
public:
    explicit CustomerStore(Database &database)
        : m_database(database)
    {}

    // The tenant's most recently updated Stripe customer id, or an empty string.
    // Use one store per thread: it keeps its prepared statement (every checkout
    // asks, and preparing costs more than the lookup).
    Result<QString> customerForTenant(const QString &tenantId);

private:
    Database &m_database;
    QString m_preparedOn; // the connection m_customerForTenant was prepared on
    QSqlQuery m_customerForTenant;
};

} // namespace billing
