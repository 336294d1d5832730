#include "EmulatorStore.h"

#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace billing::emulator {

namespace {
constexpr qint64 kMonth = 30 * 24 * 3600;
}

EmulatorStore::EmulatorStore()
{
    seedPrices();
}

QString EmulatorStore::newId(const QString &prefix)
{
    // Stripe ids: a prefix and 24 alphanumerics, unique within the account.
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString id = prefix + u'_' + QString::number(++m_counter, 36).rightJustified(6, u'0');
    while (id.size() < prefix.size() + 1 + 24)
        id += QChar::fromLatin1(alphabet[QRandomGenerator::global()->bounded(62)]);
    return id;
}

qint64 EmulatorStore::now() const
{
    return QDateTime::currentSecsSinceEpoch() + m_clockOffset;
}

QJsonObject EmulatorStore::object(const QString &kind, const QString &id) const
{
    return m_objects.value(kind).value(id);
}

bool EmulatorStore::contains(const QString &kind, const QString &id) const
{
    return m_objects.value(kind).contains(id);
}

void EmulatorStore::put(const QString &kind, const QJsonObject &object)
{
    m_objects[kind].insert(object.value(u"id"_s).toString(), object);
}

QList<QJsonObject> EmulatorStore::objects(const QString &kind) const
{
    // Ids carry the creation counter in base 36 after the last '_' (newId):
    // a total order even for objects created in the same second.
    auto sequence = [](const QJsonObject &object) {
        const QString id = object.value(u"id"_s).toString();
        return id.mid(id.lastIndexOf(u'_') + 1, 6).toLongLong(nullptr, 36);
    };
    QList<QJsonObject> all = m_objects.value(kind).values();
    std::sort(all.begin(), all.end(),
              [&](const QJsonObject &a, const QJsonObject &b) { return sequence(a) > sequence(b); });
    return all;
}

void EmulatorStore::seedPrices()
{
    const struct
    {
        const char16_t *id;
        const char16_t *nickname;
        qint64 amount;
    } plans[] = {
        {u"price_demo_solo", u"Solo", 2900},
        {u"price_demo_team", u"Team", 9900},
        {u"price_demo_enterprise", u"Enterprise", 29900},
    };
    for (const auto &plan : plans) {
        put(u"price"_s,
            QJsonObject{
                {u"id"_s, QString::fromUtf16(plan.id)},
                {u"object"_s, u"price"_s},
                {u"active"_s, true},
                {u"billing_scheme"_s, u"per_unit"_s},
                {u"created"_s, now()},
                {u"currency"_s, u"eur"_s},
                {u"livemode"_s, false},
                {u"lookup_key"_s, QJsonValue::Null},
                {u"metadata"_s, QJsonObject()},
                {u"nickname"_s, QString::fromUtf16(plan.nickname)},
                {u"product"_s, QString(u"prod_demo_"_s + QString::fromUtf16(plan.nickname).toLower())},
                {u"recurring"_s, QJsonObject{{u"interval"_s, u"month"_s},
                                             {u"interval_count"_s, 1},
                                             {u"usage_type"_s, u"licensed"_s}}},
                {u"tax_behavior"_s, u"unspecified"_s},
                {u"type"_s, u"recurring"_s},
                {u"unit_amount"_s, plan.amount},
                {u"unit_amount_decimal"_s, QString::number(plan.amount)},
            });
    }
}

QJsonObject EmulatorStore::createCustomer(const QString &email, const QJsonObject &metadata)
{
    const QJsonObject customer{
        {u"id"_s, newId(u"cus"_s)},
        {u"object"_s, u"customer"_s},
        {u"created"_s, now()},
        {u"email"_s, email.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(email)},
        {u"livemode"_s, false},
        {u"metadata"_s, metadata},
        {u"name"_s, QJsonValue::Null},
        {u"delinquent"_s, false},
        {u"balance"_s, 0},
        {u"currency"_s, u"eur"_s},
    };
    put(u"customer"_s, customer);
    return customer;
}

