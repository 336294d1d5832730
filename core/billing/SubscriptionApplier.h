#pragma once

#include "ApplyContext.h"

#include "common/JsonView.h"

namespace billing {

// The one place where a Stripe subscription changes local state, whoever
// brings it (webhook, sync, replay, reconcile): the customer linked to its
// tenant, the mirrored subscription (newest state wins, SubscriptionStore),
// the tenant provisioned and its one licence issued or brought to the
// validity the subscription's state implies (LicenseStore::validityFor).
// A subscription that never got going (incomplete) provisions nothing; a
// licence it already had follows its state.
class SubscriptionApplier final
{
public:
    explicit SubscriptionApplier(ApplyContext &context)
        : m_context(context)
    {}

    Result<ApplyOutcome> apply(const JsonView &subscription, const ApplySource &source);

    // Brings the subscription's licence (if any) in line with the stored
    // subscription, valid at least until atLeastUntil (a paid invoice's period).
    Result<void> refreshLicense(const QString &subscriptionId, qint64 atLeastUntil = 0);

private:
    ApplyContext &m_context;
};

} // namespace billing
