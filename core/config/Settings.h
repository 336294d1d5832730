#pragma once

#include "db/DatabaseUrl.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

namespace billing {

enum class StripeMode { Unknown, Test, Live };
// Stripe's livemode for a mode; nothing for Unknown (reads then see both modes).
std::optional<bool> livemodeOf(StripeMode mode);

// The API version the product is written against; Stripe-Version pins every call to it.
inline const QString kDefaultStripeApiVersion = QStringLiteral("2025-03-31.basil");
inline const QString kDefaultStripeApiBase = QStringLiteral("https://api.stripe.com");
inline constexpr quint16 kDefaultPort = 8787;
inline constexpr std::chrono::seconds kDefaultWebhookTolerance{300};

// The plans the checkout endpoint sells, each backed by one Stripe Price.
struct PlanPrices
{
    QString solo;
    QString team;
    QString enterprise;
};

// The effective, validated configuration. Built only by SettingsValidator.
struct Settings
{
    QString stripeSecretKey;
    QString stripePublishableKey;
    // Several during a rotation; a signature made with any of them is accepted.
    QStringList stripeWebhookSecrets;
    PlanPrices prices;
    QUrl stripeApiBase;
    QString stripeApiVersion;
    std::chrono::seconds webhookTolerance = kDefaultWebhookTolerance;
    // How long a licence stays valid while its subscription is past due.
    std::chrono::seconds pastDueGrace{7 * 24 * 3600};
    // serve fetches the events it missed at start and then this often; 0: never.
    std::chrono::seconds eventsPollInterval{300};
    std::chrono::seconds reconcileInterval{86400};
    // The dunning hook: an HTTP endpoint or a command (at most one).
    QUrl dunningWebhookUrl;
    QString dunningCommand;

    QString dataDir;
    QString licenseKeyPath;
    DatabaseUrl database;
    QHostAddress listenAddress{QHostAddress::LocalHost};
    quint16 port = kDefaultPort;
    // The callers of the payment endpoints present this as "Authorization: Bearer …".
    QString apiToken;
    // Lower-case host names; "*.example.com" also allows every subdomain.
    QStringList allowedRedirectHosts;
    // HTTPS served by the service itself (both set), else plain HTTP behind a proxy.
    QString tlsCertificateFile;
    QString tlsKeyFile;
    // Where a portal link made in the dashboard returns the customer.
    QString portalReturnUrl;

    // Test or live, as the secret key says.
    StripeMode mode() const;
};

QString stripeModeName(StripeMode mode);

} // namespace billing
