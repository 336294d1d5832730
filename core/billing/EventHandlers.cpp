#include "EventHandlers.h"

#include "TenantLookup.h"
#include "db/SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

namespace {

QString metadataValue(const JsonView &object, std::string_view key)
{
    return object.value("metadata").value(key).toString();
}

} // namespace

EventHandlers::EventHandlers(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans,
                             qint64 graceSeconds, qint64 now)
    : m_tenants(db)
    , m_subscriptions(db)
    , m_invoices(db)
    , m_licenses(db, signer)
    , m_outbox(db)
    , m_plans(plans)
    , m_graceSeconds(graceSeconds)
    , m_now(now)
{}

bool EventHandlers::isSupported(const QString &type)
{
    static const QStringList types = {
        u"checkout.session.completed"_s,
        u"customer.subscription.created"_s,
        u"customer.subscription.updated"_s,
        u"customer.subscription.deleted"_s,
        u"invoice.payment_succeeded"_s,
        u"invoice.payment_failed"_s,
        u"invoice.paid"_s,
    };
    return types.contains(type);
}

Result<bool> EventHandlers::handle(const StripeEvent &event, const JsonView &object)
{
    if (event.type == u"checkout.session.completed")
        return checkoutCompleted(event, object);
    if (event.type.startsWith(u"customer.subscription."))
        return subscriptionChanged(event, object);
    // invoice.paid also comes for an invoice paid out of band (marked paid in
    // Stripe's Dashboard), where no invoice.payment_succeeded is sent.
    if (event.type == u"invoice.payment_succeeded" || event.type == u"invoice.paid")
        return invoicePaid(event, object);
    if (event.type == u"invoice.payment_failed")
        return invoiceFailed(event, object);
    return false;
}

Result<void> EventHandlers::syncLicense(const QString &subscriptionId, qint64 atLeastUntil)
{
    Result<SubscriptionStore::State> state = m_subscriptions.find(subscriptionId, /*forUpdate=*/true);
    if (!state)
        return state.error();
    if (!state->known)
        return {};
    LicenseStore::Validity validity = LicenseStore::validityFor(
        state->status, std::max(state->currentPeriodEnd, atLeastUntil), m_graceSeconds, m_now);
    return m_licenses.update(subscriptionId, validity, m_now);
}

Result<bool> EventHandlers::checkoutCompleted(const StripeEvent &event, const JsonView &session)
{
    if (session.value("mode").toString() != u"subscription")
        return false;
    QString tenantId = session.value("client_reference_id").toString();
    if (tenantId.isEmpty())
        tenantId = metadataValue(session, "tenant_id");
    const QString customerId = stripeId(session.value("customer"));
    const QString subscriptionId = stripeId(session.value("subscription"));
    if (tenantId.isEmpty() || customerId.isEmpty() || subscriptionId.isEmpty())
        return false; // not a checkout this service made: nothing to provision

    QString email = session.value("customer_details").value("email").toString();
    if (email.isEmpty())
        email = session.value("customer_email").toString();
    // A raw price_… sale says "custom": stored as no plan, licensed as "custom".
    QString plan = PlanCatalog::cataloguePlan(metadataValue(session, "plan"));

    if (Result<void> done = m_tenants.provision(tenantId, email, m_now); !done)
        return done.error();
    if (Result<void> done = m_tenants.upsertCustomer(customerId, tenantId, email, event.livemode, m_now);
        !done)
        return done.error();
    if (Result<void> done = m_subscriptions.ensurePlaceholder(subscriptionId, customerId, tenantId, plan,
                                                              event.livemode, m_now);
        !done) {
        return done.error();
    }

    Result<SubscriptionStore::State> state = m_subscriptions.find(subscriptionId, /*forUpdate=*/true);
    if (!state)
        return state.error();
    if (plan.isEmpty())
        plan = state->plan;
    const LicenseStore::Validity validity =
        LicenseStore::validityFor(state->status, state->currentPeriodEnd, m_graceSeconds, m_now);
    Result<bool> issued = m_licenses.issueOnce(subscriptionId, tenantId, PlanCatalog::licensedPlan(plan),
                                               validity, event.id, m_now);
    if (!issued)
        return issued.error();
    return true;
}

