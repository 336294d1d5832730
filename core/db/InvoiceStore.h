#pragma once

#include "Database.h"
#include "common/JsonView.h"

namespace billing {

// invoices (the seed's local cache) and payments (one per paid invoice).
class InvoiceStore final
{
public:
    explicit InvoiceStore(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    // The invoice's subscription: invoice.subscription before API version
    // 2025-03, invoice.parent.subscription_details.subscription after.
    static QString subscriptionOf(const JsonView &invoice);
    // The end of the period the invoice pays for (its first line's period, else period_end).
    static qint64 servicePeriodEnd(const JsonView &invoice);

    Result<void> upsert(const JsonView &invoice, const QString &tenantId, qint64 now);
    Result<QString> status(const QString &invoiceId);
    // Returns whether the payment is new (a redelivered event records nothing).
    Result<bool> recordPayment(const JsonView &invoice, const QString &tenantId, const QString &eventId,
                               qint64 now);

private:
    QSqlDatabase m_db;
};

} // namespace billing
