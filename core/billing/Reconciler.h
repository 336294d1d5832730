#pragma once

#include "SnapshotImporter.h"
#include "db/ReconcileRows.h"

#include <QJsonObject>

#include <functional>

namespace billing {

// One way local state differs from Stripe's: what the rows say, what Stripe's
// object says. kind is "<object>.<field>" (subscription.status,
// invoice.amount_paid, license.valid_until, …), "<object>.missing" when there
// is no local row, or "subscription.not_in_stripe" for a local subscription
// Stripe's list did not return.
struct Divergence
{
    QString kind;
    QString objectId;
    QString tenantId;
    QString local;
    QString stripe;

    QString toLine() const;
    QJsonObject toJson() const;
};

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
    Result<QList<Divergence>> subscription(const QJsonObject &subscription);
    Result<QList<Divergence>> invoice(const QJsonObject &invoice);
    Result<QList<Divergence>> customer(const QJsonObject &customer);

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
    qint64 m_now;
};

} // namespace billing
