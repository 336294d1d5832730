#include "EventHandlers.h"

#include "CheckoutApplier.h"
#include "CustomerApplier.h"
#include "InvoiceApplier.h"
#include "SubscriptionApplier.h"

using namespace Qt::StringLiterals;

namespace billing {

EventHandlers::EventHandlers(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans,
                             qint64 graceSeconds, qint64 now)
    : m_context(db, signer, plans, graceSeconds, now)
{}

bool EventHandlers::isSupported(const QString &type)
{
    static const QStringList types = {
        u"checkout.session.completed"_s,    u"customer.updated"_s,
        u"customer.subscription.created"_s, u"customer.subscription.updated"_s,
        u"customer.subscription.deleted"_s, u"invoice.payment_succeeded"_s,
        u"invoice.payment_failed"_s,        u"invoice.paid"_s,
    };
    return types.contains(type);
}

Result<bool> EventHandlers::handle(const StripeEvent &event, const JsonView &object)
{
    const ApplySource source = ApplySource::fromEvent(event);
    Result<ApplyOutcome> outcome = ApplyOutcome::Skipped;
    if (event.type == u"checkout.session.completed") {
        outcome = CheckoutApplier(m_context).apply(object, source);
    } else if (event.type.startsWith(u"customer.subscription.")) {
        outcome = SubscriptionApplier(m_context).apply(object, source);
    } else if (event.type == u"customer.updated") {
        // An e-mail changed in Stripe's Dashboard or the Customer Portal; a
        // new customer's comes with its checkout.
        outcome = CustomerApplier(m_context).apply(object, source);
    } else if (event.type == u"invoice.payment_succeeded" || event.type == u"invoice.paid") {
        // invoice.paid also comes for an invoice paid out of band (marked paid
        // in Stripe's Dashboard), where no invoice.payment_succeeded is sent.
        outcome = InvoiceApplier(m_context).apply(object, source, InvoiceApplier::Happened::Paid);
    } else if (event.type == u"invoice.payment_failed") {
        outcome = InvoiceApplier(m_context).apply(object, source, InvoiceApplier::Happened::PaymentFailed);
    }
    if (!outcome)
        return outcome.error();
    return outcome.value() != ApplyOutcome::Skipped;
}

} // namespace billing
