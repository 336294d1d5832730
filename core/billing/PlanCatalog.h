#pragma once

#include "config/Settings.h"

#include <optional>

namespace billing {

// The plans the checkout endpoint sells: solo, team and enterprise, each backed
// by the Stripe Price configured for it; a raw price_… id is sold as is.
class PlanCatalog final
{
public:
    struct Choice
    {
        QString priceId;
        QString plan; // solo, team, enterprise, or "custom" for a raw Price id
    };

    explicit PlanCatalog(PlanPrices prices)
        : m_prices(std::move(prices))
    {}

    // "solo" | "team" | "enterprise" | "price_…"; nothing for anything else.
    std::optional<Choice> resolve(const QString &planId) const;
    // The plan a Price belongs to, or an empty string for a Price outside them.
    QString planForPrice(const QString &priceId) const;

    static bool isPriceId(const QString &text);
    // solo, team or enterprise as they are; anything else (a raw price's
    // "custom", nothing) is empty: a plan outside the catalogue, stored as NULL.
    static QString cataloguePlan(const QString &plan);
    // What a licence names: the catalogue plan, or "custom" outside it.
    static QString licensedPlan(const QString &plan);

private:
    PlanPrices m_prices;
};

} // namespace billing