Result<bool> EventHandlers::subscriptionChanged(const StripeEvent &event, const JsonView &subscription)
{
    const QString subscriptionId = subscription.value("id").toString();
    const QString customerId = stripeId(subscription.value("customer"));
    if (subscriptionId.isEmpty() || customerId.isEmpty())
        return Error{ErrorCode::InvalidInput, u"the subscription has no id or customer"_s};

    Result<QString> tenantId = tenantForSubscription(subscription, m_tenants);
    if (!tenantId)
        return tenantId.error();
    if (tenantId->isEmpty())
        return false; // sold elsewhere on the same Stripe account (sync skips it too)
    if (Result<void> done = m_tenants.upsertCustomer(customerId, tenantId.value(), {}, event.livemode, m_now);
        !done)
        return done.error();

    const QString plan = planOfSubscription(subscription, m_plans);

    Result<bool> applied =
        m_subscriptions.applySnapshot(subscription, tenantId.value(), plan, event.created, event.id, m_now);
    if (!applied)
        return applied.error();
    if (Result<void> synced = syncLicense(subscriptionId); !synced)
        return synced.error();
    return true;
}

Result<bool> EventHandlers::invoicePaid(const StripeEvent &event, const JsonView &invoice)
{
    const QString subscriptionId = InvoiceStore::subscriptionOf(invoice);
    Result<QString> tenantId = tenantForInvoice(invoice, subscriptionId, m_subscriptions, m_tenants);
    if (!tenantId)
        return tenantId.error();
    if (tenantId->isEmpty())
        return false; // another product's customer: not our payment
    if (Result<void> done = m_invoices.upsert(invoice, tenantId.value(), m_now); !done)
        return done.error();
    if (Result<bool> paid = m_invoices.recordPayment(invoice, tenantId.value(), event.id, m_now); !paid)
        return paid.error();
    if (subscriptionId.isEmpty())
        return true;

    Result<bool> moved = m_subscriptions.moveStatus(subscriptionId, {u"past_due"_s, u"unpaid"_s}, u"active"_s,
                                                    event.created, event.id, m_now);
    if (!moved)
        return moved.error();
    if (Result<void> synced = syncLicense(subscriptionId, InvoiceStore::servicePeriodEnd(invoice)); !synced)
        return synced.error();
    return true;
}

Result<bool> EventHandlers::invoiceFailed(const StripeEvent &event, const JsonView &invoice)
{
    const QString subscriptionId = InvoiceStore::subscriptionOf(invoice);
    const QString customerId = stripeId(invoice.value("customer"));
    Result<QString> tenantId = tenantForInvoice(invoice, subscriptionId, m_subscriptions, m_tenants);
    if (!tenantId)
        return tenantId.error();
    if (tenantId->isEmpty())
        return false; // another product's customer: never ours to dun
    if (Result<void> done = m_invoices.upsert(invoice, tenantId.value(), m_now); !done)
        return done.error();

    if (!subscriptionId.isEmpty()) {
        Result<bool> moved = m_subscriptions.moveStatus(subscriptionId, {u"active"_s, u"trialing"_s},
                                                        u"past_due"_s, event.created, event.id, m_now);
        if (!moved)
            return moved.error();
        if (Result<void> synced = syncLicense(subscriptionId); !synced)
            return synced.error();
    }

    // A failure delivered after the invoice was paid (a late or repeated
    // event) must not tell the customer their payment failed.
    Result<QString> stored = m_invoices.status(invoice.value("id").toString());
    if (!stored)
        return stored.error();
    if (stored.value() == u"paid")
        return true;

    QString email = invoice.value("customer_email").toString();
    if (email.isEmpty()) {
        Result<QString> known = m_tenants.emailForCustomer(customerId);
        if (!known)
            return known.error();
        email = known.value();
    }
    const QString invoiceId = invoice.value("id").toString();
    const int attempt = invoice.value("attempt_count").toInt();
    NotificationOutbox::Notice notice;
    notice.kind = u"dunning.payment_failed"_s;
    // One notice per failed attempt: a redelivered event finds its notice queued.
    notice.dedupeKey = u"payment_failed:%1:%2"_s.arg(invoiceId).arg(attempt);
    notice.tenantId = tenantId.value();
    notice.customerId = customerId;
    notice.invoiceId = invoiceId;
    notice.email = email;
    notice.payload = {
        {u"tenant_id"_s, tenantId.value()},
        {u"customer"_s, customerId},
        {u"customer_email"_s, email},
        {u"invoice"_s, invoiceId},
        {u"subscription"_s, subscriptionId},
        {u"amount_due"_s, invoice.value("amount_due").toJsonValue()},
        {u"currency"_s, invoice.value("currency").toJsonValue()},
        {u"attempt_count"_s, attempt},
        {u"next_payment_attempt"_s, invoice.value("next_payment_attempt").toJsonValue()},
        {u"hosted_invoice_url"_s, invoice.value("hosted_invoice_url").toJsonValue()},
    };
    if (Result<bool> queued = m_outbox.enqueue(notice, m_now); !queued)
        return queued.error();
    return true;
}

} // namespace billing
