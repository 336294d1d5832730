#include "TenantLookup.h"

#include "db/SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<QString> tenantForSubscription(const JsonView &subscription, TenantStore &tenants)
{
    const QString fromMetadata = subscription.value("metadata").value("tenant_id").toString();
    if (!fromMetadata.isEmpty())
        return fromMetadata;
    return tenants.tenantForCustomer(stripeId(subscription.value("customer")));
}

Result<QString> tenantForInvoice(const JsonView &invoice, const QString &subscriptionId,
                                 SubscriptionStore &subscriptions, TenantStore &tenants)
{
    QString fromMetadata =
        invoice.value("parent").value("subscription_details").value("metadata").value("tenant_id").toString();
    if (fromMetadata.isEmpty()) // API versions before 2025-03 put them at the top level
        fromMetadata = invoice.value("subscription_details").value("metadata").value("tenant_id").toString();
    if (!fromMetadata.isEmpty())
        return fromMetadata;
    if (!subscriptionId.isEmpty()) {
        Result<SubscriptionStore::State> state = subscriptions.find(subscriptionId);
        if (!state)
            return state.error();
        if (!state->tenantId.isEmpty())
            return state->tenantId;
    }
    return tenants.tenantForCustomer(stripeId(invoice.value("customer")));
}

QString planOfSubscription(const JsonView &subscription, const PlanCatalog &plans)
{
    const QString priceId =
        subscription.value("items").value("data").first().value("price").value("id").toString();
    const QString plan = plans.planForPrice(priceId);
    if (!plan.isEmpty())
        return plan;
    return PlanCatalog::cataloguePlan(subscription.value("metadata").value("plan").toString());
}

} // namespace billing
