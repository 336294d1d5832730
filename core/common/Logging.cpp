#include "Logging.h"

Q_LOGGING_CATEGORY(lcConfig, "billing.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDatabase, "billing.db", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMigrations, "billing.migrations", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStripe, "billing.stripe", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAudit, "billing.audit", QtInfoMsg)
