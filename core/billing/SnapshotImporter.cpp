#include "SnapshotImporter.h"

#include "TenantLookup.h"
#include "db/SqlValues.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

// The stores read Stripe objects as a webhook brings them (JsonView); an API
// answer is serialised and read that way too. Syncs are not hot.
Result<JsonView> readAsView(const QJsonObject &object, JsonDocument &document)
{
    return document.parse(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

SnapshotImporter::SnapshotImporter(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans,
                                   qint64 graceSeconds, qint64 now)
    : m_tenants(db)
    , m_subscriptions(db)
    , m_invoices(db)
    , m_licenses(db, signer)
    , m_plans(plans)
    , m_graceSeconds(graceSeconds)
    , m_now(now)
{}

QString SnapshotImporter::sourceId()
{
    return u"sync"_s;
}

Result<SnapshotImporter::Outcome> SnapshotImporter::importCustomer(const QJsonObject &customer)
{
    const QString customerId = customer.value(u"id"_s).toString();
    if (customerId.isEmpty())
        return Error{ErrorCode::InvalidInput, u"a customer without an id"_s};
    QString tenantId = customer.value(u"metadata"_s).toObject().value(u"tenant_id"_s).toString();
    if (tenantId.isEmpty()) {
        Result<QString> known = m_tenants.tenantForCustomer(customerId);
        if (!known)
            return known.error();
        tenantId = known.value();
    }
    // Customers of the Stripe account that this service never sold to stay out.
    if (tenantId.isEmpty())
        return Outcome::Skipped;
    if (Result<void> done =
            m_tenants.upsertCustomer(customerId, tenantId, customer.value(u"email"_s).toString(),
                                     customer.value(u"livemode"_s).toBool(), m_now);
        !done) {
        return done.error();
    }
    return Outcome::Applied;
}

Result<SnapshotImporter::Outcome> SnapshotImporter::importSubscription(const QJsonObject &object,
                                                                       qint64 snapshotTime)
{
    JsonDocument document;
    Result<JsonView> parsed = readAsView(object, document);
    if (!parsed)
        return parsed.error();
    const JsonView &subscription = parsed.value();
    const QString subscriptionId = subscription.value("id").toString();
    const QString customerId = stripeId(subscription.value("customer"));
    if (subscriptionId.isEmpty() || customerId.isEmpty())
        return Error{ErrorCode::InvalidInput, u"a subscription without an id or customer"_s};
    Result<QString> tenantId = tenantForSubscription(subscription, m_tenants);
    if (!tenantId)
        return tenantId.error();
    // Sold elsewhere on the same Stripe account: not ours to mirror.
    if (tenantId->isEmpty())
        return Outcome::Skipped;
    const bool livemode = subscription.value("livemode").toBool();
    // Expanded (expand[]=data.customer), the customer brings its email.
    const QString customerEmail = subscription.value("customer").value("email").toString();
    if (Result<void> done =
            m_tenants.upsertCustomer(customerId, tenantId.value(), customerEmail, livemode, m_now);
        !done) {
        return done.error();
    }

    const QString plan = planOfSubscription(subscription, m_plans);
    Result<bool> applied =
        m_subscriptions.applySnapshot(subscription, tenantId.value(), plan, snapshotTime, sourceId(), m_now);
    if (!applied)
        return applied.error();

    // The checkout's webhook would have provisioned the tenant and issued the
    // licence; a subscription that never got going (incomplete) gets neither.
    Result<SubscriptionStore::State> state = m_subscriptions.find(subscriptionId, /*forUpdate=*/true);
    if (!state)
        return state.error();
    if (state->status == u"incomplete" || state->status == u"incomplete_expired")
        return applied.value() ? Outcome::Applied : Outcome::Unchanged;
    // The stored row keeps the tenant it had (a webhook's), whatever this snapshot says.
    const QString owner = state->tenantId.isEmpty() ? tenantId.value() : state->tenantId;
    Result<QString> email = m_tenants.emailForCustomer(customerId);
    if (!email)
        return email.error();
    if (Result<void> done = m_tenants.provision(owner, email.value(), m_now); !done)
        return done.error();
    const LicenseStore::Validity validity =
        LicenseStore::validityFor(state->status, state->currentPeriodEnd, m_graceSeconds, m_now);
    Result<bool> issued = m_licenses.issueOnce(subscriptionId, owner, PlanCatalog::licensedPlan(state->plan),
                                               validity, sourceId(), m_now);
    if (!issued)
        return issued.error();
    if (!issued.value()) {
        if (Result<void> updated = m_licenses.update(subscriptionId, validity, m_now); !updated)
            return updated.error();
    }
    return applied.value() || issued.value() ? Outcome::Applied : Outcome::Unchanged;
}

Result<SnapshotImporter::Outcome> SnapshotImporter::importInvoice(const QJsonObject &object)
{
    JsonDocument document;
    Result<JsonView> parsed = readAsView(object, document);
    if (!parsed)
        return parsed.error();
    const JsonView &invoice = parsed.value();
    if (invoice.value("id").toString().isEmpty() || stripeId(invoice.value("customer")).isEmpty())
        return Error{ErrorCode::InvalidInput, u"an invoice without an id or customer"_s};
    const QString subscriptionId = InvoiceStore::subscriptionOf(invoice);
    Result<QString> tenantId = tenantForInvoice(invoice, subscriptionId, m_subscriptions, m_tenants);
    if (!tenantId)
        return tenantId.error();
    if (tenantId->isEmpty())
        return Outcome::Skipped; // an invoice of a customer or subscription this service did not sell
    if (Result<void> done = m_invoices.upsert(invoice, tenantId.value(), m_now); !done)
        return done.error();
    if (invoice.value("status").toString() == u"paid") {
        if (Result<bool> paid = m_invoices.recordPayment(invoice, tenantId.value(), sourceId(), m_now); !paid)
            return paid.error();
    }
    return Outcome::Applied;
}

} // namespace billing
