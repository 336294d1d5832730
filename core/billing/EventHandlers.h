#pragma once

#include "PlanCatalog.h"
#include "StripeEvent.h"
#include "db/InvoiceStore.h"
#include "db/LicenseStore.h"
#include "db/NotificationOutbox.h"
#include "db/SubscriptionStore.h"
#include "db/TenantStore.h"

namespace billing {

// What each event type does to local state, inside the transaction that
// stores the event. Each returns whether it acted (false: not ours, ignored).
// None fails because related objects have not arrived yet: a missing
// subscription or customer is recorded as far as it is known and linked up
// when its own events come.
class EventHandlers final
{
public:
    EventHandlers(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans, qint64 graceSeconds,
                  qint64 now);

    Result<bool> handle(const StripeEvent &event, const JsonView &object);

    static bool isSupported(const QString &type);

private:
    Result<bool> checkoutCompleted(const StripeEvent &event, const JsonView &session);
    Result<bool> subscriptionChanged(const StripeEvent &event, const JsonView &subscription);
    Result<bool> invoicePaid(const StripeEvent &event, const JsonView &invoice);
    Result<bool> invoiceFailed(const StripeEvent &event, const JsonView &invoice);

    // Brings the subscription's licence in line with the stored subscription.
    Result<void> syncLicense(const QString &subscriptionId, qint64 atLeastUntil = 0);

    TenantStore m_tenants;
    SubscriptionStore m_subscriptions;
    InvoiceStore m_invoices;
    LicenseStore m_licenses;
    NotificationOutbox m_outbox;
    const PlanCatalog &m_plans;
    qint64 m_graceSeconds;
    qint64 m_now;
};

} // namespace billing
