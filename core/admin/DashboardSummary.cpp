#include "DashboardSummary.h"

#include "billing/RecurringRevenue.h"
#include "db/Database.h"

#include <QDate>
#include <QDateTime>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace billing::DashboardSummary {

namespace {

constexpr qint64 kDay = 24 * 3600;

qint64 singleNumber(QSqlDatabase &db, const QString &sql, const QVariantList &values, Error *error)
{
    Result<SqlRows> rows = runQuery(db, u"cannot read the summary"_s, sql, values);
    if (!rows) {
        *error = rows.error();
        return 0;
    }
    return rows->next() ? rows->value(0).toLongLong() : 0;
}

} // namespace

Result<QJsonObject> read(QSqlDatabase &db, qint64 now, std::optional<bool> livemode)
{
    // Tenants' rows only (another product's, stored before 2026-12 when they
    // were not yet told apart, stay out), and " AND livemode = ?" with its
    // value unless both modes count.
    const QString inMode = u" AND tenant_id IS NOT NULL"_s + (livemode ? u" AND livemode = ?"_s : QString());
    auto withMode = [&livemode](QVariantList values) {
        if (livemode)
            values << *livemode;
        return values;
    };
    Error error{ErrorCode::Database, {}};
    QJsonObject summary;
    summary.insert(u"active_subscriptions"_s,
                   singleNumber(db,
                                u"SELECT COUNT(*) FROM subscriptions WHERE status IN ('active', 'trialing', "
                                "'past_due')"_s +
                                    inMode,
                                withMode({}), &error));
    summary.insert(u"trials_ending_soon"_s,
                   singleNumber(db,
                                u"SELECT COUNT(*) FROM subscriptions WHERE status = 'trialing' AND trial_end "
                                "BETWEEN ? AND ?"_s +
                                    inMode,
                                withMode({now, now + 7 * kDay}), &error));
    summary.insert(
        u"failed_deliveries_24h"_s,
        singleNumber(
            db, u"SELECT COALESCE(SUM(attempts), 0) FROM webhook_delivery_failures WHERE received_at >= ?"_s,
            {now - kDay}, &error));
    const qint64 pastDue = singleNumber(
        db, u"SELECT COUNT(*) FROM subscriptions WHERE status = 'past_due'"_s + inMode, withMode({}), &error);
    if (!error.message.isEmpty())
        return error;

    // MRR: the sums per plan, currency and interval here; the rule in RecurringRevenue.
    QJsonArray mrr;
    {
        Result<SqlRows> rows = runQuery(
            db, u"cannot read the MRR"_s,
            u"SELECT COALESCE(plan, 'custom'), COALESCE(currency, ''), COALESCE(billing_interval, 'month'), "
            "billing_interval_count, COUNT(*), SUM(unit_amount * quantity) FROM subscriptions "
            "WHERE status IN ('active', 'past_due') AND unit_amount IS NOT NULL"_s +
                inMode + u" GROUP BY 1, 2, 3, 4 ORDER BY 1, 2"_s,
            withMode({}));
        if (!rows)
            return rows.error();
        QList<RecurringRevenue::PriceGroup> groups;
        while (rows->next()) {
            groups.append({rows->value(0).toString(), rows->value(1).toString(), rows->value(2).toString(),
                           rows->value(3).toLongLong(), rows->value(4).toLongLong(),
                           rows->value(5).toLongLong()});
        }
        for (const RecurringRevenue::PlanFigure &figure : RecurringRevenue::monthly(groups)) {
            mrr.append(QJsonObject{{u"plan"_s, figure.plan},
                                   {u"currency"_s, figure.currency},
                                   {u"subscriptions"_s, figure.subscriptions},
                                   {u"amount"_s, figure.monthlyAmount}});
        }
    }
    summary.insert(u"mrr"_s, mrr);

    QJsonArray pastDueAmounts;
    {
        Result<SqlRows> rows =
            runQuery(db, u"cannot read the past-due amounts"_s,
                     u"SELECT currency, SUM(amount_remaining) FROM invoices WHERE status = 'open' AND "
                     "attempt_count > 0"_s +
                         inMode + u" GROUP BY currency ORDER BY currency"_s,
                     withMode({}));
        if (!rows)
            return rows.error();
        while (rows->next()) {
            pastDueAmounts.append(QJsonObject{{u"currency"_s, rows->value(0).toString()},
                                              {u"amount"_s, rows->value(1).toLongLong()}});
        }
    }
    summary.insert(u"past_due"_s, QJsonObject{{u"count"_s, pastDue}, {u"amounts"_s, pastDueAmounts}});

    // Days as whole multiples of 86,400 s: UTC days, the same on both dialects.
    QJsonArray payments;
    {
        Result<SqlRows> rows = runQuery(
            db, u"cannot read the payments"_s,
            u"SELECT paid_at / 86400, currency, SUM(amount), COUNT(*) FROM payments WHERE paid_at >= ? "
            "AND tenant_id IS NOT NULL"_s +
                // A payment recorded without its mode (by an instance older
                // than migration 024, on a shared database) takes its invoice's.
                (livemode ? u" AND (livemode = ? OR (livemode IS NULL AND EXISTS (SELECT 1 FROM invoices i "
                            "WHERE i.stripe_invoice_id = payments.stripe_invoice_id AND i.livemode = ?)))"_s
                          : QString()) +
                u" GROUP BY paid_at / 86400, currency ORDER BY 1, 2"_s,
            livemode ? QVariantList{(now / kDay - 29) * kDay, *livemode, *livemode}
                     : QVariantList{(now / kDay - 29) * kDay});
        if (!rows)
            return rows.error();
        while (rows->next()) {
            const QDate day =
                QDateTime::fromSecsSinceEpoch(rows->value(0).toLongLong() * kDay, Qt::UTC).date();
            payments.append(QJsonObject{{u"day"_s, day.toString(Qt::ISODate)},
                                        {u"currency"_s, rows->value(1).toString()},
                                        {u"amount"_s, rows->value(2).toLongLong()},
                                        {u"count"_s, rows->value(3).toLongLong()}});
        }
    }
    summary.insert(u"payments_by_day"_s, payments);
    return summary;
}

} // namespace billing::DashboardSummary
