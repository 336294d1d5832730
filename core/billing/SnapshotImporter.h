#pragma once

#include "PlanCatalog.h"
#include "db/InvoiceStore.h"
#include "db/LicenseStore.h"
#include "db/SubscriptionStore.h"
#include "db/TenantStore.h"

#include <QJsonObject>

namespace billing {

// Applies objects read from Stripe's lists (`sync customers|subscriptions|
// invoices`) to local state, leaving it as their webhooks would have: tenants
// provisioned, subscriptions mirrored, one licence per subscription, invoices
// cached and paid ones recorded as payments. Objects of no tenant of this
// service (sold elsewhere on the same Stripe account) are skipped. What
// belongs to the moment something happened is left out: an old failed
// invoice queues no dunning notice. Works inside the caller's transaction; every write is idempotent, so
// importing the same object again changes nothing.
class SnapshotImporter final
{
public:
    enum class Outcome {
        Applied,
        Unchanged, // what is stored is as new or newer (a webhook came after the read, a final state)
        Skipped,   // not sold through this service: no tenant to attach it to
    };

    SnapshotImporter(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans,
                     qint64 graceSeconds, qint64 now);

    Result<Outcome> importCustomer(const QJsonObject &customer);
    // snapshotTime: the time the snapshot counts as, like an event's created
    // time: an event created before it cannot move the subscription back,
    // one created after it can.
    Result<Outcome> importSubscription(const QJsonObject &subscription, qint64 snapshotTime);
    Result<Outcome> importInvoice(const QJsonObject &invoice);

    // The event id recorded where an event would be (state_event_id, licences'
    // and payments' source): these rows came from a backfill.
    static QString sourceId();

private:
    TenantStore m_tenants;
    SubscriptionStore m_subscriptions;
    InvoiceStore m_invoices;
    LicenseStore m_licenses;
    const PlanCatalog &m_plans;
    qint64 m_graceSeconds;
    qint64 m_now;
};

} // namespace billing
