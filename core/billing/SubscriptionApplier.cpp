#include "SubscriptionApplier.h"

#include "CustomerApplier.h"
#include "TenantLookup.h"
#include "db/SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<void> SubscriptionApplier::refreshLicense(const QString &subscriptionId, qint64 atLeastUntil)
{
    Result<SubscriptionStore::State> state = m_context.subscriptions.find(subscriptionId, /*forUpdate=*/true);
    if (!state)
        return state.error();
    if (!state->known)
        return {};
    const LicenseStore::Validity validity =
        LicenseStore::validityFor(state->status, std::max(state->currentPeriodEnd, atLeastUntil),
                                  m_context.graceSeconds, m_context.now);
    return m_context.licenses.update(subscriptionId, validity, m_context.now);
}

Result<ApplyOutcome> SubscriptionApplier::apply(const JsonView &subscription, const ApplySource &source)
{
    const QString subscriptionId = subscription.value("id").toString();
    const QString customerId = stripeId(subscription.value("customer"));
    if (subscriptionId.isEmpty() || customerId.isEmpty())
        return Error{ErrorCode::InvalidInput, u"the subscription has no id or customer"_s};

    Result<QString> tenantId = tenantForSubscription(subscription, m_context.tenants);
    if (!tenantId)
        return tenantId.error();
    if (tenantId->isEmpty())
        return ApplyOutcome::Skipped; // sold elsewhere on the same Stripe account
    // Expanded (sync asks for data.customer), the customer brings its email.
    const QString customerEmail = subscription.value("customer").value("email").toString();
    if (Result<void> done =
            m_context.tenants.upsertCustomer(customerId, tenantId.value(), customerEmail, source.time,
                                             subscription.value("livemode").toBool(), m_context.now);
        !done) {
        return done.error();
    }
    if (Result<void> done = CustomerApplier(m_context).applyStoredUpdate(customerId); !done)
        return done.error();

    const QString plan = planOfSubscription(subscription, m_context.plans);
    Result<bool> applied = m_context.subscriptions.applySnapshot(subscription, tenantId.value(), plan,
                                                                 source.time, source.id, m_context.now);
    if (!applied)
        return applied.error();

    Result<SubscriptionStore::State> state = m_context.subscriptions.find(subscriptionId, /*forUpdate=*/true);
    if (!state)
        return state.error();
    const LicenseStore::Validity validity = LicenseStore::validityFor(state->status, state->currentPeriodEnd,
                                                                      m_context.graceSeconds, m_context.now);
    if (state->status == u"incomplete" || state->status == u"incomplete_expired") {
        // Nothing to provision; a licence the checkout issued follows (revoked when it expires).
        if (Result<void> updated = m_context.licenses.update(subscriptionId, validity, m_context.now);
            !updated)
            return updated.error();
        return applied.value() ? ApplyOutcome::Applied : ApplyOutcome::Unchanged;
    }

    // The stored row keeps the tenant it had (the checkout's), whatever this object says.
    const QString owner = state->tenantId.isEmpty() ? tenantId.value() : state->tenantId;
    Result<QString> email = m_context.tenants.emailForCustomer(customerId);
    if (!email)
        return email.error();
    if (Result<void> done = m_context.tenants.provision(owner, email.value(), m_context.now); !done)
        return done.error();
    Result<bool> issued = m_context.licenses.issueOnce(
        subscriptionId, owner, PlanCatalog::licensedPlan(state->plan), validity, source.id, m_context.now);
    if (!issued)
        return issued.error();
    if (!issued.value()) {
        if (Result<void> updated = m_context.licenses.update(subscriptionId, validity, m_context.now);
            !updated)
            return updated.error();
    }
    return applied.value() || issued.value() ? ApplyOutcome::Applied : ApplyOutcome::Unchanged;
}

} // namespace billing
