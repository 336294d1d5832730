#pragma once

#include "CliCommand.h"
#include "billing/EventProcessor.h"
#include "config/Settings.h"
#include "license/LicenseSigner.h"
#include "stripe/StripeClient.h"

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

} // namespace billing::server
