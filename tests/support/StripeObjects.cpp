#include "StripeObjects.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace billing::test {

QJsonObject stripeFixture(const QString &kind)
{
    static const QJsonObject all = [] {
        QFile file(QStringLiteral(BILLING_SOURCE_DIR "/tests/data/stripe-fixtures-2023-09.json"));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("fixtures missing");
        return QJsonDocument::fromJson(file.readAll()).object();
    }();
    return all.value(kind).toObject();
}

QByteArray stripeEvent(const QString &id, const QString &type, qint64 created, const QJsonObject &object,
                       bool livemode, const QString &apiVersion)
{
    QJsonObject envelope = stripeFixture(u"event"_s);
    envelope.insert(u"id"_s, id);
    envelope.insert(u"type"_s, type);
    envelope.insert(u"created"_s, created);
    envelope.insert(u"livemode"_s, livemode);
    envelope.insert(u"api_version"_s, apiVersion);
    envelope.insert(u"data"_s, QJsonObject{{u"object"_s, object}});
    return QJsonDocument(envelope).toJson(QJsonDocument::Indented);
}

QJsonObject stripePrice(const QString &id, qint64 amount, const QString &currency, const QString &interval,
                        int count)
{
    QJsonObject price = stripeFixture(u"price"_s);
    price.insert(u"id"_s, id);
    price.insert(u"unit_amount"_s, amount);
    price.insert(u"unit_amount_decimal"_s, QString::number(amount));
    price.insert(u"currency"_s, currency);
    QJsonObject recurring = price.value(u"recurring"_s).toObject();
    recurring.insert(u"interval"_s, interval);
    recurring.insert(u"interval_count"_s, count);
    price.insert(u"recurring"_s, recurring);
    return price;
}

QJsonObject StripeSale::metadata() const
{
    QJsonObject values;
    if (withTenantMetadata)
        values.insert(u"tenant_id"_s, tenantId);
    if (!plan.isEmpty())
        values.insert(u"plan"_s, plan);
    return values;
}

QJsonObject stripeSubscription(const StripeSale &sale, const QString &status, qint64 periodEnd,
                               bool periodOnItem)
{
    QJsonObject subscription = stripeFixture(u"subscription"_s);
    subscription.insert(u"id"_s, sale.subscriptionId);
    subscription.insert(u"customer"_s, sale.customerId);
    subscription.insert(u"status"_s, status);
    subscription.insert(u"livemode"_s, sale.livemode);
    subscription.insert(u"currency"_s, sale.price.value(u"currency"_s));
    subscription.insert(u"metadata"_s, sale.metadata());
    QJsonObject item = stripeFixture(u"subscription_item"_s);
    item.insert(u"price"_s, sale.price);
    item.insert(u"subscription"_s, sale.subscriptionId);
    if (periodOnItem) {
        subscription.remove(u"current_period_end"_s);
        subscription.remove(u"current_period_start"_s);
        item.insert(u"current_period_start"_s, periodEnd - 2592000);
        item.insert(u"current_period_end"_s, periodEnd);
    } else {
        subscription.insert(u"current_period_end"_s, periodEnd);
    }
    subscription.insert(u"items"_s, QJsonObject{{u"object"_s, u"list"_s}, {u"data"_s, QJsonArray{item}}});
    return subscription;
}

QJsonObject stripeCheckoutSession(const StripeSale &sale)
{
    QJsonObject session = stripeFixture(u"checkout.session"_s);
    session.insert(u"id"_s, QString(u"cs_test_"_s + sale.subscriptionId));
    session.insert(u"mode"_s, u"subscription"_s);
    session.insert(u"client_reference_id"_s, sale.tenantId);
    session.insert(u"customer"_s, sale.customerId);
    session.insert(u"subscription"_s, sale.subscriptionId);
    session.insert(u"customer_details"_s, QJsonObject{{u"email"_s, u"owner@tenant.test"_s}});
    session.insert(u"metadata"_s, sale.metadata());
    session.insert(u"livemode"_s, sale.livemode);
    return session;
}

QJsonObject stripeInvoice(const StripeSale &sale, const QString &id, const QString &status, int attempt,
                          qint64 periodEnd)
{
    const qint64 amount = sale.price.value(u"unit_amount"_s).toInteger();
    QJsonObject invoice = stripeFixture(u"invoice"_s);
    invoice.insert(u"id"_s, id);
    invoice.insert(u"customer"_s, sale.customerId);
    invoice.remove(u"subscription"_s);
    invoice.insert(u"parent"_s, QJsonObject{{u"type"_s, u"subscription_details"_s},
                                            {u"subscription_details"_s,
                                             QJsonObject{{u"subscription"_s, sale.subscriptionId},
                                                         {u"metadata"_s, sale.metadata()}}}});
    invoice.insert(u"status"_s, status);
    invoice.insert(u"amount_due"_s, amount);
    invoice.insert(u"amount_paid"_s, status == u"paid" ? amount : 0);
    invoice.insert(u"amount_remaining"_s, status == u"paid" ? 0 : amount);
    invoice.insert(u"currency"_s, sale.price.value(u"currency"_s));
    invoice.insert(u"attempt_count"_s, attempt);
    invoice.insert(u"period_end"_s, periodEnd);
    invoice.insert(u"customer_email"_s, u"billing@tenant.test"_s);
    invoice.insert(u"hosted_invoice_url"_s, u"https://invoice.stripe.com/i/x"_s);
    invoice.insert(u"livemode"_s, sale.livemode);
    invoice.insert(u"lines"_s, QJsonObject{{u"data"_s, QJsonArray{}}});
    return invoice;
}

} // namespace billing::test
