#pragma once

#include "CliCommand.h"

namespace billing::server {

// `check-config`: validates every setting and prints the effective
// configuration with secrets masked; exits non-zero on any error.
class CheckConfigCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    int run(const QCommandLineParser &parser, CliStreams streams) override;
};

} // namespace billing::server