QJsonObject EmulatorStore::createSubscription(const QString &customer, const QString &priceId,
                                              const QJsonObject &metadata, qint64 trialDays)
{
    const qint64 start = now();
    const qint64 trialEnd = trialDays > 0 ? start + trialDays * 24 * 3600 : 0;
    const qint64 periodEnd = trialEnd > 0 ? trialEnd : start + kMonth;
    const QString id = newId(u"sub"_s);
    // From API version 2025-03 the billing period lives on the items.
    const QJsonObject item{
        {u"id"_s, newId(u"si"_s)},
        {u"object"_s, u"subscription_item"_s},
        {u"created"_s, start},
        {u"current_period_start"_s, start},
        {u"current_period_end"_s, periodEnd},
        {u"metadata"_s, QJsonObject()},
        {u"price"_s, object(u"price"_s, priceId)},
        {u"quantity"_s, 1},
        {u"subscription"_s, id},
    };
    const QJsonObject subscription{
        {u"id"_s, id},
        {u"object"_s, u"subscription"_s},
        {u"billing_cycle_anchor"_s, periodEnd},
        {u"cancel_at"_s, QJsonValue::Null},
        {u"cancel_at_period_end"_s, false},
        {u"canceled_at"_s, QJsonValue::Null},
        {u"collection_method"_s, u"charge_automatically"_s},
        {u"created"_s, start},
        {u"currency"_s, u"eur"_s},
        {u"customer"_s, customer},
        {u"ended_at"_s, QJsonValue::Null},
        {u"items"_s, QJsonObject{{u"object"_s, u"list"_s},
                                 {u"data"_s, QJsonArray{item}},
                                 {u"has_more"_s, false},
                                 {u"url"_s, QString(u"/v1/subscription_items?subscription="_s + id)}}},
        {u"latest_invoice"_s, QJsonValue::Null},
        {u"livemode"_s, false},
        {u"metadata"_s, metadata},
        {u"start_date"_s, start},
        {u"status"_s, trialDays > 0 ? u"trialing"_s : u"active"_s},
        {u"trial_end"_s, trialEnd > 0 ? QJsonValue(trialEnd) : QJsonValue(QJsonValue::Null)},
        {u"trial_start"_s, trialEnd > 0 ? QJsonValue(start) : QJsonValue(QJsonValue::Null)},
    };
    put(u"subscription"_s, subscription);
    return subscription;
}

QJsonObject EmulatorStore::createInvoice(const QJsonObject &subscription, bool paid,
                                         const QString &billingReason)
{
    const QJsonObject item =
        subscription.value(u"items"_s).toObject().value(u"data"_s).toArray().first().toObject();
    const bool trial = subscription.value(u"status"_s).toString() == u"trialing";
    const qint64 amount = trial ? 0 : item.value(u"price"_s).toObject().value(u"unit_amount"_s).toInteger();
    const qint64 created = now();
    const QString id = newId(u"in"_s);
    const QJsonObject invoice{
        {u"id"_s, id},
        {u"object"_s, u"invoice"_s},
        {u"amount_due"_s, amount},
        {u"amount_paid"_s, paid ? amount : 0},
        {u"amount_remaining"_s, paid ? 0 : amount},
        {u"attempt_count"_s, 1},
        {u"attempted"_s, true},
        {u"billing_reason"_s, billingReason},
        {u"collection_method"_s, u"charge_automatically"_s},
        {u"created"_s, created},
        {u"currency"_s, u"eur"_s},
        {u"customer"_s, subscription.value(u"customer"_s)},
        {u"hosted_invoice_url"_s, QString(u"https://invoice.stripe.com/i/acct_emulator/test_"_s + id)},
        {u"livemode"_s, false},
        {u"next_payment_attempt"_s,
         paid ? QJsonValue(QJsonValue::Null) : QJsonValue(created + 3 * 24 * 3600)},
        {u"number"_s, u"EMU-%1"_s.arg(qulonglong(m_counter), 6, 10, QChar(u'0'))},
        {u"paid"_s, paid},
        {u"parent"_s, QJsonObject{{u"type"_s, u"subscription_details"_s},
                                  {u"subscription_details"_s,
                                   QJsonObject{{u"subscription"_s, subscription.value(u"id"_s)},
                                               {u"metadata"_s, subscription.value(u"metadata"_s)}}}}},
        {u"period_start"_s, item.value(u"current_period_start"_s)},
        {u"period_end"_s, item.value(u"current_period_end"_s)},
        {u"status"_s, paid ? u"paid"_s : u"open"_s},
        {u"status_transitions"_s,
         QJsonObject{{u"paid_at"_s, paid ? QJsonValue(created) : QJsonValue(QJsonValue::Null)}}},
    };
    put(u"invoice"_s, invoice);
    return invoice;
}

QJsonObject EmulatorStore::recordEvent(const QString &type, const QJsonObject &object,
                                       const QJsonObject &previous)
{
    QJsonObject data{{u"object"_s, object}};
    if (!previous.isEmpty())
        data.insert(u"previous_attributes"_s, previous);
    const QJsonObject event{
        {u"id"_s, newId(u"evt"_s)},
        {u"object"_s, u"event"_s},
        {u"api_version"_s, apiVersion},
        {u"created"_s, now()},
        {u"data"_s, data},
        {u"livemode"_s, false},
        {u"pending_webhooks"_s, 1},
        {u"request"_s, QJsonObject{{u"id"_s, QJsonValue::Null}, {u"idempotency_key"_s, QJsonValue::Null}}},
        {u"type"_s, type},
    };
    m_events.append(event);
    return event;
}

QList<QJsonObject> EmulatorStore::events() const
{
    QList<QJsonObject> newestFirst(m_events.crbegin(), m_events.crend());
    return newestFirst;
}

} // namespace billing::emulator
