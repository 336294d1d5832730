#pragma once

#include "Database.h"
#include "common/Clock.h"

#include <QJsonObject>

namespace billing {

// The append-only record of who did what: staff actions through the dashboard,
// API calls that change billing, ops commands.
class AuditLog final
{
public:
    struct Entry
    {
        QString actor;      // a staff member's name, "api", "cli", "system"
        QString action;     // e.g. "subscription.cancel"
        QString targetType; // e.g. "subscription"
        QString targetId;
        QJsonObject details; // parameters and result; never a secret
        bool succeeded = true;
    };

    AuditLog(Database &database, const Clock &clock = Clock::system())
        : m_database(database)
        , m_clock(clock)
    {}

    Result<void> record(const Entry &entry);

private:
    Database &m_database;
    const Clock &m_clock;
};

} // namespace billing
