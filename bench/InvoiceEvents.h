#pragma once

#include <QByteArray>
#include <QJsonObject>

namespace bench {

// Distinct invoice.payment_succeeded events as Stripe sends them: its sample
// invoice (~3 KB of JSON) under numbered event, invoice and customer ids.
class InvoiceEvents final
{
public:
    InvoiceEvents(); // reads the Stripe fixtures; fatal if they are missing
    // Event evt_bench<serial> for invoice in_bench<serial>, one of 500 customers.
    QByteArray payload(int serial, qint64 created) const;

private:
    QJsonObject m_invoiceTemplate;
};

} // namespace bench
