#include "SubscriptionStore.h"

#include "SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

int SubscriptionStore::statusRank(const QString &status)
{
    static const QStringList order = {u"incomplete"_s, u"trialing"_s, u"active"_s,   u"paused"_s,
                                      u"past_due"_s,   u"unpaid"_s,   u"canceled"_s, u"incomplete_expired"_s};
    return int(order.indexOf(status));
}

bool SubscriptionStore::isTerminal(const QString &status)
{
    return status == u"canceled" || status == u"incomplete_expired";
}

Result<bool> SubscriptionStore::applySnapshot(const JsonView &subscription, const QString &tenantId,
                                              const QString &plan, qint64 eventCreated,
                                              const QString &eventId, qint64 now)
{
    const JsonView item = subscription.value("items").value("data").first();
    const JsonView price = item.value("price");
    // The period is on the subscription before API version 2025-03, on its items after.
    auto period = [&](std::string_view key) {
        const JsonView top = subscription.value(key);
        return nullInteger(top.isNumber() ? top : item.value(key));
    };
    const QString status = subscription.value("status").toString();

    Result<SqlRows> query = runQuery(
        m_db, u"cannot store the subscription"_s,
        u"INSERT INTO subscriptions (stripe_subscription_id, tenant_id, stripe_customer_id, stripe_price_id, "
        u"plan, "
        "status, currency, unit_amount, billing_interval, billing_interval_count, quantity, "
        "current_period_start, current_period_end, "
        "cancel_at_period_end, cancel_at, canceled_at, ended_at, trial_start, trial_end, livemode, "
        "state_event_id, "
        "state_event_created, state_rank, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (stripe_subscription_id) DO UPDATE SET "
        "tenant_id = COALESCE(subscriptions.tenant_id, excluded.tenant_id), "
        "stripe_customer_id = excluded.stripe_customer_id, stripe_price_id = excluded.stripe_price_id, "
        "plan = COALESCE(excluded.plan, subscriptions.plan), status = excluded.status, "
        "currency = excluded.currency, unit_amount = excluded.unit_amount, "
        "billing_interval = excluded.billing_interval, "
        "billing_interval_count = excluded.billing_interval_count, quantity = excluded.quantity, "
        "current_period_start = excluded.current_period_start, "
        "current_period_end = excluded.current_period_end, cancel_at_period_end = "
        "excluded.cancel_at_period_end, "
        "cancel_at = excluded.cancel_at, canceled_at = excluded.canceled_at, ended_at = excluded.ended_at, "
        "trial_start = excluded.trial_start, trial_end = excluded.trial_end, "
        "state_event_id = excluded.state_event_id, state_event_created = excluded.state_event_created, "
        "state_rank = excluded.state_rank, updated_at = excluded.updated_at "
        "WHERE subscriptions.status NOT IN ('canceled', 'incomplete_expired') AND ("
        " excluded.status IN ('canceled', 'incomplete_expired')"
        " OR excluded.state_event_created > COALESCE(subscriptions.state_event_created, -1)"
        " OR (excluded.state_event_created = subscriptions.state_event_created"
        "     AND (excluded.state_rank > subscriptions.state_rank"
        "          OR (excluded.state_rank = subscriptions.state_rank"
        "              AND COALESCE(excluded.current_period_end, 0) >= COALESCE(subscriptions.current_period_end, 0)))))"_s,
        {subscription.value("id").toString(),
         nullString(tenantId),
         stripeId(subscription.value("customer")),
         nullString(price.value("id").toString()),
         nullString(plan),
         status,
         nullString(subscription.value("currency").toString()),
         nullInteger(price.value("unit_amount")),
         nullString(price.value("recurring").value("interval").toString()),
         std::max<qint64>(1, price.value("recurring").value("interval_count").toInteger(1)),
         std::max<qint64>(0, item.value("quantity").toInteger(1)),
         period("current_period_start"),
         period("current_period_end"),
         subscription.value("cancel_at_period_end").toBool(),
         nullInteger(subscription.value("cancel_at")),
         nullInteger(subscription.value("canceled_at")),
         nullInteger(subscription.value("ended_at")),
         nullInteger(subscription.value("trial_start")),
         nullInteger(subscription.value("trial_end")),
         subscription.value("livemode").toBool(),
         eventId,
         eventCreated,
         statusRank(status),
         now,
         now});
    if (!query)
        return query.error();
    if (query->numRowsAffected() > 0)
        return true;
    // Older than the stored state, yet a later period: a renewal's event that
    // came after an invoice's (whose payment moved only the status, at its
    // newer time). Periods only move forward, so the later one is kept.
    const QVariant periodEnd = period("current_period_end");
    if (periodEnd.isNull())
        return false;
    Result<SqlRows> forward = runQuery(
        m_db, u"cannot update the subscription's period"_s,
        u"UPDATE subscriptions SET current_period_start = ?, current_period_end = ?, updated_at = ? "
        "WHERE stripe_subscription_id = ? AND COALESCE(current_period_end, 0) < ?"_s,
        {period("current_period_start"), periodEnd, now, subscription.value("id").toString(), periodEnd});
    if (!forward)
        return forward.error();
    return forward->numRowsAffected() > 0;
}

