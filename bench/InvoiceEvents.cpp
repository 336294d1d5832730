#include "InvoiceEvents.h"

#include <QFile>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace bench {

InvoiceEvents::InvoiceEvents()
{
    QFile fixtures(QStringLiteral(BENCH_SOURCE_DIR "/tests/data/stripe-fixtures-2023-09.json"));
    if (!fixtures.open(QIODevice::ReadOnly))
        qFatal("cannot read the Stripe fixtures");
    m_invoiceTemplate = QJsonDocument::fromJson(fixtures.readAll()).object().value(u"invoice"_s).toObject();
}

QByteArray InvoiceEvents::payload(int serial, qint64 created) const
{
    QJsonObject invoice = m_invoiceTemplate;
    invoice.insert(u"id"_s, u"in_bench%1"_s.arg(serial, 8, 10, QChar(u'0')));
    invoice.insert(u"customer"_s, u"cus_bench%1"_s.arg(serial % 500));
    // A tenant's invoice, as the checkout's subscription_data[metadata] makes it:
    // another product's would be stored and ignored, a lighter path.
    invoice.insert(
        u"parent"_s,
        QJsonObject{{u"type"_s, u"subscription_details"_s},
                    {u"subscription_details"_s,
                     QJsonObject{{u"metadata"_s,
                                  QJsonObject{{u"tenant_id"_s, u"tenant_bench%1"_s.arg(serial % 500)}}}}}});
    invoice.insert(u"livemode"_s, false);
    const QJsonObject event{{u"id"_s, u"evt_bench%1"_s.arg(serial, 8, 10, QChar(u'0'))},
                            {u"object"_s, u"event"_s},
                            {u"api_version"_s, u"2025-03-31.basil"_s},
                            {u"created"_s, created},
                            {u"livemode"_s, false},
                            {u"pending_webhooks"_s, 1},
                            {u"type"_s, u"invoice.payment_succeeded"_s},
                            {u"data"_s, QJsonObject{{u"object"_s, invoice}}}};
    return QJsonDocument(event).toJson(QJsonDocument::Compact);
}

} // namespace bench
