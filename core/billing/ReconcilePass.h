#pragma once

#include "Reconciler.h"

#include <atomic>
#include <functional>

namespace billing {

class Database;
class StripeClient;

// One reconciliation: reads Stripe's subscriptions (canceled ones too, the
// customer expanded), customers and invoices page by page, and checks each
// object as it arrives, each in a transaction of its own: rolled back when
// only looking; with fix, committed with a reconcile.fix audit entry for that
// object under the actor. Then local subscriptions Stripe did not list. Used
// by the reconcile command and by serve; blocks (run it on a thread of its own
// in a service).
class ReconcilePass final
{
public:
    struct Options
    {
        bool livemode = false; // the mode whose local rows are compared
        QString tenant;        // only this tenant's objects; empty: all
        bool fix = false;
        QString actor; // who the audit names for a fix
        int rate = 20; // Stripe requests per second
        // Checked between pages: a service shutting down ends the run there.
        const std::atomic<bool> *stopRequested = nullptr;
    };
    struct Outcome
    {
        QList<Divergence> found;     // as first seen
        QList<Divergence> remaining; // after fixing (found, when not fixing)
        qint64 fixed = 0;            // divergences the fixes cleared
        qint64 objectsRead = 0;
        QStringList counts; // "12 subscriptions", …
    };
    // A line to show while reading; done: the list is finished.
    using Progress = std::function<void(const QString &line, bool done)>;

    ReconcilePass(Database &database, StripeClient &stripe, Reconciler::Factory reconcilerFor,
                  Options options);

    Result<Outcome> run(const Progress &progress = {});

    // Reads each object from Stripe now and applies it (fix, audited); the
    // divergences that remain for these objects afterwards. An object Stripe no
    // longer has stays as "<type>.not_in_stripe".
    struct ObjectRef
    {
        QString type; // subscription, invoice, customer
        QString id;
    };
    Result<QList<Divergence>> fixObjects(const QList<ObjectRef> &objects);

private:
    // One object in its own transaction: kept when fixing, else rolled back.
    // Adds what differs to `found`; fixed: how many of them the commit cleared.
    Result<void> check(const QString &type, const QJsonObject &object, qint64 snapshotTime, bool fix,
                       QList<Divergence> &found, qint64 *fixed);
    Result<void> addNotInStripe(const QSet<QString> &stripeSubscriptions, QList<Divergence> &found);

    Database &m_database;
    StripeClient &m_stripe;
    Reconciler::Factory m_reconcilerFor;
    Options m_options;
};

} // namespace billing
