#include "Logging.h"

Q_LOGGING_CATEGORY(lcDatabase, "billing.db", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMigrations, "billing.migrations", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStripe, "billing.stripe", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAudit, "billing.audit", QtInfoMsg)
Q_LOGGING_CATEGORY(lcReconcile, "billing.reconcile", QtInfoMsg)

namespace billing {

namespace {

QLoggingCategory::CategoryFilter previousFilter = nullptr;

void secretSafeFilter(QLoggingCategory *category)
{
    if (previousFilter)
        previousFilter(category);
    const QByteArrayView name(category->categoryName());
    // The categories whose messages can hold request headers or bodies.
    if (name.startsWith("qt.httpserver") || name.startsWith("qt.network.http") ||
        name.startsWith("qt.network.access")) {
        category->setEnabled(QtDebugMsg, false);
        category->setEnabled(QtInfoMsg, false);
    }
}

} // namespace

void keepSecretsOutOfLogs()
{
    previousFilter = QLoggingCategory::installFilter(secretSafeFilter);
}

} // namespace billing
