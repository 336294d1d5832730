#include "SettingKeys.h"

using namespace Qt::StringLiterals;

namespace billing {

const QList<SettingDescriptor> &settingDescriptors()
{
    using namespace SettingKeys;
    static const QList<SettingDescriptor> descriptors = {
        {StripeSecretKey, true, u"Stripe secret API key (sk_test_… / sk_live_…, or a restricted rk_…)"_s},
        {StripePublishableKey, false,
         u"Stripe publishable key (pk_test_… / pk_live_…), for the web front end"_s},
        {StripeWebhookSecret, true,
         u"Webhook signing secret(s) (whsec_…); comma-separated during a rotation"_s},
        {StripePriceSolo, false, u"Price id (price_…) of the Solo plan"_s},
        {StripePriceTeam, false, u"Price id (price_…) of the Team plan"_s},
        {StripePriceEnterprise, false, u"Price id (price_…) of the Enterprise plan"_s},
        {StripeApiBase, false, u"Stripe API base URL"_s},
        {StripeApiVersion, false, u"Stripe API version pinned with the Stripe-Version header"_s},
        {StripeWebhookTolerance, false, u"Maximum age of a webhook signature timestamp, in seconds"_s},
        {PastDueGraceDays, false, u"Days a licence stays valid while its subscription is past due"_s},
        {EventsPollInterval, false,
         u"Seconds between fetches of the Stripe events the service missed (0: off)"_s},
        {ReconcileInterval, false,
         u"Seconds between serve's reconciliations with Stripe (0: only when staff start one)"_s},
        {DunningWebhookUrl, true,
         u"Where dunning notices are POSTed as JSON (or use BILLING_DUNNING_COMMAND)"_s},
        {DunningCommand, false, u"Program that receives each dunning notice as JSON on stdin"_s},
        {DataDir, false, u"Directory for the SQLite database and the service's files"_s},
        {Database, true, u"Database: sqlite:///path or postgresql://user:pass@host:port/db"_s},
        {LicenseKeyPath, false,
         u"Ed25519 private key that signs licence keys (created on first use, mode 0600)"_s},
        {ListenAddress, false, u"Address the HTTP service listens on"_s},
        {Port, false, u"Port the HTTP service listens on"_s},
        {ApiToken, true, u"Bearer token the payment endpoints require (at least 32 characters)"_s},
        {AllowedRedirectHosts, false,
         u"Hosts that success_url, cancel_url and return_url may point at (comma-separated)"_s},
        {TlsCertificateFile, false,
         u"PEM certificate (chain) the service presents when it serves HTTPS itself"_s},
        {TlsKeyFile, false, u"PEM private key of that certificate (keep it 0600)"_s},
        {PortalReturnUrl, false,
         u"Where a Customer Portal link made in the dashboard sends the customer back"_s},
    };
    return descriptors;
}

const SettingDescriptor *findSettingDescriptor(const QString &name)
{
    for (const SettingDescriptor &descriptor : settingDescriptors()) {
        if (descriptor.name == name)
            return &descriptor;
    }
    return nullptr;
}

} // namespace billing
