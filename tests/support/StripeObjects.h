#pragma once

#include <QJsonObject>
#include <QString>

namespace billing::test {

// Stripe objects for tests, built on Stripe's published sample objects
// (tests/data/stripe-fixtures-2023-09.json) so that every field the product
// does not set itself has the real shape, then moved to the 2025-03-31.basil
// layout the service pins (periods on items, an invoice's subscription under
// parent.subscription_details).
QJsonObject stripeFixture(const QString &kind);

// An event envelope around `object`, as Stripe delivers it.
QByteArray stripeEvent(const QString &id, const QString &type, qint64 created, const QJsonObject &object,
                       bool livemode = false, const QString &apiVersion = QStringLiteral("2025-03-31.basil"));

// A recurring Price: `amount` minor units of `currency` every `count` `interval`s.
QJsonObject stripePrice(const QString &id, qint64 amount, const QString &currency = QStringLiteral("eur"),
                        const QString &interval = QStringLiteral("month"), int count = 1);

// Who bought what: the ids one sale ties together, and the checkout's metadata.
struct StripeSale
{
    QString tenantId = QStringLiteral("tenant_1");
    QString customerId = QStringLiteral("cus_1");
    QString subscriptionId = QStringLiteral("sub_1");
    QString plan = QStringLiteral("team"); // the checkout's metadata[plan]; empty: none
    QJsonObject price = stripePrice(QStringLiteral("price_team"), 9900);
    bool livemode = false;
    // Strangers (another product on the same Stripe account) carry no tenant metadata.
    bool withTenantMetadata = true;

    QJsonObject metadata() const;
};

QJsonObject stripeSubscription(const StripeSale &sale, const QString &status, qint64 periodEnd,
                               bool periodOnItem = true);
QJsonObject stripeCheckoutSession(const StripeSale &sale);
QJsonObject stripeInvoice(const StripeSale &sale, const QString &id, const QString &status, int attempt,
                          qint64 periodEnd);

} // namespace billing::test
