#include "InvoiceStore.h"

#include "SqlValues.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace billing {

QString InvoiceStore::subscriptionOf(const QJsonObject &invoice)
{
    const QString direct = stripeId(invoice.value(u"subscription"_s));
    if (!direct.isEmpty())
        return direct;
    return stripeId(invoice.value(u"parent"_s)
                        .toObject()
                        .value(u"subscription_details"_s)
                        .toObject()
                        .value(u"subscription"_s));
}

qint64 InvoiceStore::servicePeriodEnd(const QJsonObject &invoice)
{
    const QJsonObject line =
        invoice.value(u"lines"_s).toObject().value(u"data"_s).toArray().first().toObject();
    const QJsonValue lineEnd = line.value(u"period"_s).toObject().value(u"end"_s);
    return lineEnd.isDouble() ? lineEnd.toInteger() : invoice.value(u"period_end"_s).toInteger();
}

Result<void> InvoiceStore::upsert(const QJsonObject &invoice, const QString &tenantId, qint64 now)
{
    const QJsonObject transitions = invoice.value(u"status_transitions"_s).toObject();
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
        {invoice.value(u"id"_s).toString(),
         stripeId(invoice.value(u"customer"_s)),
         nullString(subscriptionOf(invoice)),
         nullString(tenantId),
         nullString(invoice.value(u"number"_s).toString()),
         nullString(invoice.value(u"status"_s).toString()),
         nullString(invoice.value(u"billing_reason"_s).toString()),
         invoice.value(u"currency"_s).toString(),
         invoice.value(u"amount_due"_s).toInteger(),
         invoice.value(u"amount_paid"_s).toInteger(),
         invoice.value(u"amount_remaining"_s).toInteger(),
         invoice.value(u"attempt_count"_s).toInt(),
         nullInteger(invoice.value(u"next_payment_attempt"_s)),
         nullString(invoice.value(u"hosted_invoice_url"_s).toString()),
         nullInteger(invoice.value(u"period_start"_s)),
         nullInteger(invoice.value(u"period_end"_s)),
         nullInteger(transitions.value(u"paid_at"_s)),
         invoice.value(u"livemode"_s).toBool(),
         invoice.value(u"created"_s).toInteger(),
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

Result<bool> InvoiceStore::recordPayment(const QJsonObject &invoice, const QString &tenantId,
                                         const QString &eventId, qint64 now)
{
    const QJsonValue paidAt = invoice.value(u"status_transitions"_s).toObject().value(u"paid_at"_s);
    Result<SqlRows> query =
        runQuery(m_db, u"cannot record the payment"_s,
                 u"INSERT INTO payments (stripe_invoice_id, stripe_customer_id, stripe_subscription_id, "
                 u"tenant_id, amount, "
                 "currency, paid_at, stripe_event_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (stripe_invoice_id) DO NOTHING"_s,
                 {invoice.value(u"id"_s).toString(), stripeId(invoice.value(u"customer"_s)),
                  nullString(subscriptionOf(invoice)), nullString(tenantId),
                  invoice.value(u"amount_paid"_s).toInteger(), invoice.value(u"currency"_s).toString(),
                  paidAt.isDouble() ? paidAt.toInteger() : now, eventId, now});
    if (!query)
        return query.error();
    return query->numRowsAffected() > 0;
}

} // namespace billing
