#pragma once

#include "PlanCatalog.h"
#include "common/JsonView.h"
#include "common/Result.h"
#include "db/SubscriptionStore.h"
#include "db/TenantStore.h"

namespace billing {

// The tenant a subscription belongs to: its metadata's tenant_id (set at
// checkout), else its customer's. Empty when neither is known.
Result<QString> tenantForSubscription(const JsonView &subscription, TenantStore &tenants);

// The tenant an invoice belongs to: its subscription's metadata as the invoice
// carries it, else the stored subscription's tenant, else its customer's.
// Empty when none of them is known (yet).
Result<QString> tenantForInvoice(const JsonView &invoice, const QString &subscriptionId,
                                 SubscriptionStore &subscriptions, TenantStore &tenants);

// The subscription's plan: from its price when that is one of the three plans,
// else from its metadata; empty for a price outside them.
QString planOfSubscription(const JsonView &subscription, const PlanCatalog &plans);

} // namespace billing
