#include "InvoiceApplier.h"

#include "SubscriptionApplier.h"
#include "TenantLookup.h"
#include "db/SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<ApplyOutcome> InvoiceApplier::apply(const JsonView &invoice, const ApplySource &source,
                                           Happened happened)
{
    const QString invoiceId = invoice.value("id").toString();
    if (invoiceId.isEmpty() || stripeId(invoice.value("customer")).isEmpty())
        return Error{ErrorCode::InvalidInput, u"the invoice has no id or customer"_s};
    if (!source.isEvent())
        happened = Happened::Nothing;
    const QString subscriptionId = InvoiceStore::subscriptionOf(invoice);
    Result<QString> tenantId =
        tenantForInvoice(invoice, subscriptionId, m_context.subscriptions, m_context.tenants);
    if (!tenantId)
        return tenantId.error();
    if (tenantId->isEmpty())
        return ApplyOutcome::Skipped; // another product's customer: not our payment, never ours to dun
    if (Result<void> done = m_context.invoices.upsert(invoice, tenantId.value(), m_context.now); !done)
        return done.error();

    const bool paid = happened == Happened::Paid || invoice.value("status").toString() == u"paid";
    if (paid) {
        if (Result<bool> recorded =
                m_context.invoices.recordPayment(invoice, tenantId.value(), source.id, m_context.now);
            !recorded) {
            return recorded.error();
        }
    }
    if (!subscriptionId.isEmpty()) {
        if (happened != Happened::Nothing) {
            const bool failed = happened == Happened::PaymentFailed;
            const QStringList from =
                failed ? QStringList{u"active"_s, u"trialing"_s} : QStringList{u"past_due"_s, u"unpaid"_s};
            Result<bool> moved =
                m_context.subscriptions.moveStatus(subscriptionId, from, failed ? u"past_due"_s : u"active"_s,
                                                   source.time, source.id, m_context.now);
            if (!moved)
                return moved.error();
        }
        SubscriptionApplier subscriptions(m_context);
        const qint64 paidUntil = paid ? InvoiceStore::servicePeriodEnd(invoice) : 0;
        if (Result<void> synced = subscriptions.refreshLicense(subscriptionId, paidUntil); !synced)
            return synced.error();
    }
    if (happened == Happened::PaymentFailed) {
        if (Result<void> queued = queueDunningNotice(invoice, tenantId.value(), subscriptionId); !queued)
            return queued.error();
    }
    return ApplyOutcome::Applied;
}

Result<void> InvoiceApplier::queueDunningNotice(const JsonView &invoice, const QString &tenantId,
                                                const QString &subscriptionId)
{
    const QString invoiceId = invoice.value("id").toString();
    // A failure delivered after the invoice was paid (a late or repeated
    // event) must not tell the customer their payment failed.
    Result<QString> stored = m_context.invoices.status(invoiceId);
    if (!stored)
        return stored.error();
    if (stored.value() == u"paid")
        return {};

    const QString customerId = stripeId(invoice.value("customer"));
    QString email = invoice.value("customer_email").toString();
    if (email.isEmpty()) {
        Result<QString> known = m_context.tenants.emailForCustomer(customerId);
        if (!known)
            return known.error();
        email = known.value();
    }
    const int attempt = invoice.value("attempt_count").toInt();
    NotificationOutbox::Notice notice;
    notice.kind = u"dunning.payment_failed"_s;
    // One notice per failed attempt: a redelivered event finds its notice queued.
    notice.dedupeKey = u"payment_failed:%1:%2"_s.arg(invoiceId).arg(attempt);
    notice.tenantId = tenantId;
    notice.customerId = customerId;
    notice.invoiceId = invoiceId;
    notice.email = email;
    notice.payload = {
        {u"tenant_id"_s, tenantId},
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
    Result<bool> queued = m_context.outbox.enqueue(notice, m_context.now);
    return queued ? Result<void>() : Result<void>(queued.error());
}

} // namespace billing
