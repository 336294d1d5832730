#include "DeliveryFailureLog.h"

#include "SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<void> DeliveryFailureLog::record(const Failure &failure, qint64 now)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<SqlRows> query = runQuery(db.value(), u"cannot log the failed delivery"_s,
                                     u"INSERT INTO webhook_delivery_failures (received_at, remote_address, "
                                     u"reason, stripe_event_id, body_size) "
                                     "VALUES (?, ?, ?, ?, ?)"_s,
                                     {now, nullString(failure.remoteAddress), failure.reason.left(1000),
                                      nullString(failure.eventId.left(255)), failure.bodySize});
    return query ? Result<void>() : Result<void>(query.error());
}

} // namespace billing
