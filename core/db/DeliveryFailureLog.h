#pragma once

#include "Database.h"

namespace billing {

// webhook_delivery_failures: deliveries refused before they became events, for
// the dashboard's Deliveries view. Never the body, never a secret.
//
// Counted, not logged one by one (anyone can POST to the webhook URL): a row
// holds the refusals of one source and one kind of reason in one hour, and
// the table keeps 30 days and at most 10,000 rows (Limits).
class DeliveryFailureLog final
{
public:
    // Refusals of one kind from one source, gathered since the last write.
    struct Refusals
    {
        QString remoteAddress;
        QString reasonKind;  // what refusals are grouped by: see reasonKind()
        QString reason;      // the latest, in full
        QString eventId;     // the latest readable one
        qint64 bodySize = 0; // the latest
        qint64 count = 0;
        qint64 firstAt = 0;
        qint64 lastAt = 0;
    };

    static constexpr qint64 kWindowSeconds = 3600;
    struct Limits
    {
        qint64 keepSeconds = 30 * 24 * 3600;
        qint64 maxRows = 10000;
    };

    // The reason with each run of digits replaced by "N": "the signature
    // timestamp is 412 s old" and "… 980 s old" are one kind.
    static QString reasonKind(const QString &reason);

    explicit DeliveryFailureLog(Database &database)
        : m_database(database)
    {}
    DeliveryFailureLog(Database &database, Limits limits)
        : m_database(database)
        , m_limits(limits)
    {}

    // Adds the refusals to their hours' rows in one transaction, then drops
    // rows last seen more than keepSeconds ago and all but the newest maxRows.
    Result<void> record(const QList<Refusals> &refusals, qint64 now);

private:
    Database &m_database;
    Limits m_limits;
};

} // namespace billing
