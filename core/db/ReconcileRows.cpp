#include "ReconcileRows.h"

using namespace Qt::StringLiterals;

namespace billing {

namespace {

struct Shape
{
    QString table;
    QString key;
    QStringList columns;
};

Shape shapeOf(ReconcileRows::Kind kind)
{
    using Kind = ReconcileRows::Kind;
    switch (kind) {
    case Kind::Customer: return {u"customers"_s, u"stripe_customer_id"_s, {u"email"_s}};
    case Kind::Subscription:
        return {u"subscriptions"_s,
                u"stripe_subscription_id"_s,
                {u"status"_s, u"stripe_price_id"_s, u"plan"_s, u"quantity"_s, u"currency"_s, u"unit_amount"_s,
                 u"billing_interval"_s, u"billing_interval_count"_s, u"current_period_start"_s,
                 u"current_period_end"_s, u"cancel_at_period_end"_s, u"cancel_at"_s, u"canceled_at"_s,
                 u"ended_at"_s, u"trial_end"_s}};
    case Kind::License:
        return {u"licenses"_s, u"stripe_subscription_id"_s, {u"status"_s, u"valid_until"_s, u"plan"_s}};
    case Kind::Invoice:
        return {u"invoices"_s,
                u"stripe_invoice_id"_s,
                {u"status"_s, u"amount_due"_s, u"amount_paid"_s, u"amount_remaining"_s}};
    case Kind::Payment: return {u"payments"_s, u"stripe_invoice_id"_s, {u"amount"_s, u"currency"_s}};
    }
    Q_UNREACHABLE();
}

} // namespace

QString ReconcileRows::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Customer: return u"customer"_s;
    case Kind::Subscription: return u"subscription"_s;
    case Kind::License: return u"license"_s;
    case Kind::Invoice: return u"invoice"_s;
    case Kind::Payment: return u"payment"_s;
    }
    Q_UNREACHABLE();
}

QStringList ReconcileRows::timeValuedKinds()
{
    static const QStringList timeColumns = {
        u"current_period_start"_s, u"current_period_end"_s, u"cancel_at"_s,
        u"canceled_at"_s,          u"ended_at"_s,           u"trial_end"_s,
        u"valid_until"_s};
    QStringList kinds;
    for (Kind kind : {Kind::Customer, Kind::Subscription, Kind::License, Kind::Invoice, Kind::Payment}) {
        for (const QString &column : shapeOf(kind).columns) {
            if (timeColumns.contains(column))
                kinds << kindName(kind) + u'.' + column;
        }
    }
    return kinds;
}

Result<ReconcileRows::Row> ReconcileRows::read(Kind kind, const QString &stripeId)
{
    const Shape shape = shapeOf(kind);
    Result<SqlRows> rows = runQuery(m_db, u"cannot read the local %1"_s.arg(kindName(kind)),
                                    u"SELECT tenant_id, %1 FROM %2 WHERE %3 = ?"_s.arg(
                                        shape.columns.join(u", "_s), shape.table, shape.key),
                                    {stripeId});
    if (!rows)
        return rows.error();
    Row row;
    if (!rows->next())
        return row;
    row.exists = true;
    row.tenantId = rows->value(0).toString();
    for (qsizetype i = 0; i < shape.columns.size(); ++i)
        row.values.insert(shape.columns[i], rows->value(int(i) + 1));
    return row;
}

Result<QList<QPair<QString, QString>>> ReconcileRows::subscriptions(bool livemode, const QString &tenantId)
{
    Result<SqlRows> rows =
        runQuery(m_db, u"cannot list the local subscriptions"_s,
                 u"SELECT stripe_subscription_id, tenant_id FROM subscriptions"
                 " WHERE livemode = ? AND tenant_id IS NOT NULL AND (? = '' OR tenant_id = ?)"
                 " ORDER BY stripe_subscription_id"_s,
                 {livemode, tenantId, tenantId});
    if (!rows)
        return rows.error();
    QList<QPair<QString, QString>> found;
    while (rows->next())
        found.append({rows->value(0).toString(), rows->value(1).toString()});
    return found;
}

} // namespace billing
