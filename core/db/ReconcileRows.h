#pragma once

#include "Database.h"

#include <QVariantMap>

namespace billing {

// The local facts reconciliation compares with Stripe's objects, one row per
// kind and Stripe id, read inside the caller's transaction: only the columns
// that come from Stripe (never this service's own bookkeeping: update times,
// the event that last moved a row).
class ReconcileRows final
{
public:
    enum class Kind {
        Customer,     // by customer id: e-mail
        Subscription, // by subscription id: status, price, plan, quantity, period, cancellation, trial
        License,      // by subscription id: status, valid until, plan
        Invoice,      // by invoice id: status and amounts
        Payment,      // by invoice id: the payment of a paid invoice
    };

    explicit ReconcileRows(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    struct Row
    {
        bool exists = false;
        QString tenantId;
        QVariantMap values; // the compared columns
    };
    Result<Row> read(Kind kind, const QString &stripeId);
    // Local subscriptions in this mode, with their tenant (for what Stripe no longer has).
    Result<QList<QPair<QString, QString>>> subscriptions(bool livemode, const QString &tenantId);

    static QString kindName(Kind kind);
    // The divergence kinds ("subscription.current_period_end") whose two
    // values are Unix seconds, for showing them as dates.
    static QStringList timeValuedKinds();

private:
    QSqlDatabase m_db;
};

} // namespace billing
