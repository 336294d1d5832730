#pragma once

#include <QJsonObject>

namespace billing {

class PlanCatalog;

// The essentials of a Stripe subscription object that the subscription
// endpoints answer with. Reads the current period from the subscription or,
// from API version 2025-03 on, from its first item.
QJsonObject subscriptionSummary(const QJsonObject &subscription, const PlanCatalog &plans);

} // namespace billing
