#pragma once

#include <QJsonObject>
#include <QString>

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

    // The Stripe object whose snapshot repairs it: "subscription" (for the
    // licence too), "invoice" (for its payment too) or "customer".
    QString stripeObjectType() const;
    // Stripe no longer has the object: nothing to apply, so never fixable.
    bool isNotInStripe() const;

    QString toLine() const;
    QJsonObject toJson() const;

    static const QString &none(); // how a missing value is shown
};

} // namespace billing
