#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QSqlDatabase>

#include <optional>

namespace billing {

// The detail reads of the admin API: one stored event with its payload, one
// tenant with its subscriptions, invoices and licences. Nothing when absent.
namespace AdminDetails {
Result<std::optional<QJsonObject>> event(QSqlDatabase &db, const QString &eventId);
Result<bool> eventIsStored(QSqlDatabase &db, const QString &eventId);
Result<std::optional<QJsonObject>> tenant(QSqlDatabase &db, const QString &tenantId);
} // namespace AdminDetails

} // namespace billing
