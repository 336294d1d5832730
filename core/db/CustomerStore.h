#pragma once

#include "Database.h"

#include <QSqlQuery>

#include <optional>

namespace billing {

// Tenants' Stripe customers, as the webhooks record them.
class CustomerStore final
{
public:
    // livemode: the mode the service runs in. A customer of the other mode
    // (test data kept after switching to live keys) is never found: Stripe
    // would answer "No such customer". Nothing: either mode.
    CustomerStore(Database &database, std::optional<bool> livemode)
        : m_database(database)
        , m_livemode(livemode)
    {}

    // The tenant's most recently updated Stripe customer id, or an empty string.
    // Use one store per thread: it keeps its prepared statement (every checkout
    // asks, and preparing costs more than the lookup).
    Result<QString> customerForTenant(const QString &tenantId);

private:
    Database &m_database;
    std::optional<bool> m_livemode;
    QString m_preparedOn; // the connection m_customerForTenant was prepared on
    QSqlQuery m_customerForTenant;
};

} // namespace billing
