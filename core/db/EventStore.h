#pragma once

#include "Database.h"
#include "billing/StripeEvent.h"

namespace billing {

// payment_events: every event received, its raw bytes and what became of it.
// Works inside the caller's transaction (EventProcessor owns it).
class EventStore final
{
public:
    struct Received
    {
        bool isNew = false;
        QString status; // received, processed, failed, ignored
        int attempts = 0;
    };
    struct Delivery
    {
        QByteArray payload;
        QString source = QStringLiteral("webhook"); // webhook, sync, replay
        int secretIndex = -1;
        QString warning;
    };

    explicit EventStore(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // Stores the event unless its id is already there (then reports the stored
    // row). A new row is written with the status it will most likely end with
    // (expectedStatus, attempts 1): the caller's savepoint takes it back if the
    // event fails, which spares an UPDATE for nearly every event.
    Result<Received> insertIfNew(const StripeEvent &event, const Delivery &delivery,
                                 const QString &expectedStatus, qint64 now);
    // The Stripe creation time of the newest stored event, 0 when none: where
    // a catch-up from GET /v1/events starts.
    Result<qint64> newestCreatedAt();
    // The payload of the newest stored event of this type about this object;
    // empty when there is none.
    Result<QByteArray> newestPayloadAbout(const QString &objectId, const QString &type);
    Result<void> finish(const QString &eventId, const QString &status, int attempts, qint64 now);
    // Records a failure (in a transaction of its own, after the rollback).
    Result<void> recordFailure(const StripeEvent &event, const Delivery &delivery, const QString &error,
                               qint64 now);

    Result<QByteArray> payload(const QString &eventId);
    Result<QStringList> failedEventIds();

private:
    QSqlDatabase m_db;
};

} // namespace billing
