#include "TenantLookup.h"

#include "db/SqlValues.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace billing {

Result<QString> tenantForSubscription(const QJsonObject &subscription, TenantStore &tenants)
{
    const QString fromMetadata =
        subscription.value(u"metadata"_s).toObject().value(u"tenant_id"_s).toString();
    if (!fromMetadata.isEmpty())
        return fromMetadata;
    return tenants.tenantForCustomer(stripeId(subscription.value(u"customer"_s)));
}

Result<QString> tenantForInvoice(const QJsonObject &invoice, const QString &subscriptionId,
                                 SubscriptionStore &subscriptions, TenantStore &tenants)
{
    const QString fromMetadata = invoice.value(u"parent"_s)
                                     .toObject()
                                     .value(u"subscription_details"_s)
                                     .toObject()
                                     .value(u"metadata"_s)
                                     .toObject()
                                     .value(u"tenant_id"_s)
                                     .toString();
    if (!fromMetadata.isEmpty())
        return fromMetadata;
    if (!subscriptionId.isEmpty()) {
        Result<SubscriptionStore::State> state = subscriptions.find(subscriptionId);
        if (!state)
            return state.error();
        if (!state->tenantId.isEmpty())
            return state->tenantId;
    }
    return tenants.tenantForCustomer(stripeId(invoice.value(u"customer"_s)));
}

QString planOfSubscription(const QJsonObject &subscription, const PlanCatalog &plans)
{
    const QString priceId = subscription.value(u"items"_s)
                                .toObject()
                                .value(u"data"_s)
                                .toArray()
                                .first()
                                .toObject()
                                .value(u"price"_s)
                                .toObject()
                                .value(u"id"_s)
                                .toString();
    QString plan = plans.planForPrice(priceId);
    if (plan.isEmpty())
        plan = subscription.value(u"metadata"_s).toObject().value(u"plan"_s).toString();
    if (plan == u"custom")
        plan.clear();
    return plan;
}

} // namespace billing
