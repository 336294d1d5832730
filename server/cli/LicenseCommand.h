#pragma once

#include "CliCommand.h"

namespace billing::server {

// `license verify <key>` checks a licence key offline and prints its claims;
// `license public-key` prints the public key that products use to check keys.
class LicenseCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    bool acceptsPositionalArguments() const override { return true; }
    int run(const QCommandLineParser &parser, CliStreams streams) override;
};

} // namespace billing::server
