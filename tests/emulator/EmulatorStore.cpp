#include "EmulatorStore.h"

#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace billing::emulator {

namespace {
constexpr qint64 kDay = 24 * 3600;
const QString kStateFormat = u"agencyos-billing-stripe-emulator-state"_s;
constexpr int kStateVersion = 1;
} // namespace

EmulatorStore::EmulatorStore()
{
    seedPrices();
}

qint64 EmulatorStore::periodLength(const QJsonObject &price)
{
    const QJsonObject recurring = price.value(u"recurring"_s).toObject();
    const QString interval = recurring.value(u"interval"_s).toString();
    const qint64 unit = interval == u"day"    ? kDay
                        : interval == u"week" ? 7 * kDay
                        : interval == u"year" ? 365 * kDay
                                              : 30 * kDay;
    return unit * std::max<qint64>(1, recurring.value(u"interval_count"_s).toInteger(1));
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

bool EmulatorStore::isVisible(const QString &kind, const QJsonObject &object) const
{
    return kind == u"price" || object.value(u"livemode"_s).toBool() == m_livemode;
}

QJsonObject EmulatorStore::object(const QString &kind, const QString &id) const
{
    const QJsonObject found = m_objects.value(kind).value(id);
    return isVisible(kind, found) ? found : QJsonObject();
}

bool EmulatorStore::contains(const QString &kind, const QString &id) const
{
    return !object(kind, id).isEmpty();
}

void EmulatorStore::put(const QString &kind, const QJsonObject &object)
{
    m_objects[kind].insert(object.value(u"id"_s).toString(), object);
    m_unsaved = true;
}

QList<QJsonObject> EmulatorStore::objects(const QString &kind) const
{
    // Ids carry the creation counter in base 36 after the last '_' (newId):
    // a total order even for objects created in the same second.
    auto sequence = [](const QJsonObject &object) {
        const QString id = object.value(u"id"_s).toString();
        return id.mid(id.lastIndexOf(u'_') + 1, 6).toLongLong(nullptr, 36);
    };
    QList<QJsonObject> all;
    for (const QJsonObject &object : m_objects.value(kind)) {
        if (isVisible(kind, object))
            all.append(object);
    }
    std::sort(all.begin(), all.end(),
              [&](const QJsonObject &a, const QJsonObject &b) { return sequence(a) > sequence(b); });
    return all;
}

void EmulatorStore::seedPrices()
{
    // The demo's three plans, and prices a real account also sells: billed
    // every 3 months, yearly, in another currency (sold by raw price id).
    const struct
    {
        const char16_t *id;
        const char16_t *nickname;
        qint64 amount;
        const char16_t *currency;
        const char16_t *interval;
        int intervalCount;
    } plans[] = {
        {u"price_demo_solo", u"Solo", 2900, u"eur", u"month", 1},
        {u"price_demo_team", u"Team", 9900, u"eur", u"month", 1},
        {u"price_demo_enterprise", u"Enterprise", 29900, u"eur", u"month", 1},
        {u"price_demo_quarterly", u"Quarterly", 30000, u"eur", u"month", 3},
        {u"price_demo_yearly", u"Yearly", 99000, u"eur", u"year", 1},
        {u"price_demo_usd_monthly", u"USD monthly", 4900, u"usd", u"month", 1},
    };
    for (const auto &plan : plans) {
        if (contains(u"price"_s, QString::fromUtf16(plan.id)))
            continue; // a restored account keeps its own copy
        put(u"price"_s,
            QJsonObject{
                {u"id"_s, QString::fromUtf16(plan.id)},
                {u"object"_s, u"price"_s},
                {u"active"_s, true},
                {u"billing_scheme"_s, u"per_unit"_s},
                {u"created"_s, now()},
                {u"currency"_s, QString::fromUtf16(plan.currency)},
                {u"livemode"_s, false},
                {u"lookup_key"_s, QJsonValue::Null},
                {u"metadata"_s, QJsonObject()},
                {u"nickname"_s, QString::fromUtf16(plan.nickname)},
                {u"product"_s, QString(u"prod_demo_"_s + QString::fromUtf16(plan.nickname).toLower())},
                {u"recurring"_s, QJsonObject{{u"interval"_s, QString::fromUtf16(plan.interval)},
                                             {u"interval_count"_s, plan.intervalCount},
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
        {u"livemode"_s, m_livemode},
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
    const qint64 periodEnd = trialEnd > 0 ? trialEnd : start + periodLength(object(u"price"_s, priceId));
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
        {u"currency"_s, object(u"price"_s, priceId).value(u"currency"_s)},
        {u"customer"_s, customer},
        {u"ended_at"_s, QJsonValue::Null},
        {u"items"_s, QJsonObject{{u"object"_s, u"list"_s},
                                 {u"data"_s, QJsonArray{item}},
                                 {u"has_more"_s, false},
                                 {u"url"_s, QString(u"/v1/subscription_items?subscription="_s + id)}}},
        {u"latest_invoice"_s, QJsonValue::Null},
        {u"livemode"_s, m_livemode},
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
        {u"currency"_s, subscription.value(u"currency"_s)},
        {u"customer"_s, subscription.value(u"customer"_s)},
        {u"hosted_invoice_url"_s, QString(u"https://invoice.stripe.com/i/acct_emulator/test_"_s + id)},
        {u"livemode"_s, m_livemode},
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

EmulatorStore::Started EmulatorStore::startSubscription(const QString &customer, const QString &price,
                                                        const QJsonObject &metadata, qint64 trialDays)
{
    Started started;
    started.subscription = createSubscription(customer, price, metadata, trialDays);
    started.invoice = createInvoice(started.subscription, true, u"subscription_create"_s);
    started.subscription.insert(u"latest_invoice"_s, started.invoice.value(u"id"_s));
    put(u"subscription"_s, started.subscription);
    return started;
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
        {u"livemode"_s, m_livemode},
        {u"pending_webhooks"_s, 1},
        {u"request"_s, QJsonObject{{u"id"_s, QJsonValue::Null}, {u"idempotency_key"_s, QJsonValue::Null}}},
        {u"type"_s, type},
    };
    m_events.append(event);
    m_unsaved = true;
    return event;
}

QList<QJsonObject> EmulatorStore::events() const
{
    QList<QJsonObject> newestFirst(m_events.crbegin(), m_events.crend());
    return newestFirst;
}

void EmulatorStore::markDelivered(const QString &eventId)
{
    // Newest first: the event just delivered is almost always near the end.
    for (auto it = m_events.rbegin(); it != m_events.rend(); ++it) {
        if (it->value(u"id"_s).toString() != eventId)
            continue;
        if (it->value(u"pending_webhooks"_s).toInteger() != 0) {
            it->insert(u"pending_webhooks"_s, 0);
            m_unsaved = true;
        }
        return;
    }
}

QList<QJsonObject> EmulatorStore::undeliveredEvents(qint64 since) const
{
    QList<QJsonObject> pending;
    for (const QJsonObject &event : m_events) {
        if (event.value(u"pending_webhooks"_s).toInteger() > 0 &&
            event.value(u"created"_s).toInteger() >= since)
            pending.append(event);
    }
    return pending;
}

QJsonObject EmulatorStore::toJson() const
{
    QJsonObject objects;
    for (auto kind = m_objects.cbegin(); kind != m_objects.cend(); ++kind) {
        QJsonArray ofKind;
        for (const QJsonObject &object : kind.value())
            ofKind.append(object);
        objects.insert(kind.key(), ofKind);
    }
    QJsonArray events;
    for (const QJsonObject &event : m_events)
        events.append(event);
    return {
        {u"format"_s, kStateFormat},
        {u"version"_s, kStateVersion},
        {u"counter"_s, QString::number(m_counter)}, // a string: a double would round past 2^53
        {u"clock_offset"_s, m_clockOffset},
        {u"objects"_s, objects},
        {u"events"_s, events},
    };
}

bool EmulatorStore::restore(const QJsonObject &state, QString *error)
{
    auto fail = [error](const QString &why) {
        *error = why;
        return false;
    };
    if (state.value(u"format"_s).toString() != kStateFormat)
        return fail(u"not an emulator state (format is not \"%1\")"_s.arg(kStateFormat));
    if (state.value(u"version"_s).toInt() != kStateVersion)
        return fail(u"state version %1 is not the supported %2"_s.arg(state.value(u"version"_s).toInt())
                        .arg(kStateVersion));
    bool counterOk = false;
    const quint64 counter = state.value(u"counter"_s).toString().toULongLong(&counterOk);
    if (!counterOk)
        return fail(u"\"counter\" is missing or not a number"_s);
    if (!state.value(u"clock_offset"_s).isDouble() || !state.value(u"objects"_s).isObject() ||
        !state.value(u"events"_s).isArray())
        return fail(u"\"clock_offset\", \"objects\" or \"events\" is missing"_s);

    auto hasId = [](const QJsonValue &value) {
        return value.isObject() && !value.toObject().value(u"id"_s).toString().isEmpty();
    };
    QHash<QString, QHash<QString, QJsonObject>> objects;
    const QJsonObject byKind = state.value(u"objects"_s).toObject();
    for (auto kind = byKind.constBegin(); kind != byKind.constEnd(); ++kind) {
        if (!kind.value().isArray())
            return fail(u"objects of kind \"%1\" are not a list"_s.arg(kind.key()));
        for (const QJsonValue &value : kind.value().toArray()) {
            if (!hasId(value))
                return fail(u"an object of kind \"%1\" has no id"_s.arg(kind.key()));
            objects[kind.key()].insert(value.toObject().value(u"id"_s).toString(), value.toObject());
        }
    }
    QList<QJsonObject> events;
    for (const QJsonValue &value : state.value(u"events"_s).toArray()) {
        if (!hasId(value))
            return fail(u"an event has no id"_s);
        events.append(value.toObject());
    }

    m_objects = std::move(objects);
    m_events = std::move(events);
    m_counter = counter;
    m_clockOffset = state.value(u"clock_offset"_s).toInteger();
    m_unsaved = false;
    seedPrices(); // prices this version seeds that the saved account predates
    return true;
}

} // namespace billing::emulator
