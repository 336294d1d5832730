#pragma once

#include "SnapshotImporter.h"
#include "db/Divergence.h"
#include "db/ReconcileRows.h"

#include <QJsonObject>

#include <functional>

namespace billing {

// Compares local state with Stripe's objects by applying them through the
// appliers (SnapshotImporter, source "reconcile") and reading what that
// changed: the rules that decide what an object means locally stay in one
// place. Works inside the caller's transaction: roll it back to only look,
// commit it to fix.
class Reconciler final
{
public:
    using Factory = std::function<Reconciler(QSqlDatabase db)>;

    Reconciler(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans, qint64 graceSeconds,
               qint64 now);

    // With its customer expanded or not, as GET /v1/subscriptions lists it.
    // snapshotTime: when Stripe's object was read (StripeListReader::Page::
    // snapshotTime), so that an event newer than the read still wins.
    Result<QList<Divergence>> subscription(const QJsonObject &subscription, qint64 snapshotTime);
    Result<QList<Divergence>> invoice(const QJsonObject &invoice);
    Result<QList<Divergence>> customer(const QJsonObject &customer, qint64 snapshotTime);

    // What rows changed by reconciliation record where an event id would be.
    static QString sourceId();

private:
    using Kind = ReconcileRows::Kind;
    struct Watched
    {
        Kind kind;
        QString stripeId;
    };
    // Reads the watched rows, applies, reads them again; each change is a divergence.
    Result<QList<Divergence>> compare(const QList<Watched> &watched,
                                      const std::function<Result<ApplyOutcome>()> &apply);

    ReconcileRows m_rows;
    SnapshotImporter m_importer;
};

} // namespace billing
