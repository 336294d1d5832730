#pragma once

#include <QList>
#include <QString>

namespace billing {

// The names operators and scripts rely on. README.md and .env.example document
// each of them; a test keeps .env.example in step with this list.
namespace SettingKeys {
inline const QString StripeSecretKey = QStringLiteral("STRIPE_SECRET_KEY");
inline const QString StripePublishableKey = QStringLiteral("STRIPE_PUBLISHABLE_KEY");
inline const QString StripeWebhookSecret = QStringLiteral("STRIPE_WEBHOOK_SECRET");
inline const QString StripePriceSolo = QStringLiteral("STRIPE_PRICE_SOLO");
inline const QString StripePriceTeam = QStringLiteral("STRIPE_PRICE_TEAM");
inline const QString StripePriceEnterprise = QStringLiteral("STRIPE_PRICE_ENTERPRISE");
inline const QString StripeApiBase = QStringLiteral("STRIPE_API_BASE");
inline const QString StripeApiVersion = QStringLiteral("STRIPE_API_VERSION");
inline const QString StripeWebhookTolerance = QStringLiteral("STRIPE_WEBHOOK_TOLERANCE");
inline const QString DataDir = QStringLiteral("BILLING_DATA_DIR");
inline const QString Database = QStringLiteral("BILLING_DATABASE_URL");
inline const QString ListenAddress = QStringLiteral("BILLING_LISTEN_ADDRESS");
inline const QString Port = QStringLiteral("BILLING_PORT");
inline const QString ApiToken = QStringLiteral("BILLING_API_TOKEN");
inline const QString PastDueGraceDays = QStringLiteral("BILLING_PAST_DUE_GRACE_DAYS");
inline const QString EventsPollInterval = QStringLiteral("BILLING_EVENTS_POLL_INTERVAL");
inline const QString ReconcileInterval = QStringLiteral("BILLING_RECONCILE_INTERVAL");
inline const QString DunningWebhookUrl = QStringLiteral("BILLING_DUNNING_WEBHOOK_URL");
inline const QString DunningCommand = QStringLiteral("BILLING_DUNNING_COMMAND");
inline const QString LicenseKeyPath = QStringLiteral("BILLING_LICENSE_KEY_PATH");
inline const QString AllowedRedirectHosts = QStringLiteral("BILLING_ALLOWED_REDIRECT_HOSTS");
inline const QString PortalReturnUrl = QStringLiteral("BILLING_PORTAL_RETURN_URL");
inline const QString TlsCertificateFile = QStringLiteral("BILLING_TLS_CERT_FILE");
inline const QString TlsKeyFile = QStringLiteral("BILLING_TLS_KEY_FILE");
} // namespace SettingKeys

struct SettingDescriptor
{
    QString name;
    bool secret = false;
    QString description;
};

// Every setting, in the order check-config prints them.
const QList<SettingDescriptor> &settingDescriptors();
const SettingDescriptor *findSettingDescriptor(const QString &name);

} // namespace billing
