#pragma once

#include "CliCommand.h"

namespace billing::server {

// `webhook verify`: checks a Stripe-Signature header against a payload offline
// and says exactly why it fails, the tool for the seed's "Webhook Signature Error".
class WebhookCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    bool acceptsPositionalArguments() const override { return true; }
    int run(const QCommandLineParser &parser, CliStreams streams) override;
};

} // namespace billing::server
