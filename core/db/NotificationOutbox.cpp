#include "NotificationOutbox.h"

#include "SqlValues.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace billing {

Result<bool> NotificationOutbox::enqueue(const Notice &notice, qint64 now)
{
    Result<SqlRows> query =
        runQuery(m_db, u"cannot queue the notice"_s,
                 u"INSERT INTO notification_outbox (kind, dedupe_key, tenant_id, stripe_customer_id, "
                 u"stripe_invoice_id, "
                 "recipient_email, payload, status, attempts, next_attempt_at, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING"_s,
                 {notice.kind, notice.dedupeKey, nullString(notice.tenantId), nullString(notice.customerId),
                  nullString(notice.invoiceId), nullString(notice.email),
                  QString::fromUtf8(QJsonDocument(notice.payload).toJson(QJsonDocument::Compact)), now, now});
    if (!query)
        return query.error();
    return query->numRowsAffected() > 0;
}

} // namespace billing
