#include "RecurringRevenue.h"

#include <QMap>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace billing::RecurringRevenue {

QList<PlanFigure> monthly(const QList<PriceGroup> &groups)
{
    QMap<std::pair<QString, QString>, PlanFigure> byPlan;
    for (const PriceGroup &group : groups) {
        const qint64 periodsAYear = group.interval == u"year"   ? 1
                                    : group.interval == u"week" ? 52
                                    : group.interval == u"day"  ? 365
                                                                : 12;
        const qint64 monthsInPeriods = 12 * std::max<qint64>(1, group.intervalCount);
        const qint64 billedAYear = group.billedPerPeriod * periodsAYear;
        PlanFigure &figure = byPlan[{group.plan, group.currency}];
        figure.plan = group.plan;
        figure.currency = group.currency;
        figure.subscriptions += group.subscriptions;
        figure.monthlyAmount += (2 * billedAYear + monthsInPeriods) / (2 * monthsInPeriods);
    }
    return byPlan.values();
}

} // namespace billing::RecurringRevenue
