#pragma once

#include "ApplyContext.h"

#include "common/JsonView.h"

namespace billing {

// The one place where a completed Checkout Session changes local state: the
// tenant it was sold to provisioned with the buyer's email, its customer
// linked, its subscription known (a placeholder until the subscription's own
// object arrives) and the one licence issued. A session of another product
// (no tenant reference) or not in subscription mode is skipped.
class CheckoutApplier final
{
public:
    explicit CheckoutApplier(ApplyContext &context)
        : m_context(context)
    {}

    Result<ApplyOutcome> apply(const JsonView &session, const ApplySource &source);

private:
    ApplyContext &m_context;
};

} // namespace billing
