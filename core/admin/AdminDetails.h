#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QSqlDatabase>

namespace billing {

// The detail reads of the admin API: one stored event with its payload, one
// tenant with its subscriptions, invoices and licences. NotFound (param "id")
// when absent.
namespace AdminDetails {
Result<QJsonObject> event(QSqlDatabase &db, const QString &eventId);
Result<bool> eventIsStored(QSqlDatabase &db, const QString &eventId);
Result<QJsonObject> tenant(QSqlDatabase &db, const QString &tenantId);
} // namespace AdminDetails

} // namespace billing
