#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QSqlDatabase>

#include <optional>

namespace billing {

// The Overview's figures: active subscriptions and MRR by plan, trials ending
// soon, what is past due, refused deliveries, and payments per day. With a
// livemode, only that mode's subscriptions, invoices and payments count (an
// installation switched from test to live keys keeps its test rows for audit).
namespace DashboardSummary {
Result<QJsonObject> read(QSqlDatabase &db, qint64 now, std::optional<bool> livemode);
}

} // namespace billing
