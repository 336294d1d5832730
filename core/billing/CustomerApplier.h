#pragma once

#include "ApplyContext.h"

#include "common/JsonView.h"

namespace billing {

// The one place where a Stripe customer changes local state: its row (email,
// mode) linked to its tenant, taken from its metadata or the link already
// stored. Customers this service never sold to (other products on the same
// Stripe account) are skipped. Webhooks (customer.updated)
// and snapshots (sync, reconcile) alike: the row keeps the time of what set
// its e-mail, so an older customer.updated delivered late changes nothing.
class CustomerApplier final
{
public:
    explicit CustomerApplier(ApplyContext &context)
        : m_context(context)
    {}

    Result<ApplyOutcome> apply(const JsonView &customer, const ApplySource &source);
    // A customer.updated that came before its customer was known locally (its
    // checkout's events late) was stored but skipped: once a checkout or a
    // subscription links the customer to a tenant, the newest one is applied.
    Result<void> applyStoredUpdate(const QString &customerId);

private:
    ApplyContext &m_context;
};

} // namespace billing
