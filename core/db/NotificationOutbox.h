#pragma once

#include "Database.h"

#include <QJsonObject>

namespace billing {

// notification_outbox: notices written in the transaction of the event that
// causes them and sent afterwards; the dedupe key makes a redelivered event
// unable to queue the same notice twice.
class NotificationOutbox final
{
public:
    struct Notice
    {
        QString kind;      // e.g. dunning.payment_failed
        QString dedupeKey; // e.g. payment_failed:in_123:2
        QString tenantId;
        QString customerId;
        QString invoiceId;
        QString email;
        QJsonObject payload;
    };

    explicit NotificationOutbox(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // Returns whether the notice is new.
    Result<bool> enqueue(const Notice &notice, qint64 now);

private:
    QSqlDatabase m_db;
};

} // namespace billing
