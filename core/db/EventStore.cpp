#include "EventStore.h"

using namespace Qt::StringLiterals;

namespace billing {

namespace {

QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

QVariant nullableIndex(int index)
{
    return index < 0 ? QVariant(QMetaType::fromType<int>()) : QVariant(index);
}

} // namespace

Result<EventStore::Received> EventStore::insertIfNew(const StripeEvent &event, const Delivery &delivery,
                                                     const QString &expectedStatus, qint64 now)
{
    Result<SqlRows> inserted = runQuery(
        m_db, u"cannot store the event"_s,
        u"INSERT INTO payment_events (stripe_event_id, event_type, api_version, livemode, stripe_created_at, "
        "object_id, payload, source, signing_secret_index, received_at, processed_at, status, attempts, "
        "warning) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (stripe_event_id) DO NOTHING"_s,
        {event.id, event.type, nullable(event.apiVersion), event.livemode, event.created,
         nullable(event.objectId), delivery.payload, delivery.source, nullableIndex(delivery.secretIndex),
         now, now, expectedStatus, nullable(delivery.warning)});
    if (!inserted)
        return inserted.error();
    if (inserted->numRowsAffected() == 1)
        return Received{true, expectedStatus, 1};

    Result<SqlRows> existing =
        runQuery(m_db, u"cannot read the stored event"_s,
                 u"SELECT status, attempts FROM payment_events WHERE stripe_event_id = ?"_s, {event.id});
    if (!existing)
        return existing.error();
    if (!existing->next())
        return Error{ErrorCode::Database, u"the event %1 conflicted but cannot be found"_s.arg(event.id)};
    return Received{false, existing->value(0).toString(), existing->value(1).toInt()};
}

Result<void> EventStore::finish(const QString &eventId, const QString &status, int attempts, qint64 now)
{
    Result<SqlRows> updated =
        runQuery(m_db, u"cannot mark the event done"_s,
                 u"UPDATE payment_events SET status = ?, attempts = ?, processed_at = ?, error = NULL "
                 "WHERE stripe_event_id = ?"_s,
                 {status, attempts, now, eventId});
    if (!updated)
        return updated.error();
    return {};
}

Result<void> EventStore::recordFailure(const StripeEvent &event, const Delivery &delivery,
                                       const QString &error, qint64 now)
{
    Result<SqlRows> recorded = runQuery(
        m_db, u"cannot record the failed event"_s,
        u"INSERT INTO payment_events (stripe_event_id, event_type, api_version, livemode, stripe_created_at, "
        "object_id, payload, source, signing_secret_index, received_at, status, attempts, error, warning) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'failed', 1, ?, ?) "
        "ON CONFLICT (stripe_event_id) DO UPDATE SET status = 'failed', "
        "attempts = payment_events.attempts + 1, error = excluded.error "
        "WHERE payment_events.status NOT IN ('processed', 'ignored')"_s,
        {event.id, event.type, nullable(event.apiVersion), event.livemode, event.created,
         nullable(event.objectId), delivery.payload, delivery.source, nullableIndex(delivery.secretIndex),
         now, error.left(2000), nullable(delivery.warning)});
    if (!recorded)
        return recorded.error();
    return {};
}

Result<QByteArray> EventStore::payload(const QString &eventId)
{
    Result<SqlRows> query =
        runQuery(m_db, u"cannot read the event"_s,
                 u"SELECT payload FROM payment_events WHERE stripe_event_id = ?"_s, {eventId});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::NotFound, u"no stored event %1"_s.arg(eventId)};
    return query->value(0).toByteArray();
}

Result<QStringList> EventStore::failedEventIds()
{
    Result<SqlRows> query =
        runQuery(m_db, u"cannot list failed events"_s,
                 u"SELECT stripe_event_id FROM payment_events WHERE status IN ('failed', 'received') "
                 "ORDER BY stripe_created_at, id"_s);
    if (!query)
        return query.error();
    QStringList ids;
    while (query->next())
        ids << query->value(0).toString();
    return ids;
}

Result<qint64> EventStore::newestCreatedAt()
{
    Result<SqlRows> newest = runQuery(m_db, u"cannot read the newest event"_s,
                                      u"SELECT COALESCE(MAX(stripe_created_at), 0) FROM payment_events"_s);
    if (!newest)
        return newest.error();
    return newest->next() ? newest->value(0).toLongLong() : 0;
}

Result<QByteArray> EventStore::newestPayloadAbout(const QString &objectId, const QString &type)
{
    Result<SqlRows> newest =
        runQuery(m_db, u"cannot read the object's events"_s,
                 u"SELECT payload FROM payment_events WHERE object_id = ? AND event_type = ? "
                 "ORDER BY stripe_created_at DESC, id DESC LIMIT 1"_s,
                 {objectId, type});
    if (!newest)
        return newest.error();
    return newest->next() ? newest->value(0).toByteArray() : QByteArray();
}

} // namespace billing