Result<void> SubscriptionStore::ensurePlaceholder(const QString &subscriptionId, const QString &customerId,
                                                  const QString &tenantId, const QString &plan, bool livemode,
                                                  qint64 now)
{
    Result<SqlRows> query =
        runQuery(m_db, u"cannot record the subscription"_s,
                 u"INSERT INTO subscriptions (stripe_subscription_id, tenant_id, stripe_customer_id, plan, "
                 u"status, livemode, "
                 "state_rank, created_at, updated_at) VALUES (?, ?, ?, ?, 'incomplete', ?, -1, ?, ?) "
                 "ON CONFLICT (stripe_subscription_id) DO UPDATE SET "
                 "tenant_id = COALESCE(subscriptions.tenant_id, excluded.tenant_id), "
                 "plan = COALESCE(subscriptions.plan, excluded.plan)"_s,
                 {subscriptionId, nullString(tenantId), customerId, nullString(plan), livemode, now, now});
    return query ? Result<void>() : Result<void>(query.error());
}

Result<bool> SubscriptionStore::moveStatus(const QString &subscriptionId, const QStringList &from,
                                           const QString &to, qint64 eventCreated, const QString &eventId,
                                           qint64 now)
{
    QStringList placeholders;
    QVariantList values{to, statusRank(to), eventCreated, eventId, now, subscriptionId};
    for (const QString &status : from) {
        placeholders << u"?"_s;
        values << status;
    }
    values << eventCreated;
    Result<SqlRows> query = runQuery(
        m_db, u"cannot update the subscription's status"_s,
        u"UPDATE subscriptions SET status = ?, state_rank = ?, state_event_created = ?, state_event_id = ?, "
        "updated_at = ? WHERE stripe_subscription_id = ? AND status IN (%1) "
        "AND COALESCE(state_event_created, -1) <= ?"_s.arg(placeholders.join(u", ")),
        values);
    if (!query)
        return query.error();
    return query->numRowsAffected() > 0;
}

Result<SubscriptionStore::State> SubscriptionStore::find(const QString &subscriptionId, bool forUpdate)
{
    const bool lock = forUpdate && m_db.driverName() == u"QPSQL";
    Result<SqlRows> query =
        runQuery(m_db, u"cannot read the subscription"_s,
                 u"SELECT tenant_id, stripe_customer_id, status, plan, current_period_end FROM subscriptions "
                 "WHERE stripe_subscription_id = ?"_s +
                     (lock ? u" FOR UPDATE"_s : QString()),
                 {subscriptionId});
    if (!query)
        return query.error();
    State state;
    if (query->next()) {
        state.known = true;
        state.tenantId = query->value(0).toString();
        state.customerId = query->value(1).toString();
        state.status = query->value(2).toString();
        state.plan = query->value(3).toString();
        state.currentPeriodEnd = query->value(4).toLongLong();
    }
    return state;
}

} // namespace billing
