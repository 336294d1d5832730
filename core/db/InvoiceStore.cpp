#include "InvoiceStore.h"

#include "SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

QString InvoiceStore::subscriptionOf(const JsonView &invoice)
{
    const QString direct = stripeId(invoice.value("subscription"));
    if (!direct.isEmpty())
        return direct;
    return stripeId(invoice.value("parent").value("subscription_details").value("subscription"));
}

qint64 InvoiceStore::servicePeriodEnd(const JsonView &invoice)
{
    const JsonView line = invoice.value("lines").value("data").first();
    const JsonView lineEnd = line.value("period").value("end");
    return lineEnd.isNumber() ? lineEnd.toInteger() : invoice.value("period_end").toInteger();
}

Result<void> InvoiceStore::upsert(const JsonView &invoice, const QString &tenantId, qint64 now)
{
    const JsonView transitions = invoice.value("status_transitions");
    Result<SqlRows> query = runQuery(
        m_db, u"cannot store the invoice"_s,
        u"INSERT INTO invoices (stripe_invoice_id, stripe_customer_id, stripe_subscription_id, tenant_id, "
        "invoice_number, status, billing_reason, currency, amount_due, amount_paid, amount_remaining, "
        "attempt_count, "
        "next_payment_attempt, hosted_invoice_url, period_start, period_end, paid_at, livemode, "
        "stripe_created_at, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (stripe_invoice_id) DO UPDATE SET "
        "stripe_subscription_id = COALESCE(excluded.stripe_subscription_id, "
        "invoices.stripe_subscription_id), "
        "tenant_id = COALESCE(invoices.tenant_id, excluded.tenant_id), invoice_number = "
        "excluded.invoice_number, "
        // A paid invoice stays paid, whatever order its events come in.
        "status = CASE WHEN invoices.status = 'paid' THEN invoices.status ELSE excluded.status END, "
        "amount_paid = CASE WHEN invoices.status = 'paid' THEN invoices.amount_paid ELSE "
        "excluded.amount_paid END, "
        "amount_remaining = CASE WHEN invoices.status = 'paid' THEN invoices.amount_remaining "
        "ELSE excluded.amount_remaining END, "
        "attempt_count = CASE WHEN excluded.attempt_count > invoices.attempt_count THEN "
        "excluded.attempt_count "
        "ELSE invoices.attempt_count END, "
        "next_payment_attempt = excluded.next_payment_attempt, hosted_invoice_url = "
        "excluded.hosted_invoice_url, "
        "paid_at = COALESCE(invoices.paid_at, excluded.paid_at), updated_at = excluded.updated_at"_s,
        {invoice.value("id").toString(),
         stripeId(invoice.value("customer")),
         nullString(subscriptionOf(invoice)),
         nullString(tenantId),
         nullString(invoice.value("number").toString()),
         nullString(invoice.value("status").toString()),
         nullString(invoice.value("billing_reason").toString()),
         invoice.value("currency").toString(),
         invoice.value("amount_due").toInteger(),
         invoice.value("amount_paid").toInteger(),
         invoice.value("amount_remaining").toInteger(),
         invoice.value("attempt_count").toInt(),
         nullInteger(invoice.value("next_payment_attempt")),
         nullString(invoice.value("hosted_invoice_url").toString()),
         nullInteger(invoice.value("period_start")),
         nullInteger(invoice.value("period_end")),
         nullInteger(transitions.value("paid_at")),
         invoice.value("livemode").toBool(),
         invoice.value("created").toInteger(),
         now,
         now});
    return query ? Result<void>() : Result<void>(query.error());
}

Result<QString> InvoiceStore::status(const QString &invoiceId)
{
    Result<SqlRows> rows =
        runQuery(m_db, u"cannot read the invoice"_s,
                 u"SELECT status FROM invoices WHERE stripe_invoice_id = ?"_s, {invoiceId});
    if (!rows)
        return rows.error();
    return rows->next() ? rows->value(0).toString() : QString();
}

Result<bool> InvoiceStore::recordPayment(const JsonView &invoice, const QString &tenantId,
                                         const QString &eventId, qint64 now)
{
    const JsonView paidAt = invoice.value("status_transitions").value("paid_at");
    Result<SqlRows> query = runQuery(
        m_db, u"cannot record the payment"_s,
        u"INSERT INTO payments (stripe_invoice_id, stripe_customer_id, stripe_subscription_id, "
        u"tenant_id, amount, currency, paid_at, stripe_event_id, created_at, livemode) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stripe_invoice_id) DO NOTHING"_s,
        {invoice.value("id").toString(), stripeId(invoice.value("customer")),
         nullString(subscriptionOf(invoice)), nullString(tenantId), invoice.value("amount_paid").toInteger(),
         invoice.value("currency").toString(), paidAt.isNumber() ? paidAt.toInteger() : now, eventId, now,
         invoice.value("livemode").toBool()});
    if (!query)
        return query.error();
    return query->numRowsAffected() > 0;
}

} // namespace billing
