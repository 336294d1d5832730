#include "PlanCatalog.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace billing {

bool PlanCatalog::isPriceId(const QString &text)
{
    static const QRegularExpression pattern(u"^price_[0-9A-Za-z_]{1,250}$"_s);
    return pattern.match(text).hasMatch();
}

QString PlanCatalog::cataloguePlan(const QString &plan)
{
    return plan == u"solo" || plan == u"team" || plan == u"enterprise" ? plan : QString();
}

QString PlanCatalog::licensedPlan(const QString &plan)
{
    const QString known = cataloguePlan(plan);
    return known.isEmpty() ? u"custom"_s : known;
}

std::optional<PlanCatalog::Choice> PlanCatalog::resolve(const QString &planId) const
{
    if (planId == u"solo")
        return Choice{m_prices.solo, planId};
    if (planId == u"team")
        return Choice{m_prices.team, planId};
    if (planId == u"enterprise")
        return Choice{m_prices.enterprise, planId};
    if (isPriceId(planId)) {
        const QString plan = planForPrice(planId);
        return Choice{planId, plan.isEmpty() ? u"custom"_s : plan};
    }
    return std::nullopt;
}

QString PlanCatalog::planForPrice(const QString &priceId) const
{
    if (priceId.isEmpty())
        return {};
    if (priceId == m_prices.solo)
        return u"solo"_s;
    if (priceId == m_prices.team)
        return u"team"_s;
    if (priceId == m_prices.enterprise)
        return u"enterprise"_s;
    return {};
}

} // namespace billing
