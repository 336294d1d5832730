#pragma once

#include "CliCommand.h"
#include "CliDatabase.h"
#include "billing/EventProcessor.h"
#include "config/Settings.h"
#include "license/LicenseSigner.h"
#include "stripe/StripeClient.h"

#include <QNetworkAccessManager>

#include <memory>

namespace billing::server {

// What several commands build from the settings, built one way.
StripeClient::Options stripeClientOptions(const Settings &settings);

// The licence signer and the event processor that signs with it (which keeps
// a reference to it: this stays where it was made).
struct EventProcessing
{
    EventProcessing(LicenseSigner licenseSigner, Database &database, const Settings &settings);
    EventProcessing(const EventProcessing &) = delete;
    EventProcessing &operator=(const EventProcessing &) = delete;

    LicenseSigner signer;
    EventProcessor processor;
};

// Loads the installation's signing key (creating and recording it on a database
// that has none); prints the error and returns nothing when it cannot, such as
// when this instance's key is not the one recorded in the database.
std::unique_ptr<EventProcessing> makeEventProcessing(Database &database, const Settings &settings,
                                                     CliStreams streams);

// What a command that reads Stripe and applies its objects opens: the
// migrated database, the signing identity with its processor, a Stripe client.
struct StripeCommandServices
{
    CliDatabase opened;
    std::unique_ptr<EventProcessing> processing;
    QNetworkAccessManager network;
    std::unique_ptr<StripeClient> stripe;

    Database &database() { return *opened.database; }
};

// Prints what failed and returns nothing when something cannot be opened.
std::unique_ptr<StripeCommandServices> openStripeCommandServices(const Settings &settings,
                                                                 CliStreams streams);

} // namespace billing::server
