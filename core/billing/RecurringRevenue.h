#pragma once

#include <QList>
#include <QString>

namespace billing {

// MRR: what active and past-due subscriptions bill per month, in integer minor
// units, one figure per plan and currency (a price outside the catalogue
// counts as "custom"; currencies are never added together).
namespace RecurringRevenue {

// Subscriptions of one plan and currency billed on one interval: the unit
// amounts × quantities summed.
struct PriceGroup
{
    QString plan;
    QString currency;
    QString interval; // day, week, month or year
    qint64 intervalCount = 1;
    qint64 subscriptions = 0;
    qint64 billedPerPeriod = 0;
};

struct PlanFigure
{
    QString plan;
    QString currency;
    qint64 subscriptions = 0;
    qint64 monthlyAmount = 0;
};

// Each group is converted once: total × periods a year (day 365, week 52,
// month 12, year 1) / (12 × interval count), rounded half up, so rounding
// does not add up per subscription. Sorted by plan, then currency.
QList<PlanFigure> monthly(const QList<PriceGroup> &groups);

} // namespace RecurringRevenue

} // namespace billing
