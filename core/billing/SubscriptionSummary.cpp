#include "SubscriptionSummary.h"

#include "PlanCatalog.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

// The value of key in the first object that has it non-null.
QJsonValue firstPresent(const QString &key, std::initializer_list<QJsonObject> objects)
{
    for (const QJsonObject &object : objects) {
        const QJsonValue value = object.value(key);
        if (!value.isUndefined() && !value.isNull())
            return value;
    }
    return QJsonValue::Null;
}

QString idOf(const QJsonValue &value)
{
    // Expandable fields are an id, or the object when expanded.
    return value.isObject() ? value.toObject().value(u"id"_s).toString() : value.toString();
}

} // namespace

QJsonObject subscriptionSummary(const QJsonObject &subscription, const PlanCatalog &plans)
{
    const QJsonObject firstItem =
        subscription.value(u"items"_s).toObject().value(u"data"_s).toArray().first().toObject();
    const QJsonValue price = firstItem.value(u"price"_s);
    const QString priceId = idOf(price);
    const QString plan = plans.planForPrice(priceId);

    const QString customer = idOf(subscription.value(u"customer"_s));
    return QJsonObject{
        {u"id"_s, subscription.value(u"id"_s)},
        {u"status"_s, subscription.value(u"status"_s)},
        {u"customer"_s, customer.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(customer)},
        {u"price_id"_s, priceId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(priceId)},
        {u"plan"_s, plan.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(plan)},
        {u"current_period_start"_s, firstPresent(u"current_period_start"_s, {subscription, firstItem})},
        {u"current_period_end"_s, firstPresent(u"current_period_end"_s, {subscription, firstItem})},
        {u"cancel_at_period_end"_s, subscription.value(u"cancel_at_period_end"_s).toBool()},
        {u"cancel_at"_s, firstPresent(u"cancel_at"_s, {subscription})},
        {u"trial_end"_s, firstPresent(u"trial_end"_s, {subscription})},
        {u"canceled_at"_s, firstPresent(u"canceled_at"_s, {subscription})},
        {u"livemode"_s, subscription.value(u"livemode"_s).toBool()},
    };
}

} // namespace billing
