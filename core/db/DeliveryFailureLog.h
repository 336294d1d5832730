#pragma once

#include "Database.h"

namespace billing {

// webhook_delivery_failures: deliveries refused before they became events, for
// the dashboard's Deliveries view. Never the body, never a secret.
class DeliveryFailureLog final
{
public:
    struct Failure
    {
        QString remoteAddress;
        QString reason;
        QString eventId; // when the body could still be read
        qint64 bodySize = 0;
    };

    explicit DeliveryFailureLog(Database &database)
        : m_database(database)
    {}

    Result<void> record(const Failure &failure, qint64 now);

private:
    Database &m_database;
};

} // namespace billing
