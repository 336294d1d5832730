#pragma once

#include "PlanCatalog.h"
#include "db/EventStore.h"
#include "db/InvoiceStore.h"
#include "db/LicenseStore.h"
#include "db/NotificationOutbox.h"
#include "db/SubscriptionStore.h"
#include "db/TenantStore.h"

namespace billing {

struct StripeEvent;

// Where a Stripe object comes from. An event says what happened at its
// creation time: only events move a subscription's status for an invoice or
// queue a dunning notice. A snapshot (sync, reconcile) says how things are
// now: it mirrors state and leaves out what belongs to a past moment.
struct ApplySource
{
    enum class Kind { Event, Snapshot };

    Kind kind = Kind::Snapshot;
    QString id;      // the event id, or the snapshot's name (sync, reconcile)
    qint64 time = 0; // the event's created time, or the moment the snapshot counts as

    static ApplySource fromEvent(const StripeEvent &event);
    static ApplySource snapshot(const QString &name, qint64 time) { return {Kind::Snapshot, name, time}; }
    bool isEvent() const { return kind == Kind::Event; }
};

enum class ApplyOutcome {
    Applied,
    Unchanged, // what is stored is as new or newer
    Skipped,   // not sold through this service: no tenant to attach it to
};

// What every applier works on: the stores of one transaction and the rules'
// settings. The caller owns the transaction.
struct ApplyContext
{
    ApplyContext(const QSqlDatabase &db, const LicenseSigner &signer, const PlanCatalog &planCatalog,
                 qint64 pastDueGraceSeconds, qint64 nowSeconds)
        : tenants(db)
        , subscriptions(db)
        , invoices(db)
        , licenses(db, signer)
        , outbox(db)
        , events(db)
        , plans(planCatalog)
        , graceSeconds(pastDueGraceSeconds)
        , now(nowSeconds)
    {}

    TenantStore tenants;
    SubscriptionStore subscriptions;
    InvoiceStore invoices;
    LicenseStore licenses;
    NotificationOutbox outbox;
    EventStore events;
    // A copy (its prices are shared, not copied): callers pass temporaries.
    const PlanCatalog plans;
    qint64 graceSeconds;
    qint64 now;
};

} // namespace billing
