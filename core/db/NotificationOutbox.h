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

    struct Resend
    {
        enum class Outcome {
            Queued, // a copy is pending, with id copyId
            NoSuchNotice,
            InvoiceSettled, // the invoice is paid or void since: telling the customer it failed is wrong
        };
        Outcome outcome = Outcome::NoSuchNotice;
        qint64 copyId = 0;
        QString invoiceId;
        QString invoiceStatus;
    };
    // Queues notice `noticeId` again as a new notice (its own key, the original
    // kept as it was), unless its invoice has been settled since. `uniqueSuffix`
    // tells two resends of the same notice apart.
    Result<Resend> resend(qint64 noticeId, const QString &uniqueSuffix, qint64 now);

private:
    QSqlDatabase m_db;
};

} // namespace billing
