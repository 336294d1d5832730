#pragma once

#include "ApplyContext.h"

#include <QJsonObject>

namespace billing {

// Hands objects read from Stripe's lists (`sync customers|subscriptions|
// invoices`) to the same appliers as webhooks, as snapshots: local state ends
// as their webhooks would have left it, without what belongs to the moment
// something happened (an old failed invoice queues no dunning notice).
// Objects of no tenant of this service are skipped. Works inside the
// caller's transaction; importing the same object again changes nothing.
class SnapshotImporter final
{
public:
    using Outcome = ApplyOutcome;

    // source: what the rows record where an event id would be (sourceId(),
    // or Reconciler::sourceId()).
    SnapshotImporter(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans,
                     qint64 graceSeconds, qint64 now, QString source = sourceId());

    Result<Outcome> importCustomer(const QJsonObject &customer, qint64 snapshotTime);
    // snapshotTime: the time the snapshot counts as, like an event's created
    // time: an event created before it cannot move the subscription back,
    // one created after it can.
    Result<Outcome> importSubscription(const QJsonObject &subscription, qint64 snapshotTime);
    Result<Outcome> importInvoice(const QJsonObject &invoice);

    // The event id recorded where an event would be (state_event_id, licences'
    // and payments' source): these rows came from a backfill.
    static QString sourceId();

private:
    ApplyContext m_context;
    QString m_source;
};

} // namespace billing
