#pragma once

#include "billing/PlanCatalog.h"
#include "http/ApiError.h"

#include <QJsonObject>
#include <QObject>

#include <functional>
#include <variant>

namespace billing {
class Database;
class StripeClient;
} // namespace billing

namespace billing::server {

// The Stripe calls that both the payments API and the admin API make, with
// their error mapping and audit entries in one place.
class StripeActions final : public QObject
{
    Q_OBJECT

public:
    using Answer = std::variant<QJsonObject, ApiError>;
    using Done = std::function<void(const Answer &)>;

    StripeActions(StripeClient *stripe, Database *database, PlanCatalog plans, QObject *parent = nullptr);

    // Now (DELETE; Stripe follows with customer.subscription.deleted) or at the
    // period end (a POST, which takes `idempotencyKey`; Stripe ignores keys on
    // DELETE). Audited as `actor`, with `context` added to the details.
    // Answers the subscription summary after the change.
    void cancelSubscription(const QString &subscriptionId, bool atPeriodEnd, const QString &idempotencyKey,
                            const QString &actor, const QJsonObject &context, Done done);
    // A Customer Portal session; answers {"url"}. Audited as `actor` (the URL
    // itself, which logs the customer in, stays out of the audit log).
    void createPortalSession(const QString &customerId, const QString &returnUrl,
                             const QString &idempotencyKey, const QString &actor, const QJsonObject &context,
                             Done done);

    static bool isSubscriptionId(const QString &text);
    static bool isCustomerId(const QString &text);
    static const QString kSubscriptionMissingHint;

private:
    StripeClient *m_stripe;
    Database *m_database;
    PlanCatalog m_plans;
};

} // namespace billing::server
