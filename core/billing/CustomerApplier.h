#pragma once

#include "ApplyContext.h"

#include "common/JsonView.h"

namespace billing {

// The one place where a Stripe customer changes local state: its row (email,
// mode) linked to its tenant, taken from its metadata or the link already
// stored. Customers this service never sold to (other products on the same
// Stripe account) are skipped. Customer rows keep no event time, so only
// snapshots (sync, reconcile) apply customers: an older customer.updated
// delivered late could otherwise bring back an old email.
class CustomerApplier final
{
public:
    explicit CustomerApplier(ApplyContext &context)
        : m_context(context)
    {}

    Result<ApplyOutcome> apply(const JsonView &customer);

private:
    ApplyContext &m_context;
};

} // namespace billing
