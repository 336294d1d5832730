#pragma once

#include "CliCommand.h"

namespace billing::server {

// `staff add <name> | list | revoke <name>`: the billing staff who may sign in
// to the dashboard. `add` prints the new personal token once.
class StaffCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    bool acceptsPositionalArguments() const override { return true; }
    int run(const QCommandLineParser &parser, CliStreams streams) override;
};

} // namespace billing::server
