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

Result<NotificationOutbox::Resend> NotificationOutbox::resend(qint64 noticeId, const QString &uniqueSuffix,
                                                              qint64 now)
{
    Resend resend;
    {
        // Scoped: the read ends before the insert, or SQLite would have to turn
        // this read into a write, which fails at once (SQLITE_BUSY_SNAPSHOT) when
        // the event worker committed in between.
        Result<SqlRows> notice =
            runQuery(m_db, u"cannot read the notice"_s,
                     u"SELECT o.stripe_invoice_id, i.status FROM notification_outbox o "
                     "LEFT JOIN invoices i ON i.stripe_invoice_id = o.stripe_invoice_id WHERE o.id = ?"_s,
                     {noticeId});
        if (!notice)
            return notice.error();
        if (!notice->next())
            return resend;
        resend.invoiceId = notice->value(0).toString();
        resend.invoiceStatus = notice->value(1).toString();
    }
    // One statement checks and queues, so a payment committed in between
    // cannot slip past the check.
    Result<SqlRows> inserted =
        runQuery(m_db, u"cannot queue the notice again"_s,
                 u"INSERT INTO notification_outbox (kind, dedupe_key, tenant_id, stripe_customer_id, "
                 u"stripe_invoice_id, "
                 "recipient_email, payload, status, attempts, next_attempt_at, created_at) "
                 "SELECT o.kind, o.dedupe_key || ?, o.tenant_id, o.stripe_customer_id, o.stripe_invoice_id, "
                 "o.recipient_email, o.payload, 'pending', 0, ?, ? FROM notification_outbox o WHERE o.id = ? "
                 "AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.stripe_invoice_id = o.stripe_invoice_id "
                 "AND i.status IN ('paid', 'void')) RETURNING id"_s,
                 {uniqueSuffix, now, now, noticeId});
    if (!inserted)
        return inserted.error();
    // The new row's id comes with the insert: no second statement that could
    // fail after the notice is queued (and make a retry queue it twice).
    if (!inserted->next()) {
        resend.outcome = Resend::Outcome::InvoiceSettled;
        if (resend.invoiceStatus != u"paid" && resend.invoiceStatus != u"void")
            resend.invoiceStatus = u"paid"_s; // settled between the two statements
        return resend;
    }
    resend.outcome = Resend::Outcome::Queued;
    resend.copyId = inserted->value(0).toLongLong();
    return resend;
}

} // namespace billing
