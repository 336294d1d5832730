#pragma once

#include "CliCommand.h"

namespace billing::server {

// `migrate`: brings the configured database to this build's schema.
class MigrateCommand final : public CliCommand
{
public:
    QString name() const override;
    QString summary() const override;
    void addOptions(QCommandLineParser &parser) const override;
    int run(const QCommandLineParser &parser, CliStreams streams) override;
};

} // namespace billing::server
