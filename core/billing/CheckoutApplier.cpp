#include "CheckoutApplier.h"

#include "CustomerApplier.h"

#include "db/SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<ApplyOutcome> CheckoutApplier::apply(const JsonView &session, const ApplySource &source)
{
    if (session.value("mode").toString() != u"subscription")
        return ApplyOutcome::Skipped;
    QString tenantId = session.value("client_reference_id").toString();
    if (tenantId.isEmpty())
        tenantId = session.value("metadata").value("tenant_id").toString();
    const QString customerId = stripeId(session.value("customer"));
    const QString subscriptionId = stripeId(session.value("subscription"));
    if (tenantId.isEmpty() || customerId.isEmpty() || subscriptionId.isEmpty())
        return ApplyOutcome::Skipped; // not a checkout this service made: nothing to provision

    QString email = session.value("customer_details").value("email").toString();
    if (email.isEmpty())
        email = session.value("customer_email").toString();
    // A raw price_… sale says "custom": stored as no plan, licensed as "custom".
    QString plan = PlanCatalog::cataloguePlan(session.value("metadata").value("plan").toString());

    const bool livemode = session.value("livemode").toBool();
    const qint64 now = m_context.now;
    if (Result<void> done = m_context.tenants.provision(tenantId, email, now); !done)
        return done.error();
    if (Result<void> done =
            m_context.tenants.upsertCustomer(customerId, tenantId, email, source.time, livemode, now);
        !done)
        return done.error();
    if (Result<void> done = CustomerApplier(m_context).applyStoredUpdate(customerId); !done)
        return done.error();
    if (Result<void> done = m_context.subscriptions.ensurePlaceholder(subscriptionId, customerId, tenantId,
                                                                      plan, livemode, now);
        !done) {
        return done.error();
    }

    Result<SubscriptionStore::State> state = m_context.subscriptions.find(subscriptionId, /*forUpdate=*/true);
    if (!state)
        return state.error();
    if (plan.isEmpty())
        plan = state->plan;
    const LicenseStore::Validity validity =
        LicenseStore::validityFor(state->status, state->currentPeriodEnd, m_context.graceSeconds, now);
    Result<bool> issued = m_context.licenses.issueOnce(
        subscriptionId, tenantId, PlanCatalog::licensedPlan(plan), validity, source.id, now);
    if (!issued)
        return issued.error();
    return ApplyOutcome::Applied;
}

} // namespace billing
