#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QSqlDatabase>

namespace billing::server {

// The Overview's figures: active subscriptions and MRR by plan, trials ending
// soon, what is past due, refused deliveries, and payments per day.
namespace DashboardSummary {
Result<QJsonObject> read(QSqlDatabase &db, qint64 now);
}

} // namespace billing::server
