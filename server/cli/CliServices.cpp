#include "CliServices.h"

#include "common/Clock.h"
#include "license/SigningIdentity.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace billing::server {

StripeClient::Options stripeClientOptions(const Settings &settings)
{
    StripeClient::Options options;
    options.apiBase = settings.stripeApiBase;
    options.secretKey = settings.stripeSecretKey;
    options.apiVersion = settings.stripeApiVersion;
    return options;
}

EventProcessing::EventProcessing(LicenseSigner licenseSigner, Database &database, const Settings &settings)
    : signer(std::move(licenseSigner))
    , processor(database, signer, PlanCatalog(settings.prices),
                {settings.mode(), settings.stripeApiVersion, settings.pastDueGrace})
{}

std::unique_ptr<EventProcessing> makeEventProcessing(Database &database, const Settings &settings,
                                                     CliStreams streams)
{
    // The installation's one key, or a refusal that says how to copy it.
    Result<LicenseSigner> signer =
        SigningIdentity::load(database, settings.licenseKeyPath, Clock::system().nowSecondsSinceEpoch());
    if (!signer) {
        streams.err << u"error: "_s << signer.error().message << Qt::endl;
        return nullptr;
    }
    return std::make_unique<EventProcessing>(std::move(signer).value(), database, settings);
}

std::unique_ptr<StripeCommandServices> openStripeCommandServices(const Settings &settings, CliStreams streams)
{
    std::optional<CliDatabase> opened = openMigratedCliDatabase(settings, streams);
    if (!opened)
        return nullptr;
    auto services = std::make_unique<StripeCommandServices>();
    services->opened = std::move(*opened);
    services->processing = makeEventProcessing(services->database(), settings, streams);
    if (!services->processing)
        return nullptr;
    services->stripe = std::make_unique<StripeClient>(&services->network, stripeClientOptions(settings));
    return services;
}

} // namespace billing::server
