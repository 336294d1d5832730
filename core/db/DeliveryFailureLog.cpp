#include "DeliveryFailureLog.h"

#include "SqlValues.h"
#include "WriteTransaction.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace billing {

QString DeliveryFailureLog::reasonKind(const QString &reason)
{
    static const QRegularExpression digits(u"[0-9]+"_s);
    return QString(reason).replace(digits, u"N"_s).left(1000);
}

Result<void> DeliveryFailureLog::record(const QList<Refusals> &refusals, qint64 now)
{
    Result<WriteTransaction> transaction = WriteTransaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    QSqlDatabase &db = transaction->db();
    auto rollback = [&transaction](Error error) -> Result<void> {
        return transaction->fail(std::move(error));
    };
    for (const Refusals &refused : refusals) {
        const qint64 window = refused.firstAt - refused.firstAt % kWindowSeconds;
        Result<SqlRows> added = runQuery(
            db, u"cannot count the refused deliveries"_s,
            u"INSERT INTO webhook_delivery_failures (window_start, remote_address, reason_kind, reason, "
            "stripe_event_id, body_size, attempts, first_received_at, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (window_start, remote_address, reason_kind) DO UPDATE SET "
            "attempts = webhook_delivery_failures.attempts + excluded.attempts, "
            "reason = excluded.reason, "
            "stripe_event_id = COALESCE(excluded.stripe_event_id, "
            "webhook_delivery_failures.stripe_event_id), "
            "body_size = excluded.body_size, "
            "received_at = CASE WHEN excluded.received_at > webhook_delivery_failures.received_at "
            "THEN excluded.received_at ELSE webhook_delivery_failures.received_at END"_s,
            {window, refused.remoteAddress.left(100), refused.reasonKind.left(1000),
             refused.reason.left(1000), nullString(refused.eventId.left(255)), refused.bodySize,
             refused.count, refused.firstAt, refused.lastAt});
        if (!added)
            return rollback(added.error());
    }
    // Bounded whatever comes: by age, then by number (the oldest rows first).
    Result<SqlRows> expired = runQuery(db, u"cannot drop old refused deliveries"_s,
                                       u"DELETE FROM webhook_delivery_failures WHERE received_at < ?"_s,
                                       {now - m_limits.keepSeconds});
    if (!expired)
        return rollback(expired.error());
    Result<SqlRows> beyond = runQuery(
        db, u"cannot drop old refused deliveries"_s,
        u"DELETE FROM webhook_delivery_failures WHERE id <= (SELECT id FROM webhook_delivery_failures "
        "ORDER BY id DESC LIMIT 1 OFFSET ?)"_s,
        {m_limits.maxRows});
    if (!beyond)
        return rollback(beyond.error());
    return transaction->commit();
}

} // namespace billing
