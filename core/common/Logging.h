#pragma once

#include <QLoggingCategory>

// One category per area, so operators can turn detail on where they need it
// (QT_LOGGING_RULES="billing.db.debug=true").
Q_DECLARE_LOGGING_CATEGORY(lcDatabase)
Q_DECLARE_LOGGING_CATEGORY(lcMigrations)
Q_DECLARE_LOGGING_CATEGORY(lcStripe)
Q_DECLARE_LOGGING_CATEGORY(lcAudit)
Q_DECLARE_LOGGING_CATEGORY(lcReconcile)

namespace billing {

// Keeps Qt's network internals from logging what carries secrets, whatever
// QT_LOGGING_RULES says: QtHttpServer's debug output prints every request's
// headers (Authorization: Bearer …), and QNetworkAccessManager's can print
// Stripe's. Call once, early in main.
void keepSecretsOutOfLogs();

} // namespace billing
